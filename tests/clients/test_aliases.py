"""The routes, prefix and header of the 2021-22 Vital SDKs, as the v2 API answers them: the same
answers, validation, seed error codes and isolation (api.legacy, api.middleware)."""

import pytest
import requests

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("prefix", ["/v2", "/v1"])
def test_user_key_routes_are_the_user_routes(api, other_api, prefix):
    created = api.post_json(f"{prefix}/user/key", {"client_user_id": "legacy-1"})
    assert created.status_code == 200, created.content
    user = created.json()
    assert api.get(f"/v2/user/{user['user_id']}").json() == user

    for path in (f"{prefix}/user/key/legacy-1", f"{prefix}/user/{user['user_id']}"):
        assert api.get(path).json() == user, path
    assert api.get(f"{prefix}/user/").json()["users"] == [user]
    assert api.get(f"{prefix}/user/providers/{user['user_id']}").json() == {"providers": []}

    duplicate = api.post_json(f"{prefix}/user/key", {"client_user_id": "legacy-1"})
    assert duplicate.status_code == 400
    assert duplicate.json()["detail"]["error_type"] == "INVALID_REQUEST"
    assert duplicate.json()["detail"]["user_id"] == user["user_id"]
    assert api.post_json(f"{prefix}/user/key", {}).status_code == 422

    # Another team sees none of it.
    assert other_api.get(f"{prefix}/user/key/legacy-1").status_code == 404
    assert other_api.get(f"{prefix}/user/{user['user_id']}").status_code == 404
    assert api.__class__("wrong-key").post_json(f"{prefix}/user/key", {}).status_code == 401


@pytest.mark.parametrize("prefix", ["/v2", "/v1"])
def test_link_token_by_user_key(api, other_api, end_user, prefix):
    made = api.post_json(f"{prefix}/link/token/", {"user_key": str(end_user.pk), "provider": None})
    assert made.status_code == 200, made.content
    assert set(made.json()) == {"link_token", "link_web_url"}
    theirs = other_api.post_json(f"{prefix}/link/token/", {"user_key": str(end_user.pk)})
    assert _code(theirs) == (400, "INVALID_USER_ID")


# Every route the old SDKs send a link token to, with the header they send it in.
OLD_LINK_CALLS = [
    ("post", "/v2/link/provider/password/zwift", "LinkToken"),  # vital 1.1 password_provider
    ("post", "/v1/link/provider/password/zwift", "LinkToken"),  # vital 0.3, 1.1.5
    ("post", "/v2/link/provider/zwift", "LinkToken"),  # vital-node 1.x connectProvider
    ("get", "/v2/link/provider/oauth/google_health", "LinkToken"),  # vital 1.1 oauth_provider
    ("get", "/v1/link/provider/oauth/google_health", "LinkToken"),  # vital 0.3, 1.1.5
    ("post", "/v1/link/provider/email/freestyle_libre", "LinkToken"),  # vital 0.3, 1.1.5
]
PASSWORD_ROUTES = [p for m, p, _ in OLD_LINK_CALLS if m == "post" and "/email/" not in p]
CREDENTIALS = {"username": "user_good", "password": "pass_good", "email": "a@example.com"}


def _call(client, method, path, header=None, token=None):
    headers = {header: token} if header else {}
    if method == "get":
        return client.get(path, headers=headers)
    return client.post(path, CREDENTIALS, content_type="application/json", headers=headers)


def _code(answer) -> tuple[int, str]:
    return answer.status_code, answer.json()["detail"]["error_type"]


@pytest.mark.parametrize(("method", "path", "header"), OLD_LINK_CALLS)
def test_seed_error_codes_on_the_old_link_calls(client, link_token, method, path, header):
    assert _code(_call(client, method, path)) == (400, "MISSING_LINK_TOKEN")
    assert _code(_call(client, method, path, header, "not-a-token")) == (401, "INVALID_REQUEST")
    unknown = path.rsplit("/", 1)[0] + "/nope"
    assert _code(_call(client, method, unknown, header, link_token)) == (400, "INVALID_PROVIDER")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", PASSWORD_ROUTES)
def test_password_connect_on_the_old_routes(sandbox, new_link_token, path):
    def connect(password):
        return requests.post(
            sandbox.url + path,
            json={"username": "user_good", "password": password},
            headers={"LinkToken": token},
            timeout=30,
        )

    token = new_link_token()
    wrong = connect("wrong")
    assert _code(wrong) == (400, "INVALID_CREDENTIALS")
    done = connect("pass_good")
    assert done.status_code == 200, done.text
    assert (done.json()["state"], done.json()["connected"]) == ("success", True)


def test_the_link_token_header_wins_over_the_old_one(client, link_token):
    answer = client.get(
        "/v2/link/provider/oauth/google_health",
        headers={"x-vital-link-token": link_token, "LinkToken": "stale"},
    )
    assert answer.status_code == 200 and answer.json()["oauth_url"]
