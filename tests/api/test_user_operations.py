"""The user operations Vital added after the seed: undo of a deletion, demographics, devices,
sign-in token, portal URL and metrics; each with the team isolation of the others."""

from datetime import timedelta
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection as db
from django.utils import timezone

from connections.models import Connection
from connections.services import DELETION_GRACE
from link.services import link_token_find
from teams.crypto import decrypt
from teams.models import EndUser

pytestmark = pytest.mark.django_db

INFO = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
    "phone_number": "+447700900123",
    "gender": "female",
    "dob": "1990-12-10",
    "address": {
        "first_line": "12 St James's Square",
        "country": "GB",
        "zip": "SW1Y 4JH",
        "city": "London",
        "state": "-",
    },
    "race": "other",
}


def _connect(user, provider="oura", status="connected"):
    return Connection.objects.create(
        user=user, provider=provider, status=status, credentials={"demo": True}
    )


def test_delete_then_undo_restores_the_user_without_connections(api, end_user):
    _connect(end_user)
    uid = str(end_user.user_id)
    assert api.delete(f"/v2/user/{uid}").json() == {"success": True}
    assert api.get(f"/v2/user/{uid}").status_code == 404
    assert api.get("/v2/user").json()["total"] == 0
    assert api.post(f"/v2/user/undo_delete?user_id={uid}").json() == {"success": True}
    user = api.get(f"/v2/user/{uid}").json()
    assert user["client_user_id"] == "alice" and user["connected_sources"] == []
    assert Connection.objects.get().status == "deregistered"


def test_undo_by_client_user_id_and_its_refusals(api, other_api, end_user):
    api.delete(f"/v2/user/{end_user.user_id}")
    assert other_api.post("/v2/user/undo_delete?client_user_id=alice").status_code == 404
    assert api.post("/v2/user/undo_delete").status_code == 400
    both = f"/v2/user/undo_delete?client_user_id=alice&user_id={end_user.user_id}"
    assert api.post(both).status_code == 400
    # A new user took the client_user_id: the old one cannot come back (Vital's rule).
    assert api.post_json("/v2/user", {"client_user_id": "alice"}).status_code == 200
    refused = api.post("/v2/user/undo_delete?client_user_id=alice")
    assert refused.status_code == 400 and "alice" in refused.json()["detail"]
    assert EndUser.objects.filter(client_user_id="alice").count() == 1


def test_a_deleted_users_link_tokens_stop_working(api, end_user, link_token):
    api.delete(f"/v2/user/{end_user.user_id}")
    state = api.get("/v2/link/state", headers={"x-vital-link-token": link_token})
    assert state.status_code == 401
    assert api.post_json("/v2/link/token", {"user_id": str(end_user.user_id)}).status_code == 400


def test_purge_erases_only_users_past_the_grace_period(api, team, end_user):
    recent = EndUser.objects.create(team=team, client_user_id="recent")
    api.delete(f"/v2/user/{end_user.user_id}")
    api.delete(f"/v2/user/{recent.user_id}")
    EndUser.with_deleted.filter(pk=end_user.pk).update(
        deleted_at=timezone.now() - DELETION_GRACE - timedelta(minutes=1)
    )
    out = StringIO()
    call_command("end_users_purge", stdout=out)
    assert out.getvalue().startswith("1 ")
    assert not EndUser.with_deleted.filter(pk=end_user.pk).exists()
    assert api.post(f"/v2/user/undo_delete?user_id={end_user.user_id}").status_code == 404
    assert api.post(f"/v2/user/undo_delete?user_id={recent.user_id}").status_code == 200


