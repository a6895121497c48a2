"""Hammerhead (Karoo): the dashboard's password grant, form-encoded and with no client id; the
username is the lower-cased email, and the user id is the access token's JWT `sub`. It gives a
refresh token, so the password is never stored. Hammerhead may be moving its login to SRAM ID."""

from ..password import PasswordGrantAdapter, jwt_subject


class HammerheadAdapter(PasswordGrantAdapter):
    slug = "hammerhead"
    docs_url = "https://dashboard.hammerhead.io/"
    hosts = {"dashboard": "https://dashboard.hammerhead.io"}
    token_endpoint = ("dashboard", "/v1/auth/token")
    encoding = "form"

    def login(self, *, username, password, region, mfa_code=None):
        return super().login(
            username=username.strip().lower(), password=password, region=region, mfa_code=mfa_code
        )

    def user_id(self, data):
        return jwt_subject(data["access_token"])
