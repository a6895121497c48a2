"""What the operator console's dashboard and session pages read. Every number is computed by
the database (grouped, conditional counts), so the number of queries does not grow with rows."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, Exists, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf

from connections.models import WebhookAttempt, WebhookDelivery
from providers.catalogue import CATALOGUE
from teams.models import WebhookEndpoint

from .models import LinkEvent, LinkToken

WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
Kind = LinkEvent.Kind
STAGES = ("opened", "chosen", "submitted", "connected")


@dataclass(frozen=True)
class FunnelRow:
    provider: str  # "" for sessions that never got as far as choosing a provider
    opened: int
    chosen: int
    submitted: int
    connected: int

    @property
    def name(self) -> str:
        info = CATALOGUE.get(self.provider)
        return info.name if info else self.provider or "No provider chosen"

    @property
    def conversion(self) -> int:
        return round(100 * self.connected / self.opened) if self.opened else 0


def _reached(*kinds: str) -> Exists:
    return Exists(LinkEvent.objects.filter(link_token=OuterRef("pk"), kind__in=kinds))


def link_funnel(*, since: datetime) -> list[FunnelRow]:
    """Link sessions opened since `since`, grouped by the provider they ended up with (the
    token's own, else the last one chosen), counted at each step of the funnel."""
    last_provider = (
        LinkEvent.objects.filter(link_token=OuterRef("pk"))
        .exclude(provider="")
        .order_by("-created_at", "-id")
        .values("provider")[:1]
    )
    rows = (
        LinkToken.objects.filter(_reached(Kind.OPENED), created_at__gte=since)
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
            connected=Count("pk", filter=_reached(Kind.CONNECTED)),
        )
        .order_by("-opened", "funnel_provider")
    )
    return [
        FunnelRow(r["funnel_provider"], r["opened"], r["chosen"], r["submitted"], r["connected"])
        for r in rows
    ]


def funnel_total(rows: list[FunnelRow]) -> FunnelRow:
    return FunnelRow("", *(sum(getattr(r, stage) for r in rows) for stage in STAGES))


def link_errors(*, since: datetime) -> list[dict]:
    """How often each error type was met, most frequent first."""
    return list(
        LinkEvent.objects.filter(created_at__gte=since)
        .exclude(error_type="")
        .values("error_type")
        .annotate(count=Count("pk"))
        .order_by("-count", "error_type")
    )


# Latency buckets for the webhook chart: (label, upper bound in ms, exclusive).
LATENCY_BUCKETS = (("< 100 ms", 100), ("< 500 ms", 500), ("< 2 s", 2000), ("≥ 2 s", None))


def webhook_health(*, since: datetime) -> dict:
    """Deliveries by status, attempts by outcome and latency, and the endpoints now failing."""
    deliveries = WebhookDelivery.objects.filter(created_at__gte=since).aggregate(
        total=Count("pk"),
        **{s: Count("pk", filter=Q(status=s)) for s in WebhookDelivery.Status.values},
    )
    latency_filters, lower = {}, 0
    for i, (_, upper) in enumerate(LATENCY_BUCKETS):
        bound = Q(latency_ms__gte=lower) & (Q(latency_ms__lt=upper) if upper else Q())
        latency_filters[f"latency_{i}"] = Count("pk", filter=bound)
        lower = upper
    attempts = WebhookAttempt.objects.filter(attempted_at__gte=since).aggregate(
        total=Count("pk"),
        ok=Count("pk", filter=Q(status_code__gte=200, status_code__lt=300)),
        client_error=Count("pk", filter=Q(status_code__gte=400, status_code__lt=500)),
        server_error=Count("pk", filter=Q(status_code__gte=500)),
        no_response=Count("pk", filter=Q(status_code__isnull=True)),
        avg_latency=Avg("latency_ms"),
        max_latency=Max("latency_ms"),
        **latency_filters,
    )
    failing = list(
        WebhookEndpoint.objects.filter(failing_since__isnull=False)
        .select_related("team")
        .order_by("failing_since")[:10]
    )
    latency = [
        (label, attempts.pop(f"latency_{i}")) for i, (label, _) in enumerate(LATENCY_BUCKETS)
    ]
    return {"deliveries": deliveries, "attempts": attempts, "latency": latency, "failing": failing}


@dataclass(frozen=True)
class TimelineEntry:
    event: LinkEvent
    elapsed: timedelta  # since the session was created


def link_session_timeline(*, link_token: LinkToken) -> list[TimelineEntry]:
    return [
        TimelineEntry(event, event.created_at - link_token.created_at)
        for event in link_token.events.all()
    ]
