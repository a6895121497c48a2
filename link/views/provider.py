"""The provider step: a password, MFA or email form, or "Continue to {vendor}" for OAuth. The
connecting itself is link.connect's; these views only turn its results into the next step."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from link import connect, oauth
from link.errors import LinkError, ProviderNotOffered
from link.forms import CREDENTIAL_FORMS, MfaForm
from link.results import ConnectResult, outcome_for, result_redirect_url
from link.services import link_token_check_provider, link_token_status
from link.widget import (
    in_app_browser,
    link_message,
    mfa_hint_is_destination,
    outcome_message,
    widget_headers,
)
from providers.catalogue import CATALOGUE

from .base import (
    leave,
    render_result,
    render_step,
    render_token_error,
    step_redirect,
    widget_step,
)
from .oauth_open import oauth_cookie_set


def _refused(request, session, provider: str):
    """The error step when this session cannot use `provider` (saying why, when the team is not
    offered it), else None."""
    named = session.link_token.provider
    try:
        link_token_check_provider(session.link_token, provider)
    except LinkError as exc:
        detail = exc.message if isinstance(exc, ProviderNotOffered) else None
        error_type = exc.flow_error_type
    else:
        if not named or named == provider:
            return None
        detail, error_type = None, "invalid_provider"
    return render_result(
        request, session, state="error", slug="", error_type=error_type, detail=detail
    )


def _connect(call, **kwargs) -> ConnectResult:
    """Run a connect service; a token or provider problem becomes an error result too."""
    try:
        return call(link_token=kwargs.pop("session").link_token, **kwargs)
    except LinkError as exc:
        return ConnectResult.refused(kwargs["provider"], exc)


def _finish(request, session, result, *, form_template: str, context: dict):
    """Where a ConnectResult leads: the MFA step; full page, the customer's redirect (success,
    or an error with on_error=redirect); else the result step, or the same form with the
    error. Embedded, the widget never leaves: the callbacks tell the embedding page."""
    link_token = session.link_token
    provider = result.provider
    if result.state == "pending_provider_mfa":
        mfa = result.provider_mfa or {}
        return step_redirect(
            session,
            reverse("link:mfa", args=[provider]),
            method=mfa.get("method", ""),
            hint=mfa.get("hint", ""),
        )
    redirects = (
        link_token.redirect_url
        and not session.embed
        and (result.state != "error" or link_token.on_error == "redirect")
    )
    if redirects:
        return leave(request, result_redirect_url(link_token=link_token, result=result))
    if result.state != "error":
        return step_redirect(session, reverse("link:result"), provider=provider)
    ended = link_token_status(link_token)  # e.g. closed after too many rejected attempts
    if ended:
        return render_token_error(request, session, ended, provider)
    outcome = outcome_for(result.error_type)
    if not outcome.retry:  # the session itself is over: expired, used, not valid
        return step_redirect(
            session, reverse("link:result"), provider=provider, error_type=result.error_type
        )
    if form_template == "link/mfa.html" and not (link_token.flow or {}).get("mfa"):
        outcome = outcome_for("mfa_restart")  # the vendor's sign-in is spent: no more codes
    message = outcome_message(
        link_token,
        state="error",
        provider=provider,
        error_type=result.error_type,
        error=result.error,
    )
    context |= {"outcome": outcome, "error_type": result.error_type, "message": message}
    return render_step(request, form_template, session, context)


@require_http_methods(["GET", "POST"])
@widget_step
def provider_step(request, session, provider):
    if refused := _refused(request, session, provider):
        return refused
    info = CATALOGUE[provider]
    context = {"provider": info}
    if info.auth_type == "oauth":
        webview = in_app_browser(request.headers.get("User-Agent", ""))
        if webview:  # the vendor will likely refuse it: say so, and how to go on
            context["in_app_browser"] = webview
            here = reverse("link:provider", args=[provider])
            context["open_elsewhere_url"] = (
                f"{settings.LINK_PUBLIC_URL}{here}?{urlencode({'token': session.token})}"
            )
            context["message"] = link_message(
                "event",
                session.link_token,
                name="WEBVIEW_DETECTED",
                provider=provider,
                browser=webview,
            )
        return render_step(request, "link/oauth.html", session, context)
    template = f"link/{info.auth_type}.html"
    form = CREDENTIAL_FORMS[info.auth_type](request.POST or None, provider=provider)
    context["form"] = form
    if request.method == "GET" or not form.is_valid():
        return render_step(request, template, session, context)
    data = form.cleaned_data
    if info.auth_type == "password":
        result = _connect(
            connect.connect_password,
            session=session,
            provider=provider,
            username=data["username"],
            password=data["password"],
            region=data.get("region") or None,
        )
    else:
        result = _connect(
            connect.connect_email,
            session=session,
            provider=provider,
            email=data["email"],
            region=data.get("region") or None,
            name=data.get("name") or None,
        )
    return _finish(request, session, result, form_template=template, context=context)


@require_http_methods(["GET", "POST"])
@widget_step
def mfa_step(request, session, provider):
    if refused := _refused(request, session, provider):
        return refused
    data = request.POST if request.method == "POST" else request.GET
    form = MfaForm(request.POST or None)
    hint = data.get("hint", "")
    context = {
        "provider": CATALOGUE[provider],
        "form": form,
        "method": data.get("method", ""),
        "hint": hint,
        "sent_to": mfa_hint_is_destination(hint),
    }
    if request.method == "GET" or not form.is_valid():
        return render_step(request, "link/mfa.html", session, context)
    result = _connect(
        connect.connect_mfa,
        session=session,
        provider=provider,
        mfa_code=form.cleaned_data["mfa_code"],
    )
    return _finish(request, session, result, form_template="link/mfa.html", context=context)


@require_GET
@widget_step
def oauth_start(request, session, provider):
    """Off to the vendor's sign-in, in the widget's own window (full page) or, for an embedded
    widget, in a window of its own: vendors refuse to be framed, and may cut a window they run
    in off from its opener (COOP), which would cut a popup widget off from the customer."""
    if refused := _refused(request, session, provider):
        return refused
    start = {
        "link_token": session.link_token,
        "provider": provider,
        "embedded": bool(session.embed),
    }
    try:
        if request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
            # Not our own button (another site, or a link someone was sent, such as the API's
            # oauth_url): the start page first says who asks. A browser that does not say
            # where it comes from (before 2023) goes straight on.
            return redirect(oauth.oauth_start(**start))
        url, cookie, value = oauth.oauth_start_in_browser(**start)
    except LinkError as exc:
        return render_result(
            request, session, state="error", slug=provider, error_type=exc.flow_error_type
        )
    return oauth_cookie_set(leave(request, url), request, cookie, value)


@require_GET
@widget_step
def oauth_wait(request, session, provider):
    """An embedded widget waits here while the vendor runs in a popup or tab; it polls until the
    latest sign-in has an outcome (the popup also pings it the moment it is done). A success
    consumes the token, so the decorator shows it."""
    attempt = session.link_token.oauth_states.filter(provider=provider).order_by("-created_at")
    outcome = attempt.values_list("result", flat=True).first()
    if outcome and outcome.get("state") == "error":
        return render_result(
            request, session, state="error", slug=provider, error_type=outcome.get("error_type")
        )
    if request.htmx and not request.htmx.boosted:
        return HttpResponse(status=204)  # a poll: nothing new, nothing to swap
    return render_step(request, "link/oauth_wait.html", session, {"provider": CATALOGUE[provider]})


@require_GET
def oauth_callback(request, provider):
    """Where the vendor sends the browser back (the redirect URI registered with each vendor,
    so its path stays /v2/link/connect/<provider>). 307 to the link token's redirect_url with
    the outcome, or a result page (also for a sign-in an embedded widget started: the widget
    tells the customer's page); a refresh shows the same outcome and never connects twice."""
    link_token, result = oauth.oauth_finish(
        provider=provider, params=request.GET.dict(), cookies=request.COOKIES
    )
    if link_token is not None and link_token.redirect_url and not result.embedded:
        return leave(request, result_redirect_url(link_token=link_token, result=result), 307)
    context = {"result": result, "link_token": link_token, "provider": CATALOGUE.get(provider)}
    return widget_headers(render(request, "link/oauth_done.html", context), team=None)
