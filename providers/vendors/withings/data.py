"""Reading Withings' measures (`/measure?action=getmeas`, API reference:
https://developer.withings.com/api-reference#operation/measure-getmeas; shapes as
vangorra/python_withings_api's MeasureGetMeasResponse reads them): the answer is HTTP 200 with
a `{status, body}` envelope; the body holds `measuregrps` (each a `date` in epoch seconds and
`measures` of `value` * 10^`unit`), the user's IANA `timezone`, and `more`/`offset` for the next
page. Measure types (Withings' numbering, listed in the same client's MeasureType): 1 weight kg,
5 fat-free mass kg, 6 fat ratio %, 9 diastolic and 10 systolic mmHg, 11 heart pulse bpm.

Notifications (https://developer.withings.com/developer-guide/v3/integration-guide/bulkship-sdk/
data-api/notifications/notification-content and …/notification-subscribe): Withings checks the
callback URL with a HEAD request that must answer 2xx, then POSTs form fields `userid`, `appli`,
`startdate`, `enddate`. They carry no signature (none is documented), so a notice is taken at its
word: it only triggers a pull. `appli` 1 is weight and body composition, 4 heart rate and blood
pressure (python_withings_api's NotifyAppli: WEIGHT = 1, CIRCULATORY = 4)."""

from datetime import UTC, datetime
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
_APPLIS = {"1": ("weight", "fat", "body"), "4": ("blood_pressure", "heartrate")}


def measures_of(group: dict) -> dict[int, float]:
    """A measure group's values by measure type, in the type's unit (value * 10^unit)."""
    return {m["type"]: float(Decimal(m["value"]).scaleb(m["unit"])) for m in group["measures"]}


def zone_of(body: dict) -> ZoneInfo:
    try:
        return ZoneInfo(body["timezone"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ProviderApiError(f"Withings sent an unknown time zone ({exc}).") from None


def records_of(resource: str, body: dict) -> list:
    zone = zone_of(body)
    records = []
    for group in body["measuregrps"]:
        at = datetime.fromtimestamp(group["date"], UTC)
        offset = int(at.astimezone(zone).utcoffset().total_seconds())
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


class WithingsData(VendorData):
    resources = ("body", "weight", "fat", "blood_pressure", "heartrate")
    pushes = True

    def page(self, resource, start, end, cursor):
        params = {
            "action": "getmeas",
            "meastypes": ",".join(map(str, _TYPES[resource])),
            "category": _REAL_MEASURES,
            "startdate": int(start.timestamp()),
            "enddate": int(end.timestamp()),
        }
        if cursor:
            params["offset"] = cursor
        envelope = self.get("/measure", params)
        try:
            body = _body(envelope)
            records = records_of(resource, body)
            more = bool(body.get("more"))
            return Page(records, str(body["offset"]) if more else None)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problem = f"Withings' measures were not in their usual shape ({exc!r})."
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
