"""Hammerhead (Karoo): the dashboard's password grant, form-encoded and with no client id; the
username is the lower-cased email, and the user id is the access token's JWT `sub`. It gives a
refresh token, so the password is never stored. Hammerhead may be moving its login to SRAM ID."""

from ...base import Status
from ...password import PasswordGrantAdapter, jwt_subject


class HammerheadAdapter(PasswordGrantAdapter):
    slug = "hammerhead"
    vital_id = 14
    name = "Hammerhead"
    description = "Rides from Hammerhead Karoo bike computers."
    status = Status.LIVE
    docs_url = "https://www.hammerhead.io/"
    checked_on = "2026-11-01"
    sources = ("https://dashboard.hammerhead.io/",)
    note = (
        "Unofficial API: a password grant; the user id is the JWT subject. Hammerhead may move "
        "its login to SRAM ID. No password is stored."
    )
    supported_resources = ("workouts", "workout_stream", "profile")
    hosts = {"dashboard": "https://dashboard.hammerhead.io"}
    token_endpoint = ("dashboard", "/v1/auth/token")
    encoding = "form"

    def login(self, *, username, password, region, mfa_code=None):
        return super().login(
            username=username.strip().lower(), password=password, region=region, mfa_code=mfa_code
        )

    def user_id(self, data):
        return jwt_subject(data["access_token"])
