from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse
from ninja import Router
from ninja.renderers import JSONRenderer

from providers.catalogue import CATALOGUE

from .auth import team_auth
from .schemas import ProviderDetailedOut

router = Router(tags=["providers"])


@lru_cache(maxsize=1)
def _providers_json(public_url: str) -> bytes:
    """The list is code (the catalogue), and its logo URLs depend only on LINK_PUBLIC_URL: it is
    validated and serialised once per process, not on every request (that took most of its
    time)."""
    items = [
        ProviderDetailedOut.model_validate(
            {**vars(p), "logo": p.logo, "supported_resources": list(p.supported_resources)}
        ).model_dump()
        for p in CATALOGUE.values()
    ]
    return JSONRenderer().render(None, items, response_status=200).encode()


@router.get("providers", auth=team_auth, response=list[ProviderDetailedOut])
def providers_list(request, source_type: str | None = None):
    """Every provider a user can connect through Link. `source_type` is accepted for
    compatibility; all of them are cloud providers. Beyond Vital's fields, each says how
    sure we are of the vendor's login (`status`, `docs_url`, `checked_on`, `note`)."""
    return HttpResponse(
        _providers_json(settings.LINK_PUBLIC_URL),
        content_type=f"{JSONRenderer.media_type}; charset={JSONRenderer.charset}",
    )