def test_demographics_round_trip_and_are_encrypted_at_rest(api, end_user):
    uid = end_user.user_id
    assert api.get(f"/v2/user/{uid}/info/latest").status_code == 404
    saved = api.patch_json(f"/v2/user/{uid}/info", INFO)
    assert saved.status_code == 200
    assert saved.json() == api.get(f"/v2/user/{uid}/info/latest").json()
    assert saved.json()["address"]["second_line"] == "" and saved.json()["race"] == "other"
    with db.cursor() as cursor:
        key = EndUser._meta.pk.get_db_prep_value(uid, db)
        cursor.execute("SELECT info FROM teams_enduser WHERE user_id = %s", [key])
        (stored,) = cursor.fetchone()
    assert "Lovelace" not in stored and decrypt(stored)["last_name"] == "Lovelace"


@pytest.mark.parametrize(
    "change", [{"email": "not-an-email"}, {"dob": "1990-02-30"}, {"ethnicity": "martian"}]
)
def test_demographics_are_validated(api, end_user, change):
    response = api.patch_json(f"/v2/user/{end_user.user_id}/info", {**INFO, **change})
    assert response.status_code == 422
    assert EndUser.objects.get().info is None


def test_devices_are_empty_until_there_is_health_data(api, end_user):
    assert api.get(f"/v2/user/{end_user.user_id}/device").json() == []
    device = api.get(f"/v2/user/{end_user.user_id}/device/00000000-0000-4000-8000-000000000000")
    assert device.status_code == 404 and device.json()["detail"]


def test_sign_in_token_is_a_link_token_for_the_user(api, end_user):
    body = api.post(f"/v2/user/{end_user.user_id}/sign_in_token").json()
    assert body["user_id"] == str(end_user.user_id)
    assert link_token_find(body["sign_in_token"]).user_id == end_user.user_id
    state = api.get("/v2/link/state", headers={"x-vital-link-token": body["sign_in_token"]})
    assert state.json()["state"] == "pending"


@pytest.mark.parametrize("context", ["launch", "communications"])
def test_portal_url_opens_the_widget_for_the_user(api, end_user, team, settings, context):
    response = api.post_json(f"/v2/user/{end_user.user_id}/create_portal_url", {"context": context})
    body = response.json()
    url = urlsplit(body["url"])
    assert f"{url.scheme}://{url.netloc}" == settings.LINK_PUBLIC_URL
    query = parse_qs(url.query)
    assert query["env"] == [team.environment] and query["region"] == [team.region]
    assert link_token_find(query["token"][0]).user_id == end_user.user_id
    assert 0 < body["expires_in"] <= settings.LINK_TOKEN_TTL_MINUTES * 60


def test_metrics_count_the_teams_users_and_connections(api, other_api, team, end_user):
    bob = EndUser.objects.create(team=team, client_user_id="bob")
    _connect(end_user)
    _connect(bob, status="error")
    _connect(bob, provider="fitbit", status="deregistered")
    body = api.get("/v2/user/metrics").json()
    assert body["number_of_users"] == 2
    assert body["number_of_connected_sources"] == 2
    assert body["number_of_errored_connected_sources"] == 1
    [week] = body["number_of_connected_sources_by_week"]
    assert (week["value"], week["all"]) == (2, 2)
    assert other_api.get("/v2/user/metrics").json()["number_of_users"] == 0


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "/v2/user/{uid}/info", INFO),
        ("get", "/v2/user/{uid}/info/latest", None),
        ("get", "/v2/user/{uid}/device", None),
        ("post", "/v2/user/{uid}/sign_in_token", None),
        ("post", "/v2/user/{uid}/create_portal_url", {"context": "launch"}),
        ("post", "/v2/user/undo_delete?user_id={uid}", None),
    ],
)
def test_other_teams_users_are_unknown(other_api, end_user, method, path, body):
    if "undo_delete" in path:
        end_user.deleted_at = timezone.now()
        end_user.save()
    path = path.format(uid=end_user.user_id)
    send = getattr(other_api, method)
    response = send(path) if body is None else send(path, body, content_type="application/json")
    assert response.status_code == 404
    assert str(end_user.user_id) not in response.content.decode().replace(path, "")
