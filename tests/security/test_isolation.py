"""Isolation, as a matrix: no team reads or changes another team's users, link tokens,
connections, bulk operations, webhooks or settings, and a link token acts only on its own team
and user.

`mine` is the caller's team (API key and bearer token); `theirs` is another sandbox team with
two users, `bob`, who holds a link token and has demographics, and `carol`, a bystander; a user
`dave` deleted within the grace period; and a bulk operation. Every row names one
operation on one resource; each case checks the answer and that the rows nobody may touch
(every row of the other team, or of the other user) are exactly as they were. A new endpoint is
one row."""

from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.test import Client

from api.auth import bearer_token_issue
from connections.bulk import bulk_operation_submit
from connections.models import BulkOperation, Connection
from connections.services import end_user_delete
from health.ingest import ingest
from health.models import Sleep, Workout
from link import oauth
from link.models import LinkCode, LinkEvent, LinkToken, OAuthState
from link.services import link_token_create
from teams.models import ApiKey, EndUser, ProviderApp, Team
from teams.services import api_key_create, end_user_create
from tests.api.test_user_operations import INFO
from tests.conftest import ApiClient, WidgetClient
from tests.health import conftest as health
from tests.sandbox import consent
from webhooks.models import WebhookEndpoint, WebhookMessage
from webhooks.services import webhook_endpoint_upsert

pytestmark = pytest.mark.django_db(transaction=True)

# Every model a team owns: the path to its team, and to its end user (None: team-wide).
OWNED = [
    (Team, "pk", None),
    (ApiKey, "team", None),
    (WebhookEndpoint, "team", None),
    (WebhookMessage, "team", None),
    (BulkOperation, "team", None),
    (ProviderApp, "team", None),
    (EndUser, "team", "pk"),
    (Connection, "user__team", "user"),
    (LinkToken, "team", "user"),
    (LinkEvent, "link_token__team", "link_token__user"),
    (OAuthState, "link_token__team", "link_token__user"),
    (LinkCode, "team", "user"),
]


def snapshot(team, user=None, skip="") -> dict:
    """Every row `team` owns (only those of `user`, when given), column by column; `skip`
    names a model left out."""
    rows = {}
    for model, team_path, user_path in OWNED:
        if model.__name__ != skip and (user is None or user_path is not None):
            query = model._base_manager.filter(**{team_path: team.pk})  # deleted users too
            if user is not None:
                query = query.filter(**{user_path: user.pk})
            rows[model.__name__] = list(query.order_by("pk").values())
    return rows


def _team(name: str, **settings) -> tuple[Team, str]:
    team = Team.objects.create(name=name, environment="sandbox", **settings)
    webhook_endpoint_upsert(team=team, url=f"https://{name.lower().replace(' ', '-')}.example/hook")
    ProviderApp.objects.create(team=team, provider="oura", client_id=name, client_secret="s")
    # Every scope, so that the rows reach the credentials and the proxy too.
    return team, api_key_create(team=team, scopes=ApiKey.Scope.values)[0]


def _user(team: Team, client_user_id: str, *providers: str) -> EndUser:
    user = end_user_create(team=team, client_user_id=client_user_id)
    for provider in providers:
        Connection.objects.create(
            user=user, provider=provider, status="connected", external_user_id=client_user_id
        )
    return user


@pytest.fixture
def world(sandbox):
    mine, my_key = _team("Acme Health")
    alice = _user(mine, "alice", "google_health", "zwift")
    theirs, _ = _team("Other Co", accent_color="#123456", disabled_providers=["oura"])
    bob, carol = _user(theirs, "their-bob", "google_health"), _user(theirs, "their-carol", "zwift")
    bob.info = {**INFO, "email": "bob@other.example"}
    bob.save(update_fields=["info"])
    bob_fitbit = bob.connections.get()
    for resource, records in [
        ("sleep", health.sleeps()[:1]),
        ("workouts", health.workouts()),
        ("heartrate", health.heartrate()[:60]),
    ]:
        ingest(connection=bob_fitbit, resource=resource, records=records, historical=True)
    dave = _user(theirs, "their-dave")
    end_user_delete(user=dave)
    bulk_operation_submit(
        team=theirs,
        kind=BulkOperation.Kind.HISTORICAL_PULL,
        provider="google_health",
        items=[str(bob.pk)],
    )
    return SimpleNamespace(
        mine=mine,
        my_key=my_key,
        my_token=link_token_create(team=mine, user_id=alice.pk)[0],
        alice=alice,
        theirs=theirs,
        bob=bob,
        carol=carol,
        token=link_token_create(team=theirs, user_id=bob.pk)[0],
        ids={
            "team": theirs.pk,
            "user": bob.pk,
            "client_user_id": bob.client_user_id,
            "deleted": dave.pk,
            "deleted_client_user_id": dave.client_user_id,
            "sleep": Sleep.objects.get(user=bob).pk,
            "workout": Workout.objects.get(user=bob).pk,
        },
        my_data=(mine.pk, mine.name, alice.pk),
        their_data=(
            theirs.pk,
            theirs.name,
            bob.pk,
            bob.client_user_id,
            carol.pk,
            carol.client_user_id,
            dave.pk,
            dave.client_user_id,
            "bob@other.example",
        ),
    )


