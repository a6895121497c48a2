"""Synthetic readings for the emulators' data endpoints: plausible values in each vendor's own
shapes, and the same on every call for one account and day (each is seeded by both), so a
pipeline can page, read again and compare, as against a real account."""

import hashlib
import math
import random
from datetime import UTC, date, datetime, timedelta


def seeded(account: str, *key) -> random.Random:
    """The random source of one account's readings for `key` (a day, a reading's time)."""
    seed = hashlib.sha256("|".join(map(str, (account, *key))).encode()).digest()
    return random.Random(seed)  # noqa: S311 (made-up readings, not secrets)


# How far back a sandbox account's readings go.
HISTORY = timedelta(days=365)


def days_between(start: date, end: date) -> list[date]:
    """Every day from `start` to `end`, both included, on which the account has readings: none
    in the future, nor before its HISTORY."""
    start, end = max(start, today() - HISTORY), min(end, today())
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def utc_day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def today() -> date:
    return datetime.now(UTC).date()


def grid(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    """The moments in [start, end) on a `step` grid counted from the Unix epoch, as a device
    that reads every `step` would record them."""
    seconds = step.total_seconds()
    first = datetime.fromtimestamp(math.ceil(start.timestamp() / seconds) * seconds, UTC)
    return [first + n * step for n in range(math.ceil((end - first) / step))] if first < end else []
