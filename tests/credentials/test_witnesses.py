"""Vendors' own client libraries on the new data paths: the Oura client reads through Link's
proxy as if it were Oura (paging included), and the Dexcom Share client reads our emulator's
glucose readings, each parsed by code we did not write."""

from datetime import date, timedelta

import pytest

from tests.providers.test_witness import run_witness

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_oura_client_reads_daily_sleep_through_the_proxy(sandbox, team, link, live_user):
    link.connect(live_user, "oura")
    bearer = link.bearer_token(team)
    end = date.today()
    start = end - timedelta(days=119)  # more than two of the emulator's pages
    proxy = f"{sandbox.url}/v2/proxy/{live_user.user_id}/oura"
    nights = run_witness(
        "oura_ring",
        "oura_ring_reads_through_the_proxy.py",
        sandbox.url,
        proxy,
        bearer,
        start.isoformat(),
        end.isoformat(),
    )["nights"]
    direct = link.proxy(
        live_user,
        "oura",
        "v2/usercollection/daily_sleep",
        params={"start_date": start.isoformat(), "end_date": end.isoformat()},
    ).json()
    assert direct["next_token"]  # the client had to follow it
    assert 100 < len(nights) <= 120
    assert nights[: len(direct["data"])] == direct["data"]
    assert [n["day"] for n in nights] == sorted({n["day"] for n in nights})


def test_pydexcom_reads_the_latest_glucose(sandbox):
    readings = run_witness("pydexcom", "pydexcom_reads_glucose.py", sandbox.url)
    assert len(readings) == 12
    assert all(40 <= r["mg_dl"] <= 400 for r in readings)
    assert {r["trend"] for r in readings} <= {
        "DoubleUp",
        "SingleUp",
        "FortyFiveUp",
        "Flat",
        "FortyFiveDown",
        "SingleDown",
        "DoubleDown",
    }
    times = [r["at"] for r in readings]
    assert times == sorted(times, reverse=True)  # newest first, as Share answers
