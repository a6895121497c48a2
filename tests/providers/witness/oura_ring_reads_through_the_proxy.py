"""oura-ring reads a user's daily sleep from Link's proxy instead of Oura: its API base is the
proxy's URL for the connection, and its "access token" a bearer token from Link's /oauth/token,
so the pipeline holds no Oura secret. Its code is untouched.

    oura_ring_reads_through_the_proxy.py PROXY_URL LINK_BEARER_TOKEN START_DATE END_DATE"""

import json
import sys

import oura_ring.client
from oura_ring import OuraClient

proxy, token, start, end = sys.argv[1:]
oura_ring.client.API_URL = proxy
with OuraClient(token) as client:
    nights = client.get_daily_sleep(start_date=start, end_date=end)
print(json.dumps({"nights": nights}))
