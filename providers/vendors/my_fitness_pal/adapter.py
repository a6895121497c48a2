"""MyFitnessPal: its web login (NextAuth since 2021-12). GET /api/auth/csrf gives a csrfToken
(and its cookie), POST /api/auth/callback/credentials sets the session cookie, and GET
/user/auth_token?refresh=true with that cookie answers the bearer token and `user_id`. Since
2022-08 a hidden reCAPTCHA blocks this login for scripts, so in production it fails with an
error that says so; the sandbox still connects so customers can build against it, and the
partner OAuth API (my_fitness_pal_v2) is the way forward. The session cookie, not the password,
is kept: it renews the bearer token until the site ends the session and the user reconnects."""

from urllib.parse import parse_qs, urlsplit

from ...base import Connected, Status, TokenSet, expires_in
from ...errors import (
    IncorrectMfaCode,
    InvalidCredentials,
    MfaRequired,
    ProviderApiError,
    RefreshRejected,
)
from ...http import json_body
from ...password import PasswordAdapter

SESSION_COOKIE = "__Secure-next-auth.session-token"


class CaptchaRequired(ProviderApiError):
    default_message = (
        "MyFitnessPal asked for a captcha check, which cannot be completed here. "
        "Ask the app's developer to connect MyFitnessPal through its partner API."
    )


class MyFitnessPalAdapter(PasswordAdapter):
    slug = "my_fitness_pal"
    vital_id = 16
    name = "MyFitnessPal"
    description = "Meals, water and nutrition from MyFitnessPal."
    status = Status.LEGACY
    docs_url = "https://www.myfitnesspal.com/"
    checked_on = "2026-11-01"
    sources = ("https://github.com/coddingtonbear/python-myfitnesspal/issues/144",)
    note = (
        "MyFitnessPal's web login has been behind a hidden reCAPTCHA since 2022-08, so headless "
        "password login is blocked in production; use the partner OAuth API (my_fitness_pal_v2) "
        "where available. The sandbox still connects, for building."
    )
    supported_resources = ("meal", "water")
    hosts = {"www": "https://www.myfitnesspal.com"}

    def login(self, *, username, password, region, mfa_code=None):
        csrf = json_body(self.http.get(self.url("www", "/api/auth/csrf")))
        if not isinstance(csrf, dict) or not csrf.get("csrfToken"):
            raise ProviderApiError()
        form = {
            "csrfToken": csrf["csrfToken"],
            "username": username,
            "password": password,
            "redirect": "false",
            "json": "true",
        }
        if mfa_code:
            form["otp"] = mfa_code
        response = self.http.post(
            self.url("www", "/api/auth/callback/credentials"), data=form, allow_redirects=False
        )
        answer = json_body(response)
        url = answer.get("url", "") if isinstance(answer, dict) else ""
        error = parse_qs(urlsplit(url).query).get("error", [""])[0]
        session = self.http.cookies.get(SESSION_COOKIE)
        if error or not session:
            raise _signin_error(error)
        data = self._auth_token(session, refused=ProviderApiError)
        return Connected(external_user_id=str(data["user_id"]), tokens=self._tokens(data, session))

    def refresh(self, credentials):
        session = credentials["extra"]["session"]
        return self._tokens(self._auth_token(session, refused=RefreshRejected), session)

    def _auth_token(self, session: str, *, refused) -> dict:
        """The bearer token for a session; a page instead of JSON means the session is over."""
        response = self.http.get(
            self.url("www", "/user/auth_token"),
            params={"refresh": "true"},
            cookies={SESSION_COOKIE: session},
            allow_redirects=False,
        )
        if not response.headers.get("Content-Type", "").startswith("application/json"):
            raise refused()
        data = json_body(response)
        if not isinstance(data, dict) or not data.get("access_token") or not data.get("user_id"):
            raise ProviderApiError()
        return data

    def _tokens(self, data: dict, session: str) -> TokenSet:
        return TokenSet(
            access_token=data["access_token"],
            expires_at=expires_in(data.get("expires_in")),
            extra={"session": session, "user_id": str(data["user_id"])},
        )


def _signin_error(error: str) -> Exception:
    if error == "CredentialsSignin":
        return InvalidCredentials()
    if error == "mfa_required":
        return MfaRequired(method="email", hint="the address on your MyFitnessPal account")
    if error == "invalid_otp":
        return IncorrectMfaCode()
    return CaptchaRequired()
