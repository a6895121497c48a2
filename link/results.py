"""What connecting a provider comes to, and what each outcome means to the person in front of
it: one result and one table of messages for the API's answers, the redirect to the customer's
app and the widget's pages."""

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from connections.models import Connection

    from .errors import LinkError
    from .models import LinkToken


@dataclass(frozen=True)
class Outcome:
    title: str
    message: str
    retry: bool = False  # the same provider again
    choose_other: bool = True  # back to the provider list

    @property
    def ends_session(self) -> bool:
        return not (self.retry or self.choose_other)


_OUTCOMES = {
    "provider_credential_error": Outcome(
        _("That didn't work"),
        _("The username or password was not accepted. Check them and try again."),
        retry=True,
    ),
    "provider_password_expired": Outcome(
        _("Your password has expired"),
        _("Set a new password with the provider, then try again here."),
        retry=True,
    ),
    "incorrect_mfa_code": Outcome(
        _("Wrong code"),
        _("That verification code was not right. Check it and enter it again."),
        retry=True,
    ),
    # Too many wrong codes: the vendor's sign-in has to start over for a new code.
    "mfa_restart": Outcome(
        _("Wrong code"),
        _("That code was not right either. Sign in again to get a new code."),
        retry=True,
    ),
    "provider_api_error": Outcome(
        _("The provider is not answering"),
        _("We couldn't reach the provider just now. Wait a moment and try again."),
        retry=True,
    ),
    "user_cancelled": Outcome(
        _("Connection cancelled"),
        _("Access was not granted, so nothing was connected. You can try again."),
        retry=True,
    ),
    "required_scopes_not_granted": Outcome(
        _("Some permissions are missing"),
        _("Connect again and allow every kind of data the app asks for."),
        retry=True,
    ),
    "app_user_limit_reached": Outcome(
        _("This app can't connect more accounts"),
        _(
            "The app has reached the number of accounts the provider lets it connect, so no new "
            "connection can be made for now. The app's operator must ask the provider for a "
            "higher limit."
        ),
    ),
    "unsupported_region": Outcome(
        _("Region not supported"),
        _("This provider isn't available in the region you picked. Choose another region."),
        retry=True,
    ),
    "duplicate_connection": Outcome(
        _("Already connected elsewhere"),
        _("This account is already connected to another user. Use a different account."),
        retry=True,
    ),
    "invalid_provider": Outcome(
        _("This provider isn't available here"),
        _("This link can't connect that provider. Choose another one, or go back to the app."),
    ),
    "token_expired": Outcome(
        _("This link has expired"),
        _(
            "For your security, links expire after a while, and this one has expired. Go back to "
            "the app and start again."
        ),
        choose_other=False,
    ),
    "token_consumed": Outcome(
        _("This link was already used"),
        _("This link was already used to connect a provider. Go back to the app to add another."),
        choose_other=False,
    ),
    "invalid_token": Outcome(
        _("This link doesn't work"),
        _("The link is incomplete or not valid. Go back to the app and start again."),
        choose_other=False,
    ),
}
_UNKNOWN = Outcome(
    _("Something went wrong"),
    _("The connection could not be completed. Try again, or choose another provider."),
    retry=True,
)


def outcome_for(error_type: str | None) -> Outcome:
    return _OUTCOMES.get(error_type or "", _UNKNOWN)


# Outcomes more particular than their error type says.
LOCKED = (
    "Too many attempts were rejected, so this link is now closed. "
    "Go back to the app and start again."
)
OTHER_BROWSER = (
    "This sign-in was started in another browser. Go back to the app and start again here."
)
TOO_SLOW = "The sign-in took too long. Please start again."


@dataclass
class ConnectResult:
    state: str  # "success" | "error" | "pending_provider_mfa" | "pending"
    provider: str
    error_type: str | None = None
    error: str | None = None
    provider_mfa: dict | None = None
    connection: "Connection | None" = None
    # An OAuth sign-in started by an embedded widget, which tells the customer's page itself:
    # its callback shows the outcome instead of redirecting to redirect_url.
    embedded: bool = False

    @classmethod
    def failed(cls, provider: str, error_type: str, message: str | None = None) -> "ConnectResult":
        """An error, said in the table's words unless a more particular `message` is given."""
        error = message or str(outcome_for(error_type).message)
        return cls(state="error", provider=provider, error_type=error_type, error=error)

    @classmethod
    def refused(cls, provider: str, exc: "LinkError") -> "ConnectResult":
        """A token or provider problem, as a result."""
        return cls.failed(provider, exc.flow_error_type, exc.message)

    def as_dict(self) -> dict:
        """The result without the connection row (for storage and JSON)."""
        data = asdict(self)
        data.pop("connection")
        return data


def result_redirect_url(*, link_token: "LinkToken", result: ConnectResult) -> str:
    """The team's redirect_url with the outcome merged into its query string."""
    parts = urlsplit(link_token.redirect_url)
    ours = {"state": result.state, "provider": result.provider}
    if result.state == "error":
        ours.update(error_type=result.error_type or "", error=result.error or "")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ours]
    return urlunsplit(parts._replace(query=urlencode(query + list(ours.items()))))
