"""Every console page renders, for every registered model, and none shows a secret."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from link.models import LinkToken
from teams.services import end_user_create

from .conftest import SECRETS, Kind, session_create, tasks_in_every_state

MODELS = [(m._meta.app_label, m._meta.model_name) for m in admin.site._registry]


def _pages(model, obj):
    app, name = model._meta.app_label, model._meta.model_name
    yield reverse(f"admin:{app}_{name}_changelist")
    if obj is not None:
        yield reverse(f"admin:{app}_{name}_change", args=[obj.pk])
        yield reverse(f"admin:{app}_{name}_history", args=[obj.pk])
    yield reverse(f"admin:{app}_{name}_add")


@pytest.mark.django_db
@pytest.mark.parametrize("app_model", MODELS, ids="_".join)
def test_every_page_renders_without_secrets(admin_client, secrets_everywhere, app_model):
    model = next(m for m in admin.site._registry if m._meta.model_name == app_model[1])
    for url in _pages(model, model._default_manager.first()):
        response = admin_client.get(url)
        assert response.status_code in (200, 403), (url, response.status_code)
        page = response.content.decode()
        for secret in SECRETS:
            assert secret not in page, (url, secret)


@pytest.mark.django_db
def test_dashboard_renders_without_secrets(admin_client, secrets_everywhere):
    for window in ("24h", "7d", "30d", "bogus"):
        response = admin_client.get(reverse("admin:index"), {"window": window})
        assert response.status_code == 200
        page = response.content.decode()
        assert "Conversion funnel" in page
        assert not [s for s in SECRETS if s in page]


@pytest.mark.django_db
def test_team_page_shows_the_vendor_placeholder(admin_client, team):
    page = admin_client.get(reverse("admin:teams_team_change", args=[team.pk])).content.decode()
    assert "(<code>LINK_&lt;VENDOR&gt;_CLIENT_ID</code>/<code>_SECRET</code>)" in page


@pytest.mark.django_db(transaction=True)  # the worker, after a failed task, drops its connection
def test_task_results_tell_scheduled_from_due(admin_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    tasks_in_every_state()
    url = reverse("admin:django_tasks_database_dbtaskresult_changelist")

    def listed(state, **params):
        response = admin_client.get(url, {"state": state, **params})
        return sorted((r.task_name, r.state_label) for r in response.context["cl"].result_list)

    assert listed("scheduled") == [("connection_due_task", "Scheduled")] * 2
    assert listed("due") == [("webhook_deliver", "Due")] * 2
    assert listed("running") == [("connection_refresh_task", "Running")]
    assert listed("failed") == [("connection_refresh_task", "Failed")] * 2
    # The dashboard links a task kind's failures so.
    assert listed("failed", task_path="webhooks.tasks.webhook_deliver") == []
    page = admin_client.get(url).content.decode()
    assert 'column-run_after_shown">' in page and "Ready" not in page


@pytest.mark.django_db
def test_sessions_say_how_far_they_got_and_hide_sandbox_teams(admin_client, team, other_team):
    user = end_user_create(team=team, client_user_id="u")
    fresh = session_create(team, user, Kind.CREATED, index=1)
    stale = session_create(team, user, Kind.CREATED, index=2)
    opened = session_create(team, user, Kind.OPENED, Kind.PROVIDER_CHOSEN, index=3)
    failed = session_create(team, user, Kind.OPENED, Kind.FAILED, error_type="user_cancelled")
    LinkToken.objects.filter(pk__in=[fresh.pk, opened.pk]).update(
        expires_at=timezone.now() + timedelta(minutes=30)
    )
    customer = end_user_create(team=other_team, client_user_id="customer")
    connected = session_create(other_team, customer, Kind.OPENED, Kind.CONNECTED)
    url = reverse("admin:link_linktoken_changelist")

    def outcomes(**params):
        cl = admin_client.get(url, params).context["cl"]
        return {t.pk: cl.model_admin.outcome(t) for t in cl.result_list}

    assert outcomes() == {
        fresh.pk: "Not opened yet",
        stale.pk: "Expired, never opened",
        opened.pk: "In progress",
        failed.pk: "Error: user_cancelled",
        connected.pk: "Success",
    }
    assert outcomes(team__environment__exact="production") == {connected.pk: "Success"}
