"""The caller cannot pick its rate-limit bucket (issue 16, item 4): a made-up API key or
Authorization header on every request, or a new address for every request, leaves the address,
the link token and the team each counted; and production refuses a cache that each process
keeps for itself (a system check), since with several workers each would count alone."""

import base64
import secrets

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from linkwidget.ratelimit import shared_cache_check
from tests.processes import manage, production_env

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_counters")]


@pytest.fixture(autouse=True)
def _generous_limits(settings):
    settings.LINK_RATE_LIMIT_API = settings.LINK_RATE_LIMIT_WIDGET = "100000/60"


def _random_key() -> str:
    return "sk_us_" + secrets.token_urlsafe(30)


def test_a_link_token_is_counted_whatever_api_key_and_address_come_with_it(link_token, settings):
    settings.LINK_RATE_LIMIT_WIDGET = "3/60"
    statuses = [
        Client()
        .get(
            "/v2/link/state",
            headers={"x-vital-link-token": link_token, "X-Vital-API-Key": _random_key()},
            REMOTE_ADDR=f"10.1.0.{i}",
        )
        .status_code
        for i in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


def test_the_widget_counts_its_link_token_across_addresses(link_token, settings):
    settings.LINK_RATE_LIMIT_WIDGET = "3/60"
    statuses = [
        Client().get("/", {"token": link_token}, REMOTE_ADDR=f"10.2.0.{i}").status_code
        for i in range(5)
    ]
    assert statuses[3:] == [429, 429]


def test_made_up_api_keys_are_counted_by_address(settings):
    settings.LINK_RATE_LIMIT_API = "3/60"
    statuses = [
        Client().get("/v2/user", headers={"X-Vital-API-Key": _random_key()}).status_code
        for _ in range(5)
    ]
    assert statuses == [401, 401, 401, 429, 429]


@pytest.mark.parametrize("where", ["basic", "form"])
def test_oauth_token_guesses_are_limited_however_they_are_sent(team, settings, where):
    settings.LINK_RATE_LIMIT_API = "3/60"
    statuses = []
    for _ in range(5):
        guess = {"client_id": str(team.pk), "client_secret": _random_key()}
        data, headers = {"grant_type": "client_credentials"}, {}
        if where == "basic":
            pair = f"{guess['client_id']}:{guess['client_secret']}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        else:
            data.update(guess)
        statuses.append(Client().post("/oauth/token", data, headers=headers).status_code)
    assert statuses == [401, 401, 401, 429, 429]


def test_a_team_is_counted_across_addresses(api, settings):
    settings.LINK_RATE_LIMIT_API = "3/60"
    statuses = [api.get("/v2/user", REMOTE_ADDR=f"10.3.0.{i}").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


# -- the shared cache ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backend", "debug", "refused"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", False, True),
        ("django.core.cache.backends.dummy.DummyCache", False, True),
        ("django.core.cache.backends.locmem.LocMemCache", True, False),
        ("django.core.cache.backends.filebased.FileBasedCache", False, False),
    ],
)
def test_check_refuses_a_per_process_cache_in_production(settings, backend, debug, refused):
    settings.DEBUG = debug
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "/tmp/link-check"}}
    errors = shared_cache_check(None)
    assert [e.id for e in errors] == (["linkwidget.E001"] if refused else [])


def test_check_runs_with_every_command(settings):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with pytest.raises(SystemCheckError, match=r"linkwidget\.E001"):
        call_command("check")


def test_a_production_process_without_a_shared_cache_fails_its_checks():
    refused = manage("check", env=production_env(CACHE_URL="locmemcache://"))
    assert refused.returncode != 0
    assert "linkwidget.E001" in refused.stderr