def _fill(template, ids: dict):
    """The template with `{name}` filled in from `ids`, in every string of it."""
    if isinstance(template, dict):
        return {k: _fill(v, ids) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, ids) for v in template]
    return template.format_map(ids) if isinstance(template, str) else template


def _ask(client, row: tuple, ids: dict):
    """Send a matrix row and check its status and what it shows; the answer, and what the
    request itself said."""
    method, path, body, status, shows = (_fill(part, ids) for part in row)
    send = getattr(client, method)
    if body is None:
        answer = send(path)
    elif isinstance(client, WidgetClient):
        answer = send(path, body)
    else:
        answer = send(path, body, content_type="application/json")
    assert answer.status_code == status, answer.content
    if shows:
        assert {k: str(answer.json().get(k)) for k in shows} == shows
    return answer, f"{path} {body}"


def _leaks(answer, said: str, secrets) -> list[str]:
    """What the answer tells of `secrets` that the request did not say itself."""
    text = answer.content.decode()
    return [s for s in map(str, secrets) if s in text and s not in said]


# -- the API, authenticated as `mine`, aimed at `theirs` ---------------------------------------

# A connection made elsewhere, for their user `bob` (bulk import).
RECIPE = {
    "user_id": "{user}",
    "access_token": "imported-access",
    "refresh_token": "imported-refresh",
    "provider_id": "imported",
    "expires_at": 4102444800,
}

