"""What every widget step shares: reading the link session from the request, choosing the full
page or the htmx panel, the result page, and leaving the widget (to a vendor, or to the
customer's app)."""

from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.vary import vary_on_headers

from connections.models import Connection
from link.results import outcome_for
from link.services import link_token_find, link_token_status
from link.widget import (
    EMBED_MODES,
    WidgetSession,
    embed_origin_allowed,
    link_message,
    outcome_message,
    widget_headers,
)
from providers.catalogue import provider_get

_LANGUAGES = {code for code, _ in settings.LANGUAGES}


def _activate_language(request) -> str:
    lang = request.GET.get("lang") or request.POST.get("lang") or ""
    if lang in _LANGUAGES:
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        return lang
    return ""


def widget_step(view=None, *, shows_done=True):
    """Resolve the link session from the `token` parameter for `view(request, session, ...)`.
    An unusable token gets the "link doesn't work" page; a finished session shows its result
    on every step (so back and refresh never offer to connect again), unless `shows_done` is
    off.

    CSRF: the widget runs in third-party iframes, where the browser never sends Django's
    SameSite=Lax CSRF cookie, so the cookie check would reject every POST. What authorises a
    step is the unguessable link token sent with it, which a cross-site attacker cannot know."""
    if view is None:
        return lambda view: widget_step(view, shows_done=shows_done)

    @csrf_exempt
    @xframe_options_exempt
    @vary_on_headers("HX-Request")
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        data = request.POST if request.method == "POST" else request.GET
        lang = _activate_language(request)
        token = data.get("token", "")
        link_token = link_token_find(token)
        status = link_token_status(link_token)
        done = status == "token_consumed" and link_token.state == link_token.State.SUCCESS
        embed, origin = data.get("embed", ""), data.get("origin", "")
        if (
            link_token is None
            or embed not in EMBED_MODES
            or not embed_origin_allowed(team=link_token.team, origin=origin)
        ):
            embed = origin = ""
        session = WidgetSession(token, link_token, embed=embed, origin=origin, lang=lang)
        if status and not done:
            response = render_token_error(request, session, status, kwargs.get("provider"))
        elif done and shows_done:
            response = render_done(request, session)
        else:
            response = view(request, session, *args, **kwargs)
        return widget_headers(response, team=link_token and link_token.team)

    return wrapper


def render_token_error(request, session, status: str, provider: str | None = None):
    """A link that cannot be used (any more): what to do, and for an embedding page whose
    origin we could check, an `exit` that says why, so it can mint a new token and reopen."""
    outcome = outcome_for(status)
    link_token = session.link_token
    message = outcome_message(
        link_token,
        state="error",
        provider=provider or (link_token and link_token.provider),
        error_type=status,
        error=outcome.message,
    )
    return render_step(
        request,
        "link/token_error.html",
        session,
        {"outcome": outcome, "message": message},
        status=404 if status == "invalid_token" else 410,
    )


def render_step(
    request, template, session: WidgetSession | None, context_extra=None, *, partial="panel", **kw
):
    """The step's full page, or only its panel (or another `partial`) for an htmx request; not
    for a history restore, which needs the whole page."""
    if request.htmx and not request.htmx.history_restore_request:
        template += f"#{partial}"
    link_token = session and session.link_token
    context = {"session": session, "link_token": link_token, "team": link_token and link_token.team}
    context.update(context_extra or {})
    if session and session.origin and partial == "panel":
        context["link_events"] = _step_events(template, link_token, context)
    return render(request, template, context, **kw)


def _step_events(template: str, link_token, context: dict) -> list[dict]:
    """What an embedding page hears when a step shows: TRANSITION_VIEW with the step's name,
    then the step's outcome message, if it has one."""
    view_name = template.removeprefix("link/").partition(".")[0].upper()
    provider = context.get("provider")
    shown = link_message(
        "event",
        link_token,
        name="TRANSITION_VIEW",
        view_name=view_name,
        provider=getattr(provider, "slug", None),
    )
    return [shown, *([context["message"]] if context.get("message") else [])]


def render_result(
    request,
    session,
    *,
    state: str,
    slug: str,
    error_type: str | None = None,
    detail: str | None = None,
):
    """The end of the flow: success, pending (email) or an explained error (with a `detail`
    where the general explanation needs one), and the message the embedding page gets for it."""
    outcome = outcome_for(error_type) if state == "error" else None
    message = outcome_message(
        session.link_token,
        state=state,
        provider=slug,
        error_type=error_type,
        error=outcome and outcome.message,
    )
    context = {
        "state": state,
        "provider": provider_get(slug),
        "outcome": outcome,
        "error_type": error_type,
        "detail": detail,
    }
    return render_step(request, "link/result.html", session, {**context, "message": message})


def render_done(request, session):
    """A finished session: connected, or pending where the vendor still has to confirm."""
    link_token = session.link_token
    pending = Connection.objects.filter(
        user_id=link_token.user_id, provider=link_token.provider, status=Connection.Status.PENDING
    ).exists()
    state = "pending" if pending else "success"
    return render_result(request, session, state=state, slug=link_token.provider)


def step_redirect(session: WidgetSession, url: str, **params):
    """Move to another step (POST, redirect, GET): htmx follows it and shows the new URL."""
    return redirect(f"{url}?{session.query(**params)}")


def leave(request, url: str, status: int = 302):
    """Leave the widget for another site: an htmx request must be told to navigate itself.
    Built by hand, as Django's redirects refuse the custom schemes (`myapp://…`) that mobile
    apps register; `url` is a vendor's sign-in or a redirect_url the team allowed. Never
    cached: the URL carries an outcome or a one-time state."""
    if request.htmx:
        response = HttpResponse()
        response["HX-Redirect"] = url
    else:
        response = HttpResponse(status=status)
        response["Location"] = url
    add_never_cache_headers(response)
    return response
