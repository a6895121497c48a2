"""WHOOP's legacy password login (a JSON password grant at api-7 with `issueRefresh`, answered
with the tokens and a `user` object), retired: reported broken since mid-2025, and superseded by
WHOOP's official OAuth API (`whoop_v2`). It is offered to no one; a stored connection's next
refresh fails and is reported as ended by the provider, pointing the user to WHOOP's API."""

from ...base import Status
from ...password import PasswordGrantAdapter


class WhoopAdapter(PasswordGrantAdapter):
    slug = "whoop"
    vital_id = 13
    name = "WHOOP (legacy)"
    description = "Recovery, strain and sleep from WHOOP."
    status = Status.RETIRED
    successor = "whoop_v2"
    gone_message = (
        "WHOOP's old sign-in no longer works. Connect WHOOP again through its official API."
    )
    docs_url = "https://developer.whoop.com/docs/developing/oauth"
    checked_on = "2026-12-01"
    sources = (
        "https://github.com/pelo-tech/whoop-google-sheets/issues/11",
        "https://github.com/pelo-tech/whoop-google-sheets/issues/12",
        "https://developer.whoop.com/docs/developing/oauth",
    )
    note = (
        'Retired: the legacy password login has been reported broken since mid-2025 ("Error '
        'occurred. Undefined"); connect WHOOP through its official API instead. Not verified: '
        "that the api-7 host no longer resolves, and that WHOOP's app moved to Cognito (both "
        "reported, no source found); the sandbox answers 410 Gone in their place."
    )
    supported_resources = ("sleep", "workouts", "hrv", "heartrate", "activity")
    hosts = {"api": "https://api-7.whoop.com"}
    token_endpoint = ("api", "/oauth/token")
    app_fields = {"issueRefresh": True}

    def user_id(self, data):
        return str(data["user"]["id"])
