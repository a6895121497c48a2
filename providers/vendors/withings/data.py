"""Reading Withings' measures (`/measure?action=getmeas`, API reference:
https://developer.withings.com/api-reference#operation/measure-getmeas; shapes as
vangorra/python_withings_api's MeasureGetMeasResponse reads them): the answer is HTTP 200 with
a `{status, body}` envelope; the body holds `measuregrps` (each a `date` in epoch seconds and
`measures` of `value` * 10^`unit`), the user's IANA `timezone`, and `more`/`offset` for the next
page. Measure types (Withings' numbering, listed in the same client's MeasureType): 1 weight kg,
5 fat-free mass kg, 6 fat ratio %, 9 diastolic and 10 systolic mmHg, 11 heart pulse bpm.

Nights (`/v2/sleep?action=getsummary`) and days (`/v2/measure?action=getactivity`), chosen by
`startdateymd`/`enddateymd` with the `data_fields` wanted, paged by `offset` while `more`; each
carries its IANA `timezone` and its local `date`; durations in seconds, distance in metres,
calories in kcal, `elevation` in floors (the client's GetSleepSummarySerie, GetSleepSummaryData
and MeasureGetActivityActivity; the units from Withings' field descriptions as the
withings_health Dart package repeats them, https://pub.dev/packages/withings_health). That a
night's `date` is the day it ends is what the sandbox does; unverified against live data.

Notifications (https://developer.withings.com/developer-guide/v3/integration-guide/bulkship-sdk/
data-api/notifications/notification-content and …/notification-subscribe): Withings checks the
callback URL with a HEAD request that must answer 2xx, then POSTs form fields `userid`, `appli`,
`startdate`, `enddate`. They carry no signature (none is documented), so a notice is taken at its
word: it only triggers a pull. `appli` 1 is weight and body composition, 4 heart rate and blood
pressure, 16 activity, 44 sleep (python_withings_api's NotifyAppli: WEIGHT, CIRCULATORY,
ACTIVITY, SLEEP)."""

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpResponse

from ...data import Notice, Page, SampleRecord, SummaryRecord, VendorData
from ...errors import ProviderApiError, ProviderRateLimited

_WEIGHT, _FAT_FREE, _FAT_RATIO, _DIASTOLIC, _SYSTOLIC, _PULSE = 1, 5, 6, 9, 10, 11
_REAL_MEASURES = 1  # category 1: measurements, as opposed to 2, the user's objectives
_RATE_LIMITED = 601
_TYPES = {
    "weight": (_WEIGHT,),
    "fat": (_FAT_RATIO,),
    "blood_pressure": (_DIASTOLIC, _SYSTOLIC),
    "heartrate": (_PULSE,),
    "body": (_WEIGHT, _FAT_RATIO, _FAT_FREE),
}
_APPLIS = {
    "1": ("weight", "fat", "body"),
    "4": ("blood_pressure", "heartrate"),
    "16": ("activity",),
    "44": ("sleep",),
}
_SLEEP_FIELDS = (
    "deepsleepduration",
    "lightsleepduration",
    "remsleepduration",
    "wakeupduration",
    "durationtosleep",
    "hr_average",
    "hr_min",
    "rr_average",
    "sleep_score",
)
_ACTIVITY_FIELDS = (
    "steps",
    "distance",
    "elevation",
    "soft",
    "moderate",
    "intense",
    "calories",
    "totalcalories",
)
# Link's daily resources: the service, its action, the answer's list and the fields to ask for.
_DAILY = {
    "sleep": ("/v2/sleep", "getsummary", "series", _SLEEP_FIELDS),
    "activity": ("/v2/measure", "getactivity", "activities", _ACTIVITY_FIELDS),
}


def measures_of(group: dict) -> dict[int, float]:
    """A measure group's values by measure type, in the type's unit (value * 10^unit)."""
    return {m["type"]: float(Decimal(m["value"]).scaleb(m["unit"])) for m in group["measures"]}


