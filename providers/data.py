"""Reading a vendor's data API for one connection: what a vendor's `data.py` defines (one
VendorData subclass) and the vendor-neutral records it turns the vendor's answers into, in
Vital's units (health.resources), a page at a time. The health app stores the records
(health.ingest) and runs the pulls (health.pulling); a vendor's reader knows nothing of either.

A vendor that tells us when it has new data (a webhook, a ping) also reads its own
notifications here (`VendorData.notice`): a notice only names whose data changed, and Link then
pulls from the vendor; nothing in a notice is stored, so a forged one costs one pull at most."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse

from .base import Adapter, AppCredentials
from .errors import ProviderApiError, ProviderError
from .http import json_body


@dataclass(frozen=True, slots=True)
class SampleRecord:
    """One time series sample, in the series' unit (health.resources.SERIES)."""

    timestamp: datetime  # aware; the start of an interval sample
    value: float  # systolic, for blood pressure
    end: datetime | None = None  # interval series only
    diastolic: float | None = None  # blood pressure only
    timezone_offset: int | None = None  # seconds east of UTC; None: unknown
    source_type: str = "unknown"  # Vital's source type: ring, watch, scale, automatic…
    device_id: str = ""


@dataclass(frozen=True)
class SummaryRecord:
    """One summary: the fields of Vital's model of it (by its names, in its units), the
    vendor's id of it, and the vendor's own JSON."""

    provider_id: str  # the vendor's sleep or workout id, or the day, or the measurement
    fields: dict[str, Any]
    raw: dict = field(default_factory=dict)
    source_type: str = "unknown"
    device_id: str = ""


@dataclass(frozen=True)
class Page:
    """One vendor answer's records of one resource, and where the next page starts (the
    vendor's paging token, or our own note of it; None when the window is done)."""

    records: list
    cursor: str | None = None


@dataclass(frozen=True)
class Notice:
    """A vendor's word that an account has new data: its vendor user id, and the resources to
    pull again (empty: all of the vendor's)."""

    external_user_id: str
    resources: tuple[str, ...] = ()


class AccessRejected(ProviderError):
    """The data API refused the access token: refresh it and try once more."""

    error_type = "token_refresh_failed"


class VendorData:
    """How one vendor's data API is read for one connection. Subclasses name the resources a
    pull fetches and implement `page`; vendors that push implement `notice`."""

    # Link's resources (health.resources) a pull of this vendor fetches.
    resources: ClassVar[tuple[str, ...]]
    # The vendor tells us of new data (so a scheduled pull is only a safety net).
    pushes: ClassVar[bool] = False
    # The vendor is subscribed user by user (`subscribe`), not once per app by the operator.
    subscribes_per_user: ClassVar[bool] = False
    # How far back an incremental pull reads again: vendors revise their last days (a night's
    # sleep is rescored, a late sync fills a day in).
    revision: ClassVar[timedelta] = timedelta(days=2)

    def __init__(self, adapter: Adapter, credentials: dict):
        self.adapter = adapter
        self.credentials = credentials

    def get(self, path: str, params: dict | None = None) -> Any:
        """GET `path` of the connection's data API (the adapter's api_url), with its
        credentials put on the vendor's way; the answer's JSON. A refused token raises
        AccessRejected; a 429, ProviderRateLimited (from the HTTP doorway)."""
        headers, query = self.adapter.api_auth(self.credentials)
        response = self.adapter.http.get(
            self.adapter.api_url(self.credentials) + path,
            params={**(params or {}), **query},
            headers=headers,
        )
        if self.adapter.api_rejected(response):
            raise AccessRejected()
        if response.status_code >= 400:
            raise ProviderError(f"The provider's data API answered {response.status_code}.")
        return json_body(response)

    def subscribe(self, receiver: str) -> None:
        """Ask the vendor to notify `receiver` (Link's /push/<slug>) of this user's new data;
        for a vendor that `subscribes_per_user`, called when the connection's history is
        pulled."""
        raise NotImplementedError

    def page(self, resource: str, start: datetime, end: datetime, cursor: str | None) -> Page:
        """The records of `resource` in [start, end] from the page at `cursor` (None: the
        first)."""
        raise NotImplementedError

    @classmethod
    def notice(
        cls, request: HttpRequest, apps: list[AppCredentials]
    ) -> tuple[HttpResponse, list[Notice]]:
        """Read a notification the vendor sent to Link's receiver (`/push/<slug>`): the answer
        the vendor expects (a subscription challenge's echo, a 204…) and whose data changed.
        `apps` are the vendor apps whose secret may have signed it. A request that is not a
        genuine notification answers 4xx with no notices."""
        return HttpResponse(status=404), []


@contextmanager
def vendor_shapes() -> Iterator[None]:
    """Read a vendor's answer into records: a field missing or of the wrong kind refuses the
    whole page as a ProviderApiError, so nothing of it is stored."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        problem = f"The provider's data was not in its usual shape ({exc!r})."
        raise ProviderApiError(problem) from None
