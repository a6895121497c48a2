"""What every emulator shares: the sandbox accounts, fault modes, signed (stateless) codes and
tokens, and the OAuth consent page. State lives in signed values, never in process memory, so
any worker process can answer any step; the little that signing cannot carry (a revoked grant, a
spent single-use refresh token) lives in the shared cache.

An emulator mirrors its vendor's hosts: `hosts()` maps each real base URL to the URL patterns
served under it, at /sandbox/<host name>/<the vendor's path> (providers.http.sandbox_path).
Levers that exist only in the sandbox (`controls()`) are served at /sandbox/<slug>/….

Sandbox accounts (every vendor): `user_good` / `pass_good` connects; `user_mfa` / `pass_good`
asks for a one-time code, `123456`, where the vendor has a code step (`mfa`), and connects
straight away where it has none; anything else is bad credentials. Faults: the usernames
`user_429`, `user_500`, `user_slow`, `user_garbage`, or the "Simulate" choice on a consent page."""

import base64
import hashlib
import json
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import URLPattern, path, re_path
from django.utils.crypto import constant_time_compare, salted_hmac
from django.views.decorators.csrf import csrf_exempt

from ..base import Adapter, AppCredentials
from ..registry import oauth_redirect_uri

GOOD_USER, MFA_USER, GOOD_PASSWORD, MFA_CODE = "user_good", "user_mfa", "pass_good", "123456"
FAULTS = ("429", "500", "slow", "garbage")
OAUTH_FAULTS = (*FAULTS, "expired_code")


def sandbox_client(slug: str) -> AppCredentials:
    client_id = f"sandbox-{slug}"
    return AppCredentials(client_id, client_secret_for(client_id))


def client_secret_for(client_id: str) -> str:
    return salted_hmac("providers.sandbox.client", client_id, algorithm="sha256").hexdigest()


def account_id(username: str) -> str:
    """A stable vendor account id for a sandbox username."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"link-sandbox:{username}"))


def numeric_id(username: str) -> int:
    return int(hashlib.sha256(username.encode()).hexdigest()[:8], 16)


def sign(payload: dict, purpose: str) -> str:
    return signing.dumps(payload, salt=f"providers.sandbox.{purpose}", compress=True)


def unsign(value: str | None, purpose: str) -> dict | None:
    try:
        return signing.loads(value or "", salt=f"providers.sandbox.{purpose}")
    except signing.BadSignature:
        return None


class Fault(Exception):
    """Answer with this response instead of the vendor's normal one."""

    def __init__(self, response: HttpResponse):
        self.response = response


def fault_raise(fault: str | None) -> None:
    """Misbehave as asked: raise Fault with the bad answer, or be slow and carry on."""
    if fault == "429":
        raise Fault(HttpResponse("Too Many Requests", status=429, headers={"Retry-After": "60"}))
    if fault == "500":
        raise Fault(HttpResponse("Internal Server Error", status=500))
    if fault == "garbage":
        raise Fault(HttpResponse("<html><body>Be right back</body></html>", status=200))
    if fault == "slow":
        time.sleep(settings.LINK_SANDBOX_SLOW_SECONDS)


def password_outcome(
    username: str, password: str, mfa_code: str | None = None, *, mfa: bool = True
) -> str:
    """How a sandbox password login goes: "ok", "mfa", "bad_mfa" or "bad" (or a Fault). `mfa`:
    the vendor has a one-time-code step, which MFA_USER rehearses."""
    if username.startswith("user_") and username[5:] in FAULTS:
        fault_raise(username[5:])
        return "ok"
    if username not in (GOOD_USER, MFA_USER) or password != GOOD_PASSWORD:
        return "bad"
    if username == MFA_USER and mfa:
        if not mfa_code:
            return "mfa"
        if mfa_code != MFA_CODE:
            return "bad_mfa"
    return "ok"


def password_answer(username: str, password: str, mfa_code: str | None, *, ok, **refusals):
    """A sandbox login answered in the vendor's words: `ok(username)` on success, else the
    refusal named by the outcome (`mfa`, `bad_mfa`, `bad`); a fault mode answers for itself. A
    vendor without a code step gives no `mfa` refusal."""
    try:
        outcome = password_outcome(username, password, mfa_code, mfa="mfa" in refusals)
    except Fault as fault:
        return fault.response
    return ok(username) if outcome == "ok" else refusals[outcome]()


def jwt_like(claims: dict) -> str:
    """A token shaped like a JWT (some vendors' clients read its claims); signed by us."""

    def part(value: dict | str) -> str:
        raw = value if isinstance(value, str) else signing.JSONSerializer().dumps(value).decode()
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.{part(sign(claims, 'jwt'))}"


