"""Hammerhead's dashboard: a form password grant with no client id; the access token is a JWT
whose `sub` is the user id."""

from django.http import JsonResponse

from ...sandbox.base import PasswordGrantEmulator, numeric_id
from .adapter import HammerheadAdapter


class HammerheadEmulator(PasswordGrantEmulator):
    vendor = HammerheadAdapter
    encoding = "form"

    def tokens(self, account):
        return JsonResponse(self.grant(account, str(numeric_id(account))))
