"""Peloton: the old `/auth/login` was retired in late 2025 and the Auth0 tenant refuses the
password grant, so this runs the web app's own Auth0 login, PKCE included:
1. GET /authorize (PKCE S256, state, nonce): Auth0 redirects to its login page, whose `state`
   replaces ours, and sets the `_csrf` cookie;
2. POST JSON to /usernamepassword/login (bad credentials: 401 `invalid_user_password`);
3. the answer is an HTML page with a hidden form, which we POST to its action (/login/callback);
4. follow the redirects until one carries `?code=` (to the web app's callback, never fetched);
5. POST /oauth/token (authorization_code + code_verifier, public client); `GET /api/me` gives
   the user id. The refresh token (offline_access) keeps the connection: no password is stored."""

import base64
import hashlib
import secrets
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

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

CLIENT_ID = "WVoJxVDdPoFx4RNewvvg6ch2mZ7bwnsM"  # Peloton's web app (a public client)
AUDIENCE = "https://api.onepeloton.com/"
SCOPE = "offline_access openid peloton-api.members:default"
WEB_CALLBACK = "https://members.onepeloton.com/callback"
TENANT, CONNECTION = "peloton-prod", "pelo-user-password"
# What Peloton's hosted login page sends (peloton-to-garmin copies it), not the SPA's own value.
AUTH0_CLIENT = base64.b64encode(b'{"name":"auth0.js-ulp","version":"9.14.3"}').decode()
_MAX_REDIRECTS = 5
_CREDENTIAL_CODES = {"invalid_user_password", "access_denied", "blocked_user"}


