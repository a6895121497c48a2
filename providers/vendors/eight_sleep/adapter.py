"""Eight Sleep: no public API; its app signs in with a password grant (JSON) at auth-api, naming
the app's own client id and secret (embedded in the app, the same in every open integration).
The answer carries `userId` and a refresh token, so the password is never stored. The legacy
`client-api /v1/login` session (15 days, `Session-Token` header) is not used."""

from ...base import Status
from ...password import PasswordGrantAdapter

# Eight Sleep's Android app's client; may change when the app is updated.
CLIENT_ID = "0894c7f33bb94800a03f1f4df13a4f38"
CLIENT_SECRET = "f0954a3ed5763ba3d06834c73731a32f15f168f47d4f164751275def86db0c76"  # noqa: S105


class EightSleepAdapter(PasswordGrantAdapter):
    slug = "eight_sleep"
    vital_id = 11
    name = "Eight Sleep"
    description = "Sleep and bed temperature from Eight Sleep pods."
    status = Status.LIVE
    docs_url = "https://github.com/lukas-clarke/eight_sleep"
    checked_on = "2026-11-01"
    sources = ("https://github.com/lukas-clarke/eight_sleep", "https://github.com/mezz64/pyEight")
    note = (
        "Unofficial API: a password grant with the app's own client id and secret, which Eight "
        "Sleep may change with an app update. No password is stored."
    )
    supported_resources = ("sleep", "heartrate", "hrv", "body_temperature")
    hosts = {"auth": "https://auth-api.8slp.net"}
    token_endpoint = ("auth", "/v1/tokens")
    app_fields = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}

    def user_id(self, data):
        return str(data["userId"])
