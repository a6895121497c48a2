"""Zwift: no public API; its apps sign in with a Keycloak password grant on a public client id.
The grant gives a refresh token, so the password is never stored. Keycloak takes a one-time code
as `totp` on the same call."""

from ...base import Connected, Status, TokenSet, expires_in
from ...errors import IncorrectMfaCode, InvalidCredentials, MfaRequired, ProviderApiError
from ...http import json_body
from ...password import PasswordAdapter, jwt_subject

GRANT_PATH = "/auth/realms/zwift/protocol/openid-connect/token"
LOGOUT_PATH = "/auth/realms/zwift/protocol/openid-connect/logout"
CLIENT_ID = "Zwift_Mobile_Link"  # the public client of Zwift's companion app


class ZwiftAdapter(PasswordAdapter):
    slug = "zwift"
    vital_id = 9
    name = "Zwift"
    description = "Indoor rides and runs from Zwift."
    status = Status.BETA
    docs_url = "https://zwift.com/"
    checked_on = "2026-12-01"
    sources = (
        "https://github.com/jsmits/zwift-client",
        "https://github.com/rally25rs/zwift-api-wrapper",
        "https://github.com/SauceLLC/sauce4zwift",
    )
    note = (
        "Unofficial API: a Keycloak password grant with Zwift's public client id; the id is the "
        "token's subject. Not verified: that the subject is Zwift's account id (Keycloak's "
        "convention), the exact unauthorized_client answer, and the one-time-code step "
        "(Keycloak's `totp`; no maintained client sends one). zwift-client (PyPI, 2018) uses an "
        "endpoint Zwift retired, so it is no witness."
    )
    supported_resources = ("workouts", "workout_stream", "profile")
    hosts = {"secure": "https://secure.zwift.com"}

    def login(self, *, username, password, region, mfa_code=None):
        form = {
            "grant_type": "password",
            "client_id": CLIENT_ID,
            "username": username,
            "password": password,
        }
        if mfa_code:
            form["totp"] = mfa_code
        tokens = self._token(form)
        # The token's subject is Zwift's id for the account; the typed name may change.
        return Connected(external_user_id=tokens.extra["sub"], tokens=tokens)

    def refresh(self, credentials):
        previous = TokenSet.from_credentials(credentials)
        return self._token(
            {
                "grant_type": "refresh_token",
                "client_id": CLIENT_ID,
                "refresh_token": previous.refresh_token,
            }
        )

    def revoke(self, credentials):
        self.http.post(
            self.url("secure", LOGOUT_PATH),
            data={"client_id": CLIENT_ID, "refresh_token": credentials["refresh_token"]},
        )

    def _token(self, form: dict) -> TokenSet:
        response = self.http.post(self.url("secure", GRANT_PATH), data=form)
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
                extra={"sub": jwt_subject(data["access_token"])},
            )
        except (KeyError, ValueError):
            raise ProviderApiError() from None


def _keycloak_error(data: dict) -> Exception:
    description = str(data.get("error_description", ""))
    if description == "OTP required":
        return MfaRequired(method="email", hint=data.get("otp_hint", ""))
    if description == "Invalid OTP":
        return IncorrectMfaCode()
    if data.get("error") == "invalid_grant":
        return InvalidCredentials()
    if data.get("error") == "unauthorized_client":  # the realm refused the app's client id
        return ProviderApiError("Zwift refused this app's sign-in client; the operator must act.")
    return ProviderApiError()