class PelotonAdapter(PasswordAdapter):
    slug = "peloton"
    vital_id = 10
    name = "Peloton"
    description = "Classes and workouts from Peloton."
    status = Status.BETA
    docs_url = "https://github.com/philosowaffle/peloton-to-garmin/issues/795"
    checked_on = "2026-12-01"
    sources = (
        "https://github.com/philosowaffle/peloton-to-garmin/issues/795",
        "https://github.com/philosowaffle/peloton-to-garmin",
        "https://github.com/edwork/homeassistant-peloton-sensor/issues/112",
        "https://github.com/justmedude/pylotoncycle",
    )
    note = (
        "Unofficial: Peloton's old /auth/login endpoint was retired in late 2025 and its Auth0 "
        "tenant refuses the password grant, so login runs Peloton's web sign-in in several steps "
        "(with PKCE). No password is stored. Not verified: the one-time-code step the sandbox "
        "rehearses (Auth0 can ask for one; no maintained client handles it), and the password "
        "grant pylotoncycle uses with another client id."
    )
    supported_resources = ("workouts", "workout_stream", "profile")
    hosts = {"auth": "https://auth.onepeloton.com", "api": "https://api.onepeloton.com"}
    api_base = ("api", "")  # /api/me, /api/user/{id}/workouts, Bearer

    def login(self, *, username, password, region, mfa_code=None):
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        flow = {
            "client_id": CLIENT_ID,
            "redirect_uri": WEB_CALLBACK,
            "response_type": "code",
            "scope": SCOPE,
            "audience": AUDIENCE,
            "state": secrets.token_urlsafe(24),
            "nonce": secrets.token_urlsafe(24),
            "code_challenge": challenge.decode().rstrip("="),
            "code_challenge_method": "S256",
        }
        login_page = self._login_page(flow)
        form_page = self._submit(flow, login_page, username, password, mfa_code)
        code = self._follow(self._post_hidden_form(form_page))
        tokens = self._token(
            {"grant_type": "authorization_code", "code": code, "code_verifier": verifier},
            refused=ProviderApiError,
        )
        me = json_body(
            self.http.get(
                self.url("api", "/api/me"),
                headers={"Authorization": f"Bearer {tokens.access_token}"},
            )
        )
        if not isinstance(me, dict) or not me.get("id"):
            raise ProviderApiError()
        return Connected(external_user_id=str(me["id"]), tokens=tokens)

    def refresh(self, credentials):
        previous = TokenSet.from_credentials(credentials).refresh_token
        tokens = self._token(
            {"grant_type": "refresh_token", "refresh_token": previous}, refused=RefreshRejected
        )
        return TokenSet(tokens.access_token, tokens.refresh_token or previous, tokens.expires_at)

    # -- the steps ------------------------------------------------------------------------

    def _login_page(self, flow: dict) -> str:
        """Step 1: the login page's URL; Auth0 has set the `_csrf` cookie by now."""
        response = self.http.get(
            self.url("auth", "/authorize"),
            params={**flow, "response_mode": "query", "auth0Client": AUTH0_CLIENT},
        )
        state = parse_qs(urlsplit(response.url).query).get("state")
        if response.status_code != 200 or not state or not self.http.cookies.get("_csrf"):
            raise ProviderApiError()
        flow["state"] = state[0]
        return response.url

    def _submit(self, flow, login_page, username, password, mfa_code) -> str:
        """Step 2: the credentials; the answer is the hidden-form page."""
        body = {
            **flow,
            "tenant": TENANT,
            "connection": CONNECTION,
            "_csrf": self.http.cookies.get("_csrf"),
            "_intstate": "deprecated",
            "username": username,
            "password": password,
        }
        if mfa_code:
            body["mfa_code"] = mfa_code
        response = self.http.post(
            self.url("auth", "/usernamepassword/login"),
            json=body,
            headers={
                "Auth0-Client": AUTH0_CLIENT,
                "Origin": self.base_urls["auth"],
                "Referer": login_page,
            },
            allow_redirects=False,
        )
        if response.status_code != 200:
            raise _auth0_error(json_body(response))
        return response.text

    def _post_hidden_form(self, page: str):
        """Step 3: post the hidden form, only ever back to Peloton's own Auth0 host."""
        form = _HiddenForm()
        form.feed(page)
        action = urljoin(self.base_urls["auth"] + "/", form.action or "")
        if not form.action or not self._on_auth_host(action):
            raise ProviderApiError()
        return self.http.post(action, data=form.fields, allow_redirects=False)

    def _follow(self, response) -> str:
        """Step 4: the authorization code, from the first redirect that carries one."""
        for _ in range(_MAX_REDIRECTS):
            location = urljoin(response.url, response.headers.get("Location", ""))
            code = parse_qs(urlsplit(location).query).get("code")
            if code:
                return code[0]
            if response.status_code not in (301, 302, 303, 307) or not self._on_auth_host(location):
                break
            response = self.http.get(location, allow_redirects=False)
        raise ProviderApiError()

    def _token(self, grant: dict, *, refused) -> TokenSet:
        """Step 5 (and refresh): the token endpoint, as a public client."""
        response = self.http.post(
            self.url("auth", "/oauth/token"),
            json={**grant, "client_id": CLIENT_ID, "redirect_uri": WEB_CALLBACK},
        )
        data = json_body(response)
        if response.status_code != 200 or not isinstance(data, dict):
            raise refused()
        try:
            return TokenSet(
                access_token=data["access_token"],
                refresh_token=data.get("refresh_token"),
                expires_at=expires_in(data.get("expires_in")),
            )
        except KeyError:
            raise ProviderApiError() from None

    def _on_auth_host(self, url: str) -> bool:
        return url.startswith(self.base_urls["auth"] + "/")


def _auth0_error(data) -> Exception:
    code = data.get("code") if isinstance(data, dict) else None
    if code in _CREDENTIAL_CODES:
        return InvalidCredentials()
    if code == "a0.mfa_required":
        return MfaRequired(method="sms", hint=str(data.get("description", "")))
    if code == "a0.mfa_invalid_code":
        return IncorrectMfaCode()
    return ProviderApiError()


class _HiddenForm(HTMLParser):
    """The first form of a page: its action and its hidden inputs."""

    def __init__(self):
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action")
        elif tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""
