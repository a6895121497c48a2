"""API keys in use. Each process keeps a key it found for a second, so that a busy client's
requests do not each look it up: a key revoked, changed or deleted in this process (or its team)
is dropped at once, and in any other process it is looked up again within the second. Its
`last_used_at` is written after the response has gone, at most once a minute per key."""

import logging
import threading
import time
from datetime import timedelta

from django.core.signals import request_finished
from django.db import DatabaseError, connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from .models import ApiKey, Team

TTL_SECONDS = 1.0
_LAST_USED_GRANULARITY = timedelta(minutes=1)
_MAX_ENTRIES = 1000  # then the expired ones are dropped

logger = logging.getLogger(__name__)
_found: dict[tuple, tuple[float, ApiKey]] = {}
_this_request = threading.local()  # the stamps a request of this thread owes


def api_key_found(lookup: tuple, load) -> ApiKey | None:
    """The key `load()` finds, or the one it found for `lookup` less than TTL_SECONDS ago.
    Misses are not kept: a key made a moment ago in another process works at once."""
    started = time.monotonic()  # before the read: an entry never outlives TTL past its data
    entry = _found.get(lookup)
    if entry is not None and started - entry[0] < TTL_SECONDS:
        return entry[1]
    api_key = load()
    if api_key is None:
        _found.pop(lookup, None)
        return None
    if len(_found) >= _MAX_ENTRIES:
        _forget(lambda at, _: started - at >= TTL_SECONDS)
    _found[lookup] = (started, api_key)
    return api_key


def _forget(stale) -> None:
    for lookup, (at, api_key) in list(_found.items()):
        if stale(at, api_key):
            _found.pop(lookup, None)


@receiver([post_save, post_delete], sender=ApiKey)
def _api_key_changed(instance, **kwargs):
    _forget(lambda _, k: k.pk == instance.pk or k.key_hash == instance.key_hash)


@receiver([post_save, post_delete], sender=Team)
def _team_changed(instance, **kwargs):
    _forget(lambda _, k: k.team_id == instance.pk)


def api_key_forget(api_key: ApiKey) -> None:
    """For a change made without a signal (a queryset update)."""
    _api_key_changed(api_key)


def api_key_used(api_key: ApiKey) -> None:
    """Note that this request used the key; its stamp is written once the response is sent."""
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > _LAST_USED_GRANULARITY:
        api_key.last_used_at = now  # the kept copy too: the next requests owe nothing
        _this_request.__dict__.setdefault("stamps", {})[api_key.pk] = now


@receiver(request_finished)
def _write_stamps(**kwargs):
    stamps = _this_request.__dict__.pop("stamps", None)
    if not stamps:
        return
    was_open = connection.connection is not None
    try:
        for pk, when in stamps.items():
            ApiKey.objects.filter(pk=pk).update(last_used_at=when)
    except DatabaseError:
        logger.warning("Could not stamp the last use of API keys %s.", list(stamps))
    finally:
        if not was_open:  # Django closed it for this request already
            connection.close()
