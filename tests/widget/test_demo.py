"""The demo customer app (/demo/) and `make demo`: off unless enabled, link sessions made only
when the visitor asks to connect, and every URL `make demo` prints answers, on any PORT."""

import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from connections.models import Connection
from health.ingest import ingest
from link.models import LinkToken
from providers.data import SampleRecord, SummaryRecord
from providers.sandbox.base import GOOD_USER
from providers.vendors.oura.emulator import sleep_of
from teams.models import EndUser, Team
from tests.processes import ROOT, free_port, manage, production_env


@pytest.fixture
def demo_team(db):
    return Team.objects.create(name="Demo", environment="sandbox")


def test_the_page_makes_no_user_and_no_link_session(client, demo_team):
    for _ in range(3):
        assert client.get("/demo/").status_code == 200
    assert not EndUser.objects.exists() and not LinkToken.objects.exists()


def test_connecting_makes_one_user_per_visitor_and_a_session_per_connect(client, demo_team):
    full = client.post("/demo/connect", {"mode": "full", "provider": "oura"})
    assert full.status_code == 302 and "/?token=" in full.headers["Location"]
    embedded = client.post("/demo/connect", {"mode": "iframe"}).json()
    assert LinkToken.objects.filter(provider="oura").get().redirect_url.endswith("/demo/")
    assert len(embedded["link_token"]) > 30
    assert EndUser.objects.count() == 1 and LinkToken.objects.count() == 2
    page = client.get("/demo/").content.decode()
    assert EndUser.objects.get().client_user_id in page  # its connections are listed
    client.post("/demo/new-user")
    client.post("/demo/connect", {"mode": "popup"})
    assert EndUser.objects.count() == 2


def test_the_week_chart_shows_what_was_pulled(client, demo_team):
    """Sleep and steps by the user's day (an activity's steps win over the samples'), heart
    rate's range by UTC day; days without data say so. No chart before any data."""
    client.post("/demo/connect", {"mode": "iframe"})
    user = EndUser.objects.get()
    assert 'id="week"' not in client.get("/demo/").content.decode()
    connection = Connection.objects.create(
        user=user, provider="oura", status="connected", external_user_id="oura-1"
    )
    today = timezone.now().date()
    yesterday = today - timedelta(days=1)
    noon = datetime(yesterday.year, yesterday.month, yesterday.day, 12, tzinfo=UTC)
    night = {"bedtime_start": noon - timedelta(hours=14), "bedtime_stop": noon - timedelta(hours=5)}
    sleep = {"calendar_date": yesterday, "type": "long_sleep", "duration": 32400, "total": 27000}
    sleep |= {"awake": 5400, "light": 14000, "rem": 6500, "deep": 6500, **night}
    ingest(connection=connection, resource="sleep", records=[SummaryRecord("s1", sleep)])
    ingest(
        connection=connection,
        resource="activity",
        records=[SummaryRecord(str(today), {"calendar_date": today, "steps": 4321})],
    )
    steps = [SampleRecord(noon, 1000, end=noon + timedelta(minutes=5))]
    ingest(connection=connection, resource="steps", records=steps)
    beats = [SampleRecord(noon + timedelta(minutes=m), bpm) for m, bpm in enumerate((50, 61, 90))]
    ingest(connection=connection, resource="heartrate", records=beats)

    page = client.get("/demo/").content.decode()
    rows = dict(re.findall(r'<tr data-day="([\d-]+)">(.*?)</tr>', page))
    assert len(rows) == 7 and max(rows) == today.isoformat()
    cells = lambda day: re.findall(r"<td data-\w+>(.*?)</td>", rows[day.isoformat()])  # noqa: E731
    assert cells(yesterday) == ["7.5", "1000", "50 to 90 (mean 67)"]
    assert cells(today) == ["none", "4321", "none"]
    assert cells(today - timedelta(days=6)) == ["none", "none", "none"]


@override_settings(LINK_DEMO_ENABLED=False)
def test_off_it_is_a_404_and_creates_nothing(client, demo_team):
    assert client.get("/demo/").status_code == 404
    assert client.post("/demo/connect", {"mode": "full"}).status_code == 404
    assert client.get("/").status_code == 404  # the widget without a token, not the demo
    assert not EndUser.objects.exists()


def test_production_settings_leave_it_off():
    """The penetration test's finding: /demo/ lived on a server with DEBUG off."""
    show = "from django.conf import settings; print(settings.LINK_DEMO_ENABLED)"
    for extra, expected in (({}, "False"), ({"LINK_DEMO_ENABLED": "true"}, "True")):
        shown = manage("shell", "--no-imports", "-c", show, env=production_env(**extra))
        assert shown.stdout.strip() == expected, shown.stderr


def test_the_bare_root_leads_to_the_demo(client, demo_team):
    assert client.get("/").headers["Location"] == "/demo/"


@contextmanager
def running_demo(tmp_path, port: int):
    """`make demo PORT=…` from nothing but a database file: yields what it printed, once its
    server answers; stopped as Ctrl-C would."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LINK_"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "PYTHON": sys.executable,
    }
    server = subprocess.Popen(
        ["make", "-s", "demo", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        printed = ""
        while "Sandbox login" not in printed:
            line = server.stdout.readline()
            assert line, printed
            printed += line
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield printed
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)  # 10 s was once too short on a busy machine (CI's parallel run)


def test_make_demo_on_another_port(tmp_path):
    """`make demo PORT=…`: what it prints answers, and the widget and OAuth go to that port."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_demo(tmp_path, port) as printed:
        urls = re.findall(r"http://127\.0\.0\.1:\d+/\S*", printed)
        assert urls and all(u.startswith(f"{base}/") for u in urls), printed
        for url in urls:
            assert requests.get(url, timeout=10).status_code == 200, url
        browser = requests.Session()
        browser.get(urls[0], timeout=10)
        started = browser.post(
            f"{base}/demo/connect",
            {"mode": "full", "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
            headers={"Referer": urls[0]},
            allow_redirects=False,
            timeout=10,
        )
        assert started.headers["Location"].startswith(f"{base}/?token="), started.headers


def test_the_demo_pulls_what_it_connects_and_draws_it(tmp_path, chromium):
    """The whole demo as a visitor sees it: connect Oura in the full page, and the worker that
    `make demo` runs backfills the account, so the page's week shows the emulator's sleep."""
    port = free_port()
    with running_demo(tmp_path, port):
        page = chromium.new_page()
        page.goto(f"http://127.0.0.1:{port}/demo/")
        page.get_by_label("Go straight to one provider (optional)").select_option("oura")
        page.get_by_role("button", name="Connect (full page)").click()
        page.get_by_role("link", name="Continue").click()
        page.get_by_role("link", name="Continue to Oura").click()
        page.get_by_role("button", name="Allow").click()
        expect(page.locator('[data-connection="oura"]')).to_have_text("oura: connected")
        for _ in range(120):  # the worker polls for tasks every second or so
            if page.locator("#week").count():
                break
            time.sleep(0.5)
            page.reload()
        today = timezone.now().date()
        week = [today - timedelta(days=n) for n in range(7)]
        slept = {day: sleep_of(GOOD_USER, day) for day in week}
        assert any(slept.values())
        for day, served in slept.items():
            hours = round(sum(s["total_sleep_duration"] for s in served) / 3600, 1)
            row = page.locator(f'#week tr[data-day="{day.isoformat()}"] td[data-sleep]')
            expect(row).to_have_text(str(hours) if served else "none")
        page.close()
