"""Reading WHOOP's API v2 (https://developer.whoop.com/api): sleeps, workouts and physiological
cycles (Vital's daily activity), each a collection queried by `start`/`end` and paged with
`nextToken` at most 25 records a page; the profile from the basic profile and the body
measurement. WHOOP gives times in UTC with the user's `timezone_offset` ("-05:00") beside them,
durations in milliseconds and energy in kilojoules; Vital wants seconds and kcal.

WHOOP's webhooks (https://developer.whoop.com/docs/developing/webhooks) name the user and an
event type; each is verified by X-WHOOP-Signature, the base64 HMAC-SHA256 of
X-WHOOP-Signature-Timestamp + the raw body under the app's client secret."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone

from django.http import HttpResponse
from django.utils.crypto import constant_time_compare

from ...data import Notice, Page, SummaryRecord, VendorData, vendor_shapes

PAGE_LIMIT = 25  # WHOOP's maximum
KCAL_PER_KJ = 1 / 4.184
_SOURCE = "watch"  # Vital's source type for a strap [Link's choice]
# WHOOP's webhook event types (before the dot) and the resources Link pulls again for each (a
# recovery's resting heart rate and HRV are kept on its sleep).
_EVENTS = {"sleep": ("sleep",), "recovery": ("sleep",), "workout": ("workouts",)}
_ZONES = ("zero", "one", "two", "three", "four", "five")


def local_time(doc: dict, key: str) -> tuple[datetime, int]:
    """A record's instant `key`, in the user's offset, and that offset in seconds."""
    sign, hours, minutes = _offset_parts(doc["timezone_offset"])
    seconds = sign * (hours * 3600 + minutes * 60)
    at = datetime.fromisoformat(doc[key]).astimezone(timezone(timedelta(seconds=seconds)))
    return at, seconds


def _offset_parts(offset: str) -> tuple[int, int, int]:
    """'+hh:mm', '-hh:mm' or 'Z' (WHOOP's Time Zone Designator)."""
    if offset == "Z":
        return 1, 0, 0
    hours, minutes = offset[1:].split(":")
    return (-1 if offset[0] == "-" else 1), int(hours), int(minutes)


def _seconds(milli: int) -> int:
    return round(milli / 1000)


def sleep_record(doc: dict, recovery: dict | None) -> SummaryRecord:
    """A sleep, with what its scored recovery (None: a nap, or not scored yet) measured."""
    start, offset = local_time(doc, "start")
    end, _ = local_time(doc, "end")
    score, stages = doc["score"], doc["score"]["stage_summary"]
    light, deep, rem = (
        _seconds(stages[f"total_{stage}_time_milli"])
        for stage in ("light_sleep", "slow_wave_sleep", "rem_sleep")
    )
    fields = {
        "calendar_date": end.date(),  # the local day the sleep ends, as Vital files a night
        "bedtime_start": start,
        "bedtime_stop": end,
        "timezone_offset": offset,
        "type": "acknowledged_nap" if doc["nap"] else "long_sleep",
        "duration": _seconds(stages["total_in_bed_time_milli"]),
        "total": light + deep + rem,
        "awake": _seconds(stages["total_awake_time_milli"]),
        "light": light,
        "rem": rem,
        "deep": deep,
        "score": score.get("sleep_performance_percentage"),  # [Link's choice]
        "efficiency": score.get("sleep_efficiency_percentage"),
        "respiratory_rate": score.get("respiratory_rate"),
    }
    if recovery:
        fields["hr_resting"] = recovery["score"]["resting_heart_rate"]
        fields["average_hrv"] = recovery["score"]["hrv_rmssd_milli"]
    return SummaryRecord(doc["id"], fields, raw=doc, source_type=_SOURCE)


def workout_record(doc: dict) -> SummaryRecord:
    start, offset = local_time(doc, "start")
    end, _ = local_time(doc, "end")
    score = doc["score"]
    zones = score["zone_durations"]
    fields = {
        "calendar_date": start.date(),
        "title": doc["sport_name"],
        "time_start": start,
        "time_end": end,
        "timezone_offset": offset,
        "average_hr": score["average_heart_rate"],
        "max_hr": score["max_heart_rate"],
        "distance": score.get("distance_meter"),
        "calories": score["kilojoule"] * KCAL_PER_KJ,
        "total_elevation_gain": score.get("altitude_gain_meter"),
        "hr_zones": [_seconds(zones[f"zone_{zone}_milli"]) for zone in _ZONES],
    }
    return SummaryRecord(doc["id"], fields, raw=doc, source_type=_SOURCE)


def cycle_record(doc: dict) -> SummaryRecord:
    start, offset = local_time(doc, "start")
    fields = {
        "calendar_date": start.date(),  # the local day the cycle starts [Link's choice]
        "timezone_offset": offset,
        "calories_total": doc["score"]["kilojoule"] * KCAL_PER_KJ,
    }
    return SummaryRecord(str(doc["id"]), fields, raw=doc, source_type=_SOURCE)


def profile_record(basic: dict, body: dict) -> SummaryRecord:
    fields = {"height": round(body["height_meter"] * 100)}  # Vital's centimetres
    return SummaryRecord(str(basic["user_id"]), fields, raw={**basic, **body}, source_type=_SOURCE)


_COLLECTIONS = {
    "workouts": ("/v2/activity/workout", workout_record),
    "activity": ("/v2/cycle", cycle_record),
}


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class WhoopV2Data(VendorData):
    resources = ("sleep", "workouts", "activity", "profile")
    pushes = True

    def page(self, resource, start, end, cursor):
        if resource == "profile":
            basic = self.get("/v2/user/profile/basic")
            body = self.get("/v2/user/measurement/body")
            with vendor_shapes():
                return Page([profile_record(basic, body)])
        if resource == "sleep":
            answer, sleeps = self._records("/v2/activity/sleep", start, end, cursor)
            with vendor_shapes():
                recoveries = self._recoveries(sleeps)
                records = [sleep_record(doc, recoveries.get(doc["id"])) for doc in sleeps]
                return Page(records, answer.get("next_token") or None)
        path, read = _COLLECTIONS[resource]
        answer, scored = self._records(path, start, end, cursor)
        with vendor_shapes():
            return Page([read(doc) for doc in scored], answer.get("next_token") or None)

    def _records(self, path, start, end, cursor) -> tuple[dict, list[dict]]:
        """One page of a collection, and its scored records (the others have no numbers)."""
        params = {"start": _instant(start), "end": _instant(end), "limit": PAGE_LIMIT}
        if cursor:
            params["nextToken"] = cursor
        answer = self.get(path, params)
        with vendor_shapes():
            return answer, [doc for doc in answer["records"] if doc["score_state"] == "SCORED"]

    def _recoveries(self, sleeps: list[dict]) -> dict[str, dict]:
        """The recoveries of a page of sleeps, by sleep id: those of the sleeps' span, every
        page of them."""
        if not sleeps:
            return {}
        starts = [datetime.fromisoformat(doc["start"]) for doc in sleeps]
        found, cursor = {}, None
        while True:
            span = (min(starts), max(starts) + timedelta(milliseconds=1))
            answer, scored = self._records("/v2/recovery", *span, cursor)
            found.update((doc["sleep_id"], doc) for doc in scored)
            cursor = answer.get("next_token")
            if not cursor:
                return found

    @classmethod
    def notice(cls, request, apps):
        stamp = request.headers.get("X-WHOOP-Signature-Timestamp", "").encode()
        signature = request.headers.get("X-WHOOP-Signature", "")
        signed = stamp + request.body
        expected = (
            base64.b64encode(
                hmac.new(a.client_secret.encode(), signed, hashlib.sha256).digest()
            ).decode()
            for a in apps
        )
        if not stamp or not any(constant_time_compare(signature, e) for e in expected):
            return HttpResponse(status=401), []
        try:
            note = json.loads(request.body)
            user, kind = str(note["user_id"]), note["type"].split(".")[0]
        except (ValueError, KeyError, TypeError, AttributeError):
            return HttpResponse(status=400), []
        resources = _EVENTS.get(kind)
        return HttpResponse(status=204), [Notice(user, resources)] if resources else []
