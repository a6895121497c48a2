"""renpho-py signs in to Renpho Health (its AES envelope both ways), checking the account id it
expects, and is refused a wrong password."""

import json
import sys

from renpho import RenphoClient
from renpho.exceptions import RenphoAPIError

expected_id = sys.argv[1]
client = RenphoClient("user_good", "pass_good")
client.login(expected_user_id=expected_id)
try:
    RenphoClient("user_good", "wrong").login()
    refused = None
except RenphoAPIError as error:
    refused = str(error)
print(json.dumps({"user_id": str(client.user_id), "refused": refused}))
