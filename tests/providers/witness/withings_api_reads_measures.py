"""withings-api reads Withings' measures: `measure_get_meas` for weight between two epoch
seconds, page after page while `more`; prints each group's time, its weight (as the client's
own `get_measure_value` reads it) and its UTC offset in the answer's time zone."""

import json
import sys

from withings_api.common import MeasureType, get_measure_value
from withings_api_client import withings_api

access_token, start, end = sys.argv[1:]
api = withings_api(access_token)
groups, offset = [], None
while True:
    answer = api.measure_get_meas(
        meastype=MeasureType.WEIGHT,
        startdate=int(start),
        enddate=int(end),
        offset=offset,
        lastupdate=None,
    )
    groups += [
        {
            "date": group.date.int_timestamp,
            "weight": get_measure_value(group, MeasureType.WEIGHT),
            "offset": group.date.to(answer.timezone).utcoffset().total_seconds(),
        }
        for group in answer.measuregrps
    ]
    if not answer.more:
        break
    offset = answer.offset
print(json.dumps(groups))
