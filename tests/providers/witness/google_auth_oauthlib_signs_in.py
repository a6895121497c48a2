"""Google's own OAuth client against Google Health: `authorize` prints the URL it builds (offline,
consent, PKCE); `exchange <code>` trades the code the way it does (HTTP Basic and the PKCE
verifier), then reads the identity with the session it returns."""

import json
import sys

from google_auth_oauthlib.flow import Flow

step, client_id, client_secret, *code = sys.argv[1:]
SCOPES = [
    "https://www.googleapis.com/auth/googlehealth.activity_and_fitness.readonly",
    "https://www.googleapis.com/auth/googlehealth.sleep.readonly",
]
CONFIG = {
    "web": {
        "client_id": client_id,
        "client_secret": client_secret,
        "auth_uri": "https://accounts.google.com/o/oauth2/v2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
}
# The PKCE verifier has to survive between the two steps, as a web app keeps it in its session.
flow = Flow.from_client_config(
    CONFIG,
    SCOPES,
    redirect_uri="https://app.example/google/callback",
    code_verifier="witness-verifier-" + "v" * 40,
)
if step == "authorize":
    url, _ = flow.authorization_url(access_type="offline", prompt="consent")
    print(json.dumps({"authorize_url": url}))
else:
    flow.fetch_token(code=code[0])
    identity = flow.authorized_session().get("https://health.googleapis.com/v4/users/me/identity")
    print(
        json.dumps({"identity": identity.json(), "refresh": bool(flow.credentials.refresh_token)})
    )
