from ninja import Router

from providers.catalogue import CATALOGUE

from .auth import team_auth
from .schemas import ProviderDetailedOut

router = Router(tags=["providers"])


@router.get("providers", auth=team_auth, response=list[ProviderDetailedOut])
def providers_list(request, source_type: str | None = None):
    """Every provider a user can connect through Link. `source_type` is accepted for
    compatibility; all of them are cloud providers."""
    return [
        {**vars(p), "logo": p.logo, "supported_resources": list(p.supported_resources)}
        for p in CATALOGUE.values()
    ]
