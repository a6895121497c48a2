"""The dashboard's numbers: the funnel per provider, errors by type, webhook health."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from link.dashboard import funnel_total, link_errors, link_funnel, webhook_health
from link.models import LinkToken
from teams.services import end_user_create

from .conftest import Kind, populate, session_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions(team):
    user = end_user_create(team=team, client_user_id="funnel")
    steps = {
        "oura-connected": (
            "oura",
            (
                Kind.OPENED,
                Kind.PROVIDER_CHOSEN,
                Kind.OAUTH_STARTED,
                Kind.OAUTH_RETURNED,
                Kind.CONNECTED,
            ),
        ),
        "oura-denied": (
            "oura",
            (Kind.OPENED, Kind.PROVIDER_CHOSEN, Kind.OAUTH_STARTED, Kind.FAILED),
        ),
        "zwift-bad-password": (
            "zwift",
            (Kind.OPENED, Kind.PROVIDER_CHOSEN, Kind.SUBMITTED, Kind.FAILED),
        ),
        "zwift-chosen": ("zwift", (Kind.OPENED, Kind.PROVIDER_CHOSEN)),
        "left-early": ("", (Kind.OPENED,)),
        "never-opened": ("", (Kind.CREATED,)),
    }
    for i, (provider, kinds) in enumerate(steps.values()):
        error = "provider_credential_error" if Kind.FAILED in kinds else ""
        session_create(team, user, *kinds, provider=provider, error_type=error, index=i)
    old = session_create(team, user, Kind.OPENED, Kind.PROVIDER_CHOSEN, index=99)
    LinkToken.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))


def test_funnel_per_provider(sessions):
    rows = {r.provider: r for r in link_funnel(since=timezone.now() - timedelta(days=1))}
    as_tuple = lambda r: (r.opened, r.chosen, r.submitted, r.connected)  # noqa: E731
    assert as_tuple(rows["oura"]) == (2, 2, 2, 1)
    assert as_tuple(rows["zwift"]) == (2, 2, 1, 0)
    assert as_tuple(rows[""]) == (1, 0, 0, 0)
    assert rows["oura"].conversion == 50 and rows["oura"].name == "Oura"
    assert as_tuple(funnel_total(list(rows.values()))) == (5, 4, 3, 1)
    month = link_funnel(since=timezone.now() - timedelta(days=30))
    assert funnel_total(month).opened == 6


def test_funnel_credits_the_token_s_own_provider(team):
    user = end_user_create(team=team, client_user_id="preset")
    link_token = session_create(team, user, Kind.OPENED, Kind.SUBMITTED, provider="zwift")
    LinkToken.objects.filter(pk=link_token.pk).update(provider="dexcom")
    [row] = link_funnel(since=timezone.now() - timedelta(days=1))
    assert (row.provider, row.chosen, row.submitted) == ("dexcom", 1, 1)


def test_errors_by_type(sessions):
    errors = link_errors(since=timezone.now() - timedelta(days=1))
    assert errors == [{"error_type": "provider_credential_error", "count": 2}]


def test_webhook_health(team):
    populate(team, 3)
    health = webhook_health(since=timezone.now() - timedelta(days=1))
    assert health["deliveries"] == {"total": 3, "pending": 0, "succeeded": 3, "failed": 0}
    assert health["attempts"]["ok"] == 3 and health["attempts"]["max_latency"] == 42
    assert health["latency"][0] == ("< 100 ms", 3)
    assert health["failing"] == []


def test_dashboard_draws_the_charts(admin_client, sessions):
    page = admin_client.get(reverse("admin:index"), {"window": "24h"}).content.decode()
    assert 'aria-current="page">Last 24h' in page
    assert "console-bar__fill" in page and "provider_credential_error" in page
    assert "Oura" in page and "Zwift" in page
