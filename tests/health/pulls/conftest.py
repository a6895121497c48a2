"""Driving a sandbox user from connect to the data API, as a customer would: the official `vital`
SDK creates the user and connects the vendor through Link's widget endpoints and the vendor's
emulator over real HTTP; the backfill then runs (tests run tasks at once, on commit), and the
SDK's data calls read what it stored."""

from datetime import UTC, datetime, timedelta

import pytest
from vital import Vital

from connections.models import Connection
from health.models import PullState
from health.pulling import pull_run
from teams.services import api_key_create
from tests.sandbox import Browser, consent


@pytest.fixture
def vital(sandbox, team):
    return Vital(api_key=api_key_create(team=team)[0], base_url=sandbox.url, timeout=60)


def connect_oauth(vital: Vital, provider: str, *, client_user_id: str = "puller") -> str:
    """A new user, connected to `provider` by its OAuth consent as the sandbox's user_good;
    the user id."""
    user_id = vital.user.create(client_user_id=client_user_id).user_id
    # With a redirect_url, the callback answers with a redirect to it, a failure included
    # (?error=…), so the test can tell the two apart.
    done = "https://app.example.com/connected"
    token = vital.link.token(user_id=user_id, provider=provider, redirect_url=done).link_token
    source = vital.link.generate_oauth_link(provider, vital_link_token=token)
    browser = Browser()
    callback = consent(source.oauth_url, browser=browser)
    answer = browser.get(callback, allow_redirects=False, timeout=120)
    assert answer.status_code in (302, 307) and "error" not in answer.headers["Location"], answer
    return user_id


def connection_of(user_id: str, provider: str) -> Connection:
    return Connection.objects.get(user_id=user_id, provider=provider)


def pull_state(user_id: str, provider: str, resource: str) -> PullState:
    return PullState.objects.get(connection=connection_of(user_id, provider), resource=resource)


def pull_counts(user_id: str, provider: str) -> dict[str, tuple]:
    """Per resource, the rows its pulls have created and updated."""
    rows = PullState.objects.filter(connection=connection_of(user_id, provider))
    return {r.resource: (r.created_count, r.updated_count) for r in rows}


def assert_repull_changes_nothing(user_id: str, provider: str, receiver) -> None:
    """Every resource pulled again, incrementally: no row created or updated, no webhook."""
    before, receiver.requests[:] = pull_counts(user_id, provider), []
    connection = connection_of(user_id, provider)
    for resource in before:
        assert pull_run(connection_id=connection.pk, resource=resource) == "pulled"
    assert pull_counts(user_id, provider) == before and receiver.requests == []


@pytest.fixture
def watch_pulls(monkeypatch):
    """Call it to record, from then on, the resource of every pull the worker runs."""

    def start() -> list[str]:
        pulled = []
        monkeypatch.setattr(
            "health.tasks.pull_run", lambda **kw: pulled.append(kw["resource"]) or pull_run(**kw)
        )
        return pulled

    return start


def window(days: int = 31) -> dict:
    """The SDK's start_date/end_date over the last `days` days (UTC dates)."""
    today = datetime.now(UTC).date()
    return {"start_date": (today - timedelta(days=days)).isoformat(), "end_date": today.isoformat()}
