"""Reading Oura's API v2 (https://cloud.ouraring.com/v2/docs): sleep periods (`sleep`, not only
`daily_sleep`'s scores; their five-minute HRV series too), `daily_activity`, `workout` and
`personal_info`, queried by date and paged with `next_token`; `heartrate` by
`start_datetime`/`end_datetime`. Shapes and units from the API reference as hedgertronic/oura-ring's
client documents them: durations in seconds, distances in metres, calories in kcal, height in
metres, local times with their offset.

Oura's webhooks (see the emulator's docstring for the sources) name the user and the data type
that changed; each is verified by its `x-oura-signature` over `x-oura-timestamp` + the body with
the app's client secret. A subscription's GET check must carry the app's verification token:
Link's is `verification_token(app)`, to give Oura when subscribing."""

import hashlib
import hmac
import json
from datetime import date, datetime, timedelta

from django.http import HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare

from ...base import AppCredentials
from ...data import Notice, Page, SampleRecord, SummaryRecord, VendorData, vendor_shapes

_SOURCE = "ring"
# Oura's webhook data types and the resources Link pulls again for each.
_DATA_TYPES = {
    "sleep": ("sleep", "hrv"),
    "daily_sleep": ("sleep",),
    "daily_activity": ("activity",),
    "workout": ("workouts",),
}
_COLLECTIONS = {
    "sleep": "sleep",
    "hrv": "sleep",
    "activity": "daily_activity",
    "workouts": "workout",
    "heartrate": "heartrate",
}


def verification_token(app: AppCredentials) -> str:
    """The verification token Link expects of Oura for one app, derived from its secret so Link
    stores nothing more."""
    key = app.client_secret.encode()
    return hmac.new(key, b"link oura webhook verification", hashlib.sha256).hexdigest()


def _offset(moment: datetime) -> int:
    return int(moment.utcoffset().total_seconds())


def sleep_record(doc: dict) -> SummaryRecord:
    start, end = (datetime.fromisoformat(doc[k]) for k in ("bedtime_start", "bedtime_end"))
    fields = {
        "calendar_date": date.fromisoformat(doc["day"]),
        "bedtime_start": start,
        "bedtime_stop": end,
        "timezone_offset": _offset(start),
        "type": doc["type"],
        "duration": doc["time_in_bed"],
        "total": doc["total_sleep_duration"],
        "awake": doc["awake_time"],
        "light": doc["light_sleep_duration"],
        "rem": doc["rem_sleep_duration"],
        "deep": doc["deep_sleep_duration"],
        "efficiency": doc["efficiency"],
        "latency": doc["latency"],
        "hr_lowest": doc["lowest_heart_rate"],
        "hr_average": doc["average_heart_rate"],
        "average_hrv": doc["average_hrv"],
        "respiratory_rate": doc["average_breath"],
    }
    return SummaryRecord(doc["id"], fields, raw=doc, source_type=_SOURCE)


def activity_record(doc: dict) -> SummaryRecord:
    fields = {
        "calendar_date": date.fromisoformat(doc["day"]),
        "timezone_offset": _offset(datetime.fromisoformat(doc["timestamp"])),
        "calories_total": doc["total_calories"],
        "calories_active": doc["active_calories"],
        "steps": doc["steps"],
        "daily_movement": doc["equivalent_walking_distance"],
        "low": doc["low_activity_time"] / 60,  # Vital's are minutes
        "medium": doc["medium_activity_time"] / 60,
        "high": doc["high_activity_time"] / 60,
    }
    return SummaryRecord(doc["id"], fields, raw=doc, source_type=_SOURCE)


def workout_record(doc: dict) -> SummaryRecord:
    start, end = (datetime.fromisoformat(doc[k]) for k in ("start_datetime", "end_datetime"))
    fields = {
        "calendar_date": date.fromisoformat(doc["day"]),
        "title": doc["label"] or doc["activity"],
        "time_start": start,
        "time_end": end,
        "timezone_offset": _offset(start),
        "distance": doc["distance"],
        "calories": doc["calories"],
        "moving_time": int((end - start).total_seconds()),
    }
    return SummaryRecord(doc["id"], fields, raw=doc, source_type=_SOURCE)


def profile_record(info: dict) -> SummaryRecord:
    height = info.get("height")
    fields = {
        "height": round(height * 100) if height else None,  # metres → Vital's centimetres
        "sex": info.get("biological_sex"),
    }
    return SummaryRecord(str(info["id"]), fields, raw=info, source_type=_SOURCE)


def heartrate_record(sample: dict) -> SampleRecord:
    return SampleRecord(
        datetime.fromisoformat(sample["timestamp"]), sample["bpm"], source_type=_SOURCE
    )


def hrv_records(doc: dict) -> list[SampleRecord]:
    """A sleep's five-minute RMSSD series (ms), without the slots the ring could not score."""
    series = doc["hrv"]
    start, step = datetime.fromisoformat(series["timestamp"]), timedelta(seconds=series["interval"])
    return [
        SampleRecord(start + n * step, value, timezone_offset=_offset(start), source_type=_SOURCE)
        for n, value in enumerate(series["items"])
        if value is not None
    ]


_READERS = {
    "sleep": lambda doc: [sleep_record(doc)],
    "hrv": hrv_records,
    "activity": lambda doc: [activity_record(doc)],
    "workouts": lambda doc: [workout_record(doc)],
    "heartrate": lambda sample: [heartrate_record(sample)],
}


class OuraData(VendorData):
    resources = ("sleep", "hrv", "activity", "workouts", "heartrate", "profile")
    pushes = True

    def page(self, resource, start, end, cursor):
        if resource == "profile":
            info = self.get("/v2/usercollection/personal_info")
            with vendor_shapes():
                return Page([profile_record(info)])
        if resource == "heartrate":
            params = {"start_datetime": start.isoformat(), "end_datetime": end.isoformat()}
        else:
            # A night is filed under the day it ends: one day more finds the window's last.
            last = end.date() + timedelta(days=1)
            params = {"start_date": start.date().isoformat(), "end_date": last.isoformat()}
        if cursor:
            params["next_token"] = cursor
        answer = self.get(f"/v2/usercollection/{_COLLECTIONS[resource]}", params)
        with vendor_shapes():
            records = [record for doc in answer["data"] for record in _READERS[resource](doc)]
            return Page(records, answer["next_token"] or None)

    @classmethod
    def notice(cls, request, apps):
        if request.method == "GET":
            token = request.GET.get("verification_token", "")
            if not any(constant_time_compare(token, verification_token(a)) for a in apps):
                return HttpResponse(status=401), []
            return JsonResponse({"challenge": request.GET.get("challenge", "")}), []
        stamp = request.headers.get("x-oura-timestamp", "").encode()
        signature = request.headers.get("x-oura-signature", "")
        signed = stamp + request.body
        expected = (
            hmac.new(a.client_secret.encode(), signed, hashlib.sha256).hexdigest().upper()
            for a in apps
        )
        if not stamp or not any(constant_time_compare(signature, e) for e in expected):
            return HttpResponse(status=401), []
        try:
            note = json.loads(request.body)
            user, data_type = str(note["user_id"]), note["data_type"]
        except (ValueError, KeyError, TypeError):
            return HttpResponse(status=400), []
        resources = _DATA_TYPES.get(data_type)
        return HttpResponse(status=200), [Notice(user, resources)] if resources else []
