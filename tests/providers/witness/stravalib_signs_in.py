"""stravalib's OAuth steps against Strava: `authorize` prints the authorization URL it builds;
`exchange <code>` trades the code (stravalib sends no redirect_uri) for tokens and the athlete,
then refreshes them."""

import json
import sys

from stravalib import Client

step, client_id, client_secret, *code = sys.argv[1:]
client = Client()
if step == "authorize":
    url = client.authorization_url(
        client_id=int(client_id),
        redirect_uri="https://app.example/strava/callback",
        scope=["read", "activity:read_all"],
        state="witness-state",
    )
    print(json.dumps({"authorize_url": url}))
else:
    access, athlete = client.exchange_code_for_token(
        client_id=int(client_id), client_secret=client_secret, code=code[0], return_athlete=True
    )
    refreshed = client.refresh_access_token(
        client_id=int(client_id), client_secret=client_secret, refresh_token=access["refresh_token"]
    )
    print(json.dumps({"athlete_id": athlete.id, "refreshed": bool(refreshed["access_token"])}))
