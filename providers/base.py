"""What every adapter shares: its vendor's catalogue facts, the data it returns and how it
finds its vendor's hosts. An adapter is built for one team (`providers.registry.provider_adapter`),
which decides its base URLs (the vendor's, or the sandbox's mirror of them) and its app; the
adapter never knows which."""

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import ClassVar

from .errors import UnsupportedRegion
from .http import HttpSession


@dataclass(frozen=True)
class AppCredentials:
    """An OAuth client registered with the vendor (ours, or a team's own)."""

    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True)
class TokenSet:
    """What keeps a connection alive. `extra` is the adapter's explicit persist-list of other
    vendor values it needs later (a region, a Dexcom account id); nothing else is stored."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, repr=False)

    def as_credentials(self) -> dict:
        data = asdict(self)
        data["expires_at"] = self.expires_at.isoformat() if self.expires_at else None
        data["scopes"] = list(self.scopes)
        return data

    @classmethod
    def from_credentials(cls, data: dict) -> "TokenSet":
        expires_at = data.get("expires_at")
        return cls(
            access_token=data["access_token"],
            refresh_token=data.get("refresh_token"),
            expires_at=datetime.fromisoformat(expires_at) if expires_at else None,
            scopes=tuple(data.get("scopes") or ()),
            extra=data.get("extra") or {},
        )


@dataclass(frozen=True)
class Connected:
    """A vendor account the user proved they own, with the tokens to reach it."""

    external_user_id: str
    tokens: TokenSet


def expires_in(seconds) -> datetime | None:
    return datetime.now(UTC) + timedelta(seconds=int(seconds)) if seconds else None


class Status(StrEnum):
    """How far a vendor can be relied on; it decides who is offered it (providers.availability)."""

    LIVE = "live"  # verified and working: offered to every team
    BETA = "beta"  # works, but facts are unverified: production teams opt in
    LEGACY = "legacy"  # still works, but superseded or closing: production teams opt in
    RETIRED = "retired"  # the vendor switched it off: offered to no one
    BLOCKED = "blocked"  # cannot work from a server (a captcha, a closed programme): no one


# The resources of an activity tracker, which several vendors share.
ACTIVITY_RESOURCES = ("activity", "workouts", "sleep", "body", "heartrate", "profile")


class Adapter:
    """Base of every vendor adapter, which also carries its vendor's catalogue facts (served by
    providers.catalogue). `hosts` maps a host name to the vendor's real base URL; every URL the
    adapter calls is built from one of them with `url()`."""

    slug: ClassVar[str]  # Vital's slug, and the name of the vendor's folder
    vital_id: ClassVar[int]  # Vital's numeric source id; the SDK requires one
    name: ClassVar[str]
    description: ClassVar[str]
    auth_type: ClassVar[str]  # "oauth" | "password" | "email", as Vital spells SourceAuthType
    status: ClassVar[Status]
    docs_url: ClassVar[str]
    checked_on: ClassVar[str]  # ISO date on which the facts were last checked against `sources`
    sources: ClassVar[tuple[str, ...]]  # where the facts come from (vendor docs, clients' code)
    note: ClassVar[str] = ""  # what a customer should know (unofficial API, what is kept, ...)
    successor: ClassVar[str] = ""  # the slug of the vendor that replaces a retired/legacy one
    gone_message: ClassVar[str] = ""  # told to a connection's user once the vendor is gone
    supported_resources: ClassVar[tuple[str, ...]]
    # Needs an app registered with the vendor (ours from LINK_<SLUG>_CLIENT_ID/_SECRET, or a
    # team's own): it is not offered to a production team without one.
    requires_app: ClassVar[bool] = False
    hosts: ClassVar[dict[str, str]]
    # Vital region code -> host name, for vendors whose accounts live on regional servers.
    regions: ClassVar[dict[str, str]] = {}
    default_region: ClassVar[str | None] = None
    # The vendor's data API, which the proxy (api.proxy) reaches for a connection: (host name,
    # path), the base URL its docs put before each endpoint's path. None: no data API is known
    # (the vendor has none we can reach with a user's credentials), so nothing is proxied.
    api_base: ClassVar[tuple[str, str] | None] = None
    # What the access token is, for the credentials endpoint: "Bearer" for an OAuth-style token
    # sent in the Authorization header; a vendor whose token travels otherwise names it.
    token_type: ClassVar[str] = "Bearer"  # noqa: S105 (a kind of token, not one)

    def __init__(
        self,
        *,
        base_urls: dict[str, str],
        app: AppCredentials | None = None,
        redirect_uri: str = "",
    ):
        self.base_urls = base_urls
        self.app = app
        self.redirect_uri = redirect_uri
        self.http = HttpSession(vendor=self.slug, gone=self.gone_message)

    def url(self, host: str, path: str) -> str:
        return self.base_urls[host] + path

    def region_host(self, region: str | None) -> str:
        """The host name for a Vital region code; UnsupportedRegion if the vendor has none."""
        code = (region or self.default_region or "").lower()
        if code not in self.regions:
            raise UnsupportedRegion(
                f"This provider has no servers for region '{code}'. "
                f"Choose one of: {', '.join(sorted(self.regions))}."
            )
        return self.regions[code]

    def api_url(self, credentials: dict) -> str:
        """The base URL of the vendor's data API for one connection (regional vendors: the
        region it signed in to)."""
        host, path = self.api_base
        return self.url(host, path)

    def api_auth(self, credentials: dict) -> tuple[dict[str, str], dict[str, str]]:
        """A connection's credentials on a data call, as the vendor expects them: (headers,
        query parameters)."""
        return {"Authorization": f"Bearer {credentials['access_token']}"}, {}

    def api_rejected(self, response) -> bool:
        """Whether a data call's answer says the access token was refused (so a refresh may
        help). `response` is a requests response, its body not yet read."""
        return response.status_code == 401

    @classmethod
    def region_of(cls, credentials: dict) -> str | None:
        """The region a connection's account lives in, where the vendor has regions."""
        return (credentials.get("extra") or {}).get("region")

    def refresh(self, credentials: dict) -> TokenSet:
        """New tokens for a stored connection, following the vendor's rotation rules."""
        raise NotImplementedError

    def revoke(self, credentials: dict) -> None:
        """Tell the vendor to forget the grant, where it offers a way; else do nothing."""
