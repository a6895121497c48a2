"""Reading Garmin's Health API summaries, `dailies` (activity and the day's heart-rate samples)
and `sleeps`, and its Activity API's `activities` (workouts), from
https://apis.garmin.com/wellness-api/rest/<summary type>, chosen by upload time with
`uploadStartTimeInSeconds`/`uploadEndTimeInSeconds`, at most 24 hours a request (so a window is
read a day at a time; the cursor is the next day's start), authorised by the OAuth 2
Bearer token. Sources: the-momentum/open-wearables' Garmin client
(backend/app/services/providers/garmin/data_247.py, providers/api_client.py: the paths, the
parameters, the 24-hour limit and the Bearer header); Garmin's API document ("Summary
Endpoints": the range is by upload time, at most 24 hours; "Time Values": Unix seconds, and
`startTimeOffsetInSeconds` is the device's local offset), read in a copy in the public code
index whose repository is not named; its example dailies and sleeps, which RADAR-base's
RADAR-PushEndpoint tests and converters read too (durations in seconds, distances in metres,
kcal, `timeOffsetHeartRateSamples` mapping seconds after the start to bpm).

Pings (the same document, "Ping Notification Content", and open-wearables' webhook handler): a
JSON POST with lists of {userId, callbackURL} under each summary type and the app's
`garmin-client-id` header. Garmin signs nothing, so that header, which must name one of our
apps, is the only check; with OAuth 2 no user access token comes with it (RADAR-PushEndpoint's
GarminOAuth2AuthValidator). Link answers 200 at once and pulls by upload time itself rather
than calling the callbackURL.

Unverified, and missing: how far back upload-time queries reach (open-wearables notes about 7
days). Older history comes through Garmin's backfill requests
(/wellness-api/rest/backfill/<type>?summaryStartTimeInSeconds=…, as RADAR-PushEndpoint makes
them), whose data then arrives by ping or push; Link does not make them yet."""

import json
from datetime import UTC, datetime

from django.http import HttpResponse
from django.utils.crypto import constant_time_compare

from ...data import Notice, Page, SampleRecord, SummaryRecord, VendorData
from ...errors import ProviderApiError

_MAX_RANGE = 86400  # seconds of upload time a request may cover
_SOURCE = "watch"
_SUMMARY_TYPES = {
    "activity": "dailies",
    "heartrate": "dailies",
    "sleep": "sleeps",
    "workouts": "activities",
}
_PINGED = {
    "dailies": ("activity", "heartrate"),
    "sleeps": ("sleep",),
    "activities": ("workouts",),
}


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def activity_record(daily: dict) -> SummaryRecord:
    moderate, vigorous = (
        daily.get(f"{level}IntensityDurationInSeconds") or 0 for level in ("moderate", "vigorous")
    )
    fields = {
        "calendar_date": daily["calendarDate"],
        "timezone_offset": daily["startTimeOffsetInSeconds"],
        "calories_active": daily["activeKilocalories"],
        "calories_total": daily["activeKilocalories"] + daily["bmrKilocalories"],
        "steps": daily["steps"],
        "distance": daily.get("distanceInMeters"),
        "floors_climbed": daily.get("floorsClimbed"),
        "medium": moderate / 60,  # Vital's intensities are minutes
        "high": vigorous / 60,
    }
    return SummaryRecord(daily["summaryId"], fields, raw=daily, source_type=_SOURCE)


def heartrate_records(daily: dict) -> list[SampleRecord]:
    start, offset = daily["startTimeInSeconds"], daily["startTimeOffsetInSeconds"]
    samples = daily.get("timeOffsetHeartRateSamples") or {}
    return [
        SampleRecord(_at(start + int(after)), bpm, timezone_offset=offset, source_type=_SOURCE)
        for after, bpm in samples.items()
    ]


def sleep_record(sleep: dict) -> SummaryRecord:
    start = sleep["startTimeInSeconds"]
    deep, light = sleep["deepSleepDurationInSeconds"], sleep["lightSleepDurationInSeconds"]
    rem, awake = sleep["remSleepInSeconds"], sleep["awakeDurationInSeconds"]
    fields = {
        "calendar_date": sleep["calendarDate"],
        "bedtime_start": _at(start),
        "bedtime_stop": _at(start + sleep["durationInSeconds"]),
        "timezone_offset": sleep["startTimeOffsetInSeconds"],
        "type": "long_sleep",
        "duration": sleep["durationInSeconds"],
        "total": deep + light + rem,
        "awake": awake,
        "light": light,
        "rem": rem,
        "deep": deep,
    }
    return SummaryRecord(sleep["summaryId"], fields, raw=sleep, source_type=_SOURCE)


def workout_record(activity: dict) -> SummaryRecord:
    start, offset = activity["startTimeInSeconds"], activity["startTimeOffsetInSeconds"]
    local = _at(start + offset)  # the wall-clock time on the device, which dates the workout
    fields = {
        "calendar_date": local.date(),
        "title": activity.get("activityName") or activity["activityType"],
        "time_start": _at(start),
        "time_end": _at(start + activity["durationInSeconds"]),
        "timezone_offset": offset,
        "average_hr": activity.get("averageHeartRateInBeatsPerMinute"),
        "max_hr": activity.get("maxHeartRateInBeatsPerMinute"),
        "distance": activity.get("distanceInMeters"),
        "calories": activity.get("activeKilocalories"),
        "moving_time": activity["durationInSeconds"],
        "total_elevation_gain": activity.get("totalElevationGainInMeters"),
    }
    device = activity.get("deviceName") or ""
    return SummaryRecord(
        activity["summaryId"], fields, raw=activity, source_type=_SOURCE, device_id=device
    )


_READERS = {"activity": activity_record, "sleep": sleep_record, "workouts": workout_record}


def records_of(resource: str, summaries: list) -> list:
    if resource == "heartrate":
        return [sample for daily in summaries for sample in heartrate_records(daily)]
    return [_READERS[resource](summary) for summary in summaries]


class GarminData(VendorData):
    resources = ("activity", "sleep", "heartrate", "workouts")
    pushes = True

    def page(self, resource, start, end, cursor):
        # In whole seconds, as Garmin takes them, so no request covers less than one.
        since = int(cursor) if cursor else int(start.timestamp())
        last = max(int(end.timestamp()), since + 1)
        until = min(since + _MAX_RANGE, last)
        summaries = self.get(
            f"/wellness-api/rest/{_SUMMARY_TYPES[resource]}",
            {"uploadStartTimeInSeconds": since, "uploadEndTimeInSeconds": until},
        )
        try:
            records = records_of(resource, summaries)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problem = f"Garmin's {resource} summaries were not in their usual shape ({exc!r})."
            raise ProviderApiError(problem) from None
        return Page(records, str(until) if until < last else None)

    @classmethod
    def notice(cls, request, apps):
        if request.method != "POST":
            return HttpResponse(status=405), []
        client_id = request.headers.get("garmin-client-id", "")
        if not client_id or not any(constant_time_compare(client_id, a.client_id) for a in apps):
            return HttpResponse(status=401), []
        try:
            ping = json.loads(request.body)
            users = {
                (str(item["userId"]), kind)
                for kind, items in ping.items()
                if kind in _PINGED
                for item in items
            }
        except (ValueError, KeyError, TypeError, AttributeError):
            return HttpResponse(status=400), []
        return HttpResponse(status=200), [Notice(user, _PINGED[kind]) for user, kind in users]
