"""The console's data freshness: what the pulls of a connection did, per resource, as a
viewer sees it, in a number of queries that does not grow with the rows."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from health.pulls import historical_pull_schedule, pull_claim, pull_release
from linkwidget.console import VIEWERS
from teams.services import end_user_create

from . import conftest as data

pytestmark = pytest.mark.django_db

PAGE = reverse("admin:health_pullstate_changelist")


def rows(page: str) -> dict[str, list[str]]:
    """The list's rows by resource, each the text of its cells."""
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    found = {}
    for tr in re.findall(r"<tr>.*?</tr>", body, re.S):
        texts = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh].*?</t[dh]>", tr)]
        found[texts[1]] = texts
    return found


@pytest.fixture
def viewer(client):
    user = User.objects.create_user("viewer", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=VIEWERS))
    client.force_login(user)
    return client


def test_a_viewer_sees_each_resources_last_pull_counts_and_errors(viewer, person):
    data.put_week(person.oura, person.libre)
    start = data.midnight(data.DAYS[0])
    historical_pull_schedule(
        connection=person.oura, resources=["sleep"], start=start, end=start + timedelta(days=6)
    )
    pull_release(state=pull_claim(connection=person.oura, resource="sleep", historical=True))
    state = pull_claim(connection=person.oura, resource="heartrate")
    pull_release(state=state, error="Oura answered 429 Too Many Requests")

    page = viewer.get(PAGE, {"connection__provider": "oura"}).content.decode()
    shown = rows(page)
    assert "glucose" not in shown  # the Libre's
    sleep = shown["sleep"]
    assert sleep[0] == "data-alice · oura"
    assert sleep[3:6] == ["Success", "7", "0"]
    assert sleep[7] == "Success, 7 days with data"
    heartrate = shown["heartrate"]
    assert heartrate[3:6] == ["failed: Oura answered 429 Too Many Requests", "1440", "0"]
    assert heartrate[7] == "-"
    assert viewer.get(reverse("admin:health_pullstate_change", args=[state.pk])).status_code == 200


def test_queries_do_not_grow_with_rows(admin_client, team):
    def grow(count, tag):
        for n in range(count):
            user = end_user_create(team=team, client_user_id=f"{tag}-{n}")
            oura, libre = data.connect(user, "oura"), data.connect(user, "freestyle_libre")
            data.put_week(oura, libre)

    def queries():
        with CaptureQueriesContext(db) as captured:
            assert admin_client.get(PAGE).status_code == 200
        return len(captured)

    grow(1, "few")
    few = queries()
    grow(4, "many")
    assert queries() == few
