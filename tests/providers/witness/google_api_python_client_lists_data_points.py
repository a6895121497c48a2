"""Google's own API client, built from the discovery document it ships for the Health API
(health v4), lists data points from our emulator page by page with its `list_next`, as an app
would. Only the endpoint is ours (`client_options`: this client calls through httplib2, which
sitecustomize does not reroute)."""

import json
import os
import sys

from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

token, start, end = sys.argv[1:]
health = build(
    "health",
    "v4",
    credentials=Credentials(token),
    static_discovery=True,
    client_options={
        "api_endpoint": f"{os.environ['LINK_WITNESS_SANDBOX']}/sandbox/health.googleapis.com/"
    },
)
points = health.users().dataTypes().dataPoints()


def listed(data_type: str, field: str) -> dict:
    request = points.list(
        parent=f"users/me/dataTypes/{data_type}",
        filter=f'{field} >= "{start}" AND {field} < "{end}"',
    )
    pages, seen = 0, []
    while request is not None:
        answer = request.execute()
        pages += 1
        seen += answer.get("dataPoints", [])
        request = points.list_next(request, answer)
    return {"pages": pages, "points": seen}


print(
    json.dumps(
        {
            "heart-rate": listed("heart-rate", "heart_rate.sample_time.physical_time"),
            "sleep": listed("sleep", "sleep.interval.end_time"),
        }
    )
)
