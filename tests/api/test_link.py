import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from link.forms import CREDENTIAL_FORMS, region_choices
from link.models import LinkCode, LinkToken
from link.services import link_code_hash, link_token_find

pytestmark = pytest.mark.django_db


def test_token_and_web_url(api, end_user, team, settings):
    settings.LINK_PUBLIC_URL = "https://link.example.com"
    response = api.post_json(
        "/v2/link/token",
        {"user_id": str(end_user.user_id), "provider": "oura", "redirect_url": "https://a.b/cb"},
    )
    assert response.status_code == 200
    body = response.json()
    url = urlsplit(body["link_web_url"])
    assert f"{url.scheme}://{url.netloc}" == "https://link.example.com"
    query = parse_qs(url.query)
    assert query == {"token": [body["link_token"]], "env": ["sandbox"], "region": ["us"]}
    row = link_token_find(body["link_token"])
    assert row.user == end_user and row.provider == "oura"
    assert body["link_token"] not in row.token_hash  # only the hash is stored
    assert timedelta(minutes=59) < row.expires_at - timezone.now() <= timedelta(minutes=60)


def test_token_accepts_legacy_user_key(api, end_user):
    response = api.post_json("/v2/link/token/", {"user_key": str(end_user.user_id)})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"provider": "myspace"}, "INVALID_PROVIDER"),
        ({"filter_on_providers": ["oura", "nope"]}, "INVALID_PROVIDER"),
        ({"provider": "fitbit", "filter_on_providers": ["oura"]}, "INVALID_PROVIDER"),
    ],
)
def test_token_rejects_unknown_providers(api, end_user, payload, code):
    response = api.post_json("/v2/link/token", {"user_id": str(end_user.user_id), **payload})
    assert response.status_code == 400
    assert response.json()["detail"]["error_type"] == code
    assert not LinkToken.objects.exists()


def test_token_for_unknown_or_foreign_user_is_invalid_user_id(api, other_api, end_user):
    for client, uid in ((api, uuid.uuid4()), (other_api, end_user.user_id)):
        response = client.post_json("/v2/link/token", {"user_id": str(uid)})
        assert response.status_code == 400
        assert response.json()["detail"]["error_type"] == "INVALID_USER_ID"


@pytest.mark.parametrize(
    "payload",
    [{}, {"user_id": "nope"}, {"filter_on_providers": []}, {"on_error": "popup"}],
)
def test_token_validation_is_422(api, end_user, payload):
    body = (
        {"user_id": str(end_user.user_id), **payload}
        if payload.get("user_id") != "nope" and payload
        else payload
    )
    response = api.post_json("/v2/link/token", body)
    assert response.status_code == 422
    assert all({"loc", "msg", "type"} <= set(e) for e in response.json()["detail"])


def test_redirect_url_must_be_allowed(api, end_user, team):
    team.allowed_redirect_urls = ["https://app.example.com/link", "myapp://callback"]
    team.save()
    uid = str(end_user.user_id)
    for ok in ("https://app.example.com/link/done?x=1", "myapp://callback?a=b"):
        assert (
            api.post_json("/v2/link/token", {"user_id": uid, "redirect_url": ok}).status_code == 200
        )
    for bad in (
        "https://evil.example.com/link",
        "https://app.example.com/linkevil",
        "http://app.example.com/link",
    ):
        response = api.post_json("/v2/link/token", {"user_id": uid, "redirect_url": bad})
        assert response.status_code == 422, bad
        assert response.json()["detail"][0]["loc"][-1] == "redirect_url"


def test_is_valid_reports_reasons(api, other_api, link_token):
    assert api.post_json("/v2/link/token/isValid", {"token": link_token}).json() == {
        "valid": True,
        "reason": None,
    }
    assert (
        api.post_json("/v2/link/token/isValid", {"token": "garbage"}).json()["reason"]
        == "invalid_token"
    )
    assert (
        other_api.post_json("/v2/link/token/isValid", {"token": link_token}).json()["valid"]
        is False
    )
    LinkToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert (
        api.post_json("/v2/link/token/isValid", {"token": link_token}).json()["reason"]
        == "token_expired"
    )


def test_state_with_link_token(client, link_token, end_user):
    response = client.get("/v2/link/state", headers={"x-vital-link-token": link_token})
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "pending" and body["user_id"] == str(end_user.user_id)


def test_link_token_errors(client, link_token):
    missing = client.get("/v2/link/state")
    assert missing.status_code == 400
    assert missing.json()["detail"]["error_type"] == "MISSING_LINK_TOKEN"
    invalid = client.get("/v2/link/providers", headers={"x-vital-link-token": "nope"})
    assert invalid.status_code == 401
    assert invalid.json()["detail"]["error_type"] == "INVALID_REQUEST"
    LinkToken.objects.update(expires_at=timezone.now())
    expired = client.get("/v2/link/providers", headers={"x-vital-link-token": link_token})
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]["error_message"]


