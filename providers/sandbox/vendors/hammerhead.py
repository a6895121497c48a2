"""Hammerhead's dashboard: a form password grant with no client id; the access token is a JWT
whose `sub` is the user id."""

from django.http import JsonResponse

from ..base import PasswordGrantEmulator, numeric_id


class HammerheadEmulator(PasswordGrantEmulator):
    slug = "hammerhead"
    grant_path = "dashboard/v1/auth/token"
    encoding = "form"

    def tokens(self, account):
        return JsonResponse(self.grant(account, str(numeric_id(account))))
