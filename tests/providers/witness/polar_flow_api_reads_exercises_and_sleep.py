"""polar-flow-api reads the user's exercises (the last 30 days) and nights (the last 28 days,
ending today) with the given access token."""

import asyncio
import json
import sys

from polar_flow import PolarFlow

token = sys.argv[1]


async def read() -> dict:
    async with PolarFlow(access_token=token) as polar:
        exercises = await polar.exercises.list()
        nights = await polar.sleep.list(days=28)
    return {
        "exercises": [
            {
                "id": e.id,
                "start_time": e.start_time.isoformat(),
                "duration_seconds": e.duration_seconds,
                "distance": e.distance,
                "calories": e.calories,
            }
            for e in exercises
        ],
        "nights": [
            {
                "date": n.date.isoformat(),
                "sleep_start_time": n.sleep_start_time.isoformat(),
                "total_sleep_seconds": n.total_sleep_seconds,
            }
            for n in nights
        ],
    }


print(json.dumps(asyncio.run(read())))
