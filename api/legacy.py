"""The routes of the clients the original Link docs show (PyPI `vital` 0.3 to 1.1, npm
`@tryvital/vital-node` 1.x) that today's v2 API names differently. Each calls the v2 handler, so
validation, answers, errors and isolation are the same. Their other spellings, the `/v1/`
prefix and the `LinkToken` header, are read by `api.middleware.LegacyClientMiddleware`."""

from ninja import Router

from . import connect, users
from .auth import team_auth
from .schemas import DuplicateUserOut, NotFoundOut, UserCreateIn, UserOut

# Mounted before the users router: `user/key…` would otherwise match `user/{user_id}…`.
router = Router(tags=["legacy"])


@router.post(
    "user/key", auth=team_auth, response={200: UserOut, 400: DuplicateUserOut}, deprecated=True
)
def legacy_user_create(request, payload: UserCreateIn):
    """Deprecated alias of `POST /v2/user` (vital 0.3-1.1, vital-node 1.x `User.create`)."""
    return users.user_create(request, payload)


@router.get(
    "user/key/{client_user_id}",
    auth=team_auth,
    response={200: UserOut, 404: NotFoundOut},
    deprecated=True,
)
def legacy_user_resolve(request, client_user_id: str):
    """Deprecated alias of `GET /v2/user/resolve/{client_user_id}` (`User.resolve`)."""
    return users.user_resolve(request, client_user_id)


@router.post("link/provider/{provider}", response=connect.FLOW, deprecated=True)
def legacy_provider_password(
    request,
    provider: str,
    payload: connect.PasswordIn,
    x_vital_link_token: str | None = connect.LinkTokenHeader,
):
    """Deprecated alias of `POST /v2/link/provider/password/{provider}` (vital-node 1.x
    `Link.connectProvider`)."""
    return connect.provider_password(request, provider, payload, x_vital_link_token, None)
