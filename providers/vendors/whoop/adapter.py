"""WHOOP's legacy password login: a JSON password grant at api-7 with `issueRefresh`, answered
with the tokens and a `user` object. Reported broken since mid-2025 and superseded by WHOOP's
official OAuth API (`whoop_v2`); kept for existing connections. The refresh token it issues
keeps the connection alive, so the password is never stored."""

from ...base import Status
from ...password import PasswordGrantAdapter


class WhoopAdapter(PasswordGrantAdapter):
    slug = "whoop"
    vital_id = 13
    name = "WHOOP (legacy)"
    description = "Recovery, strain and sleep from WHOOP."
    status = Status.LEGACY
    docs_url = "https://developer.whoop.com/docs/developing/oauth"
    checked_on = "2026-11-01"
    sources = (
        "https://github.com/pelo-tech/whoop-google-sheets/issues/11",
        "https://developer.whoop.com/docs/developing/oauth",
    )
    note = (
        "Legacy password login, reported broken since mid-2025 and superseded by WHOOP's official "
        "OAuth API (whoop_v2); prefer whoop_v2 for new connections."
    )
    supported_resources = ("sleep", "workouts", "hrv", "heartrate", "activity")
    hosts = {"api": "https://api-7.whoop.com"}
    token_endpoint = ("api", "/oauth/token")
    app_fields = {"issueRefresh": True}

    def user_id(self, data):
        return str(data["user"]["id"])
