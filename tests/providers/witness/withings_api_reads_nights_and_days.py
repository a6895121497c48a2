"""withings-api reads Withings' nights and days: `sleep_get_summary` and `measure_get_activity`
from one date to another, page after page while `more`; prints what its models parsed."""

import json
import sys

from withings_api.common import GetSleepSummaryField
from withings_api_client import withings_api

access_token, first, last = sys.argv[1:]
api = withings_api(access_token)


def every_page(read, key):
    items, offset = [], None
    while True:
        answer = read(startdateymd=first, enddateymd=last, offset=offset, lastupdate=None)
        items += getattr(answer, key)
        if not answer.more:
            return items
        offset = answer.offset


nights = every_page(
    lambda **kw: api.sleep_get_summary(data_fields=GetSleepSummaryField, **kw), "series"
)
days = every_page(api.measure_get_activity, "activities")
print(
    json.dumps(
        {
            "nights": [
                {
                    "date": n.date.format("YYYY-MM-DD"),
                    "start": n.startdate.int_timestamp,
                    "offset": n.startdate.utcoffset().total_seconds(),
                    "deep": n.data.deepsleepduration,
                }
                for n in nights
            ],
            "days": [
                {"date": d.date.format("YYYY-MM-DD"), "steps": d.steps, "kcal": d.totalcalories}
                for d in days
            ],
        }
    )
)
