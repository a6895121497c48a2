"""Inputs Vital's published spec refuses (its OpenAPI types: uuids, dates, enums, bounds) are
refused here too, with FastAPI's 422 and its `loc`; and every `/v2/` answer is JSON. Where
the original Link docs decide otherwise, the seed stands: those cases are listed apart, each
with the answer the seed gives."""

import uuid

import pytest

from connections.models import Connection
from link.models import LinkToken

U = "00000000-0000-4000-8000-000000000000"  # a well-formed id no one has

# (method, path, JSON body or None, the `loc` Vital's 422 names). `{uid}`: a real user's id.
REFUSED = [
    ("post", "/v2/user", {}, ["body", "client_user_id"]),
    ("post", "/v2/user", {"client_user_id": 5}, ["body", "client_user_id"]),
    ("post", "/v2/user", {"client_user_id": "x", "ingestion_start": "2024-13-45"}, None),
    ("post", "/v2/user", {"client_user_id": "x", "fallback_birth_date": "yesterday"}, None),
    ("patch", "/v2/user/{uid}", {"ingestion_end": "soon"}, ["body", "ingestion_end"]),
    ("get", "/v2/user?limit=501", None, ["query", "limit"]),
    ("get", "/v2/user?offset=x", None, ["query", "offset"]),
    ("get", "/v2/user/not-a-uuid", None, ["path", "user_id"]),
    ("get", "/v2/user/providers/not-a-uuid", None, ["path", "user_id"]),
    ("delete", "/v2/user/{uid}/myspace", None, ["path", "provider"]),
    ("post", "/v2/user/refresh/{uid}?timeout=1", None, ["query", "timeout"]),
    ("post", "/v2/user/refresh/{uid}?timeout=61", None, ["query", "timeout"]),
    ("post", "/v2/user/undo_delete?user_id=nope", None, ["query", "user_id"]),
    ("patch", "/v2/user/{uid}/info", {"first_name": "Ada"}, ["body", "last_name"]),
    ("get", "/v2/user/{uid}/device/not-a-uuid", None, ["path", "device_id"]),
    ("post", "/v2/user/{uid}/create_portal_url", {"context": "email"}, ["body", "context"]),
    ("post", "/v2/user/{uid}/create_portal_url", {}, ["body", "context"]),
    ("post", "/v2/link/token", {"user_id": "nope"}, ["body", "user_id"]),
    ("post", "/v2/link/token", {"user_id": U, "filter_on_providers": []}, None),
    ("post", "/v2/link/token", {"user_id": U, "on_close": "popup"}, ["body", "on_close"]),
    (
        "post",
        "/v2/link/provider/password/zwift",
        {"username": "u", "password": "p", "region": "zz"},
        ["body", "region"],
    ),
    ("post", "/v2/link/provider/email/freestyle_libre", {"region": "eu"}, ["body", "email"]),
    (
        "post",
        "/v2/link/provider/email/freestyle_libre",
        {"email": "a@example.com", "region": "zz"},
        ["body", "region"],
    ),
    ("post", "/v2/link/code/create", None, ["query", "user_id"]),
    ("post", f"/v2/link/code/create?user_id={U}&expires_at=later", None, ["query", "expires_at"]),
    ("post", "/v2/link/connect/demo", {"provider": "oura"}, ["body", "user_id"]),
    ("post", "/v2/link/bulk_import", {"provider": "zwift", "connections": []}, None),
    ("post", "/v2/link/bulk_import", {"provider": "oura"}, ["body", "connections"]),
    ("post", "/v2/link/bulk_import", {"provider": "oura", "connections": [{}]}, None),
    ("post", "/v2/link/bulk_pause", {"provider": "oura", "user_ids": ["x"]}, None),
    ("post", "/v2/link/bulk_export", {"provider": "peloton"}, ["body", "provider"]),
    ("post", "/v2/link/bulk_trigger_historical_pull", {"provider": "oura"}, None),
    ("get", "/v2/link/bulk_op?page_size=51", None, ["query", "page_size"]),
    ("get", "/v2/link/bulk_op?team_id=someone", None, None),
]

