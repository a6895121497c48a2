from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import get_language
from ninja import Router
from ninja.renderers import JSONRenderer

from providers.availability import provider_availability
from providers.catalogue import CATALOGUE

from .auth import team_auth
from .schemas import ProviderDetailedOut

router = Router(tags=["providers"])


@lru_cache(maxsize=1)
def _catalogue_json(public_url: str) -> dict[str, dict]:
    """The list is code (the catalogue), and its logo URLs depend only on LINK_PUBLIC_URL: it is
    validated once per process, not on every request (that took most of its time)."""
    return {
        p.slug: ProviderDetailedOut.model_validate(
            {**vars(p), "logo": p.logo, "offered": True, "not_offered": None}
        ).model_dump(mode="json")
        for p in CATALOGUE.values()
    }


@router.get("providers", auth=team_auth, response=list[ProviderDetailedOut])
def providers_list(request, source_type: str | None = None):
    """Every provider a user can connect through Link, with whether this team's users are
    offered it and, if not, why (`not_offered`). `source_type` is accepted for compatibility;
    all of them are cloud providers. Beyond Vital's fields, each says how sure we are of the
    vendor's login (`status`, `docs_url`, `checked_on`, `sources`, `note`)."""
    refusals = tuple(provider_availability(team=request.auth.team).items())
    return HttpResponse(
        _providers_body(settings.LINK_PUBLIC_URL, get_language(), refusals),
        content_type=f"{JSONRenderer.media_type}; charset={JSONRenderer.charset}",
    )


@lru_cache(maxsize=256)
def _providers_body(public_url: str, language: str, refusals: tuple) -> bytes:
    """The answer, encoded once per process for each set of refusals and language (encoding
    it took 0.15 ms, a quarter of the request): teams share a few such sets."""
    catalogue = _catalogue_json(public_url)
    items = []
    for slug, why_not in refusals:
        item = catalogue[slug]
        if why_not is not None:
            reason = {"reason": why_not, "message": why_not.message(CATALOGUE[slug])}
            item = {**item, "offered": False, "not_offered": reason}
        items.append(item)
    return JSONRenderer().render(None, items, response_status=200).encode()