def test_consumed_token_still_reports_state_but_cannot_list_providers(client, link_token):
    LinkToken.objects.update(consumed_at=timezone.now(), state="success")
    headers = {"x-vital-link-token": link_token}
    assert client.get("/v2/link/state", headers=headers).json()["state"] == "success"
    response = client.get("/v2/link/providers", headers=headers)
    assert response.status_code == 401
    assert "already used" in response.json()["detail"]["error_message"]


def link_providers(api, client, end_user, providers: list[str]) -> list[dict]:
    """`GET /v2/link/providers` for a link token filtered on `providers`."""
    token = api.post_json(
        "/v2/link/token",
        {"user_id": str(end_user.user_id), "filter_on_providers": providers},
    ).json()["link_token"]
    return client.get("/v2/link/providers", headers={"x-vital-link-token": token}).json()


def test_link_providers_follow_the_filter(api, client, end_user):
    body = link_providers(api, client, end_user, ["oura", "dexcom", "zwift"])
    assert [p["slug"] for p in body] == ["oura", "zwift", "dexcom"]
    by_slug = {p["slug"]: p for p in body}
    assert by_slug["dexcom"]["auth_type"] == "password"
    assert set(by_slug["dexcom"]["form_components"]) >= {"username", "password"}
    assert all(isinstance(p["id"], int) and p["logo"] for p in body)


def test_team_link_config(client, link_token, team):
    team.accent_color = "#ff0066"
    team.save()
    body = client.get("/v2/team/link/config", headers={"x-vital-link-token": link_token}).json()
    assert body["team_name"] == "Acme Health" and body["accent_color"] == "#ff0066"


def test_code_create(api, other_api, end_user):
    response = api.post(f"/v2/link/code/create?user_id={end_user.user_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["code"].startswith("skus") and len(body["code"]) == 12
    assert body["exchange_url"] == f"tryvital://tryvital?code={body['code']}"
    assert LinkCode.objects.get(code_hash=link_code_hash(body["code"])).user == end_user
    foreign = other_api.post(f"/v2/link/code/create?user_id={end_user.user_id}")
    assert foreign.status_code == 400
    assert foreign.json()["detail"]["error_type"] == "INVALID_USER_ID"
    past = api.post(
        f"/v2/link/code/create?user_id={end_user.user_id}&expires_at=2000-01-01T00:00:00Z"
    )
    assert past.status_code == 422


def test_token_create_query_budget(api, end_user, django_assert_max_num_queries):
    api.get("/v2/user")
    with django_assert_max_num_queries(4):
        assert (
            api.post_json("/v2/link/token", {"user_id": str(end_user.user_id)}).status_code == 200
        )


def test_a_provider_the_team_switched_off_is_not_offered(api, client, end_user, team):
    team.disabled_providers = ["zwift"]
    team.save()
    token = api.post_json("/v2/link/token", {"user_id": str(end_user.user_id)}).json()["link_token"]
    headers = {"x-vital-link-token": token}
    slugs = [p["slug"] for p in client.get("/v2/link/providers", headers=headers).json()]
    assert "zwift" not in slugs and "dexcom" in slugs
    refused = client.post(
        "/v2/link/provider/password/zwift",
        {"username": "user_good", "password": "pass_good"},
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 400
    assert refused.json()["detail"]["error_type"] == "INVALID_PROVIDER"


def test_form_components_describe_the_widgets_own_form(api, client, end_user):
    """One definition of a credential form: the API asks for a region exactly where the
    widget's form does, with the same options (Zwift has one set of servers; Dexcom and
    FreeStyle Libre keep accounts by region)."""
    body = link_providers(api, client, end_user, ["zwift", "dexcom", "freestyle_libre"])
    for provider in body:
        form = CREDENTIAL_FORMS[provider["auth_type"]](provider=provider["slug"])
        components = provider["form_components"]
        assert list(components) == list(form.fields)
        region = components.get("region")
        choices = region_choices(provider["slug"])
        assert (region is not None) == bool(choices)
        if region:
            assert region["type"] == "select" and region["required"]
            assert [o["value"] for o in region["options"]] == [code for code, _ in choices]
    by_slug = {p["slug"]: p["form_components"] for p in body}
    assert "region" not in by_slug["zwift"] and by_slug["zwift"]["password"]["type"] == "password"
    assert by_slug["freestyle_libre"]["email"] == {
        "type": "email",
        "label": "Email",
        "required": True,
    }
