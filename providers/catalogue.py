"""What we tell customers and end users about each provider: the facts each vendor's adapter
carries (providers/vendors/<slug>/adapter.py), as plain values, in Vital's source-id order."""

from dataclasses import dataclass

from django.conf import settings
from django.templatetags.static import static

from .base import Adapter, Status
from .logos import logo_path
from .registry import ADAPTERS


@dataclass(frozen=True, kw_only=True)
class ProviderInfo:
    id: int  # Vital's numeric source id; the SDK requires one
    slug: str
    name: str
    description: str
    auth_type: str  # "oauth" | "password" | "email", as Vital spells SourceAuthType
    status: Status
    docs_url: str
    checked_on: str
    sources: tuple[str, ...]
    note: str
    successor: str  # the slug that replaces this vendor, if it is retired or legacy
    supported_resources: tuple[str, ...]
    regions: tuple[str, ...]  # the Vital region codes it serves; empty: it has no regions
    requires_app: bool

    @property
    def logo(self) -> str:
        return settings.LINK_PUBLIC_URL + static(logo_path(self.slug))


def provider_info(vendor: type[Adapter]) -> ProviderInfo:
    return ProviderInfo(
        id=vendor.vital_id,
        slug=vendor.slug,
        name=vendor.name,
        description=vendor.description,
        auth_type=vendor.auth_type,
        status=vendor.status,
        docs_url=vendor.docs_url,
        checked_on=vendor.checked_on,
        sources=vendor.sources,
        note=vendor.note,
        successor=vendor.successor,
        supported_resources=vendor.supported_resources,
        regions=tuple(vendor.regions),
        requires_app=vendor.requires_app,
    )


CATALOGUE: dict[str, ProviderInfo] = {slug: provider_info(cls) for slug, cls in ADAPTERS.items()}


def provider_get(slug: str) -> ProviderInfo | None:
    return CATALOGUE.get(slug)
