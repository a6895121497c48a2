"""A pretend customer app for the sandbox demo: it does server-side what a customer's backend
does (create a user, mint link tokens with the team's credentials) and embeds the widget. Off
unless LINK_DEMO_ENABLED; its user and link sessions are made when the visitor asks to connect,
and the user is remembered in the visitor's session."""

import secrets
from functools import wraps

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from connections.models import Connection
from connections.selectors import VISIBLE_STATUSES
from health.selectors import week_of
from link.services import RedirectNotAllowed, link_token_create, link_web_url
from providers.catalogue import CATALOGUE
from teams.models import EndUser, Team
from teams.services import end_user_create

DEMO_TEAM = "Demo"
_USER = "demo_user_id"
_REDIRECT_PARAMS = ("state", "provider", "error_type", "error")


def _demo_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.LINK_DEMO_ENABLED:
            raise Http404("The demo is off (LINK_DEMO_ENABLED).")
        team = Team.objects.filter(name=DEMO_TEAM, environment=Team.Environment.SANDBOX).first()
        if team is None:
            raise Http404("No sandbox team 'Demo': run `make demo` or `manage.py seed_demo`.")
        return view(request, team, *args, **kwargs)

    return wrapper


def _visitor(request, team) -> EndUser | None:
    return EndUser.objects.filter(pk=request.session.get(_USER), team=team).first()


def _provider(data) -> str | None:
    return data.get("provider") if data.get("provider") in CATALOGUE else None


@require_GET
@_demo_only
def demo(request, team):
    user = _visitor(request, team)
    connections = (
        Connection.objects.filter(user=user, status__in=VISIBLE_STATUSES).order_by("provider")
        if user
        else []
    )
    context = {
        "user": user,
        "week": _week_chart(user) if user else None,
        "connections": connections,
        "returned": {k: request.GET[k] for k in _REDIRECT_PARAMS if k in request.GET},
        "providers": CATALOGUE.values(),
        "provider": _provider(request.GET),
    }
    response = render(request, "demo/index.html", context)
    # The widget's popup must keep this page as its opener (see the README's headers table).
    response["Cross-Origin-Opener-Policy"] = "same-origin-allow-popups"
    return response


# The chart's drawing height, in its SVG units.
_CHART_HEIGHT = 60


def _scaled(value, top) -> int:
    return round(_CHART_HEIGHT * value / top) if value and top else 0


def _week_chart(user: EndUser) -> dict | None:
    """The last seven days of the user's sleep, steps and heart rate, as bar heights for the
    page's inline SVG (no script, no CDN; drawn upwards from the baseline), or None before any
    data is pulled. The demo's backend reads Link's store directly; a customer's would call
    the data API."""
    week = week_of(user.pk, timezone.now().date())
    if not any(d.sleep_hours or d.steps or d.heartrate_avg for d in week):
        return None
    most_sleep = max([d.sleep_hours or 0 for d in week] + [10])
    most_steps = max(d.steps or 0 for d in week)
    top_hr = max([d.heartrate_max or 0 for d in week] + [120])
    days = [
        {
            "day": d,
            "x": 6 + 20 * n,
            "sleep": _scaled(d.sleep_hours, most_sleep),
            "steps": _scaled(d.steps, most_steps),
            # A range bar from the lowest to the highest beat, the mean marked.
            "hr_low": _scaled(d.heartrate_min, top_hr),
            "hr_span": _scaled((d.heartrate_max or 0) - (d.heartrate_min or 0), top_hr),
            "hr_avg": _scaled(d.heartrate_avg, top_hr),
        }
        for n, d in enumerate(week)
    ]
    return {"days": days, "height": _CHART_HEIGHT}


@require_POST
@_demo_only
def demo_connect(request, team):
    """The customer backend's part: a link token for this visitor's user (made now, the first
    time). Full page: off to link_web_url, back here by redirect; embedded: the token as JSON
    for the page's Link.create(…).open(token)."""
    user = _visitor(request, team)
    if user is None:
        user = end_user_create(team=team, client_user_id=f"demo-{secrets.token_hex(4)}")
        request.session[_USER] = str(user.pk)
    provider = _provider(request.POST)
    if request.POST.get("mode") != "full":
        token, _ = link_token_create(team=team, user_id=user.pk, provider=provider)
        return JsonResponse({"link_token": token})
    back = request.build_absolute_uri(reverse("link:demo"))
    try:
        token, _ = link_token_create(
            team=team, user_id=user.pk, provider=provider, redirect_url=back
        )
    except RedirectNotAllowed:  # the team's allow-list leaves the demo page out
        token, _ = link_token_create(team=team, user_id=user.pk, provider=provider)
    return redirect(link_web_url(token=token, team=team))


@require_POST
@_demo_only
def demo_new_user(request, team):
    request.session.pop(_USER, None)
    return redirect("link:demo")