def jwt_claims(token: str) -> dict | None:
    """The claims of a token made by `jwt_like`, if its signature holds."""
    signature = token.rsplit(".", 1)[-1]
    try:
        signed = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)).decode()
    except ValueError:
        return None
    return unsign(signed, "jwt")


_REMEMBER_SECONDS = 30 * 86400


def grant_revoke(client_id: str, user_key) -> None:
    """Revoke every token the client holds for one account (`user_key`: numeric_id of it)."""
    cache.set(f"sandbox:revoked:{client_id}:{user_key}", time.time(), _REMEMBER_SECONDS)


def bearer(request) -> str:
    """The token of an `Authorization: Bearer …` header."""
    return request.headers.get("Authorization", "").removeprefix("Bearer ")


def _revoked(claims: dict) -> bool:
    since = cache.get(f"sandbox:revoked:{claims['client_id']}:{numeric_id(claims['account'])}")
    return since is not None and claims.get("iat", 0) <= since


class Emulator:
    """A vendor's servers, as the sandbox mirrors them."""

    vendor: type[Adapter]  # the adapter of the vendor emulated: its name and real hosts
    mfa = False  # the vendor asks for a one-time code at sign-in, which MFA_USER rehearses

    def hosts(self) -> dict[str, list[URLPattern]]:
        """Real base URL -> the URL patterns the vendor serves under it."""
        raise NotImplementedError

    def controls(self) -> list[URLPattern]:
        """Sandbox-only levers (a patient linking their account, ...), at /sandbox/<slug>/."""
        return []


class GoneEmulator(Emulator):
    """A vendor that switched its service off: every path of every host answers 410 Gone."""

    def hosts(self):
        return {base: [re_path(r"^", exempt(_gone))] for base in self.vendor.hosts.values()}


def _gone(request):
    return HttpResponse("Gone", status=410, content_type="text/plain")


class Refusal(Exception):
    """The vendor says no (RFC 6749 error names); each emulator renders it its own way."""

    def __init__(self, error: str, description: str = ""):
        super().__init__(error)
        self.error = error
        self.description = description


@dataclass
class Grant:
    account: str
    client_id: str
    scopes: list[str] = field(default_factory=list)
    exchange: bool = False  # a code exchange, as opposed to a refresh


