"""A pretend customer app for the sandbox demo: it does server-side what a customer's backend
does (create a user, mint link tokens with the team's credentials) and embeds the widget."""

import secrets

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from link.services import RedirectNotAllowed, link_token_create, link_web_url
from providers.catalogue import CATALOGUE
from teams.models import Team
from teams.services import end_user_create

DEMO_TEAM = "Demo"
_REDIRECT_PARAMS = ("state", "provider", "error_type", "error")


def _demo_token(*, team, user, provider, redirect_url=None) -> str:
    try:
        token, _ = link_token_create(
            team=team, user_id=user.pk, provider=provider, redirect_url=redirect_url
        )
    except RedirectNotAllowed:  # the team's allow-list leaves the demo page out
        token, _ = link_token_create(team=team, user_id=user.pk, provider=provider)
    return token


@require_GET
def demo(request):
    team = Team.objects.filter(name=DEMO_TEAM, environment=Team.Environment.SANDBOX).first()
    if team is None:
        raise Http404("No sandbox team 'Demo': run `make demo` or `manage.py seed_demo`.")
    provider = request.GET.get("provider") if request.GET.get("provider") in CATALOGUE else None
    user = end_user_create(team=team, client_user_id=f"demo-{secrets.token_hex(4)}")
    full_page = _demo_token(
        team=team,
        user=user,
        provider=provider,
        redirect_url=request.build_absolute_uri(request.path),
    )
    context = {
        "user": user,
        "full_page_url": link_web_url(token=full_page, team=team),
        "popup_token": _demo_token(team=team, user=user, provider=provider),
        "iframe_token": _demo_token(team=team, user=user, provider=provider),
        "returned": {k: request.GET[k] for k in _REDIRECT_PARAMS if k in request.GET},
        "providers": CATALOGUE.values(),
        "provider": provider,
    }
    return render(request, "demo/index.html", context)
