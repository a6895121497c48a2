"""Connecting a provider (vital-api.md §4.5 to 4.8 and 4.13 to 4.15): thin over link.connect.

Flow outcomes are 200 ProviderLinkResponse bodies, except credentials the vendor rejected
(400 INVALID_CREDENTIALS); token and provider problems are the foundation's 400/401 codes, with
the Link-flow fields added. Never 409, 429 or 5xx for a business error: the SDK retries those."""

from uuid import UUID

from ninja import Header, Router, Schema, Status
from pydantic import Field

from link import connect, oauth
from link.errors import InvalidUserId, LinkError
from link.results import ConnectResult
from link.services import link_token_resolve
from providers.catalogue import provider_get
from teams.models import EndUser

from .auth import team_auth
from .enums import Region
from .link import error_body
from .schemas import ErrorOut

router = Router(tags=["link"])

LinkTokenHeader = Header(None, alias="x-vital-link-token")
RegionHeader = Header(None, alias="x-vital-link-client-region")


class PasswordIn(Schema):
    username: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)
    region: Region | None = None


class MfaIn(Schema):
    mfa_code: str = Field(min_length=1, max_length=32)


class EmailIn(Schema):
    email: str = Field(min_length=3, max_length=320)
    region: Region | None = None
    name: str | None = Field(
        None,
        max_length=200,
        description="Link's addition: the user's name as the provider shows it (FreeStyle "
        "Libre: as in LibreLinkUp), which tells apart users who link at the same time.",
    )
    provider: str | None = Field(None, max_length=40, description="Deprecated; the path wins.")


class LegacyPasswordIn(PasswordIn):
    provider: str = Field(max_length=40)
    auth_type: str | None = Field(None, max_length=16)


class LegacyEmailIn(EmailIn):
    provider: str = Field(max_length=40)
    auth_type: str | None = Field(None, max_length=16)


class ProviderMfaOut(Schema):
    method: str
    hint: str


class ProviderLinkOut(Schema):
    state: str
    provider: str
    connected: bool
    provider_id: str | None
    success: bool
    redirect_url: str | None = None
    error_type: str | None = None
    error: str | None = None
    provider_mfa: ProviderMfaOut | None = None


class ProviderLinkErrorOut(ProviderLinkOut):
    detail: dict


class SourceOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    logo: str
    oauth_url: str
    auth_type: str
    source_type: str
    is_active: bool


class DemoIn(Schema):
    user_id: UUID
    provider: str = Field(max_length=40)


class DemoOut(Schema):
    success: bool
    detail: str


FLOW = {200: ProviderLinkOut, 400: ProviderLinkErrorOut, 401: ProviderLinkErrorOut}


def _flow(provider: str, token: str | None, call):
    """Resolve the link token, run the connect service, and shape its answer."""
    try:
        link_token = link_token_resolve(token)
        result = call(link_token)
    except LinkError as exc:
        refused = ConnectResult.refused(provider, exc)
        return Status(exc.status, {**error_body(exc), **_link_body(None, refused)})
    body = _link_body(link_token, result)
    if result.error_type == "provider_credential_error":
        detail = {
            "error_type": "INVALID_CREDENTIALS",
            "error_message": "Credentials for provider are incorrect",
        }
        return Status(400, {"detail": detail, **body})
    return Status(200, body)


def _link_body(link_token, result: ConnectResult) -> dict:
    connection = result.connection
    return {
        "state": result.state,
        "provider": result.provider,
        "connected": result.state == "success",
        "success": result.state == "success",
        "provider_id": connection.external_user_id if connection else None,
        "redirect_url": (link_token.redirect_url or None) if link_token else None,
        "error_type": result.error_type,
        "error": result.error,
        "provider_mfa": result.provider_mfa,
    }


@router.post("link/provider/password/{provider}", response=FLOW)
def provider_password(
    request,
    provider: str,
    payload: PasswordIn,
    x_vital_link_token: str | None = LinkTokenHeader,
    x_vital_link_client_region: str | None = RegionHeader,
):
    """Connect a password provider with the user's credentials.

    Deliberately as the original Link docs, not Vital's later spec: credentials the vendor
    rejects answer 400 `INVALID_CREDENTIALS` (Vital: 200, `state: "error"`), and a provider
    that is unknown, not served or not a password one answers 400 `INVALID_PROVIDER` (Vital:
    422 outside its `PasswordProviders`). Link token problems are 401 `INVALID_REQUEST` or
    400 `MISSING_LINK_TOKEN`. Every other outcome is a 200 ProviderLinkResponse."""
    return _flow(
        provider,
        x_vital_link_token,
        lambda link_token: connect.connect_password(
            link_token=link_token,
            provider=provider,
            username=payload.username,
            password=payload.password,
            region=payload.region or x_vital_link_client_region,
        ),
    )