class OAuthEmulator(Emulator):
    """An OAuth 2 authorization server with a consent page, signed codes and tokens, and the
    vendor's spelling of things supplied by the subclass."""

    scope_param = "scope"
    scope_separator = " "
    pkce = "optional"  # "optional" | "required" | "none"
    code_ttl = 600
    access_ttl = 3600
    refresh_single_use = False  # the vendor refuses a refresh token once it has been used
    exchange_checks_redirect_uri = True  # the code exchange must repeat the authorize redirect_uri
    redirect_uri_optional = False  # without one, the vendor uses the app's registered redirect
    json_bodies = False  # the token endpoint also takes JSON bodies

    # -- authorize + consent ---------------------------------------------------------------

    def authorize(self, request):
        query = request.POST.get("ticket") and unsign(request.POST["ticket"], "consent")
        if request.method == "POST" and query:
            return self._decide(request, query)
        query = request.GET.dict()
        problem = self._check_authorize(query)
        if problem:
            return HttpResponse(problem, status=400, content_type="text/plain")
        requested = [s for s in query.get(self.scope_param, "").split(self.scope_separator) if s]
        return render(
            request,
            "sandbox/consent.html",
            {
                "vendor": self.vendor.name,
                "scopes": requested,
                "faults": OAUTH_FAULTS,
                "ticket": sign(query, "consent"),
                "account": GOOD_USER,
            },
        )

    def _check_authorize(self, query: dict) -> str:
        if query.get("response_type") != "code":
            return "response_type must be code"
        if not query.get("client_id"):
            return "client_id is required"
        if not query.get("redirect_uri") and not self.redirect_uri_optional:
            return "redirect_uri is required"
        if self.pkce == "required" and query.get("code_challenge_method") != "S256":
            return "PKCE with S256 is required"
        return ""

    def _decide(self, request, query: dict):
        back = {"state": query.get("state", "")}
        # The sandbox registers one redirect per app: Link's own callback for this vendor.
        redirect_uri = query.get("redirect_uri") or oauth_redirect_uri(self.vendor.slug)
        if request.POST.get("decision") != "allow":
            back["error"] = "access_denied"
            return _redirect(redirect_uri, back)
        requested = query.get(self.scope_param, "").split(self.scope_separator)
        granted = [s for s in request.POST.getlist("scope") if s in requested]
        fault = request.POST.get("fault", "")
        code = {
            "account": request.POST.get("account") or GOOD_USER,
            "client_id": query["client_id"],
            "redirect_uri": query.get("redirect_uri", ""),  # as sent, to be repeated
            "challenge": query.get("code_challenge", ""),
            "scopes": granted,
            "fault": fault,
            "exp": time.time() + (-1 if fault == "expired_code" else self.code_ttl),
        }
        back["code"] = sign(code, "code")
        back.update(self.redirect_extra(granted))
        return _redirect(redirect_uri, back)

    def redirect_extra(self, granted: list[str]) -> dict:
        """Vendor extras on the redirect back to the app (Strava echoes the scopes)."""
        return {}

    # -- token endpoint --------------------------------------------------------------------

    def body(self, request) -> dict:
        """A request's parameters: its form or query, or its JSON where the vendor takes it."""
        if self.json_bodies and request.content_type == "application/json":
            return _request_body(request, "json") or {}
        return (request.POST if request.method == "POST" else request.GET).dict()

    def token(self, request):
        params = self.body(request)
        try:
            grant = self.redeem(request, params)
        except Refusal as refusal:
            return self.refusal_response(refusal)
        except Fault as fault:
            return fault.response
        return self.token_response(self.issue(grant), grant)

    def grant_type(self, params: dict) -> str:
        return params.get("grant_type", "")

    def redeem(self, request, params: dict) -> Grant:
        client_id = self._client(request, params)
        grant_type = self.grant_type(params)
        if grant_type == "refresh_token":
            refresh = unsign(params.get("refresh_token"), "refresh")
            if not refresh or refresh["client_id"] != client_id or _revoked(refresh):
                raise Refusal("invalid_grant", "Invalid refresh token")
            spent = f"sandbox:spent:{refresh['jti']}"
            if self.refresh_single_use and not cache.add(spent, 1, _REMEMBER_SECONDS):
                raise Refusal("invalid_grant", "Refresh token already used")
            return Grant(refresh["account"], client_id, refresh["scopes"])
        if grant_type != "authorization_code":
            raise Refusal("unsupported_grant_type", grant_type)
        code = unsign(params.get("code"), "code")
        if not code or code["client_id"] != client_id or code["exp"] < time.time():
            raise Refusal("invalid_grant", "Authorization code is invalid or expired")
        sent = params.get("redirect_uri", "")
        if self.exchange_checks_redirect_uri and code["redirect_uri"] != sent:
            raise Refusal("invalid_grant", "redirect_uri does not match")
        if code["challenge"] and not _pkce_ok(params.get("code_verifier"), code["challenge"]):
            raise Refusal("invalid_grant", "code_verifier does not match")
        fault_raise(code["fault"])
        return Grant(code["account"], client_id, code["scopes"], exchange=True)

    def _client(self, request, params: dict) -> str:
        client_id, secret = _basic_auth(request) or (
            params.get("client_id", ""),
            params.get("client_secret", ""),
        )
        if not constant_time_compare(secret, client_secret_for(client_id)):
            raise Refusal("invalid_client", "Client authentication failed")
        return client_id

    def issue(self, grant: Grant) -> dict:
        claims = {
            "account": grant.account,
            "client_id": grant.client_id,
            "scopes": grant.scopes,
            "iat": time.time(),
        }
        return {
            "access_token": sign({**claims, "exp": time.time() + self.access_ttl}, "access"),
            "refresh_token": sign({**claims, "jti": uuid.uuid4().hex}, "refresh"),
            "expires_in": self.access_ttl,
            "token_type": "Bearer",
            "scope": self.scope_separator.join(grant.scopes),
        }

    def token_response(self, tokens: dict, grant: Grant) -> HttpResponse:
        return JsonResponse(tokens)

    def refusal_response(self, refusal: Refusal) -> HttpResponse:
        status = 401 if refusal.error == "invalid_client" else 400
        body = {"error": refusal.error, "error_description": refusal.description}
        return JsonResponse(body, status=status)

    # -- resource side ---------------------------------------------------------------------

    def bearer_claims(self, request) -> dict | None:
        """The claims (account, client_id, scopes) of the request's bearer token, if valid."""
        return self.access_claims(bearer(request))

    def access_claims(self, token: str) -> dict | None:
        """The claims of an access token, wherever the vendor lets it travel, if valid."""
        access = unsign(token, "access")
        if not access or access["exp"] < time.time() or _revoked(access):
            return None
        return access

    def bearer_account(self, request) -> str | None:
        """The sandbox account behind the request's bearer token, if it is valid."""
        access = self.bearer_claims(request)
        return access and access["account"]

    def profile_view(self, build):
        """A JSON profile endpoint answering `build(account)` for a valid bearer, else 401."""

        def view(request):
            account = self.bearer_account(request)
            if account is None:
                return JsonResponse({"error": "unauthorized"}, status=401)
            return JsonResponse(build(account))

        return csrf_exempt(view)

    def revoke_view(self, find_token, status: int = 200):
        """A revocation endpoint: `find_token(request)` picks the access or refresh token out of
        the vendor's request; every token of that grant's account stops working. An unknown
        token is answered the same way (RFC 7009 §2.2)."""

        def view(request):
            token = find_token(request) or ""
            claims = unsign(token, "access") or unsign(token, "refresh")
            if claims:
                grant_revoke(claims["client_id"], numeric_id(claims["account"]))
            return HttpResponse(status=status)

        return csrf_exempt(view)


