from datetime import datetime
from urllib.parse import quote
from uuid import UUID

from django.conf import settings
from django.urls import reverse
from ninja import Header, Router
from ninja.errors import ValidationError

from link.errors import LinkError
from link.forms import form_components
from link.models import LinkToken
from link.services import (
    LinkCodeExpiry,
    RedirectNotAllowed,
    link_code_issue,
    link_token_create,
    link_token_find,
    link_token_providers,
    link_token_resolve,
    link_token_status,
    link_web_url,
)

from .auth import team_auth
from .schemas import (
    ErrorOut,
    LinkCodeOut,
    LinkConfigOut,
    LinkStateOut,
    LinkTokenIn,
    LinkTokenOut,
    SourceLinkOut,
    TokenValidIn,
    TokenValidOut,
)

router = Router(tags=["link"])

LinkTokenHeader = Header(None, alias="x-vital-link-token")
_LINK_ERRORS = {400: ErrorOut, 401: ErrorOut}


def error_body(exc: LinkError) -> dict:
    return {"detail": {"error_type": exc.code, "error_message": exc.message}}


@router.post("link/token", auth=team_auth, response={200: LinkTokenOut, 400: ErrorOut})
def link_token(request, payload: LinkTokenIn):
    """Create a link token for one of the team's users; it expires after an hour and is
    consumed by a successful connection. As in the Link docs (and unlike Vital's later
    spec, which answers 422 for a value outside its `Providers`), an unknown user is 400
    `INVALID_USER_ID` and a `provider` or `filter_on_providers` entry Link does not serve 400
    `INVALID_PROVIDER`."""
    team = request.auth.team
    user_id = payload.user_id or payload.user_key
    if user_id is None:
        raise ValidationError(
            [{"loc": ["body", "user_id"], "msg": "Field required", "type": "missing"}]
        )
    try:
        token, _ = link_token_create(
            team=team,
            user_id=user_id,
            provider=payload.provider,
            filter_on_providers=payload.filter_on_providers,
            redirect_url=payload.redirect_url,
            on_error=payload.on_error,
            on_close=payload.on_close,
        )
    except RedirectNotAllowed as exc:
        raise ValidationError(
            [{"loc": ["body", "redirect_url"], "msg": str(exc), "type": "value_error"}]
        ) from None
    return {"link_token": token, "link_web_url": link_web_url(token=token, team=team)}


@router.post("link/token/isValid", auth=team_auth, response=TokenValidOut)
def link_token_is_valid(request, payload: TokenValidIn):
    link_token = link_token_find(payload.token)
    if link_token is not None and link_token.team_id != request.auth.team.pk:
        link_token = None  # another team's token is no token at all to this caller
    reason = link_token_status(link_token)
    return {"valid": reason is None, "reason": reason}


@router.get("link/state", response={200: LinkStateOut, **_LINK_ERRORS})
def link_state(request, x_vital_link_token: str | None = LinkTokenHeader):
    """The link session's state; cheap enough for the widget to poll as a heartbeat."""
    link_token = link_token_resolve(x_vital_link_token, allow_consumed=True)
    return {
        "state": link_token.state,
        "provider": link_token.provider or None,
        "error_type": link_token.error_type or None,
        "user_id": link_token.user_id,
        "team_id": link_token.team_id,
        "redirect_url": link_token.redirect_url or None,
        "filter_on_providers": link_token.filter_on_providers or None,
        "on_error": link_token.on_error or None,
        "on_close": link_token.on_close or None,
        "expires_at": link_token.expires_at,
    }


def _oauth_url(slug: str, token: str) -> str:
    """Where a browser starts this link session's sign-in at the vendor: the widget's step
    that sends it on (the vendor's own URL carries a one-time state, made when it is used)."""
    step = reverse("link:oauth-start", args=[slug])
    return f"{settings.LINK_PUBLIC_URL}{step}?token={quote(token, safe='')}"


@router.get("link/providers", response={200: list[SourceLinkOut], **_LINK_ERRORS})
def link_providers(request, x_vital_link_token: str | None = LinkTokenHeader):
    """The providers this link token may connect (its `filter_on_providers`); for OAuth ones,
    `oauth_url` starts the vendor's sign-in in a browser."""
    link_token = link_token_resolve(x_vital_link_token)
    return [
        {
            "id": p.id,
            "name": p.name,
            "slug": p.slug,
            "description": p.description,
            "logo": p.logo,
            "oauth_url": _oauth_url(p.slug, x_vital_link_token) if p.auth_type == "oauth" else None,
            "auth_type": p.auth_type,
            "form_components": form_components(p.slug),
        }
        for p in link_token_providers(link_token)
    ]


@router.get("team/link/config", response={200: LinkConfigOut, **_LINK_ERRORS})
def team_link_config(request, x_vital_link_token: str | None = LinkTokenHeader):
    """The widget's branding for this link token's team."""
    link_token: LinkToken = link_token_resolve(x_vital_link_token, allow_consumed=True)
    team = link_token.team
    return {
        "team_id": team.pk,
        "team_name": team.name,
        "logo_url": team.logo_url or None,
        "accent_color": team.accent_color,
        "terms_url": team.terms_url or None,
        "privacy_url": team.privacy_url or None,
        "provider": link_token.provider or None,
        "filter_on_providers": link_token.filter_on_providers or None,
    }


@router.post("link/code/create", auth=team_auth, response={200: LinkCodeOut, 400: ErrorOut})
def link_code_create(request, user_id: UUID, expires_at: datetime | None = None):
    """A short code a mobile app can exchange for a link session, valid for an hour or until
    `expires_at` (within a day). Query parameters, no body. An unknown user is 400
    `INVALID_USER_ID`, as in the Link docs."""
    try:
        code, row = link_code_issue(team=request.auth.team, user_id=user_id, expires_at=expires_at)
    except LinkCodeExpiry as exc:
        raise ValidationError(
            [{"loc": ["query", "expires_at"], "msg": str(exc), "type": "value_error"}]
        ) from None
    return {
        "code": code,
        "exchange_url": f"tryvital://tryvital?code={code}",
        "expires_at": row.expires_at,
    }