def zone_of(body: dict) -> ZoneInfo:
    try:
        return ZoneInfo(body["timezone"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ProviderApiError(f"Withings sent an unknown time zone ({exc}).") from None


def _offset_at(moment: datetime, zone: ZoneInfo) -> int:
    return int(moment.astimezone(zone).utcoffset().total_seconds())


def records_of(resource: str, body: dict) -> list:
    """The records of one answer's body: its nights or days, or its measure groups."""
    if resource in _DAILY:
        return [_DAILY_READERS[resource](doc) for doc in body[_DAILY[resource][2]]]
    zone = zone_of(body)
    records = []
    for group in body["measuregrps"]:
        at = datetime.fromtimestamp(group["date"], UTC)
        offset = _offset_at(at, zone)
        values = measures_of(group)
        device = {"source_type": _source_type(values), "device_id": group.get("deviceid") or ""}
        if resource == "body":
            fields = {
                "calendar_date": at.astimezone(zone).date(),
                "weight": values.get(_WEIGHT),
                "fat": values.get(_FAT_RATIO),
                "lean_body_mass_kilogram": values.get(_FAT_FREE),
            }
            records.append(SummaryRecord(str(group["grpid"]), fields, raw=group, **device))
        elif resource == "blood_pressure":
            if _SYSTOLIC in values and _DIASTOLIC in values:
                records.append(
                    SampleRecord(
                        at,
                        values[_SYSTOLIC],
                        diastolic=values[_DIASTOLIC],
                        timezone_offset=offset,
                        **device,
                    )
                )
        else:
            (kind,) = _TYPES[resource]
            if kind in values:
                records.append(SampleRecord(at, values[kind], timezone_offset=offset, **device))
    return records


def sleep_record(night: dict) -> SummaryRecord:
    zone = zone_of(night)
    start, end = (datetime.fromtimestamp(night[k], UTC) for k in ("startdate", "enddate"))
    data = night["data"]
    deep, light = data["deepsleepduration"], data["lightsleepduration"]
    rem = data.get("remsleepduration") or 0
    fields = {
        "calendar_date": night["date"],
        "bedtime_start": start,
        "bedtime_stop": end,
        "timezone_offset": _offset_at(start, zone),
        "type": "long_sleep",
        "duration": night["enddate"] - night["startdate"],
        "total": deep + light + rem,
        "awake": data.get("wakeupduration") or 0,
        "light": light,
        "rem": rem,
        "deep": deep,
        "latency": data.get("durationtosleep"),
        "hr_average": data.get("hr_average"),
        "hr_lowest": data.get("hr_min"),
        "respiratory_rate": data.get("rr_average"),
        "score": data.get("sleep_score"),
    }
    return SummaryRecord(str(night["id"]), fields, raw=night)


def activity_record(day: dict) -> SummaryRecord:
    zone = zone_of(day)
    midnight = datetime.combine(date.fromisoformat(day["date"]), time.min, zone)
    fields = {
        "calendar_date": day["date"],
        "timezone_offset": _offset_at(midnight, zone),
        "time_zone": day["timezone"],
        "calories_active": day.get("calories"),
        "calories_total": day.get("totalcalories"),
        "steps": day.get("steps"),
        "distance": day.get("distance"),
        "floors_climbed": day.get("elevation"),
        "low": (day.get("soft") or 0) / 60,  # Vital's intensities are minutes
        "medium": (day.get("moderate") or 0) / 60,
        "high": (day.get("intense") or 0) / 60,
    }
    device = day.get("deviceid") or ""
    return SummaryRecord(day["date"], fields, raw=day, source_type="watch", device_id=device)


_DAILY_READERS = {"sleep": sleep_record, "activity": activity_record}


class WithingsData(VendorData):
    resources = ("body", "weight", "fat", "blood_pressure", "heartrate", "sleep", "activity")
    pushes = True
    subscribes_per_user = True

    def subscribe(self, receiver):
        """Withings notifies per user and per appli, once subscribed (`notify?action=subscribe`;
        it first checks `receiver` answers a HEAD)."""
        for appli in _APPLIS:
            params = {"action": "subscribe", "callbackurl": receiver, "appli": appli}
            _body(self.get("/notify", params))

    def page(self, resource, start, end, cursor):
        if resource in _DAILY:
            service, action, _, wanted = _DAILY[resource]
            params = {
                "action": action,
                "startdateymd": start.date().isoformat(),
                "enddateymd": end.date().isoformat(),
                "data_fields": ",".join(wanted),
            }
        else:
            service = "/measure"
            params = {
                "action": "getmeas",
                "meastypes": ",".join(map(str, _TYPES[resource])),
                "category": _REAL_MEASURES,
                "startdate": int(start.timestamp()),
                "enddate": int(end.timestamp()),
            }
        if cursor:
            params["offset"] = cursor
        envelope = self.get(service, params)
        try:
            body = _body(envelope)
            records = records_of(resource, body)
            more = bool(body.get("more"))
            return Page(records, str(body["offset"]) if more else None)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problem = f"Withings' {resource} data was not in its usual shape ({exc!r})."
            raise ProviderApiError(problem) from None

    @classmethod
    def notice(cls, request, apps):
        if request.method in ("HEAD", "GET"):  # Withings' check that the callback URL answers
            return HttpResponse(status=200), []
        if request.method != "POST":
            return HttpResponse(status=405), []
        userid, appli = request.POST.get("userid", ""), request.POST.get("appli", "")
        if not userid.isdigit() or not appli.isdigit():
            return HttpResponse(status=400), []
        resources = _APPLIS.get(appli)
        return HttpResponse(status=200), [Notice(userid, resources)] if resources else []


def _source_type(values: dict) -> str:
    """Vital's source type: a scale weighs; a cuff measures blood pressure."""
    if _WEIGHT in values:
        return "scale"
    return "cuff" if _SYSTOLIC in values else "unknown"


def _body(envelope) -> dict:
    if envelope["status"] == _RATE_LIMITED:
        raise ProviderRateLimited()
    if envelope["status"] != 0:
        raise ProviderApiError(f"Withings refused the request (status {envelope['status']}).")
    return envelope["body"]
