"""MyFitnessPal's NextAuth web login without its captcha (so customers can build against it):
a csrf token and cookie, the credentials callback answering `{url}` (with `?error=` when it
refuses) and the session cookie, then /user/auth_token for that cookie, or an HTML page when
there is no valid session."""

import secrets
import time

from django.http import HttpResponse, JsonResponse
from django.urls import path

from ...sandbox.base import Emulator, exempt, numeric_id, password_answer, sign, unsign
from .adapter import SESSION_COOKIE, MyFitnessPalAdapter

_CSRF_COOKIE = "__Host-next-auth.csrf-token"
_ERRORS = {"bad": "CredentialsSignin", "mfa": "mfa_required", "bad_mfa": "invalid_otp"}


def csrf(request):
    token = secrets.token_hex(32)
    response = JsonResponse({"csrfToken": token})
    response.set_cookie(_CSRF_COOKIE, sign(token, "mfp-csrf"), secure=request.is_secure())
    return response


def credentials(request):
    base = request.build_absolute_uri(request.path.removesuffix("api/auth/callback/credentials"))
    if unsign(request.COOKIES.get(_CSRF_COOKIE), "mfp-csrf") != request.POST.get("csrfToken"):
        return JsonResponse({"url": f"{base}api/auth/signin?csrf=true"})
    return password_answer(
        request.POST.get("username", ""),
        request.POST.get("password", ""),
        request.POST.get("otp"),
        ok=lambda username: _signed_in(request, base, username),
        **{o: _refusal(f"{base}api/auth/error?error={e}") for o, e in _ERRORS.items()},
    )


def _refusal(url: str):
    return lambda: JsonResponse({"url": url}, status=401)


def _signed_in(request, base: str, username: str) -> JsonResponse:
    response = JsonResponse({"url": base})
    session = sign({"account": username}, "mfp-session")
    response.set_cookie(SESSION_COOKIE, session, secure=request.is_secure(), httponly=True)
    return response


def auth_token(request):
    session = unsign(request.COOKIES.get(SESSION_COOKIE), "mfp-session")
    if session is None:
        return HttpResponse("<html><body>Log in to MyFitnessPal</body></html>")
    account = session["account"]
    return JsonResponse(
        {
            "access_token": sign({"account": account, "exp": time.time() + 86400}, "access"),
            "token_type": "Bearer",
            "expires_in": 86400,
            "user_id": str(numeric_id(account)),
        }
    )


class MyFitnessPalEmulator(Emulator):
    vendor = MyFitnessPalAdapter
    mfa = True

    def hosts(self):
        return {
            MyFitnessPalAdapter.hosts["www"]: [
                path("api/auth/csrf", csrf),
                path("api/auth/callback/credentials", exempt(credentials)),
                path("user/auth_token", auth_token),
            ]
        }
