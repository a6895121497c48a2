"""pydexcom signs in to Dexcom Share in each region, and is refused a wrong password."""

import json

from pydexcom import Dexcom
from pydexcom.errors import AccountError

signed_in = {
    region: Dexcom(username="user_good", password="pass_good", region=region).account_id
    for region in ("us", "ous", "jp")
}
try:
    Dexcom(username="user_good", password="wrong")
    refused = None
except AccountError as error:
    refused = str(error)
print(json.dumps({"signed_in": signed_in, "refused": refused}))
