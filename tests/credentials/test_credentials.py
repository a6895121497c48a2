"""`GET /v2/connections/{user_id}/{provider}/credentials` over real HTTP against the sandbox
vendors: the vendor's token, refreshed first when it is about to expire (once, however many
readers ask at once: Oura's refresh tokens are single use, so a second refresh would break the
connection), never a password, the error state of a connection that cannot be refreshed, every
read recorded and shown in the console, and nothing across teams."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connections.models import Connection, CredentialRead
from providers.sandbox.base import grant_revoke, numeric_id, sandbox_client
from teams.models import Team
from teams.services import api_key_create, end_user_create

from ..security.conftest import at_once
from .conftest import ALL_SCOPES, Link

pytestmark = pytest.mark.django_db(transaction=True)

FIELDS = {
    "provider",
    "user_id",
    "status",
    "external_user_id",
    "access_token",
    "token_type",
    "expires_at",
    "scopes",
    "region",
}


def _expiring(connection: Connection, seconds: int = 60) -> Connection:
    Connection.objects.filter(pk=connection.pk).update(
        expires_at=timezone.now() + timedelta(seconds=seconds)
    )
    connection.refresh_from_db()
    return connection


def test_a_fresh_token_is_handed_out_as_it_is_and_the_read_recorded(link, live_user):
    connection = link.connect(live_user, "oura")
    answer = link.credentials(live_user, "oura")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == FIELDS
    assert body["access_token"] == connection.credentials["access_token"]
    assert (body["provider"], body["user_id"], body["status"]) == (
        "oura",
        str(live_user.user_id),
        "connected",
    )
    assert body["token_type"] == "Bearer" and body["external_user_id"]
    assert "daily" in body["scopes"] and body["region"] is None
    assert "refresh_token" not in answer.text
    read = CredentialRead.objects.get()
    assert (read.connection, read.api_key.team_id, read.refreshed) == (
        connection,
        live_user.team_id,
        False,
    )


def test_a_token_about_to_expire_is_refreshed_first(link, live_user, settings):
    settings.LINK_CREDENTIALS_MIN_TTL_SECONDS = 300
    before = _expiring(link.connect(live_user, "oura"), seconds=200)
    body = link.credentials(live_user, "oura").json()
    after = Connection.objects.get(pk=before.pk)
    assert (
        body["access_token"]
        == after.credentials["access_token"]
        != before.credentials["access_token"]
    )
    assert after.expires_at > timezone.now() + timedelta(hours=1)
    assert CredentialRead.objects.get().refreshed


def test_ten_readers_at_once_refresh_once(link, live_user):
    before = _expiring(link.connect(live_user, "oura"))
    answers = at_once(*[lambda: link.credentials(live_user, "oura")] * 10)
    assert [a.status_code for a in answers] == [200] * 10, [a.text for a in answers]
    tokens = {a.json()["access_token"] for a in answers}
    after = Connection.objects.get(pk=before.pk)
    # One refresh: one new token for everyone, and the single-use refresh token spent once
    # (a second refresh with it would have been refused, breaking the connection).
    assert tokens == {after.credentials["access_token"]} != {before.credentials["access_token"]}
    assert after.status == "connected" and after.refresh_failures == 0
    reads = CredentialRead.objects.filter(connection=after)
    assert reads.count() == 10 and reads.filter(refreshed=True).count() == 1


def test_a_connection_that_cannot_be_refreshed_answers_its_error(link, live_user):
    connection = _expiring(link.connect(live_user, "oura"))
    grant_revoke(sandbox_client("oura").client_id, numeric_id("user_good"))  # at the vendor
    answer = link.credentials(live_user, "oura")
    assert answer.status_code == 400
    assert answer.json()["detail"]["error_type"] == "token_refresh_failed"
    assert answer.json()["detail"]["status"] == "error"
    assert connection.credentials["access_token"] not in answer.text
    assert Connection.objects.get(pk=connection.pk).status == "error"
    assert link.credentials(live_user, "oura").status_code == 400  # and stays so
    assert not CredentialRead.objects.exists()


def test_a_vendor_that_is_down_leaves_a_working_token_or_says_when_to_retry(
    link, live_user, settings
):
    connection = _expiring(link.connect(live_user, "oura"))
    settings.LINK_SANDBOX_BASE_URL = "http://127.0.0.1:9"  # nothing listens there
    answer = link.credentials(live_user, "oura")
    assert answer.status_code == 200  # still valid for a minute: better than nothing
    assert answer.json()["access_token"] == connection.credentials["access_token"]
    Connection.objects.filter(pk=connection.pk).update(expires_at=timezone.now())
    answer = link.credentials(live_user, "oura")
    assert answer.status_code == 503 and int(answer.headers["Retry-After"]) > 0
    assert answer.json()["detail"]["error_type"] == "provider_unavailable"
    assert Connection.objects.get(pk=connection.pk).status == "connected"  # a passing problem


def test_a_password_vendor_hands_out_its_session_never_the_password(link, live_user):
    connection = link.connect(live_user, "dexcom")
    body = link.credentials(live_user, "dexcom").json()
    assert body["access_token"] == connection.credentials["access_token"]
    assert (body["token_type"], body["region"]) == ("sessionId", "us")
    assert "pass_good" not in str(body) and "password" not in str(body)


def test_no_connection_and_other_teams_are_404(sandbox, link, live_user, team):
    link.connect(live_user, "oura")
    other = Team.objects.create(name="Other", environment="sandbox")
    stranger = Link(sandbox.url, api_key_create(team=other, scopes=ALL_SCOPES)[0])
    assert stranger.credentials(live_user, "oura").status_code == 404
    assert stranger.proxy(live_user, "oura", "v2/usercollection/daily_sleep").status_code == 404
    assert link.credentials(live_user, "strava").status_code == 404
    assert link.credentials(live_user, "no_such_vendor").status_code == 404
    nobody = end_user_create(team=team, client_user_id="nobody")
    assert link.credentials(nobody, "oura").status_code == 404
    assert not CredentialRead.objects.exists()


def test_the_console_shows_every_read(admin_client, link, live_user):
    connection = link.connect(live_user, "oura")
    link.credentials(live_user, "oura")
    link.credentials(live_user, "oura")
    page = admin_client.get(reverse("admin:connections_connection_change", args=[connection.pk]))
    assert "2 read(s)" in page.text
    reads = admin_client.get(
        reverse("admin:connections_credentialread_changelist"),
        {"connection__id__exact": connection.pk},
    )
    assert reads.status_code == 200
    key = CredentialRead.objects.first().api_key
    assert reads.text.count(str(key)) >= 2 and "live-alice" in reads.text
    assert connection.credentials["access_token"] not in page.text + reads.text
