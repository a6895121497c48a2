"""Viewers read everything and change nothing; console admins run the actions."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from connections.models import Connection
from linkwidget.console import ADMINS, VIEWERS
from teams.models import ApiKey
from teams.services import api_key_create

from .conftest import populate

pytestmark = pytest.mark.django_db

PAGES = [
    "admin:teams_team_changelist",
    "admin:teams_apikey_changelist",
    "admin:teams_enduser_changelist",
    "admin:connections_connection_changelist",
    "admin:webhooks_webhookdelivery_changelist",
    "admin:link_linktoken_changelist",
    "admin:admin_logentry_changelist",
    "admin:django_tasks_database_dbtaskresult_changelist",
    "admin:index",
]


def test_roles_are_created_idempotently():
    call_command("migrate", verbosity=0)  # runs post_migrate again
    viewers, admins = Group.objects.get(name=VIEWERS), Group.objects.get(name=ADMINS)
    viewer_perms = set(viewers.permissions.values_list("codename", flat=True))
    admin_perms = set(admins.permissions.values_list("codename", flat=True))
    assert {"view_team", "view_connection", "view_linktoken", "view_logentry"} <= viewer_perms
    assert "view_dbtaskresult" in viewer_perms
    assert all(codename.startswith("view_") for codename in viewer_perms)
    assert {"add_team", "change_apikey", "change_connection", "view_logentry"} <= admin_perms
    assert "change_logentry" not in admin_perms and "add_user" not in admin_perms


def test_viewer_sees_every_page(viewer_client, team):
    populate(team, 1)
    for name in PAGES:
        assert viewer_client.get(reverse(name)).status_code == 200, name
    connection = Connection.objects.get()
    page = viewer_client.get(reverse("admin:connections_connection_change", args=[connection.pk]))
    assert page.status_code == 200 and "Save" not in page.content.decode()


def test_viewer_cannot_change_anything(viewer_client, team):
    populate(team, 1)
    _, api_key = api_key_create(team=team)
    page = viewer_client.get(reverse("admin:teams_apikey_changelist")).content.decode()
    assert 'value="revoke"' not in page  # no actions offered
    viewer_client.post(
        reverse("admin:teams_apikey_changelist"),
        {"action": "revoke", "_selected_action": [api_key.pk]},
    )
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is None
    response = viewer_client.post(reverse("admin:teams_apikey_add"), {"team": team.pk})
    assert response.status_code == 403
    response = viewer_client.post(
        reverse("admin:teams_team_change", args=[team.pk]), {"name": "Renamed"}
    )
    assert response.status_code == 403


def test_console_admin_runs_actions(console_admin_client, team):
    populate(team, 1)
    connection = Connection.objects.get()
    page = console_admin_client.get(reverse("admin:connections_connection_changelist"))
    assert 'value="deregister"' in page.content.decode()
    console_admin_client.post(
        reverse("admin:connections_connection_changelist"),
        {"action": "deregister", "_selected_action": [connection.pk]},
    )
    assert Connection.objects.get().status == "deregistered"
    response = console_admin_client.post(
        reverse("admin:teams_apikey_add"), {"team": team.pk, "name": "ops"}
    )
    assert response.status_code == 200 and ApiKey.objects.filter(name="ops").exists()
    assert "will not be shown again" in response.content.decode()
