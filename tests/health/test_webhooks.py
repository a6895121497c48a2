"""The data webhooks reach a real HTTP endpoint signed as Svix signs (verified by the `svix`
library), in the official SDK's event models, strictly: daily events as data arrives, one
historical event when a backfill ends, none during it."""

import json

import pytest
import vital.types
from svix.webhooks import Webhook

from health.ingest import ingest
from health.pulls import historical_pull_schedule, pull_claim, pull_release
from tests.conformance.strict import strict_problems

from . import conftest as data

pytestmark = pytest.mark.django_db(transaction=True)


def sdk_model(event_type: str):
    """The SDK's model of an event: `daily.data.blood_pressure.created` is
    ClientFacingBloodPressureChanged, `historical.data.sleep.created`
    ClientFacingSleepHistoricalPullCompleted."""
    stage, _, resource, _ = event_type.split(".")
    name = "".join(part.title() for part in resource.split("_"))
    kind = "Changed" if stage == "daily" else "HistoricalPullCompleted"
    return getattr(vital.types, f"ClientFacing{name}{kind}")


def received(endpoint, receiver) -> list[dict]:
    """Each request verified as a customer would (raising on a bad signature), checked
    against the SDK's model of its event, and parsed."""
    payloads = []
    for request in receiver.requests:
        Webhook(endpoint.secret).verify(request["body"], request["headers"])
        payload = json.loads(request["body"])
        model = sdk_model(payload["event_type"])
        assert strict_problems(model, request["body"].encode()) == [], payload["event_type"]
        payloads.append(payload)
    return payloads


def test_new_data_is_announced_signed_in_the_sdks_models(endpoint, receiver, person):
    data.put_week(person.oura, person.libre)
    payloads = received(endpoint, receiver)
    kinds = sorted({p["event_type"] for p in payloads})
    resources = "activity blood_pressure body glucose heartrate profile sleep steps workouts"
    assert kinds == [f"daily.data.{r}.created" for r in resources.split()]
    sleep = next(p for p in payloads if p["event_type"] == "daily.data.sleep.created")
    assert sleep["client_user_id"] == "data-alice" and sleep["team_id"] == str(person.user.team_id)
    assert sleep["data"]["calendar_date"] == "2026-11-01" and sleep["data"]["total"] == 25200
    heartrate = next(p for p in payloads if p["event_type"] == "daily.data.heartrate.created")
    assert heartrate["data"]["source"]["provider"] == "oura"
    assert len(heartrate["data"]["data"]) == 1440 and heartrate["data"]["data"][0]["unit"] == "bpm"

    receiver.requests.clear()
    data.put_week(person.oura, person.libre)  # a re-pull: nothing new, nothing sent
    assert receiver.requests == []
    weights = [data.SampleRecord(data.midnight(data.DAYS[2]), 70.4, source_type="scale")]
    ingest(connection=person.oura, resource="weight", records=weights)
    (weight,) = received(endpoint, receiver)
    assert weight["event_type"] == "daily.data.weight.created"
    (sample,) = weight["data"]["data"]
    assert (sample["value"], sample["unit"]) == (70.4, "kg")


def test_a_backfill_ends_with_one_historical_event(endpoint, receiver, person):
    start, end = data.midnight(data.DAYS[0]), data.midnight(data.DAYS[6])
    historical_pull_schedule(connection=person.oura, resources=["sleep"], start=start, end=end)
    state = pull_claim(connection=person.oura, resource="sleep", historical=True)
    assert pull_claim(connection=person.oura, resource="sleep") is None  # one worker at a time
    ingest(connection=person.oura, resource="sleep", records=data.sleeps(), historical=True)
    assert receiver.requests == []
    pull_release(state=state, cursor="page-2")
    (event,) = received(endpoint, receiver)
    assert event["event_type"] == "historical.data.sleep.created"
    assert event["data"] == {
        "user_id": str(person.user.user_id),
        "start_date": "2026-11-01T00:00:00+00:00",
        "end_date": "2026-11-07T00:00:00+00:00",
        "is_final": True,
        "provider": "oura",
    }
    state.refresh_from_db()
    assert (state.historical_status, state.historical_days_with_data) == ("success", 7)
    assert state.cursor == "page-2" and state.lease_until is None


def test_a_failed_backfill_says_so_and_sends_nothing(endpoint, receiver, person):
    start, end = data.midnight(data.DAYS[0]), data.midnight(data.DAYS[6])
    historical_pull_schedule(connection=person.oura, resources=["heartrate"], start=start, end=end)
    state = pull_claim(connection=person.oura, resource="heartrate", historical=True)
    pull_release(
        state=state, error="Oura answered 429", error_details="provider_rate_limit_exceeded"
    )
    state.refresh_from_db()
    assert (state.historical_status, state.historical_error) == (
        "failure",
        "provider_rate_limit_exceeded",
    )
    assert (state.last_status, state.last_error) == ("failure", "Oura answered 429")
    assert receiver.requests == []
    with pytest.raises(ValueError, match="No backfill of sleep is scheduled"):
        pull_claim(connection=person.oura, resource="sleep", historical=True)
