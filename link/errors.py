"""The Link API's error codes: the five of the original Link docs (HTTP status and upper-case
`error_type`), each carrying the lowercase Link-flow `error_type` of Vital's taxonomy."""


class LinkError(Exception):
    status = 400
    code = "INVALID_REQUEST"
    flow_error_type = "invalid_token"

    def __init__(self, message: str, *, flow_error_type: str | None = None):
        super().__init__(message)
        self.message = message
        if flow_error_type:
            self.flow_error_type = flow_error_type


class InvalidLinkToken(LinkError):
    status = 401
    code = "INVALID_REQUEST"


class OtherBrowser(InvalidLinkToken):
    """An OAuth sign-in that another browser went on with first."""


class MissingLinkToken(LinkError):
    code = "MISSING_LINK_TOKEN"
    flow_error_type = "invalid_token"


class InvalidProvider(LinkError):
    code = "INVALID_PROVIDER"
    flow_error_type = "invalid_provider"


class ProviderNotOffered(InvalidProvider):
    """The team is not offered the provider; the message says why, to the end user too."""


class InvalidUserId(LinkError):
    code = "INVALID_USER_ID"
    flow_error_type = "invalid_user_id"


class InvalidCredentials(LinkError):
    code = "INVALID_CREDENTIALS"
    flow_error_type = "provider_credential_error"
