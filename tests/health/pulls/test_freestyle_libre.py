"""FreeStyle Libre from connect to the SDK's glucose: the user's email connection stays pending
until the patient links (the sandbox lever), the pending check connects it and the backfill
reads LibreLinkUp's graph (12 hours) and logbook (two weeks of events) as the practice; the SDK
then serves every reading the emulator served, in mmol/L, with the phone's UTC offset."""

import json
from datetime import UTC, datetime

import pytest
import requests
from svix.webhooks import Webhook

from connections.lifecycle import connection_check_pending
from health.models import PullState, Sample
from health.pulling import pull_run
from providers.sandbox.base import account_id, client_secret_for
from providers.vendors.freestyle_libre import emulator
from tests.health.pulls.conftest import connection_of, window
from tests.providers.test_witness import run_witness

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "libre-puller@example.com"
PATIENT = account_id(EMAIL)  # the emulator's patientId for a linked email


def served(now: datetime) -> set[datetime]:
    """The reading times LibreLinkUp holds at `now`: the graph's and the logbook's."""
    return {*emulator.graph_times(PATIENT, now), *emulator.logbook_times(PATIENT, now)}


def link_patient(sandbox, email: str = EMAIL) -> None:
    link = f"{sandbox.url}/sandbox/freestyle_libre/link_patient"
    requests.post(link, data={"email": email}, timeout=10).raise_for_status()


@pytest.fixture
def connected(vital, sandbox, endpoint):
    """A user whose FreeStyle Libre connected and backfilled: (user id, the times LibreLinkUp
    held before the backfill, and after)."""
    user_id = vital.user.create(client_user_id="libre-puller").user_id
    token = vital.link.token(user_id=user_id).link_token
    pending = vital.link.connect_email_auth_provider(
        email=EMAIL, region="eu", vital_link_token=token
    )
    assert pending["state"] == "pending"
    link_patient(sandbox)
    before = datetime.now(UTC)
    assert connection_check_pending(connection_id=connection_of(user_id, "freestyle_libre").pk) == (
        "connected"
    )
    return user_id, served(before), served(datetime.now(UTC))


def test_backfill_serves_every_reading_in_mmol_per_litre_with_the_phones_offset(
    vital, connected, endpoint, receiver
):
    user_id, before, after = connected
    samples = vital.vitals.glucose(user_id, provider="freestyle_libre", **window())
    stored = {s.timestamp for s in samples}
    assert before & after <= stored <= before | after
    assert len(stored) > 80  # 12 hours every 15 minutes, and two weeks of events
    for sample in samples:
        mg_dl = emulator.mg_dl_at(PATIENT, sample.timestamp)
        assert sample.value == pytest.approx(mg_dl / 18.0156, abs=1e-6)
        assert sample.unit == "mmol/L"
        offset = sample.timestamp.astimezone(emulator.ZONE).utcoffset().total_seconds()
        assert sample.timezone_offset == offset != 0
    for request in receiver.requests:
        Webhook(endpoint.secret).verify(request["body"], request["headers"])  # as Svix signs
    events = [json.loads(r["body"]) for r in receiver.requests]
    assert [e["event_type"] for e in events] == [
        "link.session.finished",  # pending
        "provider.connection.created",  # the patient linked
        "historical.data.glucose.created",
    ]
    assert events[2]["data"]["provider"] == "freestyle_libre" and events[2]["data"]["is_final"]


def test_a_second_pull_changes_nothing(connected, receiver):
    user_id, _, after = connected
    receiver.requests.clear()
    connection = connection_of(user_id, "freestyle_libre")
    state = PullState.objects.get(connection=connection, resource="glucose")
    count = Sample.objects.filter(user_id=user_id).count()
    assert pull_run(connection_id=connection.pk, resource="glucose") == "pulled"
    new = served(datetime.now(UTC)) - after  # a reading may have come in since: only that
    state_after = PullState.objects.get(pk=state.pk)
    assert state_after.updated_count == state.updated_count
    assert state_after.created_count - state.created_count <= len(new)
    assert Sample.objects.filter(user_id=user_id).count() - count <= len(new)
    if not new:
        assert receiver.requests == []  # nothing changed, so nothing to announce


def test_a_patient_no_longer_linked_fails_the_pull_and_stores_nothing(connected, settings):
    user_id, _, _ = connected
    connection = connection_of(user_id, "freestyle_libre")
    credentials = {**connection.credentials, "patient_id": account_id("unlinked@example.com")}
    type(connection).objects.filter(pk=connection.pk).update(credentials=credentials)
    count = Sample.objects.filter(user_id=user_id).count()
    assert pull_run(connection_id=connection.pk, resource="glucose") == "failed"
    state = PullState.objects.get(connection=connection, resource="glucose")
    assert "status 4" in state.last_error
    assert Sample.objects.filter(user_id=user_id).count() == count


def test_pylibrelinkup_reads_the_graph_and_logbook_of_our_librelinkup(sandbox):
    link_patient(sandbox)
    practice = "practice@example.com"
    before = datetime.now(UTC)
    seen = run_witness(
        "pylibrelinkup",
        "pylibrelinkup_reads_glucose.py",
        sandbox.url,
        practice,
        client_secret_for(practice),
        PATIENT,
    )
    now = datetime.now(UTC)
    graph = [datetime.fromisoformat(m["at"]) for m in seen["graph"]]
    latest = datetime.fromisoformat(seen["latest"]["at"])
    assert [*graph, latest] in (emulator.graph_times(PATIENT, t) for t in (before, now))
    logbook = [datetime.fromisoformat(m["at"]) for m in seen["logbook"]]
    assert sorted(logbook) in (emulator.logbook_times(PATIENT, t) for t in (before, now))
    for measurement in (*seen["graph"], seen["latest"], *seen["logbook"]):
        at = datetime.fromisoformat(measurement["at"])
        assert measurement["mg_dl"] == emulator.mg_dl_at(PATIENT, at)
        local = at.astimezone(emulator.ZONE).replace(tzinfo=None)
        assert datetime.fromisoformat(measurement["local"]) == local  # Timestamp: phone time
    assert seen["latest"]["trend"] == emulator.trend_arrow(PATIENT, latest)
