"""NUL characters are refused up front (400), never stored: PostgreSQL cannot hold them, so
they would otherwise surface as a 500 deep in a query. Found by schemathesis on PostgreSQL."""

import pytest

from teams.models import EndUser

pytestmark = pytest.mark.django_db


def _refused(response):
    assert response.status_code == 400
    assert response.json() == {"detail": "Null characters are not allowed."}


def test_json_body_path_query_and_form(api, client, end_user, team):
    _refused(api.post_json("/v2/user", {"client_user_id": "a\x00b"}))
    _refused(
        api.post_json(
            "/v2/link/token",
            {"user_id": str(end_user.user_id), "filter_on_providers": ["oura\x00"]},
        )
    )
    _refused(api.get("/v2/user/resolve/a%00b"))
    _refused(api.get("/v2/user?offset=0%00"))
    form = "application/x-www-form-urlencoded"
    _refused(client.post("/oauth/token", "grant_type=client_credentials&client_id=%00", form))
    assert not EndUser.objects.exclude(pk=end_user.pk).exists()


def test_an_escaped_backslash_is_not_a_nul(api):
    response = api.post_json("/v2/user", {"client_user_id": "back\\u0000slash"})
    assert response.status_code == 200
    assert response.json()["client_user_id"] == "back\\u0000slash"


def test_pages_answer_400(client):
    response = client.get("/?token=abc%00")
    assert response.status_code == 400
    assert b"Null characters" in response.content
