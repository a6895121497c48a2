"""What the console's dashboard, the metrics and cron read about webhooks."""

from datetime import datetime

from django.db.models import Avg, Count, Max, Q
from django.utils import timezone

from teams.selectors import in_environment

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

# Latency buckets for the webhook chart: (label, upper bound in ms, exclusive).
LATENCY_BUCKETS = (("< 100 ms", 100), ("< 500 ms", 500), ("< 2 s", 2000), ("≥ 2 s", None))


def webhook_deliveries_due() -> list[int]:
    """Pending deliveries whose next attempt is due (for backends that cannot defer tasks)."""
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )


def webhook_health(*, since: datetime, environment: str | None = None) -> dict:
    """Deliveries by status, attempts by outcome and latency, and the endpoints now failing."""
    deliveries = WebhookDelivery.objects.filter(
        in_environment(environment, "endpoint__team"), created_at__gte=since
    ).aggregate(
        total=Count("pk"),
        **{s: Count("pk", filter=Q(status=s)) for s in WebhookDelivery.Status.values},
    )
    latency_filters, lower = {}, 0
    for i, (_, upper) in enumerate(LATENCY_BUCKETS):
        bound = Q(latency_ms__gte=lower) & (Q(latency_ms__lt=upper) if upper else Q())
        latency_filters[f"latency_{i}"] = Count("pk", filter=bound)
        lower = upper
    attempts = WebhookAttempt.objects.filter(
        in_environment(environment, "delivery__endpoint__team"), attempted_at__gte=since
    ).aggregate(
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
        WebhookEndpoint.objects.failing()
        .filter(in_environment(environment))
        .select_related("team")
        .order_by("failing_since")[:10]
    )
    latency = [
        (label, attempts.pop(f"latency_{i}")) for i, (label, _) in enumerate(LATENCY_BUCKETS)
    ]
    return {"deliveries": deliveries, "attempts": attempts, "latency": latency, "failing": failing}
