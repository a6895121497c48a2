"""withings-api's OAuth steps against Withings: `authorize` prints the URL it builds; `exchange
<code>` trades the code (`action=requesttoken`, read out of Withings' envelope) for credentials."""

import json
import sys

from withings_api import AuthScope, WithingsAuth

step, client_id, client_secret, *code = sys.argv[1:]
auth = WithingsAuth(
    client_id,
    client_secret,
    callback_uri="https://app.example/withings/callback",
    scope=(AuthScope.USER_INFO, AuthScope.USER_METRICS, AuthScope.USER_ACTIVITY),
)
if step == "authorize":
    print(json.dumps({"authorize_url": auth.get_authorize_url()}))
else:
    credentials = auth.get_credentials(code[0])
    print(json.dumps({"userid": credentials.userid, "refresh": bool(credentials.refresh_token)}))
