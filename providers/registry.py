"""Every vendor we can connect, by slug: an explicit list, no discovery. Part of each catalogue
entry's truth (status, docs, notes) stays in providers.catalogue."""

from django.conf import settings

from .base import Adapter, AppCredentials
from .errors import ProviderUnavailable
from .vendors.beurer_api import BeurerAdapter
from .vendors.dexcom import DexcomAdapter
from .vendors.eight_sleep import EightSleepAdapter
from .vendors.fitbit import FitbitAdapter
from .vendors.freestyle_libre import FreestyleLibreAdapter
from .vendors.garmin import GarminAdapter
from .vendors.hammerhead import HammerheadAdapter
from .vendors.ihealth import IHealthAdapter
from .vendors.my_fitness_pal import MyFitnessPalAdapter
from .vendors.oura import OuraAdapter
from .vendors.peloton import PelotonAdapter
from .vendors.renpho import RenphoAdapter
from .vendors.strava import StravaAdapter
from .vendors.wahoo import WahooAdapter
from .vendors.whoop import WhoopAdapter
from .vendors.withings import WithingsAdapter
from .vendors.zwift import ZwiftAdapter

ADAPTERS: dict[str, type[Adapter]] = {
    "fitbit": FitbitAdapter,
    "garmin": GarminAdapter,
    "oura": OuraAdapter,
    "strava": StravaAdapter,
    "wahoo": WahooAdapter,
    "ihealth": IHealthAdapter,
    "withings": WithingsAdapter,
    "zwift": ZwiftAdapter,
    "dexcom": DexcomAdapter,
    "eight_sleep": EightSleepAdapter,
    "beurer_api": BeurerAdapter,
    "whoop": WhoopAdapter,
    "hammerhead": HammerheadAdapter,
    "renpho": RenphoAdapter,
    "peloton": PelotonAdapter,
    "my_fitness_pal": MyFitnessPalAdapter,
    "freestyle_libre": FreestyleLibreAdapter,
}


def adapter_class(slug: str) -> type[Adapter] | None:
    return ADAPTERS.get(slug)


def sandbox_base_url(slug: str, host: str) -> str:
    """Where a sandbox team's calls to one vendor host go: the emulator on this server."""
    return f"{settings.LINK_SANDBOX_BASE_URL}/sandbox/{slug}/{host}"


def oauth_redirect_uri(slug: str) -> str:
    return f"{settings.LINK_PUBLIC_URL}/v2/link/connect/{slug}"


def provider_app(slug: str, *, team) -> AppCredentials | None:
    """The OAuth client to use for a team: the emulator's for sandbox teams, else the team's own
    enabled app, else the operator's from settings; None when there is none."""
    if team.is_sandbox:
        from .sandbox.base import sandbox_client

        return sandbox_client(slug)
    own = team.provider_apps.filter(provider=slug, enabled=True).first()
    if own is not None:
        return AppCredentials(own.client_id, own.client_secret)
    return _configured_app(slug)


def _configured_app(slug: str) -> AppCredentials | None:
    configured = settings.LINK_OAUTH_APPS.get(slug) or {}
    if configured.get("client_id") and configured.get("client_secret"):
        return AppCredentials(configured["client_id"], configured["client_secret"])
    return None


def providers_offered(*, team) -> set[str]:
    """The slugs the team can connect now: we have an adapter, the team has not switched the
    provider off, and, for OAuth, an app is registered with the vendor (the team's own, or the
    operator's). One query at most."""
    own_apps = (
        set()
        if team.is_sandbox
        else set(team.provider_apps.filter(enabled=True).values_list("provider", flat=True))
    )
    return {
        slug
        for slug, cls in ADAPTERS.items()
        if slug not in team.disabled_providers
        and (
            cls.auth_type != "oauth"
            or team.is_sandbox
            or slug in own_apps
            or _configured_app(slug) is not None
        )
    }


def provider_offered(slug: str, *, team) -> bool:
    return slug in providers_offered(team=team)


def provider_adapter(slug: str, *, team) -> Adapter:
    """The adapter for one team, talking to the vendor or, for a sandbox team, its emulator."""
    cls = ADAPTERS[slug]
    if team.is_sandbox:
        if not settings.LINK_SANDBOX_ENABLED:
            raise ProviderUnavailable("The sandbox is switched off on this server.")
        base_urls = {host: sandbox_base_url(slug, host) for host in cls.hosts}
    else:
        base_urls = dict(cls.hosts)
    app = provider_app(slug, team=team) if cls.auth_type != "password" else None
    return cls(base_urls=base_urls, app=app, redirect_uri=oauth_redirect_uri(slug))
