"""Driving a sandbox user from connect to the data API, as a customer would: the official `vital`
SDK creates the user and connects the vendor through Link's widget endpoints and the vendor's
emulator over real HTTP; the backfill then runs (tests run tasks at once, on commit), and the
SDK's data calls read what it stored."""

from datetime import UTC, datetime, timedelta

import pytest
from vital import Vital

from connections.models import Connection
from teams.services import api_key_create
from tests.sandbox import Browser, consent


@pytest.fixture
def vital(sandbox, team):
    return Vital(api_key=api_key_create(team=team)[0], base_url=sandbox.url, timeout=60)


def connect_oauth(vital: Vital, provider: str, *, client_user_id: str = "puller") -> str:
    """A new user, connected to `provider` by its OAuth consent as the sandbox's user_good;
    the user id."""
    user_id = vital.user.create(client_user_id=client_user_id).user_id
    token = vital.link.token(user_id=user_id, provider=provider).link_token
    source = vital.link.generate_oauth_link(provider, vital_link_token=token)
    browser = Browser()
    callback = consent(source.oauth_url, browser=browser)
    done = browser.get(callback, allow_redirects=False, timeout=120)
    # Without a redirect_url the widget shows its "connected" page instead of redirecting.
    assert done.status_code in (302, 307) or 'id="oauth-done"' in done.text
    return user_id


def connection_of(user_id: str, provider: str) -> Connection:
    return Connection.objects.get(user_id=user_id, provider=provider)


def window(days: int = 31) -> dict:
    """The SDK's start_date/end_date over the last `days` days (UTC dates)."""
    today = datetime.now(UTC).date()
    return {"start_date": (today - timedelta(days=days)).isoformat(), "end_date": today.isoformat()}
