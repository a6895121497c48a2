"""The whoop client's OAuth steps against WHOOP v2: `authorize` prints the URL Authlib builds
(its own `state`); `exchange <code>` trades the code with the credentials in the body, then
reads the basic profile."""

import json
import sys

from whoop import WhoopClient

step, client_id, client_secret, *code = sys.argv[1:]
client = WhoopClient(client_id, client_secret, redirect_uri="https://app.example/whoop/callback")
if step == "authorize":
    print(json.dumps({"authorize_url": client.authorization_url()[0]}))
else:
    token = client.fetch_token(code=code[0])
    profile = client.get_profile()
    print(json.dumps({"user_id": profile["user_id"], "refresh": bool(token["refresh_token"])}))
