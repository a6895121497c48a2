"""Beurer HealthManager Pro (beta; the real login is unverified): a JSON password grant whose
access token is a JWT with the user id as `sub`."""

from django.http import JsonResponse

from ..base import PasswordGrantEmulator, account_id


class BeurerEmulator(PasswordGrantEmulator):
    slug = "beurer_api"
    grant_path = "cloud/api/oauth/token"

    def tokens(self, account):
        return JsonResponse(self.grant(account, account_id(account)))
