"""oura-ring's OAuth steps against Oura, with no redirect_uri (Oura then uses the app's registered
one): `authorize` prints the URL it builds; `exchange <code>` trades the code, refreshes once
(Oura's refresh tokens are single use) and is refused the spent one, then reads personal_info
with the new access token."""

import json
import sys

import requests
from oura_ring import OuraAuth, OuraClient

step, client_id, client_secret, *code = sys.argv[1:]
auth = OuraAuth(client_id, client_secret)
if step == "authorize":
    url = auth.authorize_url(scope=["personal", "daily", "spo2"], state="witness")
    print(json.dumps({"authorize_url": url}))
else:
    tokens = auth.exchange_code(code[0])
    refreshed = auth.refresh_token(tokens["refresh_token"])
    try:
        auth.refresh_token(tokens["refresh_token"])
        spent = "accepted"
    except requests.HTTPError as error:
        spent = error.response.status_code
    person = OuraClient(refreshed["access_token"]).get_personal_info()
    print(json.dumps({"id": person["id"], "spent_refresh": spent}))
