"""Peloton's Auth0 tenant as its web login sees it: /authorize sets the `_csrf` cookie (path
/usernamepassword/login) and redirects to the login page with Auth0's own `state`; the JSON
login answers 401 `invalid_user_password`, or a page with a hidden form whose POST to
/login/callback redirects through /authorize/resume to the web app with `?code=`; /oauth/token
takes the code with its PKCE verifier (the password grant is refused), and api /api/me gives
the user id."""

import json
import time
from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import path
from django.utils.html import format_html, format_html_join

from ...sandbox.base import (
    Emulator,
    _pkce_ok,
    account_id,
    exempt,
    jwt_claims,
    jwt_like,
    password_answer,
    sign,
    unsign,
)
from . import adapter as peloton

_TTL = 600
_WRONG_PASSWORD = {
    "name": "ValidationError",
    "code": "invalid_user_password",
    "description": "Wrong email or password.",
    "statusCode": 400,
}


def authorize(request):
    query = request.GET.dict()
    if query.get("client_id") != peloton.CLIENT_ID or query.get("code_challenge_method") != "S256":
        return HttpResponse("invalid client or PKCE", status=400)
    ticket = sign({**query, "exp": time.time() + _TTL}, "peloton-login")
    login = request.path.removesuffix("authorize")
    response = HttpResponseRedirect(f"{login}login?{urlencode({'state': ticket})}")
    csrf = sign({"ticket": ticket[-16:]}, "peloton-csrf")
    response.set_cookie("_csrf", csrf, path=f"{login}usernamepassword/login", httponly=True)
    return response


def login_page(request):
    return HttpResponse("<html><body><h1>Peloton</h1><p>Log in</p></body></html>")


def username_password(request):
    try:
        body = json.loads(request.body)
    except ValueError:
        return JsonResponse({"code": "invalid_request"}, status=400)
    ticket = unsign(body.get("state"), "peloton-login")
    csrf = unsign(request.COOKIES.get("_csrf"), "peloton-csrf")
    if (
        not ticket
        or ticket["exp"] < time.time()
        or not csrf
        or body.get("_csrf") != request.COOKIES.get("_csrf")
        or csrf["ticket"] != body["state"][-16:]
        or (body.get("tenant"), body.get("connection")) != (peloton.TENANT, peloton.CONNECTION)
        or not request.headers.get("Auth0-Client")
    ):
        return JsonResponse({"code": "invalid_request", "description": "Invalid state"}, status=403)
    return password_answer(
        body.get("username", ""),
        body.get("password", ""),
        body.get("mfa_code"),
        ok=lambda username: _hidden_form(request, username, body["state"]),
        mfa=lambda: JsonResponse(
            {"code": "a0.mfa_required", "description": "Code from your authenticator app"},
            status=401,
        ),
        bad_mfa=lambda: JsonResponse(
            {"code": "a0.mfa_invalid_code", "description": "Wrong code"}, status=401
        ),
        bad=lambda: JsonResponse(_WRONG_PASSWORD, status=401),
    )


def _hidden_form(request, username: str, state: str) -> HttpResponse:
    fields = {
        "wa": "wsignin1.0",
        "wresult": sign({"account": username, "state": state}, "peloton-wresult"),
        "wctx": json.dumps({"strategy": "auth0", "tenant": peloton.TENANT}),
    }
    action = request.build_absolute_uri(request.path.removesuffix("usernamepassword/login"))
    inputs = format_html_join("", '<input type="hidden" name="{}" value="{}">', fields.items())
    return HttpResponse(
        format_html(
            '<form method="post" name="hiddenform" action="{}login/callback">{}'
            "<noscript><input type=submit value=Continue></noscript></form>",
            action,
            inputs,
        )
    )


def login_callback(request):
    result = unsign(request.POST.get("wresult"), "peloton-wresult")
    if result is None:
        return HttpResponse("Invalid wresult", status=400)
    resume = request.path.removesuffix("login/callback") + "authorize/resume"
    return HttpResponseRedirect(f"{resume}?{urlencode({'state': sign(result, 'peloton-resume')})}")


def resume(request):
    result = unsign(request.GET.get("state"), "peloton-resume")
    ticket = result and unsign(result["state"], "peloton-login")
    if not ticket:
        return HttpResponse("Invalid state", status=400)
    code = {
        "account": result["account"],
        "challenge": ticket["code_challenge"],
        "redirect_uri": ticket["redirect_uri"],
        "exp": time.time() + _TTL,
    }
    back = {"code": sign(code, "peloton-code"), "state": ticket.get("state", "")}
    return HttpResponseRedirect(f"{ticket['redirect_uri']}?{urlencode(back)}")


def token(request):
    """Auth0 takes JSON or form bodies here (peloton-to-garmin refreshes with a form)."""
    if request.content_type == "application/x-www-form-urlencoded":
        body = request.POST.dict()
    else:
        try:
            body = json.loads(request.body)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return _refuse("invalid_request", "Body must be JSON")
    if body.get("client_id") != peloton.CLIENT_ID:
        return _refuse("access_denied", "Unauthorized")
    grant = body.get("grant_type")
    if grant == "refresh_token":
        refresh = unsign(body.get("refresh_token"), "refresh")
        return _tokens(refresh["account"]) if refresh else _refuse("invalid_grant", "Unknown")
    if grant != "authorization_code":
        return _refuse("unauthorized_client", f"Grant type '{grant}' not allowed for the client.")
    code = unsign(body.get("code"), "peloton-code")
    if (
        not code
        or code["exp"] < time.time()
        or code["redirect_uri"] != body.get("redirect_uri")
        or not _pkce_ok(body.get("code_verifier"), code["challenge"])
    ):
        return _refuse("invalid_grant", "Invalid authorization code")
    return _tokens(code["account"])


def me(request):
    claims = jwt_claims(request.headers.get("Authorization", "").removeprefix("Bearer "))
    if not claims or claims["exp"] < time.time():
        return JsonResponse({"status": 401, "message": "Login required"}, status=401)
    return JsonResponse({"id": claims["sub"], "username": claims["account"]})


def _tokens(account: str) -> JsonResponse:
    claims = {"sub": account_id(account).replace("-", ""), "account": account}
    return JsonResponse(
        {
            "access_token": jwt_like({**claims, "exp": int(time.time()) + 172800}),
            "refresh_token": sign({"account": account}, "refresh"),
            "id_token": jwt_like(claims),
            "scope": peloton.SCOPE,
            "expires_in": 172800,
            "token_type": "Bearer",
        }
    )


def _refuse(error: str, description: str) -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description}, status=403)


class PelotonEmulator(Emulator):
    vendor = peloton.PelotonAdapter
    mfa = True

    def hosts(self):
        return {
            self.vendor.hosts["auth"]: [
                path("authorize", exempt(authorize)),
                path("login", login_page),
                path("usernamepassword/login", exempt(username_password)),
                path("login/callback", exempt(login_callback)),
                path("authorize/resume", resume),
                path("oauth/token", exempt(token)),
            ],
            self.vendor.hosts["api"]: [path("api/me", me)],
        }
