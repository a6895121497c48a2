"""Reading Dexcom API v3: the sensor's glucose readings from `GET /v3/users/self/egvs`
(https://developer.dexcom.com/docs/dexcomv3/operation/getEstimatedGlucoseValuesV3).

The endpoint has no paging token: it answers every reading between startDate and endDate, which
are system times (UTC) without an offset and at most 30 days apart (Dexcom's OpenAPI collection
in api-evangelist/dexcom; the v3 overview page itself was not read in full), so a window is read
30 days a page, the cursor being where the next page starts.

Each record's `value` is an integer (or null: no reading) in the record's `unit`, "mg/dL" or
"mmol/L" (or "unknown", refused here). Link stores mmol/L: mg/dL ÷ 18.0156, glucose's molar mass
(180.156 g/mol) over ten, the exact factor (the rounded 18 is off by 0.1%). systemTime is the
moment (UTC; with an offset from the mobile apps, without one from receivers), displayTime the
device's local clock (again with an offset from the apps only). The time zone is the offset
displayTime carries, or else displayTime minus systemTime rounded to the quarter hour: every zone
offset in use is a whole quarter hour, and a receiver's hand-set clock runs a little off."""

from datetime import UTC, datetime, timedelta

from ...data import Page, SampleRecord, VendorData
from ...errors import ProviderError

MG_DL_PER_MMOL_L = 18.0156
WINDOW = timedelta(days=30)
_QUARTER_HOUR = 900


class DexcomV3Data(VendorData):
    resources = ("glucose",)

    def page(self, resource, start, end, cursor):
        since = datetime.fromisoformat(cursor) if cursor else start
        until = min(end, since + WINDOW)
        answer = self.get(
            "/v3/users/self/egvs",
            {"startDate": _system_time(since), "endDate": _system_time(until)},
        )
        records = answer.get("records") if isinstance(answer, dict) else None
        if not isinstance(records, list):
            raise ProviderError("Dexcom's egvs answer has no list of records.")
        samples = [sample for record in records if (sample := _sample(record)) is not None]
        return Page(samples, until.isoformat() if until < end else None)


def _system_time(moment: datetime) -> str:
    """A query date-time as Dexcom takes it: UTC, to the second, without an offset."""
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat()


def _sample(record) -> SampleRecord | None:
    """One reading in mmol/L at its system time, with its zone; None for a record without a
    value. A record that is not a reading's shape refuses the page."""
    try:
        value, unit = record["value"], record["unit"]
        system = _moment(record["systemTime"])
        shown = datetime.fromisoformat(record["displayTime"])
    except (TypeError, KeyError, ValueError) as exc:
        raise ProviderError(f"A Dexcom glucose record is malformed ({exc!r}).") from None
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProviderError(f"A Dexcom glucose value is not a number ({value!r}).")
    if unit == "mg/dL":
        value = value / MG_DL_PER_MMOL_L
    elif unit != "mmol/L":
        raise ProviderError(f"A Dexcom glucose record is in an unknown unit ({unit!r}).")
    return SampleRecord(
        timestamp=system,
        value=value,
        timezone_offset=_offset(system, shown),
        source_type="automatic",  # Vital's type for a CGM's own readings
        device_id=str(record.get("transmitterId") or ""),
    )


def _moment(raw: str) -> datetime:
    moment = datetime.fromisoformat(raw)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _offset(system: datetime, shown: datetime) -> int:
    if shown.tzinfo is not None:
        return int(shown.utcoffset().total_seconds())
    apart = (shown - system.replace(tzinfo=None)).total_seconds()
    return round(apart / _QUARTER_HOUR) * _QUARTER_HOUR
