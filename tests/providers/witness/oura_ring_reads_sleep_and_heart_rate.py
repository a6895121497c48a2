"""oura-ring reads sleep periods and heart rate from Oura (our emulator), following its
`next_token` pages itself; its code is untouched.

    oura_ring_reads_sleep_and_heart_rate.py ACCESS_TOKEN START_DATE END_DATE START_DT END_DT"""

import json
import sys

from oura_ring import OuraClient

token, start_date, end_date, start_datetime, end_datetime = sys.argv[1:]
with OuraClient(token) as client:
    sleep = client.get_sleep_periods(start_date=start_date, end_date=end_date)
    heartrate = client.get_heart_rate(start_datetime=start_datetime, end_datetime=end_datetime)
print(json.dumps({"sleep": sleep, "heartrate": heartrate}))