def exempt(view):
    """Vendor endpoints are called by servers, not browsers: no CSRF token, as at the vendor."""
    return csrf_exempt(view)


def _redirect(url: str, params: dict) -> HttpResponseRedirect:
    separator = "&" if "?" in url else "?"
    return HttpResponseRedirect(url + separator + urlencode(params))


def _pkce_ok(verifier: str | None, challenge: str) -> bool:
    digest = hashlib.sha256((verifier or "").encode()).digest()
    return constant_time_compare(base64.urlsafe_b64encode(digest).decode().rstrip("="), challenge)


def _basic_auth(request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None
    return client_id, secret


class PasswordGrantEmulator(Emulator):
    """A vendor's OAuth-style password grant at its adapter's `token_endpoint`, with refresh.
    Subclasses give the vendor's success shape (`tokens`) and, where it has its own, its way of
    saying no (`refusal`). None of these vendors has a one-time-code step."""

    encoding = "json"  # "json" | "form"
    app_fields: dict[str, str] = {}  # what the vendor's own app sends, checked here
    access_ttl = 3600

    def hosts(self):
        host, grant_path = self.vendor.token_endpoint
        return {self.vendor.hosts[host]: [path(grant_path[1:], exempt(self.token))]}

    def token(self, request):
        body = _request_body(request, self.encoding)
        if body is None:
            return self.refusal("invalid_request", "The body is not valid", 400)
        if any(body.get(k) != v for k, v in self.app_fields.items()):
            return self.refusal("invalid_client", "Unknown client", 401)
        if body.get("grant_type") == "refresh_token":
            refresh = unsign(body.get("refresh_token"), "refresh")
            if refresh is None:
                return self.refusal("invalid_grant", "Invalid refresh token", 400)
            return self.tokens(refresh["account"])
        if body.get("grant_type") != "password":
            return self.refusal("unsupported_grant_type", "Unsupported grant type", 400)
        return password_answer(
            body.get("username", ""),
            body.get("password", ""),
            None,
            ok=self.tokens,
            bad=lambda: self.refusal("invalid_grant", "Invalid username or password", 401),
        )

    def grant(self, account: str, sub: str) -> dict:
        """The token fields every such vendor returns (a JWT whose `sub` is the vendor's user
        id); `tokens` adds the vendor's own."""
        return {
            "access_token": jwt_like({"sub": sub, "exp": int(time.time()) + self.access_ttl}),
            "refresh_token": sign({"account": account}, "refresh"),
            "expires_in": self.access_ttl,
            "token_type": "Bearer",
        }

    def tokens(self, account: str) -> JsonResponse:
        raise NotImplementedError

    def refusal(self, error: str, description: str, status: int) -> JsonResponse:
        return JsonResponse({"error": error, "error_description": description}, status=status)


def _request_body(request, encoding: str) -> dict | None:
    if encoding == "form":
        return request.POST.dict()
    try:
        body = json.loads(request.body)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def link_push(slug: str, body: bytes, headers: dict[str, str]):
    """POST a vendor's notification to Link's receiver for that vendor, as the vendor's
    servers would; the receiver's answer."""
    import requests  # the sandbox's only outgoing call

    return requests.post(
        f"{settings.LINK_PUBLIC_URL}/push/{slug}",
        data=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=30,
    )


def lever_set(key: str, passes: int) -> None:
    """Arm a one-shot sandbox fault: `passes` requests go through, then one is refused."""
    cache.set(key, passes, 3600)


def lever_fires(key: str) -> bool:
    """Whether this request is the one an armed lever (lever_set) refuses; it fires once."""
    passes = cache.get(key)
    if passes is None:
        return False
    if passes > 0:
        cache.set(key, passes - 1, 3600)
        return False
    cache.delete(key)
    return True
