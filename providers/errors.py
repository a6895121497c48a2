"""What can go wrong when talking to a vendor, as typed errors. Each carries the lowercase Link
error type of Vital's taxonomy and a message a person can act on. Never put a secret in one."""


class ProviderError(Exception):
    error_type = "provider_api_error"
    default_message = "The provider could not complete the connection. Please try again later."

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)


class InvalidCredentials(ProviderError):
    error_type = "provider_credential_error"
    default_message = "The provider did not accept those credentials. Check them and try again."


class PasswordExpired(ProviderError):
    error_type = "provider_password_expired"
    default_message = "The provider asks you to change your password first, then try again."


class MfaRequired(ProviderError):
    """Not a failure: the vendor wants a one-time code before it lets the user in."""

    error_type = "pending_provider_mfa"
    default_message = "Enter the code the provider sent you."

    def __init__(self, *, method: str, hint: str = ""):
        super().__init__()
        self.method = method
        self.hint = hint


class IncorrectMfaCode(ProviderError):
    error_type = "incorrect_mfa_code"
    default_message = "That code was not accepted. Check it and try again."


class UserCancelled(ProviderError):
    error_type = "user_cancelled"
    default_message = "You cancelled the connection at the provider."


class ScopesNotGranted(ProviderError):
    error_type = "required_scopes_not_granted"
    default_message = (
        "Some permissions this app needs were not granted. Connect again and allow them all."
    )


class UnsupportedRegion(ProviderError):
    error_type = "unsupported_region"
    default_message = "The provider does not serve that region. Choose another region."


class RefreshRejected(ProviderError):
    """The vendor will not renew the grant (revoked, expired or already used): only the user
    can fix it, by connecting again."""

    error_type = "token_refresh_failed"
    default_message = "The provider no longer accepts this connection. Connect it again."


class ProviderRetired(ProviderError):
    """The vendor has switched off the service a connection used (HTTP 410 Gone): no retry or
    new password can bring it back; the user connects the vendor's successor instead. Vital's
    closest connection error is the provider ending the connection."""

    error_type = "deregistered_per_provider"
    default_message = (
        "The provider has shut down the service this connection used. Connect again with the "
        "provider's new service."
    )


class ProviderUnavailable(ProviderError):
    """The vendor is down, slow, rate limiting us or unreachable: worth retrying later."""

    default_message = "The provider is not responding right now. Please try again in a few minutes."


class ProviderRateLimited(ProviderUnavailable):
    """The vendor answered 429: come back after `retry_after` seconds (its Retry-After, or a
    minute when it did not say)."""

    default_message = (
        "The provider is receiving too many requests. Please try again in a few minutes."
    )

    def __init__(self, retry_after: int = 60):
        super().__init__()
        self.retry_after = retry_after


class ProviderTimeout(ProviderUnavailable):
    default_message = "The provider took too long to answer. Please try again in a few minutes."


class ProviderApiError(ProviderError):
    """The vendor answered, but not in a way we understand or accept."""

    default_message = "The provider sent an unexpected answer. Please try again later."


class AppCapacityReached(ProviderApiError):
    """The vendor lets this app serve only so many users and it serves that many already: no
    new user can connect until the app's operator gets a larger allowance from the vendor.
    Vital's link error types have none for it (the SDK reads an unknown one as such, keeping
    its value); provider_api_error would tell the user to retry, which cannot help."""

    error_type = "app_user_limit_reached"
    default_message = (
        "This app has reached the number of users the provider allows it, so no one else can "
        "connect this provider for now. The app's operator must ask the provider for a higher "
        "limit."
    )


class AppInactive(ProviderApiError):
    """The vendor has switched the app itself off (its operator's plan lapsed, or the vendor
    has not approved it): nobody's connection works until the operator reactivates it."""

    default_message = (
        "The provider has deactivated this app, so it cannot read anyone's data. The app's "
        "operator must reactivate it with the provider."
    )
