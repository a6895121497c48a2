"""What an operator watches, in Prometheus' text format (`/metrics`).

Whatever the database knows is counted from the database at scrape time (link sessions, webhook
deliveries and attempts, the task queue), so every app process answers the same. Vendor calls are
timed where they happen (`providers.http`); under gunicorn the workers and the task worker share
those figures through prometheus-client's multiprocess files (PROMETHEUS_MULTIPROC_DIR, set up by
gunicorn.conf.py)."""

import os

from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Min, Q, Sum, When
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

from link.models import LinkToken
from providers.http import VENDOR_CALLS
from webhooks.models import WebhookAttempt, WebhookDelivery

# Upper bounds of the webhook latency histogram, in milliseconds.
_BUCKETS_MS = (50, 100, 250, 500, 1000, 2500, 5000, 10000)


class DatabaseCollector:
    """Counts read from the database, one aggregate query each."""

    def collect(self):
        yield self._link_sessions()
        yield self._webhook_deliveries()
        yield self._webhook_attempts()
        yield from self._task_queue()

    def _link_sessions(self):
        family = GaugeMetricFamily(
            "link_sessions",
            "Link sessions by state (pending, success, error), error type and provider.",
            labels=["state", "error_type", "provider"],
        )
        rows = LinkToken.objects.values_list("state", "error_type", "provider")
        for state, error_type, provider, n in rows.annotate(n=Count("*")).order_by():
            family.add_metric([state, error_type, provider], n)
        return family

    def _webhook_deliveries(self):
        family = GaugeMetricFamily(
            "link_webhook_deliveries",
            "Webhook deliveries by status (pending, succeeded, failed).",
            labels=["status"],
        )
        counts = dict(
            WebhookDelivery.objects.values_list("status").annotate(n=Count("*")).order_by()
        )
        for status in WebhookDelivery.Status.values:
            family.add_metric([status], counts.get(status, 0))
        return family

    def _webhook_attempts(self):
        family = HistogramMetricFamily(
            "link_webhook_attempt_duration_seconds",
            "Webhook delivery attempts by result (success: a 2xx answer) and latency.",
            labels=["result"],
        )
        buckets = {f"le{ms}": Count("pk", filter=Q(latency_ms__lte=ms)) for ms in _BUCKETS_MS}
        ok = ExpressionWrapper(Q(error=""), output_field=BooleanField())
        rows = (
            WebhookAttempt.objects.annotate(ok=ok)
            .values("ok")
            .annotate(n=Count("*"), total_ms=Sum("latency_ms"), **buckets)
            .order_by()
        )
        for row in rows:
            cumulative = [(str(ms / 1000), row[f"le{ms}"]) for ms in _BUCKETS_MS]
            family.add_metric(
                ["success" if row["ok"] else "failure"],
                [*cumulative, ("+Inf", row["n"])],
                (row["total_ms"] or 0) / 1000,
            )
        return family

    def _task_queue(self):
        """Tasks due now (their number, and how long the oldest has waited), scheduled for
        later, and running."""
        now = timezone.now()
        never = get_date_max()
        ready = Q(status=TaskResultStatus.READY)
        due = ready & (Q(run_after=never) | Q(run_after__lte=now))
        figures = DBTaskResult.objects.aggregate(
            due=Count("pk", filter=due),
            scheduled=Count("pk", filter=ready & Q(run_after__gt=now) & ~Q(run_after=never)),
            running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
            # A task waits from when it could first run: its run_after, or its enqueueing.
            oldest=Min(
                Case(When(run_after=never, then=F("enqueued_at")), default=F("run_after")),
                filter=due,
            ),
        )
        tasks = GaugeMetricFamily(
            "link_tasks", "Background tasks by state (due, scheduled, running).", labels=["state"]
        )
        for state in ("due", "scheduled", "running"):
            tasks.add_metric([state], figures[state])
        yield tasks
        oldest = figures["oldest"]
        yield GaugeMetricFamily(
            "link_task_queue_oldest_seconds",
            "How long the oldest task due has waited for a worker (0 when none is due).",
            value=(now - oldest).total_seconds() if oldest else 0,
        )


def metrics_text() -> bytes:
    """The exposition of every metric, for one scrape."""
    registry = CollectorRegistry()
    registry.register(DatabaseCollector())
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(VENDOR_CALLS)
    return generate_latest(registry)
