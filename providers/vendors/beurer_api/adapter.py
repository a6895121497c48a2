"""Beurer HealthManager Pro (beta). Beurer publishes no cloud API and no open implementation of
its login was found, so this is the best-supported shape, an OAuth password grant (JSON) with a
refresh token (the password is never stored) and the user id as the JWT `sub`. The host and
path are unverified: capture the app's real login before relying on this in production."""

from ...base import Status
from ...password import PasswordGrantAdapter, jwt_subject


class BeurerAdapter(PasswordGrantAdapter):
    slug = "beurer_api"
    vital_id = 12
    name = "Beurer"
    description = "Blood pressure and weight from Beurer HealthManager Pro."
    status = Status.BETA
    docs_url = "https://www.beurer.com/web/gb/service/healthmanager-pro/"
    checked_on = "2026-11-01"
    sources = ("https://www.beurer.com/web/gb/service/healthmanager-pro/",)
    note = (
        "Beta: Beurer publishes no cloud API and no open implementation of its login was found; "
        "the flow follows the common OAuth password-grant shape and its endpoint is unverified, "
        "so production sign-ins may fail until it is checked against the app."
    )
    supported_resources = ("blood_pressure", "weight", "glucose")
    hosts = {"cloud": "https://healthmanagerpro.beurer.com"}
    token_endpoint = ("cloud", "/api/oauth/token")

    def user_id(self, data):
        return jwt_subject(data["access_token"])
