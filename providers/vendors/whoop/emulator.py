"""WHOOP's legacy api-7 login: a JSON password grant with `issueRefresh`, answered with a `user`
object; every refusal comes as a 401."""

from django.http import JsonResponse

from ...sandbox.base import PasswordGrantEmulator, numeric_id
from .adapter import WhoopAdapter


class WhoopEmulator(PasswordGrantEmulator):
    vendor = WhoopAdapter
    app_fields = {"issueRefresh": True}

    def tokens(self, account):
        user_id = numeric_id(account)
        user = {"id": user_id, "profile": {"userId": user_id, "username": account}}
        return JsonResponse({**self.grant(account, str(user_id)), "user": user})

    def refusal(self, error, description, status):
        return super().refusal(error, description, 401)