API = {  # "resource.operation": (method, path, body, status, what the answer shows)
    **{
        f"data.{name}": ("get", f"{path}?start_date=2026-11-01", None, 404, {})
        for name, path in {
            "sleep": "/v2/summary/sleep/{user}",
            "sleep_raw": "/v2/summary/sleep/{user}/raw",
            "workouts": "/v2/summary/workouts/{user}",
            "profile": "/v2/summary/profile/{user}",
            "heartrate": "/v2/timeseries/{user}/heartrate",
            "heartrate_grouped": "/v2/timeseries/{user}/heartrate/grouped",
            "sleep_stream": "/v2/timeseries/sleep/{sleep}/stream",
            "workout_stream": "/v2/timeseries/workouts/{workout}/stream",
        }.items()
    },
    "data.introspect_resources": (
        "get",
        "/v2/introspect/resources?user_id={user}",
        None,
        200,
        {"data": "[]"},
    ),
    "data.introspect_historical_pull": (
        "get",
        "/v2/introspect/historical_pull?user_id={user}",
        None,
        200,
        {"data": "[]"},
    ),
    "users.create": ("post", "/v2/user", {"client_user_id": "{client_user_id}"}, 200, {}),
    "users.get": ("get", "/v2/user/{user}", None, 404, {}),
    "users.resolve": ("get", "/v2/user/resolve/{client_user_id}", None, 404, {}),
    "users.list": ("get", "/v2/user", None, 200, {}),
    "users.patch": ("patch", "/v2/user/{user}", {"fallback_time_zone": "Europe/Paris"}, 404, {}),
    "users.delete": ("delete", "/v2/user/{user}", None, 404, {}),
    "users.providers": ("get", "/v2/user/providers/{user}", None, 404, {}),
    "users.deregister": ("delete", "/v2/user/{user}/google_health", None, 404, {}),
    "connections.credentials": (
        "get",
        "/v2/connections/{user}/google_health/credentials",
        None,
        404,
        {},
    ),
    "connections.proxy": (
        "get",
        "/v2/proxy/{user}/google_health/v4/users/me/identity",
        None,
        404,
        {},
    ),
    "users.refresh": ("post", "/v2/user/refresh/{user}", None, 404, {}),
    "users.legacy_resolve": ("get", "/v2/user/key/{client_user_id}", None, 404, {}),
    "users.undo_delete": ("post", "/v2/user/undo_delete?user_id={deleted}", None, 404, {}),
    "users.undo_delete_by_client_id": (
        "post",
        "/v2/user/undo_delete?client_user_id={deleted_client_user_id}",
        None,
        404,
        {},
    ),
    "users.info_upsert": ("patch", "/v2/user/{user}/info", INFO, 404, {}),
    "users.info_latest": ("get", "/v2/user/{user}/info/latest", None, 404, {}),
    "users.devices": ("get", "/v2/user/{user}/device", None, 404, {}),
    "users.device": ("get", "/v2/user/{user}/device/{user}", None, 404, {}),
    "users.sign_in_token": ("post", "/v2/user/{user}/sign_in_token", None, 404, {}),
    "users.portal_url": (
        "post",
        "/v2/user/{user}/create_portal_url",
        {"context": "launch"},
        404,
        {},
    ),
    "users.metrics": (
        "get",
        "/v2/user/metrics",
        None,
        200,
        {"number_of_users": "1", "number_of_connected_sources": "2"},
    ),
    "bulk_ops.list": ("get", "/v2/link/bulk_op", None, 200, {"data": "[]"}),
    "bulk_ops.list_theirs": ("get", "/v2/link/bulk_op?team_id={team}", None, 404, {}),
    "bulk_ops.import": (
        "post",
        "/v2/link/bulk_import",
        {"provider": "oura", "connections": [RECIPE], "wait_for_completion": True},
        200,
        {"user_ids_imported": "[]"},
    ),
    "bulk_ops.import_theirs": (
        "post",
        "/v2/link/bulk_import?team_id={team}",
        {"provider": "oura", "connections": [RECIPE]},
        404,
        {},
    ),
    "bulk_ops.historical_pull": (
        "post",
        "/v2/link/bulk_trigger_historical_pull",
        {"provider": "google_health", "user_ids": ["{user}"], "wait_for_completion": True},
        200,
        {"user_ids_triggered": "[]"},
    ),
    "bulk_ops.historical_pull_theirs": (
        "post",
        "/v2/link/bulk_trigger_historical_pull?team_id={team}",
        {"provider": "google_health", "user_ids": ["{user}"]},
        404,
        {},
    ),
    "bulk_ops.pause": (
        "post",
        "/v2/link/bulk_pause",
        {"provider": "google_health", "user_ids": ["{user}"]},
        200,
        {"user_ids_paused": "[]"},
    ),
    "bulk_ops.pause_theirs": (
        "post",
        "/v2/link/bulk_pause?team_id={team}",
        {"provider": "google_health", "user_ids": ["{user}"]},
        404,
        {},
    ),
    "bulk_ops.export": (
        "post",
        "/v2/link/bulk_export",
        {"provider": "google_health", "user_ids": ["{user}"]},
        200,
        {"data": "[]"},
    ),
    "bulk_ops.export_all": ("post", "/v2/link/bulk_export", {"provider": "google_health"}, 200, {}),
    "bulk_ops.export_theirs": (
        "post",
        "/v2/link/bulk_export?team_id={team}",
        {"provider": "google_health"},
        404,
        {},
    ),
    "link_tokens.create": ("post", "/v2/link/token", {"user_id": "{user}"}, 400, {}),
    "link_tokens.is_valid": (
        "post",
        "/v2/link/token/isValid",
        {"token": "{token}"},
        200,
        {"valid": "False", "reason": "invalid_token"},
    ),
    "link_codes.create": ("post", "/v2/link/code/create?user_id={user}", None, 400, {}),
    "connections.demo": (
        "post",
        "/v2/link/connect/demo",
        {"user_id": "{user}", "provider": "oura"},
        400,
        {},
    ),
    "settings.bearer_token": (
        "post",
        "/oauth/token",
        {"grant_type": "client_credentials", "client_id": "{team}", "client_secret": "{my_key}"},
        401,
        {"error": "invalid_client"},
    ),
}


@pytest.mark.parametrize("auth", ["api_key", "bearer"])
@pytest.mark.parametrize("row", API)
def test_api_never_reaches_another_team(world, row, auth):
    if auth == "api_key":
        client = ApiClient(world.my_key)
    else:
        api_key = ApiKey.objects.get(team=world.mine)
        client = Client(headers={"Authorization": f"Bearer {bearer_token_issue(api_key=api_key)}"})
    ids = {**world.ids, "token": world.token, "my_key": world.my_key}
    before = snapshot(world.theirs)
    answer, said = _ask(client, API[row], ids)
    assert _leaks(answer, said, world.their_data) == []
    assert snapshot(world.theirs) == before


# -- their link token, in the API (sent by `mine`, with our key) and in the widget -------------

