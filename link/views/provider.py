"""The provider step: a password, MFA or email form, or "Continue to {vendor}" for OAuth. The
connecting itself is link.connect's; these views only turn its results into the next step."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from link import connect
from link.errors import LinkError, ProviderNotOffered
from link.forms import EmailForm, MfaForm, PasswordForm
from link.services import link_token_check_provider
from link.widget import link_message, outcome_for
from providers.catalogue import CATALOGUE

from .base import leave, render_result, render_step, step_redirect, widget_step

_FORMS = {"password": PasswordForm, "email": EmailForm}


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


def _connect(call, **kwargs) -> connect.ConnectResult:
    """Run a connect service; a token or provider problem becomes an error result too."""
    try:
        return call(link_token=kwargs.pop("session").link_token, **kwargs)
    except LinkError as exc:
        return connect.ConnectResult(
            state="error",
            provider=kwargs["provider"],
            error_type=exc.flow_error_type,
            error=exc.message,
        )


def _finish(request, session, result, *, form_template: str, context: dict):
    """Where a ConnectResult leads: the customer's redirect (success, or an error with
    on_error=redirect), the MFA step, the result step, or the same form with the error."""
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
    redirects = link_token.redirect_url and (
        result.state != "error" or link_token.on_error == "redirect"
    )
    if redirects:
        return leave(request, connect.result_redirect_url(link_token=link_token, result=result))
    if result.state != "error":
        return step_redirect(session, reverse("link:result"), provider=provider)
    outcome = outcome_for(result.error_type)
    if not outcome.retry:  # the session itself is over: expired, used, not valid
        return step_redirect(
            session, reverse("link:result"), provider=provider, error_type=result.error_type
        )
    message = link_message(
        "error", state="error", provider=provider, error_type=result.error_type, error=result.error
    )
    return render_step(
        request, form_template, session, {**context, "outcome": outcome, "message": message}
    )


@require_http_methods(["GET", "POST"])
@widget_step
def provider_step(request, session, provider):
    if refused := _refused(request, session, provider):
        return refused
    info = CATALOGUE[provider]
    context = {"provider": info}
    if info.auth_type == "oauth":
        template = "link/oauth.html"
        return render_step(request, template, session, context)
    template = f"link/{info.auth_type}.html"
    form = _FORMS[info.auth_type](request.POST or None, provider=provider)
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
        )
    return _finish(request, session, result, form_template=template, context=context)


@require_http_methods(["GET", "POST"])
@widget_step
def mfa_step(request, session, provider):
    if refused := _refused(request, session, provider):
        return refused
    data = request.POST if request.method == "POST" else request.GET
    form = MfaForm(request.POST or None)
    context = {
        "provider": CATALOGUE[provider],
        "form": form,
        "method": data.get("method", ""),
        "hint": data.get("hint", ""),
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
    """Off to the vendor's sign-in (top level or in a popup: vendors refuse to be framed)."""
    if refused := _refused(request, session, provider):
        return refused
    try:
        url, cookie, value = connect.oauth_start_in_browser(
            link_token=session.link_token, provider=provider
        )
    except LinkError as exc:
        return render_result(
            request, session, state="error", slug=provider, error_type=exc.flow_error_type
        )
    response = leave(request, url)
    # First-party here (this step always runs top level), and Lax still rides along on the
    # vendor's top-level redirect back to the callback.
    response.set_cookie(
        cookie,
        value,
        max_age=settings.LINK_OAUTH_STATE_TTL_MINUTES * 60,
        path="/v2/link/connect/",
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response


@require_GET
@widget_step
def oauth_wait(request, session, provider):
    """A framed widget waits here while the vendor runs in a popup or tab; it polls until the
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
