"""The emulators' URLs: /sandbox/<vendor>/<host name>/<the vendor's own path>. Mounted only
when LINK_SANDBOX_ENABLED is on (linkwidget/urls.py)."""

from django.urls import include, path

from .vendors.beurer_api import BeurerEmulator
from .vendors.dexcom import DexcomEmulator
from .vendors.eight_sleep import EightSleepEmulator
from .vendors.fitbit import FitbitEmulator
from .vendors.freestyle_libre import FreestyleLibreEmulator
from .vendors.garmin import GarminEmulator
from .vendors.hammerhead import HammerheadEmulator
from .vendors.ihealth import IHealthEmulator
from .vendors.my_fitness_pal import MyFitnessPalEmulator
from .vendors.oura import OuraEmulator
from .vendors.peloton import PelotonEmulator
from .vendors.renpho import RenphoEmulator
from .vendors.strava import StravaEmulator
from .vendors.wahoo import WahooEmulator
from .vendors.whoop import WhoopEmulator
from .vendors.withings import WithingsEmulator
from .vendors.zwift import ZwiftEmulator

EMULATORS = {
    e.slug: e
    for e in (
        FitbitEmulator(),
        GarminEmulator(),
        OuraEmulator(),
        StravaEmulator(),
        WahooEmulator(),
        IHealthEmulator(),
        WithingsEmulator(),
        ZwiftEmulator(),
        DexcomEmulator(),
        EightSleepEmulator(),
        BeurerEmulator(),
        WhoopEmulator(),
        HammerheadEmulator(),
        RenphoEmulator(),
        PelotonEmulator(),
        MyFitnessPalEmulator(),
        FreestyleLibreEmulator(),
    )
}

urlpatterns = [path(f"sandbox/{slug}/", include(e.urls())) for slug, e in EMULATORS.items()]
