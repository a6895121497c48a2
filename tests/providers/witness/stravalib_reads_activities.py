"""stravalib reads the athlete and their activities between two instants (epoch seconds) with
the given access token, a few to a page so that it pages as it would through a long history."""

import json
import sys
from datetime import UTC, datetime

from stravalib import Client
from stravalib.client import BatchedResultsIterator

token, after, before = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
BatchedResultsIterator.default_per_page = 7  # stravalib's only lever on the page size
client = Client(access_token=token)
athlete = client.get_athlete()
activities = client.get_activities(
    after=datetime.fromtimestamp(after, UTC), before=datetime.fromtimestamp(before, UTC)
)
print(
    json.dumps(
        {
            "athlete": {"id": athlete.id, "sex": athlete.sex},
            "activities": [
                {
                    "id": a.id,
                    "name": a.name,
                    "start_date": a.start_date.isoformat(),
                    "utc_offset": a.utc_offset,
                    "distance": float(a.distance),
                    "moving_time": int(a.moving_time),
                    "sport_type": str(a.sport_type.root),
                }
                for a in activities
            ],
        }
    )
)
