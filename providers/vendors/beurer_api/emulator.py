"""Beurer HealthManager Pro (beta; the real login is unverified): a JSON password grant whose
access token is a JWT with the user id as `sub`."""

from django.http import JsonResponse

from ...sandbox.base import PasswordGrantEmulator, account_id
from .adapter import BeurerAdapter


class BeurerEmulator(PasswordGrantEmulator):
    vendor = BeurerAdapter

    def tokens(self, account):
        return JsonResponse(self.grant(account, account_id(account)))
