"""Link bulk operations: import, pause, export and historical pulls, run as tasks, and only ever
on the caller's own team."""

import time
import uuid

import pytest

from connections import bulk
from connections.lifecycle import connections_due
from connections.models import BulkOperation, Connection
from teams.models import EndUser

pytestmark = pytest.mark.django_db

SOON = int(time.time()) + 60  # expiring within the refresh margin: due for a refresh


def _recipe(user, **fields) -> dict:
    return {
        "user_id": str(user.user_id),
        "access_token": f"access-{user.client_user_id}",
        "refresh_token": f"refresh-{user.client_user_id}",
        "provider_id": f"OURA-{user.client_user_id}",
        "expires_at": SOON,
        "oauth_scopes": ["daily"],
        **fields,
    }


def test_import_makes_live_connections_and_reports_each_user(api, team, end_user, other_team):
    stranger = EndUser.objects.create(team=other_team, client_user_id="stranger")
    response = api.post_json(
        "/v2/link/bulk_import",
        {"provider": "oura", "connections": [_recipe(end_user), _recipe(stranger)]},
    )
    assert response.status_code == 200  # the test task backend runs the task at once
    assert response.json() == {
        "user_ids_imported": [str(end_user.user_id)],
        "user_ids_failed": [str(stranger.user_id)],
    }
    connection = Connection.objects.get()
    assert (connection.user, connection.status, connection.external_user_id) == (
        end_user,
        "connected",
        "OURA-alice",
    )
    assert connection.credentials["refresh_token"] == "refresh-alice"
    assert int(connection.expires_at.timestamp()) == SOON
    operation = BulkOperation.objects.get()
    assert (operation.status, operation.pending, operation.processed) == ("success", 0, 2)
    assert operation.items is None  # the tokens do not outlive the task
    assert not Connection.objects.filter(user=stranger).exists()


