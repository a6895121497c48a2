"""Fitbit's Web API and OAuth endpoints since their shutdown on 2026-11-02: every path answers
410 Gone (its body is not documented). `fitbit_user_id` is the id a sandbox account had at
Fitbit, which Google Health gives back as `legacyUserId`."""

from ...sandbox.base import GoneEmulator, account_id
from .adapter import FitbitAdapter


def fitbit_user_id(account: str) -> str:
    return account_id(account)[:6].upper()


class FitbitEmulator(GoneEmulator):
    vendor = FitbitAdapter
