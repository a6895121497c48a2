"""Eight Sleep's auth-api: a JSON password grant that checks the app's client id and secret and
answers with `userId` beside the access token (the maintained client reads access_token,
expires_in and userId only)."""

from django.http import JsonResponse

from ...sandbox.base import PasswordGrantEmulator, account_id
from .adapter import CLIENT_ID, CLIENT_SECRET, EightSleepAdapter


class EightSleepEmulator(PasswordGrantEmulator):
    vendor = EightSleepAdapter
    app_fields = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    access_ttl = 72000

    def tokens(self, account):
        user_id = account_id(account).replace("-", "")
        grant = self.grant(account, user_id)
        grant.pop("refresh_token")
        return JsonResponse({**grant, "userId": user_id})
