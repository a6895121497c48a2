from ninja import NinjaAPI
from ninja.errors import ValidationError

from link.errors import LinkError

from . import bulk, connect, credentials, data, legacy, link, providers, proxy, users
from .auth import ScopeMissing

# What every operation can answer beyond its own declarations: ninja's 422 when the input does
# not validate, 400 when a body is not JSON at all or the input holds a NUL character
# (api.middleware), 401 when an authenticated operation gets no valid credentials, and 403 when
# the API key lacks the operation's scope.
_VALIDATION_ERROR = {
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        }
    },
}
_DETAIL = {
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"type": "string"}},
}


def _answer(description: str, body: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": body}}}


def _bad_request(responses: dict) -> None:
    declared = responses.setdefault("400", _answer("Bad Request", _DETAIL))
    body = declared["content"]["application/json"]
    if body["schema"] is not _DETAIL:
        body["schema"] = {"anyOf": [body["schema"], _DETAIL]}


class LinkApi(NinjaAPI):
    def validation_error_from_error_contexts(self, error_contexts):
        """FastAPI's `loc`, as Vital answers: a body that is one schema is not named in it
        (`["body", "user_id"]`, not ninja's `["body", "payload", "user_id"]`)."""
        errors = []
        for context in error_contexts:
            found = super().validation_error_from_error_contexts([context]).errors
            model = context.model
            if model.__ninja_param_source__ == "body" and len(model.model_fields) == 1:
                for error in found:
                    error["loc"] = (error["loc"][0], *error["loc"][2:])
            errors.extend(found)
        return ValidationError(errors)

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                # ninja keys the declared answers by int; JSON keys them by string.
                responses = {str(code): answer for code, answer in operation["responses"].items()}
                operation["responses"] = responses
                if operation.get("parameters") or operation.get("requestBody"):
                    responses.setdefault("422", _answer("Validation Error", _VALIDATION_ERROR))
                    _bad_request(responses)
                if operation.get("security"):
                    responses.setdefault("401", _answer("Unauthorized", _DETAIL))
                    responses.setdefault("403", _answer("Forbidden: a scope is missing", _DETAIL))
        return schema


api = LinkApi(
    title="Link API",
    version="2",
    description=(
        "Self-hosted Link: wire-compatible with Vital's v2 Link API. Authenticate with "
        "`X-Vital-API-Key` (or a bearer token from `POST /oauth/token`); the widget's "
        "endpoints take the link token in `x-vital-link-token`. The 2021-22 SDKs' `/v1/` paths "
        "and `LinkToken` header are read as `/v2/` and `x-vital-link-token`. Where Link "
        "deliberately differs from Vital's published spec, the operation's description says so."
    ),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(LinkError)
def link_error(request, exc: LinkError):
    return api.create_response(request, link.error_body(exc), status=exc.status)


@api.exception_handler(ScopeMissing)
def scope_missing(request, exc: ScopeMissing):
    return api.create_response(request, {"detail": str(exc)}, status=403)


api.add_router("/v2/", legacy.router)
api.add_router("/v2/", users.router)
api.add_router("/v2/", providers.router)
api.add_router("/v2/", link.router)
api.add_router("/v2/", bulk.router)
api.add_router("/v2/", connect.router)
api.add_router("/v2/", data.router)
api.add_router("/v2/", credentials.router)
api.add_router("/v2/", proxy.router)