# Refused by Vital's spec, answered as the original Link docs say (the seed's five codes).
SEED_STANDS = [
    # An unknown or unserved provider where the Link docs define INVALID_PROVIDER.
    (
        "post",
        "/v2/link/token",
        {"user_id": "{uid}", "provider": "myspace"},
        400,
        "INVALID_PROVIDER",
    ),
    (
        "post",
        "/v2/link/token",
        {"user_id": "{uid}", "filter_on_providers": ["myspace"]},
        400,
        "INVALID_PROVIDER",
    ),
    (
        "post",
        "/v2/link/connect/demo",
        {"user_id": "{uid}", "provider": "x"},
        400,
        "INVALID_PROVIDER",
    ),
]


def _fill(value, uid: str):
    if isinstance(value, str):
        return value.replace("{uid}", uid)
    if isinstance(value, dict):
        return {k: _fill(v, uid) for k, v in value.items()}
    return value


def _send(api, method: str, path: str, body):
    if body is None:
        return getattr(api, method)(path)
    return getattr(api, method)(path, body, content_type="application/json")


@pytest.mark.parametrize(("method", "path", "body", "loc"), REFUSED)
def test_what_vitals_spec_refuses_is_a_422(api, end_user, method, path, body, loc):
    uid = str(end_user.user_id)
    response = _send(api, method, _fill(path, uid), _fill(body, uid))
    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    assert errors and all({"loc", "msg", "type"} <= set(e) for e in errors)
    if loc is not None:
        assert loc in [e["loc"] for e in errors]
    assert not Connection.objects.exists() and not LinkToken.objects.exists()


@pytest.mark.parametrize(("method", "path", "body", "status", "error_type"), SEED_STANDS)
def test_where_the_link_docs_decide_the_seed_stands(
    api, end_user, method, path, body, status, error_type
):
    response = _send(api, method, path, _fill(body, str(end_user.user_id)))
    assert response.status_code == status
    assert response.json()["detail"]["error_type"] == error_type


@pytest.mark.django_db(transaction=True)
def test_a_wrong_password_stays_400_invalid_credentials(sandbox, api, end_user, link_token):
    # Vital's later spec answers 200 with state "error"; the Link docs' code stands.
    response = api.post_json(
        "/v2/link/provider/password/zwift",
        {"username": "user_good", "password": "wrong"},
        headers={"x-vital-link-token": link_token},
    )
    assert response.status_code == 400
    assert response.json()["detail"]["error_type"] == "INVALID_CREDENTIALS"


@pytest.mark.parametrize(
    ("method", "path", "status", "detail"),
    [
        ("get", "/v2/nothing/here", 404, "Not Found"),
        ("get", "/v2/summary/electrocardiogram/" + U, 404, "Not Found"),  # Vital's, not served
        ("post", "/v1/unknown", 404, "Not Found"),
        ("put", "/v2/user", 405, "Method Not Allowed"),
        ("get", "/v2/link/token", 405, "Method Not Allowed"),
    ],
)
def test_every_v2_answer_is_json(api, method, path, status, detail):
    response = getattr(api, method)(path)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": detail}


def test_method_not_allowed_keeps_allow(api):
    assert set(api.put("/v2/user")["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_metrics_is_not_a_user_id(api, end_user):
    # Routed before /v2/user/{user_id}, which used to answer it with a 422 about a UUID.
    body = api.get("/v2/user/metrics").json()
    assert body["number_of_users"] == 1 and body["team_id"] == str(end_user.team_id)


def test_provider_values_that_vital_knows_but_link_does_not_serve(api, end_user):
    # `cronometer` is one of Vital's OAuthProviders, so not a 422; Link has no adapter for it.
    response = api.post_json(
        "/v2/link/bulk_pause", {"provider": "cronometer", "user_ids": [str(uuid.uuid4())]}
    )
    assert response.status_code == 200
    response = api.post_json("/v2/link/bulk_import", {"provider": "cronometer", "connections": []})
    assert (response.status_code, response.json()["detail"]["error_type"]) == (
        400,
        "INVALID_PROVIDER",
    )
