"""List pages and the dashboard make as many queries for 30 rows as for 3."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult, get_date_max

from teams.services import end_user_create

from .conftest import Kind, connection_create, populate, session_create

pytestmark = pytest.mark.django_db

# The most queries each page may make, as measured: session and user, the page's rows and
# count, its filters' choices, and the date hierarchy where there is one. The dashboard: the
# funnel, the providers with overdue pending connections, errors, webhook deliveries and
# attempts, failing endpoints, the task queue, and the sidebar's recent actions.
BOUNDS = {
    "admin:index": 10,
    "admin:teams_team_changelist": 5,
    "admin:teams_apikey_changelist": 6,
    "admin:teams_enduser_changelist": 6,
    "admin:webhooks_webhookendpoint_changelist": 6,
    "admin:teams_providerapp_changelist": 6,
    "admin:connections_connection_changelist": 8,
    "admin:webhooks_webhookdelivery_changelist": 9,
    "admin:link_linktoken_changelist": 9,
    "admin:admin_logentry_changelist": 9,
    "admin:django_tasks_database_dbtaskresult_changelist": 6,
}


def _grow(team, count: int, tag: str) -> None:
    """`count` rows of everything the console lists, plus a queued task and a connection
    pending too long for each."""
    populate(team, count, tag=tag)
    for i in range(count):
        user = end_user_create(team=team, client_user_id=f"{tag}-pending-{i}")
        connection_create(user, "freestyle_libre", status="pending", age_days=30)
        DBTaskResult.objects.create(
            task_path="webhooks.tasks.webhook_deliver",
            args_kwargs={"args": [i], "kwargs": {}},
            backend_name="default",
            run_after=get_date_max(),
        )


def _count(client, name):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(name)).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", BOUNDS)
def test_queries_do_not_grow_with_rows(admin_client, team, name, django_assert_max_num_queries):
    _grow(team, 3, tag="few")
    few = _count(admin_client, name)
    _grow(team, 27, tag="many")
    with django_assert_max_num_queries(BOUNDS[name]):
        assert admin_client.get(reverse(name)).status_code == 200
    assert _count(admin_client, name) == few


def test_a_session_timeline_is_one_query_however_long(admin_client, team):
    user = end_user_create(team=team, client_user_id="u")
    short = session_create(team, user, *[Kind.SUBMITTED] * 3, index=1)
    long = session_create(team, user, *[Kind.SUBMITTED] * 30, index=2)
    counts = []
    for link_token in (short, long):
        url = reverse("admin:link_linktoken_change", args=[link_token.pk])
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8
