"""Zwift: no public API; its apps sign in with a Keycloak password grant on a public client id.
The grant gives a refresh token, so the password is never stored. Keycloak takes a one-time code
as `totp` on the same call."""

import base64
import json

from ..base import Connected, TokenSet, expires_in
from ..errors import IncorrectMfaCode, InvalidCredentials, MfaRequired, ProviderApiError
from ..http import json_body
from ..password import PasswordAdapter

_GRANT_PATH = "/auth/realms/zwift/protocol/openid-connect/token"
_LOGOUT_PATH = "/auth/realms/zwift/protocol/openid-connect/logout"
_CLIENT_ID = "Zwift_Mobile_Link"  # the public client of Zwift's companion app


class ZwiftAdapter(PasswordAdapter):
    slug = "zwift"
    docs_url = "https://zwift.com/"
    hosts = {"secure": "https://secure.zwift.com"}

    def login(self, *, username, password, region, mfa_code=None):
        form = {
            "grant_type": "password",
            "client_id": _CLIENT_ID,
            "username": username,
            "password": password,
        }
        if mfa_code:
            form["totp"] = mfa_code
        return Connected(external_user_id=username, tokens=self._token(form))

    def refresh(self, credentials):
        previous = TokenSet.from_credentials(credentials)
        return self._token(
            {
                "grant_type": "refresh_token",
                "client_id": _CLIENT_ID,
                "refresh_token": previous.refresh_token,
            }
        )

    def revoke(self, credentials):
        self.http.post(
            self.url("secure", _LOGOUT_PATH),
            data={"client_id": _CLIENT_ID, "refresh_token": credentials["refresh_token"]},
        )

    def _token(self, form: dict) -> TokenSet:
        response = self.http.post(self.url("secure", _GRANT_PATH), data=form)
        data = json_body(response)
        if not isinstance(data, dict):
            raise ProviderApiError()
        if response.status_code != 200:
            raise _keycloak_error(data)
        try:
            return TokenSet(
                access_token=data["access_token"],
                refresh_token=data.get("refresh_token"),
                expires_at=expires_in(data.get("expires_in")),
                extra={"sub": _jwt_subject(data["access_token"])},
            )
        except (KeyError, ValueError):
            raise ProviderApiError() from None


def _keycloak_error(data: dict) -> Exception:
    description = str(data.get("error_description", ""))
    if description == "OTP required":
        return MfaRequired(method="email", hint=data.get("otp_hint", ""))
    if description == "Invalid OTP":
        return IncorrectMfaCode()
    if data.get("error") in ("invalid_grant", "unauthorized_client"):
        return InvalidCredentials()
    return ProviderApiError()


def _jwt_subject(token: str) -> str:
    """The `sub` of a JWT we just received over TLS from the issuer (no signature check)."""
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["sub"])
