"""The widget steps that need no vendor: agreement, provider list, result and close."""

import unicodedata
from functools import cache, lru_cache

from django.conf import settings
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from connections.models import Connection
from connections.selectors import VISIBLE_STATUSES
from link.models import LinkEvent
from link.results import ConnectResult, result_redirect_url
from link.services import link_event_record, link_token_availability, link_token_open
from link.widget import link_message
from providers.catalogue import CATALOGUE, provider_get

from .base import (
    leave,
    render_result,
    render_step,
    render_token_error,
    step_redirect,
    widget_step,
)


def _fold(text: str) -> str:
    """Lower case without accents, so "fréestyle" finds FreeStyle."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=256)
def _searchable(slug: str, language: str) -> str:
    """A provider's name and description as a search matches them, folded once per language."""
    provider = CATALOGUE[slug]
    return _fold(f"{provider.name}\n{provider.description}")


@cache
def _provider_links() -> dict[str, tuple[str, str]]:
    """Each provider's step URL and logo, fixed for the life of the process: resolving them
    for every row of every list was a third of the list's rendering time."""
    return {
        slug: (reverse("link:provider", args=[slug]), static(f"providers/{slug}.svg"))
        for slug in CATALOGUE
    }


def next_after_agreement(session) -> str:
    if session.link_token.provider:
        return reverse("link:provider", args=[session.link_token.provider])
    return reverse("link:providers")


def start(request):
    """`link_web_url`: the agreement, or the demo for someone who opens the bare root of a
    server that runs it."""
    if settings.LINK_DEMO_ENABLED and not request.GET:
        return redirect("link:demo")
    return agreement(request)


@require_GET
@widget_step(shows_done=False)
def agreement(request, session):
    """The widget's first page. A used token opened again (a reopen, a new page load) is over:
    the embedding page gets an exit rather than a second success."""
    link_token = session.link_token
    if link_token.consumed_at:
        return render_token_error(request, session, "token_consumed")
    # Once per link session: a reload or a second look reads, it does not write.
    if link_token.state == link_token.State.PENDING and link_token.opened_at is None:
        link_token_open(link_token)
    named = provider_get(link_token.provider) if link_token.provider else None
    return render_step(
        request,
        "link/agreement.html",
        session,
        {"provider": named, "next_url": next_after_agreement(session)},
    )


@require_GET
@widget_step
def providers(request, session):
    link_token = session.link_token
    if link_token.provider:
        return step_redirect(session, reverse("link:provider", args=[link_token.provider]))
    query = request.GET.get("q", "").strip()
    folded = _fold(query)
    matches = [
        (p, why_not)
        for p, why_not in link_token_availability(link_token)
        if folded in _searchable(p.slug, get_language())
    ]
    offered = [p for p, why_not in matches if why_not is None]
    # A search that names a provider this app cannot offer says why, instead of "no match".
    unavailable = [(p, why_not.message(p)) for p, why_not in matches if why_not and query]
    links = _provider_links()
    connected = set(
        Connection.objects.filter(
            user_id=link_token.user_id, status__in=VISIBLE_STATUSES
        ).values_list("provider", flat=True)
    )
    return render_step(
        request,
        "link/providers.html",
        session,
        {
            "providers": offered,
            "rows": [(p, *links[p.slug]) for p in offered],
            "unavailable": unavailable,
            "carried": session.query(),
            "connected": connected,
            "query": query,
        },
        partial="results" if request.htmx.target == "provider-results" else "panel",
    )


@require_GET
@widget_step
def result(request, session):
    """An error to explain; `error_type` picks one of the known messages, nothing else can be
    shown. (A finished session shows its success from any step, this one included.)"""
    link_token = session.link_token
    slug = request.GET.get("provider") or link_token.provider
    error_type = request.GET.get("error_type") or link_token.error_type or None
    return render_result(request, session, state="error", slug=slug, error_type=error_type)


@require_POST
@widget_step(shows_done=False)
def close(request, session):
    """Done after a success; otherwise the user cancelled (`user_cancelled`): full page, back to
    the customer's redirect_url when the token asks for it (on_close=redirect)."""
    link_token = session.link_token
    provider = request.POST.get("provider", "")
    if link_token.state == link_token.State.SUCCESS:
        message = link_message("done", link_token, state="success", provider=link_token.provider)
        return render_step(request, "link/closed.html", session, {"done": True, "message": message})
    link_event_record(
        link_token=link_token,
        kind=LinkEvent.Kind.CLOSED,
        provider=provider,
        error_type="user_cancelled",
    )
    if link_token.on_close == "redirect" and link_token.redirect_url and not session.embed:
        cancelled = ConnectResult.failed(provider, "user_cancelled", "User closed Link")
        return leave(request, result_redirect_url(link_token=link_token, result=cancelled))
    message = link_message(
        "exit",
        link_token,
        state="error",
        provider=provider,
        error_type="user_cancelled",
        error="User closed Link",
    )
    return render_step(request, "link/closed.html", session, {"message": message})
