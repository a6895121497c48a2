"""What the operator console's dashboard and session pages read. Every number is computed by
the database (grouped, conditional counts), so the number of queries does not grow with rows.
`environment` ("sandbox" or "production"; None for all) limits a figure to those teams."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from connections.lifecycle import NEVER_LINKED
from connections.models import Connection
from providers.catalogue import CATALOGUE
from teams.selectors import in_environment

from .models import LinkEvent, LinkToken

WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
Kind = LinkEvent.Kind
STAGES = ("opened", "chosen", "submitted", "connected", "pending", "failed")


@dataclass(frozen=True)
class FunnelRow:
    provider: str  # "" for sessions that never got as far as choosing a provider
    opened: int
    chosen: int
    submitted: int
    connected: int  # the connection is live
    pending: int  # stored, but the vendor has not linked the account yet (email providers)
    failed: int  # ended in an error, or the vendor never linked the pending account
    # Pending connections older than LINK_PENDING_DAYS (whenever made): the pending check
    # should have settled them, so something is stuck.
    overdue: int = 0
    overdue_since: datetime | None = None

    @property
    def name(self) -> str:
        info = CATALOGUE.get(self.provider)
        return info.name if info else self.provider or "No provider chosen"

    @property
    def conversion(self) -> int:
        return round(100 * self.connected / self.opened) if self.opened else 0


def _reached(*kinds: str) -> Exists:
    return Exists(LinkEvent.objects.filter(link_token=OuterRef("pk"), kind__in=kinds))


def _connection_is(**fields) -> Exists:
    """The session's user has a connection to the session's provider with `fields`."""
    return Exists(
        Connection.objects.filter(
            user=OuterRef("user"), provider=OuterRef("funnel_provider"), **fields
        )
    )


def link_funnel(*, since: datetime, environment: str | None = None) -> list[FunnelRow]:
    """Link sessions opened since `since`, grouped by the provider they ended up with (the
    token's own, else the last one chosen), counted at each step of the funnel. A session that
    stored a connection counts by that connection's state now: connected, pending, or failed if
    the vendor never linked it. Providers with overdue pending connections are flagged, and
    listed even without a session in the window."""
    last_provider = (
        LinkEvent.objects.filter(link_token=OuterRef("pk"))
        .exclude(provider="")
        .order_by("-created_at", "-id")
        .values("provider")[:1]
    )
    stored = _reached(Kind.CONNECTED)
    never_linked = _connection_is(status=Connection.Status.ERROR, error_type=NEVER_LINKED)
    pending = _connection_is(status=Connection.Status.PENDING)
    rows = (
        LinkToken.objects.filter(
            _reached(Kind.OPENED), in_environment(environment), created_at__gte=since
        )
        .annotate(
            funnel_provider=Coalesce(
                NullIf(F("provider"), Value("")), Subquery(last_provider), Value("")
            )
        )
        .values("funnel_provider")
        .annotate(
            opened=Count("pk"),
            chosen=Count("pk", filter=~Q(funnel_provider="")),
            submitted=Count("pk", filter=_reached(Kind.SUBMITTED, Kind.OAUTH_STARTED)),
            connected=Count("pk", filter=stored & ~pending & ~never_linked),
            pending=Count("pk", filter=stored & pending),
            failed=Count("pk", filter=(~stored & _reached(Kind.FAILED)) | (stored & never_linked)),
        )
        .order_by("-opened", "funnel_provider")
    )
    overdue = _pending_overdue(environment=environment)
    funnel = [
        FunnelRow(
            r["funnel_provider"],
            *(r[stage] for stage in STAGES),
            *overdue.pop(r["funnel_provider"], (0, None)),
        )
        for r in rows
    ]
    return funnel + [
        FunnelRow(provider, *[0] * len(STAGES), *flag) for provider, flag in overdue.items()
    ]


def _pending_overdue(*, environment: str | None = None) -> dict[str, tuple[int, datetime]]:
    """Per provider, how many connections have been pending longer than LINK_PENDING_DAYS,
    and since when the oldest."""
    cutoff = timezone.now() - timedelta(days=settings.LINK_PENDING_DAYS)
    rows = (
        Connection.objects.filter(
            in_environment(environment, "user__team"),
            status=Connection.Status.PENDING,
            created_on__lt=cutoff,
        )
        .values("provider")
        .annotate(count=Count("pk"), since=Min("created_on"))
        .order_by("provider")
    )
    return {r["provider"]: (r["count"], r["since"]) for r in rows}


def funnel_total(rows: list[FunnelRow]) -> FunnelRow:
    return FunnelRow("", *(sum(getattr(r, stage) for r in rows) for stage in STAGES))


def link_errors(*, since: datetime, environment: str | None = None) -> list[dict]:
    """How often each error type was met, most frequent first."""
    return list(
        LinkEvent.objects.filter(
            in_environment(environment, "link_token__team"), created_at__gte=since
        )
        .exclude(error_type="")
        .values("error_type")
        .annotate(count=Count("pk"))
        .order_by("-count", "error_type")
    )


@dataclass(frozen=True)
class TimelineEntry:
    event: LinkEvent
    elapsed: timedelta  # since the session was created


def link_session_timeline(*, link_token: LinkToken) -> list[TimelineEntry]:
    return [
        TimelineEntry(event, event.created_at - link_token.created_at)
        for event in link_token.events.all()
    ]


# A task due this long ago and not yet started means the worker is down or cannot keep up
# (`manage.py db_worker` polls every second).
QUEUE_LATE = timedelta(minutes=5)
FAILED_RECENTLY = timedelta(hours=1)


def task_states(now: datetime) -> dict[str, tuple[str, Q]]:
    """django-tasks-db's task results by state, as (label, filter). Its READY covers both a
    task due now and one scheduled for later (run_after in the future), which look alike
    but are not: only the first is waiting for a worker."""
    never = get_date_max()  # run_after of a task that was not deferred
    ready = Q(status=TaskResultStatus.READY)
    return {
        "due": ("Due", ready & (Q(run_after=never) | Q(run_after__lte=now))),
        "scheduled": ("Scheduled", ready & Q(run_after__gt=now) & ~Q(run_after=never)),
        "running": ("Running", Q(status=TaskResultStatus.RUNNING)),
        "failed": ("Failed", Q(status=TaskResultStatus.FAILED)),
        "successful": ("Succeeded", Q(status=TaskResultStatus.SUCCESSFUL)),
    }


@dataclass(frozen=True)
class QueueRow:
    task_path: str
    due: int  # waiting for a worker now
    scheduled: int  # waiting for their run_after
    running: int
    failed: int  # in the last hour
    oldest_due_at: datetime | None  # when the longest-waiting due task fell due

    @property
    def task(self) -> str:
        return self.task_path.rpartition(".")[2]

    @property
    def late(self) -> bool:
        return self.oldest_due_at is not None and timezone.now() - self.oldest_due_at > QUEUE_LATE


def task_queue() -> list[QueueRow]:
    """The queue per task kind: tasks due now, scheduled for later, running, and failed in the
    last hour, and since when the oldest due one has waited."""
    now = timezone.now()
    states = {name: q for name, (_, q) in task_states(now).items()}
    failed = states["failed"] & Q(finished_at__gte=now - FAILED_RECENTLY)
    due_at = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
    rows = (
        DBTaskResult.objects.filter(
            states["due"] | states["scheduled"] | states["running"] | failed
        )
        .values("task_path")
        .annotate(
            due=Count("pk", filter=states["due"]),
            scheduled=Count("pk", filter=states["scheduled"]),
            running=Count("pk", filter=states["running"]),
            failed=Count("pk", filter=failed),
            oldest_due_at=Min(due_at, filter=states["due"]),
        )
        .order_by("task_path")
    )
    return [QueueRow(**r) for r in rows]
