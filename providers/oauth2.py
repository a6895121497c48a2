"""The OAuth 2.0 authorization-code flow (with PKCE S256 where the vendor takes it), on
requests-oauthlib. A vendor module sets the class constants and overrides a hook or two."""

import logging
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import ClassVar
from urllib.parse import urlencode

from oauthlib.oauth2.rfc6749.errors import InvalidClientError, InvalidGrantError, OAuth2Error
from requests.auth import HTTPBasicAuth

from .base import Adapter, Connected, TokenSet, expires_in
from .errors import (
    ProviderApiError,
    ProviderError,
    RefreshRejected,
    ScopesNotGranted,
    UserCancelled,
)
from .http import OAuth2HttpSession, json_body

log = logging.getLogger(__name__)


class OAuth2Adapter(Adapter):
    auth_type = "oauth"
    requires_app = True
    authorize_endpoint: ClassVar[tuple[str, str]]  # (host name, path)
    token_endpoint: ClassVar[tuple[str, str]]
    scopes: ClassVar[tuple[str, ...]] = ()
    required_scopes: ClassVar[frozenset[str]] = frozenset()
    scope_separator: ClassVar[str] = " "
    pkce: ClassVar[bool] = False
    client_auth: ClassVar[str] = "body"  # "body" (client_id + secret in the form) or "basic"
    exchange_method: ClassVar[str] = "POST"
    authorize_params: ClassVar[dict[str, str]] = {}
    token_params: ClassVar[dict[str, str]] = {}  # extra parameters on every token call
    refresh_params: ClassVar[dict[str, str]] = {}  # and on refreshes only
    refreshable: ClassVar[bool] = True  # False: no refresh tokens; an ended token means reconnect

    # -- connect ---------------------------------------------------------------------------

    def authorization_url(
        self, *, state: str, code_challenge: str | None, region: str | None
    ) -> str:
        params = dict(self.authorize_params)
        if self.pkce:
            params.update(code_challenge=code_challenge, code_challenge_method="S256")
        scope = self.scope_separator.join(self.scopes) or None
        url, _ = self._session(scope=scope).authorization_url(
            self.url(*self.endpoint_for("authorize", region)), state=state, **params
        )
        return url

    def finish(
        self,
        *,
        params: dict[str, str],
        code_verifier: str | None,
        region: str | None,
    ) -> Connected:
        """Turn the vendor's redirect back to us into a connection, or a typed error."""
        if params.get("error"):
            if params["error"] == "access_denied":
                raise UserCancelled()
            raise ProviderApiError(f"The provider refused the connection: {params['error'][:80]}.")
        if not params.get("code"):
            raise ProviderApiError("The provider came back without an authorization code.")
        kwargs = {"code_verifier": code_verifier} if self.pkce else {}
        token = self._token_call(
            lambda session, auth: session.fetch_token(
                self.url(*self.endpoint_for("token", region)),
                code=params["code"],
                method=self.exchange_method,
                auth=auth,
                include_client_id=self.client_auth == "body",
                client_secret=self.app.client_secret,
                **self.token_params,
                **kwargs,
            )
        )
        tokens = self.token_set(token, previous=TokenSet("", extra=self.persist(region)))
        granted = self.granted_scopes(token, params)
        if not self.required_scopes <= set(granted):
            raise ScopesNotGranted()
        # The connection's scopes are what the user granted, wherever the vendor says so.
        tokens = replace(tokens, scopes=granted)
        try:
            external_user_id = self.identity(token, tokens)
        except (KeyError, TypeError):
            raise ProviderApiError("The provider did not say which account this is.") from None
        return Connected(external_user_id=external_user_id, tokens=tokens)

    # -- hooks -----------------------------------------------------------------------------

    def endpoint_for(self, which: str, region: str | None) -> tuple[str, str]:
        """(host name, path) of the authorize or token endpoint; regional vendors override."""
        return self.authorize_endpoint if which == "authorize" else self.token_endpoint

    def persist(self, region: str | None) -> dict:
        """Vendor values kept with the tokens (TokenSet.extra)."""
        return {}

    def granted_scopes(self, token: dict, params: dict[str, str]) -> tuple[str, ...]:
        return split_scopes(token.get("scope"))

    def identity(self, token: dict, tokens: TokenSet) -> str:
        """The vendor's id for the account: from the token, or from a profile call. It may add
        what else the vendor says of the account to `tokens.extra`."""
        return str(token["user_id"])

    def compliance_hook(self, response):
        """Rewrite a vendor's non-standard token response into RFC 6749 shape."""
        return response

    def token_set(self, token: dict, *, previous: TokenSet) -> TokenSet:
        expires_at = token.get("expires_at")
        return TokenSet(
            access_token=token["access_token"],
            # Some vendors only rotate sometimes: keep the refresh token we have if none came.
            refresh_token=token.get("refresh_token") or previous.refresh_token,
            expires_at=datetime.fromtimestamp(float(expires_at), UTC)
            if expires_at
            else expires_in(token.get("expires_in")),
            scopes=split_scopes(token.get("scope")) or previous.scopes,
            extra=previous.extra,
        )

    # -- lifecycle -------------------------------------------------------------------------

    def refresh(self, credentials: dict) -> TokenSet:
        if not self.refreshable:
            raise RefreshRejected()
        previous = TokenSet.from_credentials(credentials)
        token = self._token_call(
            lambda session, auth: session.refresh_token(
                self.url(*self.endpoint_for("token", previous.extra.get("region"))),
                refresh_token=previous.refresh_token,
                auth=auth,
                body=urlencode(self.refresh_params),  # a `scope` kwarg would clash
                **self._body_client_auth(),
                **self.token_params,
            ),
            invalid_grant=RefreshRejected(),
        )
        return self.token_set(token, previous=previous)

    def bearer(self, credentials_or_tokens) -> dict[str, str]:
        access = getattr(credentials_or_tokens, "access_token", None)
        return {"Authorization": f"Bearer {access or credentials_or_tokens['access_token']}"}

    def profile(self, host: str, path: str, tokens: TokenSet):
        """GET a JSON profile with the access token; garbage or errors become typed errors."""
        response = self.http.get(self.url(host, path), headers=self.bearer(tokens))
        if response.status_code != 200:
            raise ProviderApiError("The provider did not return the account profile.")
        return json_body(response)

    # -- plumbing --------------------------------------------------------------------------

    def _body_client_auth(self) -> dict[str, str]:
        if self.client_auth == "body":
            return {"client_id": self.app.client_id, "client_secret": self.app.client_secret}
        return {}

    def _session(self, scope: str | None = None):
        session = OAuth2HttpSession(
            vendor=self.slug,
            gone=self.gone_message,
            client_id=self.app.client_id,
            redirect_uri=self.redirect_uri,
            scope=scope,
        )
        session.register_compliance_hook("access_token_response", self.compliance_hook)
        session.register_compliance_hook("refresh_token_response", self.compliance_hook)
        return session

    def _token_call(self, call, *, invalid_grant: ProviderError | None = None) -> dict:
        auth = (
            HTTPBasicAuth(self.app.client_id, self.app.client_secret)
            if self.client_auth == "basic"
            else None
        )
        try:
            return dict(call(self._session(), auth))
        except ProviderError:
            raise
        except InvalidGrantError:
            raise invalid_grant or ProviderApiError(
                "The sign-in at the provider expired or was already used. Please start again."
            ) from None
        except InvalidClientError:
            log.error("%s rejected our OAuth client credentials", self.slug)
            raise ProviderApiError(
                "The provider rejected this app's registration; the app's operator must fix it."
            ) from None
        except (OAuth2Error, ValueError, TypeError, KeyError):
            raise ProviderApiError() from None


def split_scopes(raw) -> tuple[str, ...]:
    """Scopes as a tuple, whatever the vendor's separator (space, comma) or shape (list)."""
    if not raw:
        return ()
    if isinstance(raw, list | tuple):
        raw = " ".join(raw)
    return tuple(s for s in re.split(r"[\s,]+", str(raw)) if s)
