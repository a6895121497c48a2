"""Sign-in with the user's own username and password, in one or more vendor steps. When the
vendor asks for a one-time code, `login` raises MfaRequired; the caller keeps what the user typed
(encrypted, for the length of the link session) and calls `login` again with `mfa_code`."""

from typing import ClassVar

import jwt

from .base import Adapter, Connected, TokenSet, expires_in
from .errors import InvalidCredentials, ProviderApiError, ProviderError, RefreshRejected
from .http import json_body


class PasswordAdapter(Adapter):
    auth_type = "password"
    # True only where the vendor offers no way to stay connected without it (see the module).
    stores_password: ClassVar[bool] = False

    def login(
        self, *, username: str, password: str, region: str | None, mfa_code: str | None = None
    ) -> Connected:
        raise NotImplementedError


class PasswordGrantAdapter(PasswordAdapter):
    """An OAuth-style password grant: one POST of the credentials to a token endpoint, answered
    with an access token and a refresh token, so the password is never stored. Vendors differ in
    the body's encoding, the app fields they expect and where the user id is; a vendor module
    sets those. None of these vendors asks for a one-time code."""

    token_endpoint: ClassVar[tuple[str, str]]  # (host name, path)
    encoding: ClassVar[str] = "json"  # "json" | "form"
    app_fields: ClassVar[dict[str, str]] = {}  # the vendor app's own client id and the like

    def login(self, *, username, password, region, mfa_code=None):
        body = {"grant_type": "password", "username": username, "password": password}
        data = self._grant(body, refused=self.refused)
        try:
            return Connected(external_user_id=self.user_id(data), tokens=self._tokens(data))
        except (KeyError, TypeError, ValueError):
            raise ProviderApiError() from None

    def refresh(self, credentials):
        refresh_token = TokenSet.from_credentials(credentials).refresh_token
        if not refresh_token:
            raise RefreshRejected()
        data = self._grant(
            {"grant_type": "refresh_token", "refresh_token": refresh_token},
            refused=lambda response, data: RefreshRejected(),
        )
        try:
            return self._tokens(data, previous=refresh_token)
        except (KeyError, TypeError, ValueError):
            raise ProviderApiError() from None

    def user_id(self, data: dict) -> str:
        """The vendor's id for the account, from the token response."""
        raise NotImplementedError

    def refused(self, response, data: dict) -> ProviderError:
        """A non-200 answer to the login: bad credentials on a 4xx."""
        if data.get("error") == "invalid_client":
            return ProviderApiError("The provider no longer accepts this app's sign-in.")
        if response.status_code in (400, 401, 403):
            return InvalidCredentials()
        return ProviderApiError()

    def _grant(self, body: dict, *, refused) -> dict:
        body = {**self.app_fields, **body}
        payload = {"json": body} if self.encoding == "json" else {"data": body}
        response = self.http.post(self.url(*self.token_endpoint), **payload)
        data = json_body(response)
        if not isinstance(data, dict):
            raise ProviderApiError()
        if response.status_code != 200:
            raise refused(response, data)
        return data

    def _tokens(self, data: dict, previous: str | None = None) -> TokenSet:
        return TokenSet(
            access_token=data["access_token"],
            refresh_token=data.get("refresh_token") or previous,
            expires_at=expires_in(data.get("expires_in")),
        )


def jwt_subject(token: str) -> str:
    """The `sub` claim of a JWT just received over TLS from its issuer (no signature check);
    ValueError if the token is not a JWT, KeyError if it has no subject."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as exc:
        raise ValueError("The token is not a JWT.") from exc
    return str(claims["sub"])
