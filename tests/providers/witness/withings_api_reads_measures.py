"""withings-api reads Withings' measures: `measure_get_meas` for weight between two epoch
seconds, page after page while `more`; prints each group's time, its weight (as the client's
own `get_measure_value` reads it) and its UTC offset in the answer's time zone."""

import json
import sys

from withings_api import WithingsApi
from withings_api.common import Credentials2, MeasureType, get_measure_value

access_token, start, end = sys.argv[1:]
api = WithingsApi(
    Credentials2(
        access_token=access_token,
        token_type="Bearer",
        refresh_token="unused",
        userid=1,
        client_id="unused",
        consumer_secret="unused",
        expires_in=3600,
    )
)
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
