import uuid

import pytest

from connections.models import Connection
from teams.models import EndUser

pytestmark = pytest.mark.django_db


def test_create_returns_full_user(api, team):
    response = api.post_json(
        "/v2/user", {"client_user_id": "bob", "fallback_time_zone": "Europe/London"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["client_user_id"] == "bob"
    assert body["team_id"] == str(team.pk)
    assert body["connected_sources"] == []
    assert body["fallback_time_zone"]["id"] == "Europe/London"
    assert EndUser.objects.get(pk=body["user_id"]).team == team


def test_create_accepts_trailing_slash_without_redirect(api):
    response = api.post_json("/v2/user/", {"client_user_id": "carol"})
    assert response.status_code == 200
    assert response.json()["client_user_id"] == "carol"


def test_duplicate_client_user_id_is_400_with_existing_id(api, end_user):
    response = api.post_json("/v2/user", {"client_user_id": "alice"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail["error_type"] == "INVALID_REQUEST"
    assert detail["user_id"] == str(end_user.user_id)
    assert EndUser.objects.filter(client_user_id="alice").count() == 1


def test_same_client_user_id_in_two_teams_is_fine(api, other_api, end_user):
    assert other_api.post_json("/v2/user", {"client_user_id": "alice"}).status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"client_user_id": ""},
        {"client_user_id": "x", "fallback_time_zone": "Mars/Base"},
        {"client_user_id": "x", "fallback_birth_date": "not-a-date"},
        {"client_user_id": 5},
    ],
)
def test_create_validation_is_422_fastapi_style(api, payload):
    response = api.post_json("/v2/user", payload)
    assert response.status_code == 422
    for error in response.json()["detail"]:
        assert {"loc", "msg", "type"} <= set(error)


def test_malformed_json_is_a_clear_client_error(api):
    response = api.post("/v2/user", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500


def test_missing_or_wrong_key_is_401(client, api):
    assert client.post("/v2/user", {}, content_type="application/json").status_code == 401
    wrong = api.post_json(
        "/v2/user",
        {"client_user_id": "x"},
        headers={"X-Vital-API-Key": "sk_us_nope_000000000000000000000000"},
    )
    assert wrong.status_code == 401


def test_get_and_resolve(api, end_user):
    by_id = api.get(f"/v2/user/{end_user.user_id}")
    assert by_id.status_code == 200
    assert by_id.json()["client_user_id"] == "alice"
    resolved = api.get("/v2/user/resolve/alice/")
    assert resolved.status_code == 200
    assert resolved.json()["user_id"] == str(end_user.user_id)


def test_get_unknown_is_404_and_non_uuid_is_422(api):
    assert api.get(f"/v2/user/{uuid.uuid4()}").status_code == 404
    assert api.get("/v2/user/not-a-uuid").status_code == 422
    assert api.get("/v2/user/resolve/nobody").status_code == 404


def test_list_paginates(api, team):
    for i in range(5):
        api.post_json("/v2/user", {"client_user_id": f"u{i}"})
    page = api.get("/v2/user?offset=1&limit=2").json()
    assert page["total"] == 5 and page["offset"] == 1 and page["limit"] == 2
    assert [u["client_user_id"] for u in page["users"]] == ["u1", "u2"]
    assert api.get("/v2/user?limit=0").status_code == 422
    assert api.get("/v2/user?offset=-1").status_code == 422


def test_patch_updates_and_answers_204(api, end_user):
    response = api.patch_json(
        f"/v2/user/{end_user.user_id}",
        {"fallback_birth_date": "1990-02-03", "client_user_id": "alice-2"},
    )
    assert response.status_code == 204
    assert response.content == b""
    end_user.refresh_from_db()
    assert str(end_user.fallback_birth_date) == "1990-02-03"
    assert end_user.client_user_id == "alice-2"


def test_patch_to_taken_client_user_id_is_400(api, end_user):
    api.post_json("/v2/user", {"client_user_id": "taken"})
    response = api.patch_json(f"/v2/user/{end_user.user_id}", {"client_user_id": "taken"})
    assert response.status_code == 400
    end_user.refresh_from_db()
    assert end_user.client_user_id == "alice"


def test_delete_deregisters_connections_and_removes_user(api, end_user):
    Connection.objects.create(user=end_user, provider="oura", status="connected")
    response = api.delete(f"/v2/user/{end_user.user_id}")
    assert response.json() == {"success": True}
    assert not EndUser.objects.filter(pk=end_user.pk).exists()
    assert api.get(f"/v2/user/{end_user.user_id}").status_code == 404


def test_connected_providers_and_deregister(api, end_user):
    Connection.objects.create(
        user=end_user,
        provider="oura",
        status="connected",
        external_user_id="oura-1",
        credentials={"access_token": "secret"},
    )
    Connection.objects.create(
        user=end_user,
        provider="strava",
        status="error",
        error_type="token_refresh_failed",
        error_message="Strava refused the refresh token.",
    )
    Connection.objects.create(user=end_user, provider="fitbit", status="deregistered")
    body = api.get(f"/v2/user/providers/{end_user.user_id}").json()
    assert list(body) == ["providers"]
    by_slug = {p["slug"]: p for p in body["providers"]}
    assert set(by_slug) == {"oura", "strava"}
    assert by_slug["oura"]["external_user_id"] == "oura-1"
    assert by_slug["oura"]["resource_availability"]["sleep"] == {"status": "available"}
    assert by_slug["strava"]["error_details"]["error_type"] == "token_refresh_failed"
    user = api.get(f"/v2/user/{end_user.user_id}").json()
    assert {s["provider"]["slug"] for s in user["connected_sources"]} == {"oura", "strava"}
    assert all(s["source"] == s["provider"] for s in user["connected_sources"])

    assert api.delete(f"/v2/user/{end_user.user_id}/oura").json() == {"success": True}
    assert Connection.objects.get(provider="oura").status == "deregistered"
    assert Connection.objects.get(provider="oura").credentials is None
    assert api.delete(f"/v2/user/{end_user.user_id}/oura").status_code == 404
    # Not one of Vital's `Providers`: refused as Vital refuses it.
    assert api.delete(f"/v2/user/{end_user.user_id}/nosuch").status_code == 422


def test_teams_never_see_each_others_users(api, other_api, end_user):
    uid = end_user.user_id
    assert other_api.get(f"/v2/user/{uid}").status_code == 404
    assert other_api.get("/v2/user/resolve/alice").status_code == 404
    assert other_api.get(f"/v2/user/providers/{uid}").status_code == 404
    assert other_api.patch_json(f"/v2/user/{uid}", {"client_user_id": "x"}).status_code == 404
    assert other_api.delete(f"/v2/user/{uid}/oura").status_code == 404
    assert other_api.delete(f"/v2/user/{uid}").status_code == 404
    assert other_api.get("/v2/user").json()["total"] == 0
    assert EndUser.objects.filter(pk=uid, client_user_id="alice").exists()


def test_list_query_count_does_not_grow(api, team, django_assert_max_num_queries):
    for i in range(20):
        user = EndUser.objects.create(team=team, client_user_id=f"q{i}")
        Connection.objects.create(user=user, provider="oura", status="connected")
    api.get("/v2/user")  # first use stamps the key's last_used_at
    with django_assert_max_num_queries(4):
        assert len(api.get("/v2/user").json()["users"]) == 20
