"""pylibrelinkup signs in as the practice and reads a linked patient's graph (validating the
whole answer: connection, sensors, alarm rules, readings), its latest reading with the trend
arrow, and the logbook."""

import json
import sys

from pylibrelinkup import PyLibreLinkUp

email, password, patient_id = sys.argv[1:]
client = PyLibreLinkUp(email=email, password=password)
client.authenticate()


def seen(measurement) -> dict:
    return {
        "at": measurement.factory_timestamp.isoformat(),
        "local": measurement.timestamp.isoformat(),
        "mg_dl": measurement.value_in_mg_per_dl,
    }


latest = client.latest(patient_id)
print(
    json.dumps(
        {
            "graph": [seen(m) for m in client.graph(patient_id)],
            "latest": {**seen(latest), "trend": int(latest.trend)},
            "logbook": [seen(m) for m in client.logbook(patient_id)],
        }
    )
)
