"""Eight Sleep: no public API; its app signs in with a password grant (JSON) at auth-api, naming
the app's own client id and secret (embedded in the app, the same in every open integration).
The answer carries `userId`. The maintained client never uses a refresh grant: it signs in again
with the stored password shortly before the token ends, and so do we (the password is kept,
encrypted). The legacy `client-api /v1/login` session (`Session-Token` header) is not used."""

from dataclasses import replace

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
    checked_on = "2026-12-01"
    sources = (
        "https://github.com/lukas-clarke/eight_sleep",
        "https://github.com/lukas-clarke/eight_sleep/issues/26",
        "https://github.com/lukas-clarke/eight_sleep/pull/61",
        "https://github.com/steipete/eightctl/issues/8",
    )
    note = (
        "Unofficial API: a password grant with the app's own client id and secret, which Eight "
        "Sleep may change with an app update. As its maintained client does, the connection "
        "signs in again with the password (kept, encrypted) when the token ends. No one-time "
        "code. Not verified: whether a refresh grant exists (no maintained client uses one). "
        "pyeight (PyPI) still uses the legacy /v1/login, so it is no witness."
    )
    supported_resources = ("sleep", "heartrate", "hrv", "body_temperature")
    hosts = {"auth": "https://auth-api.8slp.net"}
    token_endpoint = ("auth", "/v1/tokens")
    app_fields = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    stores_password = True

    def login(self, *, username, password, region, mfa_code=None):
        connected = super().login(username=username, password=password, region=region)
        kept = {"username": username, "password": password}
        return replace(connected, tokens=replace(connected.tokens, refresh_token=None, extra=kept))

    def refresh(self, credentials):
        """Sign in again with the kept password, as lukas-clarke/eight_sleep does."""
        extra = credentials["extra"]
        return self.login(
            username=extra["username"], password=extra["password"], region=None
        ).tokens

    def user_id(self, data):
        return str(data["userId"])
