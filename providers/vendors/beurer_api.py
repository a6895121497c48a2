"""Beurer HealthManager Pro (beta). Beurer publishes no cloud API and no open implementation of
its login was found, so this is the best-supported shape, an OAuth password grant (JSON) with a
refresh token (the password is never stored) and the user id as the JWT `sub`. The host and
path are unverified: capture the app's real login before relying on this in production."""

from ..password import PasswordGrantAdapter, jwt_subject


class BeurerAdapter(PasswordGrantAdapter):
    slug = "beurer_api"
    docs_url = "https://www.beurer.com/web/gb/service/healthmanager-pro/"
    hosts = {"cloud": "https://healthmanagerpro.beurer.com"}
    token_endpoint = ("cloud", "/api/oauth/token")

    def user_id(self, data):
        return jwt_subject(data["access_token"])
