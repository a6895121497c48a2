"""pydexcom signs in to our Dexcom Share and reads the latest glucose readings, parsing each the
way Home Assistant's Dexcom integration does."""

import json

from pydexcom import Dexcom

dexcom = Dexcom(username="user_good", password="pass_good", region="us")
readings = dexcom.get_glucose_readings(minutes=60, max_count=12)
print(
    json.dumps(
        [
            {
                "mg_dl": r.mg_dl,
                "trend": r.trend_direction,
                "at": r.datetime.isoformat(),
            }
            for r in readings
        ]
    )
)
