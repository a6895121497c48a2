import base64
import time

import jwt
import pytest

from teams.services import api_key_create, api_key_revoke

pytestmark = pytest.mark.django_db


def test_client_credentials_grant_gives_a_bearer_for_the_api(client, team, end_user):
    key, _ = api_key_create(team=team)
    response = client.post(
        "/oauth/token",
        {"grant_type": "client_credentials", "client_id": str(team.pk), "client_secret": key},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get(f"/v2/user/{end_user.user_id}", headers=bearer).status_code == 200


def test_basic_auth_and_json_body(client, team):
    key, _ = api_key_create(team=team)
    basic = base64.b64encode(f"{team.pk}:{key}".encode()).decode()
    response = client.post(
        "/oauth/token/",
        {"grant_type": "client_credentials"},
        content_type="application/json",
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200


def test_errors(client, team, other_team):
    key, api_key = api_key_create(team=team)
    grant = {"grant_type": "client_credentials", "client_id": str(team.pk), "client_secret": key}
    assert (
        client.post("/oauth/token", {**grant, "grant_type": "password"}).json()["error"]
        == "unsupported_grant_type"
    )
    wrong_team = client.post("/oauth/token", {**grant, "client_id": str(other_team.pk)})
    assert wrong_team.status_code == 401 and wrong_team.json()["error"] == "invalid_client"
    bad_json = client.post("/oauth/token", "[", content_type="application/json")
    assert bad_json.status_code == 400 and bad_json.json()["error"] == "invalid_request"
    assert client.get("/oauth/token").status_code == 405

    token = client.post("/oauth/token", grant).json()["access_token"]
    api_key_revoke(api_key=api_key)
    assert client.get("/v2/user", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/v2/user", headers={"Authorization": "Bearer forged"}).status_code == 401


def _token(client, team, **extra) -> str:
    key, _ = api_key_create(team=team)
    grant = {"grant_type": "client_credentials", "client_id": str(team.pk), "client_secret": key}
    response = client.post("/oauth/token", {**grant, **extra}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def test_the_token_is_a_jwt_the_2022_sdks_can_read(client, team, end_user):
    # What vital 0.3-1.1 do with it (vital/internal/token_handler.py), with the audience they send.
    token = _token(client, team, audience="https://api.sandbox.tryvital.io")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - time.time() == pytest.approx(3600, abs=5)
    assert claims["sub"] == str(team.pk)
    assert client.get("/v2/user", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_token_we_did_not_sign_or_that_expired_is_refused(client, team, settings):
    token = _token(client, team)
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = [
        jwt.encode(claims, "not-our-key-" + "k" * 32, algorithm="HS256"),
        jwt.encode(claims, "", algorithm="none"),
        jwt.encode(
            {**claims, "exp": int(time.time()) - 1}, "not-our-key-" + "k" * 32, algorithm="HS256"
        ),
    ]
    for bad in forged:
        answer = client.get("/v2/user", headers={"Authorization": f"Bearer {bad}"})
        assert answer.status_code == 401, bad

    settings.API_BEARER_TTL_SECONDS = -1
    expired = _token(client, team)
    assert client.get("/v2/user", headers={"Authorization": f"Bearer {expired}"}).status_code == 401


def test_a_token_survives_a_secret_key_rotation(client, team, settings):
    token = _token(client, team)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert client.get("/v2/user", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    assert client.get("/v2/user", headers={"Authorization": f"Bearer {token}"}).status_code == 401
