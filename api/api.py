from ninja import NinjaAPI

from link.errors import LinkError

from . import connect, link, providers, users

api = NinjaAPI(
    title="Link API",
    version="2",
    description=(
        "Self-hosted Link: wire-compatible with Vital's v2 Link API. Authenticate with "
        "`X-Vital-API-Key` (or a bearer token from `POST /oauth/token`); the widget's "
        "endpoints take the link token in `x-vital-link-token`."
    ),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(LinkError)
def link_error(request, exc: LinkError):
    return api.create_response(request, link.error_body(exc), status=exc.status)


api.add_router("/v2/", users.router)
api.add_router("/v2/", providers.router)
api.add_router("/v2/", link.router)
api.add_router("/v2/", connect.router)
