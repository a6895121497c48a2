"""WHOOP's legacy api-7 login, gone: every path answers 410 Gone in the sandbox (the real host
is reported not to answer at all)."""

from ...sandbox.base import GoneEmulator
from .adapter import WhoopAdapter


class WhoopEmulator(GoneEmulator):
    vendor = WhoopAdapter
