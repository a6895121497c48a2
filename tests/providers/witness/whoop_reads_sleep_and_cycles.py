"""The whoop client reads a user's sleeps and cycles from WHOOP v2 (our emulator) with a saved
access token, following `next_token` itself (25 a page); its code is untouched.

    whoop_reads_sleep_and_cycles.py ACCESS_TOKEN START_DATE END_DATE"""

import json
import sys
import time

from whoop import WhoopClient

token, start_date, end_date = sys.argv[1:]
saved = {"access_token": token, "token_type": "Bearer", "expires_at": int(time.time()) + 3600}
with WhoopClient("witness", "unused", token=saved) as client:
    sleep = client.get_sleep_collection(start_date=start_date, end_date=end_date)
    cycles = client.get_cycle_collection(start_date=start_date, end_date=end_date)
print(json.dumps({"sleep": sleep, "cycles": cycles}))