@router.post("link/provider/password/{provider}/complete_mfa", response=FLOW)
def provider_password_mfa(
    request, provider: str, payload: MfaIn, x_vital_link_token: str | None = LinkTokenHeader
):
    """Finish a password connection with the one-time code the vendor sent. The same
    deliberate codes as the password connect (400 `INVALID_PROVIDER`, 401/400 for the link
    token)."""
    return _flow(
        provider,
        x_vital_link_token,
        lambda link_token: connect.connect_mfa(
            link_token=link_token, provider=provider, mfa_code=payload.mfa_code
        ),
    )


@router.post("link/provider/email/{provider}", response=FLOW)
def provider_email(
    request, provider: str, payload: EmailIn, x_vital_link_token: str | None = LinkTokenHeader
):
    """Connect an email provider. Deliberately, the answer's `state` is `pending` (beyond
    Vital's documented values, which Vital calls non-exhaustive): the connection is only
    usable once the user links the account on the vendor's side, and Link checks until then
    (a `provider.connection.created` webhook follows). `provider_id` is the email, as Vital's
    `external_user_id` is for email providers. An unknown or non-email provider is 400
    `INVALID_PROVIDER`, as in the Link docs."""
    return _flow(
        provider,
        x_vital_link_token,
        lambda link_token: connect.connect_email(
            link_token=link_token,
            provider=provider,
            email=payload.email,
            region=payload.region,
            name=payload.name,
        ),
    )


@router.post("link/auth", response=FLOW, deprecated=True)
def legacy_password_auth(
    request, payload: LegacyPasswordIn, x_vital_link_token: str | None = LinkTokenHeader
):
    """Deprecated alias of `POST /v2/link/provider/password/{provider}`."""
    return provider_password(request, payload.provider, payload, x_vital_link_token, None)


@router.post("link/auth/email", response=FLOW, deprecated=True)
def legacy_email_auth(
    request, payload: LegacyEmailIn, x_vital_link_token: str | None = LinkTokenHeader
):
    """Deprecated alias of `POST /v2/link/provider/email/{provider}`."""
    return provider_email(request, payload.provider, payload, x_vital_link_token)


@router.get(
    "link/provider/oauth/{provider}", response={200: SourceOut, 400: ErrorOut, 401: ErrorOut}
)
def provider_oauth(request, provider: str, x_vital_link_token: str | None = LinkTokenHeader):
    """The provider, with the URL (`oauth_url`) to send the end user's browser to: our start
    page, which names the app asking, binds the first browser that goes on from it and then
    sends it to the vendor's sign-in (so a link sent to someone else cannot connect their
    account to this link token's user). An unknown, unserved or non-OAuth provider is 400
    `INVALID_PROVIDER`, as in the Link docs (Vital: 422 outside its `OAuthProviders`)."""
    link_token = link_token_resolve(x_vital_link_token)
    oauth_url = oauth.oauth_start(link_token=link_token, provider=provider)
    info = provider_get(provider)
    return {
        "id": info.id,
        "name": info.name,
        "slug": info.slug,
        "description": info.description,
        "logo": info.logo,
        "oauth_url": oauth_url,
        "auth_type": "oauth",
        "source_type": "provider",
        "is_active": True,
    }


@router.post("link/connect/demo", auth=team_auth, response={200: DemoOut, 400: ErrorOut})
def connect_demo(request, payload: DemoIn):
    """Give a sandbox team's user a demo connection. As in the Link docs, an unknown user is
    400 `INVALID_USER_ID` and a provider without a demo 400 `INVALID_PROVIDER` (Vital: 422
    outside its `DemoProviders`)."""
    user = EndUser.objects.filter(pk=payload.user_id, team=request.auth.team).first()
    if user is None:
        raise InvalidUserId(f"User {payload.user_id} does not exist.")
    connect.connect_demo(user=user, provider=payload.provider)
    return {"success": True, "detail": f"Demo {payload.provider} connection created."}
