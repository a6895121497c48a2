"""A vendor that times out, answers 5xx, 429 or garbage, or is down, met through our public
endpoints (the API's password step, the widget's password form, the OAuth callback): a clear
`provider_api_error` answer (200: never a 5xx of ours, never 409/429 for a business error), no
Connection row, a FAILED LinkEvent, and the link token still usable: a retry with a healthy
vendor connects with the same token."""

from dataclasses import dataclass

import pytest
from django.test import Client

from connections.models import Connection
from link.models import LinkEvent, LinkToken
from tests.sandbox import Browser, consent

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED_PORT = "http://127.0.0.1:9"
FAULTS = {  # kind: (sandbox username, consent page fault)
    "timeout": ("user_slow", "slow"),
    "5xx": ("user_500", "500"),
    "429": ("user_429", "429"),
    "garbage": ("user_garbage", "garbage"),
    "down": ("user_good", ""),  # the vendor's address is a closed port
}


@dataclass
class Vendor:
    """The sandbox vendor, misbehaving as `kind` says (None: healthy)."""

    settings: object
    url: str
    kind: str | None = None

    @property
    def username(self) -> str:
        return FAULTS[self.kind][0] if self.kind else "user_good"

    @property
    def consent_fault(self) -> str:
        return FAULTS[self.kind][1] if self.kind else ""

    def up(self) -> None:
        self.settings.LINK_SANDBOX_BASE_URL = self.url

    def reached(self) -> None:
        """Right before our server calls the vendor: a vendor that is down is down now. Our
        calls give up soon on a faulty vendor (a fast test), but a healthy one has the usual
        time: a retry may come while the slow answer still sleeps, on a busy machine."""
        self.up()
        self.settings.LINK_PROVIDER_TIMEOUT_SECONDS = 0.3 if self.kind else 10
        if self.kind == "down":
            self.settings.LINK_SANDBOX_BASE_URL = CLOSED_PORT


@pytest.fixture
def vendor(sandbox, settings):
    settings.LINK_SANDBOX_SLOW_SECONDS = 1.0
    return Vendor(settings, sandbox.url)


def api_password(client, token, vendor):
    vendor.reached()
    return client.post(
        "/v2/link/provider/password/zwift",
        {"username": vendor.username, "password": "pass_good"},
        content_type="application/json",
        headers={"x-vital-link-token": token},
    )


def widget_password(client, token, vendor):
    vendor.reached()
    return client.post(
        "/link/provider/zwift",
        {"token": token, "username": vendor.username, "password": "pass_good"},
    )


def oauth_callback(client, token, vendor):
    vendor.up()  # the consent page itself works
    started = client.get(
        "/v2/link/provider/oauth/google_health", headers={"x-vital-link-token": token}
    )
    browser = Browser()
    back = consent(started.json()["oauth_url"], browser=browser, fault=vendor.consent_fault)
    vendor.reached()
    client.cookies.load(browser.cookies.get_dict())
    return client.get(back)


@pytest.mark.parametrize("kind", FAULTS)
@pytest.mark.parametrize("channel", [api_password, widget_password, oauth_callback])
def test_vendor_fault_is_a_clear_error_and_the_token_survives(
    channel, kind, vendor, new_link_token, live_user
):
    token, client = new_link_token(), Client()
    vendor.kind = kind
    answer = channel(client, token, vendor)
    assert answer.status_code == 200, answer.content
    assert "provider_api_error" in answer.content.decode()
    assert not Connection.objects.filter(user=live_user).exists()
    link_token = LinkToken.objects.get(user=live_user)
    assert link_token.consumed_at is None
    failed = link_token.events.filter(kind=LinkEvent.Kind.FAILED)
    assert list(failed.values_list("error_type", flat=True)) == ["provider_api_error"]

    vendor.kind = None
    retry = channel(client, token, vendor)
    assert retry.status_code in (200, 302), retry.content
    assert Connection.objects.get(user=live_user).status == Connection.Status.CONNECTED
    link_token.refresh_from_db()
    assert link_token.consumed_at is not None
