"""Console fixtures: a populated database with a known value for every kind of secret."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from connections.models import Connection
from link.models import LinkEvent, LinkToken
from linkwidget.console import ADMINS, VIEWERS
from teams.models import ProviderApp
from teams.services import api_key_create, end_user_create, secret_hash
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage

API_KEY = "sk_us_CANARYKEY" + "k" * 30
WEBHOOK_SECRET = "whsec_Q0FOQVJZd2ViaG9va3NlY3JldA=="  # base64 of CANARYwebhooksecret
ACCESS_TOKEN = "CANARY-ACCESS-TOKEN"
LINK_TOKEN = "CANARY-LINK-TOKEN"
FLOW_VERIFIER = "CANARY-PKCE-VERIFIER"
CLIENT_SECRET = "CANARY-OAUTH-CLIENT-SECRET"
SECRETS = (
    API_KEY,
    secret_hash(API_KEY),
    WEBHOOK_SECRET,
    ACCESS_TOKEN,
    LINK_TOKEN,
    secret_hash(LINK_TOKEN),
    FLOW_VERIFIER,
    CLIENT_SECRET,
)

Kind = LinkEvent.Kind


def session_create(team, user, *kinds, provider="oura", error_type="", index=0, token=None):
    """A link session that went through `kinds`, a second apart."""
    start = timezone.now() - timedelta(hours=1)
    link_token = LinkToken.objects.create(
        token_hash=secret_hash(token or f"token-{user.pk}-{index}-{kinds}"),
        team=team,
        user=user,
        created_at=start,
        expires_at=start + timedelta(hours=1),
        flow={"code_verifier": FLOW_VERIFIER},
        state="success" if Kind.CONNECTED in kinds else "error" if error_type else "pending",
        error_type=error_type,
    )
    for second, kind in enumerate(kinds, start=1):
        chosen = kind not in (Kind.CREATED, Kind.OPENED)
        LinkEvent.objects.create(
            link_token=link_token,
            kind=kind,
            provider=provider if chosen else "",
            error_type=error_type if kind == Kind.FAILED else "",
            created_at=start + timedelta(seconds=second),
        )
    return link_token


def connection_create(user, provider="oura", *, status="connected", age_days=0, **fields):
    connection = Connection.objects.create(
        user=user,
        provider=provider,
        status=status,
        external_user_id=f"ext-{user.client_user_id}",
        credentials={"access_token": ACCESS_TOKEN},
        **fields,
    )
    if age_days:  # created_on is set on save
        created_on = timezone.now() - timedelta(days=age_days)
        Connection.objects.filter(pk=connection.pk).update(created_on=created_on)
    return connection


def tasks_in_every_state() -> None:
    """Tasks queued through the real django-tasks-db backend (TASKS must name it), one kind
    per state: failed by the real worker an hour ago and just now, running, due for ten
    minutes, due just now, and scheduled for later."""
    from io import StringIO

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from connections.tasks import connection_due_task, connection_refresh_task
    from webhooks.tasks import webhook_deliver

    def worker():
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())

    now = timezone.now()
    old = connection_refresh_task.enqueue("not-a-connection-id")
    worker()
    DBTaskResult.objects.filter(pk=old.id).update(finished_at=now - timedelta(hours=2))
    connection_refresh_task.enqueue("not-a-connection-id")
    worker()
    DBTaskResult.objects.get(pk=connection_refresh_task.enqueue(1).id).claim("worker-1")
    late = webhook_deliver.enqueue(1)
    DBTaskResult.objects.filter(pk=late.id).update(enqueued_at=now - timedelta(minutes=10))
    webhook_deliver.enqueue(2)
    connection_due_task.using(run_after=now + timedelta(hours=1)).enqueue(1)
    connection_due_task.using(run_after=now + timedelta(hours=2)).enqueue(2)


def populate(team, count: int, *, tag: str = "row") -> None:
    """`count` rows of everything the console lists, each carrying the known secrets."""
    for i in range(count):
        user = end_user_create(team=team, client_user_id=f"{tag}-{i}")
        connection_create(user, scopes=["daily"])
        session_create(
            team, user, Kind.OPENED, Kind.PROVIDER_CHOSEN, Kind.SUBMITTED, Kind.CONNECTED, index=i
        )
        endpoint = WebhookEndpoint.objects.create(
            team=team, url=f"https://hooks.example.com/{tag}/{i}", secret=WEBHOOK_SECRET
        )
        message = WebhookMessage.objects.create(
            id=f"msg_{tag}_{i}", team=team, event_type="provider.connection.created", payload={}
        )
        delivery = WebhookDelivery.objects.create(
            message=message,
            endpoint=endpoint,
            status="succeeded",
            attempts=1,
            last_status_code=200,
        )
        WebhookAttempt.objects.create(delivery=delivery, status_code=200, latency_ms=40 + i)


@pytest.fixture
def secrets_everywhere(team):
    """One of each row, with every secret the console must never show."""
    api_key_create(team=team, name="canary", key=API_KEY)
    ProviderApp.objects.create(
        team=team, provider="oura", client_id="oura-client", client_secret=CLIENT_SECRET
    )
    populate(team, 1)
    user = team.users.first()
    session_create(team, user, Kind.OPENED, token=LINK_TOKEN)
    return team


def _staff(django_user_model, username, group):
    user = django_user_model.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def viewer_client(client, django_user_model):
    client.force_login(_staff(django_user_model, "viewer", VIEWERS))
    return client


@pytest.fixture
def console_admin_client(client, django_user_model):
    client.force_login(_staff(django_user_model, "operator", ADMINS))
    return client