def test_import_never_answers_an_empty_body_and_202_while_queued(api, end_user, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    response = api.post_json(
        "/v2/link/bulk_import", {"provider": "oura", "connections": [_recipe(end_user)]}
    )
    assert response.status_code == 202
    assert response.json() == {"user_ids_imported": [], "user_ids_failed": []}
    listed = api.get("/v2/link/bulk_op").json()["data"]
    assert [(op["type"], op["status"], op["pending"]) for op in listed] == [
        ("link_bulk_import", "in_progress", 1)
    ]
    assert BulkOperation.objects.get().items[0]["access_token"] == "access-alice"
    bulk.bulk_operation_run(operation_id=BulkOperation.objects.get().pk)
    assert Connection.objects.filter(user=end_user, provider="oura").exists()


def _paused_connection(user, provider: str) -> Connection:
    return Connection.objects.create(
        user=user,
        provider=provider,
        status="error",
        credentials={"access_token": "old"},
        paused_at="2026-01-01T00:00:00Z",
    )


def test_import_replaces_a_live_connection_and_unpauses_it(api, end_user):
    _paused_connection(end_user, "oura")
    api.post_json("/v2/link/bulk_import", {"provider": "oura", "connections": [_recipe(end_user)]})
    connection = Connection.objects.get()
    assert (connection.status, connection.paused_at) == ("connected", None)
    assert connection.credentials["access_token"] == "access-alice"


@pytest.mark.django_db(transaction=True)
def test_only_a_re_import_unpauses_a_link_reconnect_does_not(api, new_link_token, live_user):
    _paused_connection(live_user, "zwift")
    response = api.post_json(
        "/v2/link/provider/password/zwift",
        {"username": "user_good", "password": "pass_good"},
        headers={"x-vital-link-token": new_link_token()},
    )
    assert response.json()["state"] == "success"
    connection = Connection.objects.get()
    assert connection.status == "connected" and connection.paused_at is not None
    assert connection.credentials["access_token"] != "old"


def test_pause_stops_refreshes_and_export_hands_back_the_tokens(api, team, end_user):
    api.post_json("/v2/link/bulk_import", {"provider": "oura", "connections": [_recipe(end_user)]})
    connection = Connection.objects.get()
    assert connections_due() == [connection.pk]
    nobody = str(uuid.uuid4())
    paused = api.post_json(
        "/v2/link/bulk_pause", {"provider": "oura", "user_ids": [str(end_user.user_id), nobody]}
    ).json()
    assert paused == {"user_ids_paused": [str(end_user.user_id)], "user_ids_failed": [nobody]}
    assert connections_due() == []
    exported = api.post_json("/v2/link/bulk_export", {"provider": "oura"}).json()
    assert exported == {"data": [_recipe(end_user)], "next_token": None}


def test_export_pages_and_stays_in_the_team(api, other_api, team, monkeypatch):
    monkeypatch.setattr(bulk, "EXPORT_PAGE_SIZE", 2)
    users = [EndUser.objects.create(team=team, client_user_id=f"u{i}") for i in range(3)]
    api.post_json(
        "/v2/link/bulk_import", {"provider": "oura", "connections": [_recipe(u) for u in users]}
    )
    first = api.post_json("/v2/link/bulk_export", {"provider": "oura"}).json()
    second = api.post_json(
        "/v2/link/bulk_export", {"provider": "oura", "next_token": first["next_token"]}
    ).json()
    assert [r["user_id"] for r in first["data"] + second["data"]] == [str(u.user_id) for u in users]
    assert second["next_token"] is None
    assert other_api.post_json("/v2/link/bulk_export", {"provider": "oura"}).json()["data"] == []
    only = api.post_json(
        "/v2/link/bulk_export", {"provider": "oura", "user_ids": [str(users[1].user_id)]}
    ).json()
    assert [r["user_id"] for r in only["data"]] == [str(users[1].user_id)]


def test_historical_pull_is_recorded_for_live_connections(api, end_user, team):
    Connection.objects.create(user=end_user, provider="oura", status="connected")
    bob = EndUser.objects.create(team=team, client_user_id="bob")
    response = api.post_json(
        "/v2/link/bulk_trigger_historical_pull",
        {"provider": "oura", "user_ids": [str(end_user.user_id), str(bob.user_id)]},
    )
    assert response.json() == {
        "user_ids_triggered": [str(end_user.user_id)],
        "user_ids_failed": [str(bob.user_id)],
    }
    [op] = api.get("/v2/link/bulk_op").json()["data"]
    assert (op["type"], op["status"], op["processed"]) == (
        "link_bulk_historical_trigger",
        "success",
        2,
    )


def test_bulk_op_list_pages_newest_first_per_team(api, other_api, end_user):
    for _ in range(3):
        api.post_json("/v2/link/bulk_import", {"provider": "oura", "connections": []})
    first = api.get("/v2/link/bulk_op?page_size=2").json()
    rest = api.get(f"/v2/link/bulk_op?page_size=2&next_cursor={first['next_cursor']}").json()
    ids = list(BulkOperation.objects.order_by("-pk").values_list("pk", flat=True))
    assert len(first["data"]) == 2 and len(rest["data"]) == 1 and rest["next_cursor"] is None
    assert first["next_cursor"] == str(ids[1])
    assert other_api.get("/v2/link/bulk_op").json() == {"data": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/v2/link/bulk_op?team_id={team}", None),
        ("post", "/v2/link/bulk_import?team_id={team}", {"provider": "oura", "connections": []}),
        ("post", "/v2/link/bulk_pause?team_id={team}", {"provider": "oura", "user_ids": []}),
        ("post", "/v2/link/bulk_export?team_id={team}", {"provider": "oura"}),
    ],
)
def test_a_key_acts_for_its_own_team_only(api, other_team, team, method, path, body):
    send = getattr(api, method)
    for team_id, status in ((other_team.pk, 404), (team.pk, 200), ("infer_from_context", 200)):
        url = path.format(team=team_id)
        response = send(url) if body is None else send(url, body, content_type="application/json")
        assert response.status_code == status, response.content
    assert not BulkOperation.objects.filter(team=other_team).exists()