HOLDER = {"team_id": "{team}", "user_id": "{user}"}
TOKEN = {  # "channel.step": (method, path, body, status, what the answer shows)
    "api.state": ("get", "/v2/link/state", None, 200, HOLDER),
    "api.config": ("get", "/v2/team/link/config", None, 200, {"team_name": "Other Co"}),
    "api.providers": ("get", "/v2/link/providers", None, 200, {}),
    "api.oauth": (
        "get",
        "/v2/link/provider/oauth/google_health",
        None,
        200,
        {"slug": "google_health"},
    ),
    "api.oauth_disabled": ("get", "/v2/link/provider/oauth/oura", None, 400, {}),
    "api.password": (
        "post",
        "/v2/link/provider/password/zwift",
        {"username": "user_good", "password": "pass_good"},
        200,
        {"state": "success"},
    ),
    "api.complete_mfa": (
        "post",
        "/v2/link/provider/password/zwift/complete_mfa",
        {"mfa_code": "123456"},
        200,
        {"error_type": "incorrect_mfa_code"},
    ),
    "api.email": (
        "post",
        "/v2/link/provider/email/freestyle_libre",
        {"email": "bob@example.com"},
        200,
        {"state": "pending"},
    ),
    "api.legacy_auth": (
        "post",
        "/v2/link/auth",
        {"provider": "zwift", "username": "user_good", "password": "pass_good"},
        200,
        {"state": "success"},
    ),
    "api.legacy_provider": (
        "post",
        "/v2/link/provider/zwift",
        {"username": "user_good", "password": "pass_good"},
        200,
        {"state": "success"},
    ),
    "api.legacy_auth_email": (
        "post",
        "/v2/link/auth/email",
        {"provider": "freestyle_libre", "email": "bob@example.com"},
        200,
        {"state": "pending"},
    ),
    "widget.agreement": ("get", "/", {"token": "{token}"}, 200, {}),
    "widget.providers": ("get", "/link/providers", {"token": "{token}"}, 200, {}),
    "widget.oauth_start": (
        "get",
        "/link/provider/google_health/oauth",
        {"token": "{token}"},
        302,
        {},
    ),
    "widget.oauth_wait": (
        "get",
        "/link/provider/google_health/wait",
        {"token": "{token}"},
        200,
        {},
    ),
    "widget.password": (
        "post",
        "/link/provider/zwift",
        {"token": "{token}", "username": "user_good", "password": "pass_good"},
        302,
        {},
    ),
    "widget.mfa": (
        "post",
        "/link/provider/zwift/mfa",
        {"token": "{token}", "mfa_code": "123456"},
        200,
        {},
    ),
    "widget.result": ("get", "/link/result", {"token": "{token}"}, 200, {}),
    "widget.close": ("post", "/link/close", {"token": "{token}"}, 200, {}),
}


@pytest.mark.parametrize("row", TOKEN)
def test_link_token_acts_only_on_its_own_team_and_user(world, row):
    ids = {**world.ids, "token": world.token}
    if row.startswith("api."):
        headers = {"X-Vital-API-Key": world.my_key, "x-vital-link-token": world.token}
        client = Client(headers=headers)
    else:
        client = WidgetClient()
    untouched = snapshot(world.mine), snapshot(world.theirs, user=world.carol)
    answer, said = _ask(client, TOKEN[row], ids)
    assert _leaks(answer, said, world.my_data) == []
    assert (snapshot(world.mine), snapshot(world.theirs, user=world.carol)) == untouched
    changed = Connection.objects.exclude(user__in=[world.alice, world.carol])
    assert set(changed.values_list("user", flat=True)) <= {world.bob.pk}


# -- the OAuth callback, carrying the state of another session ----------------------------------


def _their_callback(world) -> str:
    """The vendor's redirect back for a sign-in `theirs` started in their own browser."""
    link_token = LinkToken.objects.get(user=world.bob)
    url, _, _ = oauth.oauth_start_in_browser(link_token=link_token, provider="google_health")
    back = urlsplit(consent(url))
    return f"{back.path}?{back.query}"


CALLBACKS = {  # the callback's provider, and whether its browser started a sign-in of its own
    "another browser": ("google_health", False),
    "my own sign-in's browser": ("google_health", True),
    "another provider": ("strava", False),
}


@pytest.mark.parametrize("row", CALLBACKS)
def test_oauth_callback_with_another_sessions_state_connects_nothing(world, row):
    provider, own_sign_in = CALLBACKS[row]
    back = _their_callback(world).replace("/google_health?", f"/{provider}?")
    client = WidgetClient()
    if own_sign_in:
        client.step("/link/provider/google_health/oauth", world.my_token)
    before = snapshot(world.mine, skip="LinkEvent"), snapshot(world.theirs, skip="LinkEvent")
    answer = client.get(back)
    assert answer.status_code == 200
    assert "invalid_token" in answer.content.decode()
    assert (snapshot(world.mine, skip="LinkEvent"), snapshot(world.theirs, skip="LinkEvent")) == (
        before
    )
