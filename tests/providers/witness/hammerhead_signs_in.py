"""The Hammerhead SDK's OAuth calls against Hammerhead: `authorize` prints the documented
authorization URL (the SDK has no builder for it); `exchange <code>` trades the code with the
SDK (a JSON body), refreshes, and deauthorizes."""

import json
import sys
from urllib.parse import urlencode

from hammerhead import Hammerhead

REDIRECT = "https://app.example/hammerhead/callback"
step, client_id, client_secret, *code = sys.argv[1:]
if step == "authorize":
    query = {"client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code"}
    query |= {"scope": "activity:read route:read", "state": "witness"}
    url = f"https://api.hammerhead.io/v1/auth/oauth/authorize?{urlencode(query)}"
    print(json.dumps({"authorize_url": url}))
else:
    sdk = Hammerhead(webhook_signature="unused")  # the SDK refuses to start without one
    app = {"client_id": client_id, "client_secret": client_secret}
    token = sdk.oauth.exchange_token(
        **app, grant_type="authorization_code", code=code[0], redirect_uri=REDIRECT
    )
    again = sdk.oauth.exchange_token(
        **app, grant_type="refresh_token", refresh_token=token.refresh_token
    )
    sdk.oauth.deauthorize(**app, token=again.access_token)
    print(json.dumps({"user_id": token.user_id, "refreshed": bool(again.access_token)}))
