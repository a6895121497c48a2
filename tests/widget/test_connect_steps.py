"""Provider steps against the sandbox emulators (served by the live server), driven by Django's
test client as a browser without JavaScript, or with htmx's headers."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from connections.models import Connection
from tests.conftest import WidgetClient

from .test_steps import EMBEDDED

pytestmark = pytest.mark.django_db(transaction=True)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@pytest.mark.parametrize("htmx", [False, True])
def test_password_connects_once(widget, sandbox, new_link_token, live_user, htmx):
    token = new_link_token()
    form = {"username": "user_good", "password": "pass_good"}
    response = widget.submit("/link/provider/zwift", token, htmx=htmx, **form)
    assert response.status_code == 302 and response.headers["Location"].startswith("/link/result?")
    html = widget.get(response.headers["Location"]).content.decode()
    assert "Zwift is connected" in html
    embedded = widget.step("/link/result", token, **EMBEDDED).content.decode()
    assert '"type": "success"' in embedded and '"state": "success"' in embedded
    again = widget.submit("/link/provider/zwift", token, htmx=htmx, **form).content.decode()
    assert "Zwift is connected" in again  # a double submit shows the result, connects nothing
    back = widget.step("/link/provider/zwift", token).content.decode()
    assert "Zwift is connected" in back and "password" not in back.lower().split("</header>")[1]
    assert Connection.objects.filter(user=live_user, provider="zwift").count() == 1


def test_password_with_mfa(widget, sandbox, new_link_token, live_user):
    token = new_link_token()
    response = widget.submit(
        "/link/provider/zwift", token, username="user_mfa", password="pass_good"
    )
    mfa_url = response.headers["Location"]
    assert mfa_url.startswith("/link/provider/zwift/mfa?")
    page = widget.get(mfa_url).content.decode()
    assert "Enter your verification code" in page and 'autocomplete="one-time-code"' in page
    wrong = widget.submit(
        "/link/provider/zwift/mfa", token, mfa_code="000000", **EMBEDDED
    ).content.decode()
    assert 'role="alert"' in wrong and "Check it and enter it again" in wrong
    assert '"type": "error"' in wrong and '"error_type": "incorrect_mfa_code"' in wrong
    done = widget.submit("/link/provider/zwift/mfa", token, mfa_code="123456")
    assert done.headers["Location"].startswith("/link/result?")
    assert Connection.objects.get(user=live_user, provider="zwift").status == "connected"


def test_bad_password_stays_on_the_form(widget, sandbox, new_link_token):
    token = new_link_token()
    html = widget.submit(
        "/link/provider/zwift", token, username="user_good", password="nope", **EMBEDDED
    ).content.decode()
    assert "That didn&#x27;t work" in html and 'name="username"' in html
    assert '"error_type": "provider_credential_error"' in html


@pytest.mark.parametrize("htmx", [False, True])
def test_on_error_redirect(widget, sandbox, new_link_token, htmx):
    token = new_link_token(redirect_url="https://app.example/cb", on_error="redirect")
    response = widget.submit(
        "/link/provider/zwift", token, htmx=htmx, username="user_good", password="nope"
    )
    target = response.headers["HX-Redirect"] if htmx else response.headers["Location"]
    query = parse_qs(urlsplit(target).query)
    assert query["state"] == ["error"] and query["error_type"] == ["provider_credential_error"]


def test_password_success_redirects_to_the_app(widget, sandbox, new_link_token):
    token = new_link_token(redirect_url="https://app.example/cb?keep=1")
    response = widget.submit(
        "/link/provider/zwift", token, username="user_good", password="pass_good"
    )
    assert response.headers["Location"] == (
        "https://app.example/cb?keep=1&state=success&provider=zwift"
    )


def _consent(widget, authorize_url: str, decision: str) -> str:
    """Answer the sandbox vendor's consent page; returns where the vendor sends the browser."""
    page = widget.get(_path(authorize_url)).content.decode()
    ticket = re.search(r'name="ticket" value="([^"]+)"', page).group(1)
    scopes = re.findall(r'name="scope" value="([^"]+)"', page)
    answer = widget.post(
        _path(authorize_url), {"ticket": ticket, "scope": scopes, "decision": decision}
    )
    return answer.headers["Location"]


@pytest.mark.parametrize("htmx", [False, True])
def test_oauth_start_leaves_for_the_vendor(widget, sandbox, new_link_token, htmx):
    token = new_link_token()
    response = widget.step("/link/provider/strava/oauth", token, htmx=htmx)
    target = response.headers["HX-Redirect"] if htmx else response.headers["Location"]
    assert "/sandbox/www.strava.com/" in target and "state=" in target


def test_oauth_round_trip_and_waiting_frame(widget, sandbox, new_link_token, live_user):
    token = new_link_token()
    vendor = widget.step("/link/provider/strava/oauth", token).headers["Location"]
    callback = _consent(widget, vendor, "allow")
    done = widget.get(_path(callback)).content.decode()
    assert "Strava is connected" in done and 'id="oauth-done"' in done
    assert Connection.objects.get(user=live_user, provider="strava").status == "connected"
    waiting = widget.step("/link/provider/strava/wait", token, htmx=True)
    assert waiting.status_code == 200 and "Strava is connected" in waiting.content.decode()


def test_oauth_denied_shows_the_error_in_the_frame(widget, sandbox, new_link_token):
    token = new_link_token()
    vendor = widget.step("/link/provider/strava/oauth", token).headers["Location"]
    done = widget.get(_path(_consent(widget, vendor, "deny"))).content.decode()
    assert "Connection cancelled" in done
    waiting = widget.step("/link/provider/strava/wait", token, htmx=True).content.decode()
    assert "Connection cancelled" in waiting and "Try again" in waiting


def test_oauth_callback_only_finishes_in_the_browser_that_started_it(
    widget, sandbox, new_link_token, live_user
):
    token = new_link_token()
    start = widget.step("/link/provider/strava/oauth", token)
    [cookie] = [c for c in start.cookies.values() if c.key.startswith("link_oauth_")]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == "/v2/link/connect/"
    callback = _path(_consent(widget, start.headers["Location"], "allow"))

    stranger = WidgetClient()  # another browser: a leaked callback URL, a forwarded link
    refused = stranger.get(callback).content.decode()
    assert "This link doesn&#x27;t work" in refused
    assert not Connection.objects.filter(user=live_user).exists()

    done = widget.get(callback).content.decode()  # the right browser can still finish
    assert "Strava is connected" in done
    assert Connection.objects.get(user=live_user, provider="strava").status == "connected"


def test_a_registered_app_scheme_is_followed(widget, sandbox, new_link_token, team):
    """It answered 400 (DisallowedRedirect) after saving the connection."""
    team.allowed_redirect_urls = ["myapp://link/done"]
    team.save()
    token = new_link_token(redirect_url="myapp://link/done")
    form = {"username": "user_good", "password": "pass_good"}
    response = widget.submit("/link/provider/zwift", token, **form)
    assert response.status_code == 302
    assert response.headers["Location"] == "myapp://link/done?state=success&provider=zwift"


@pytest.mark.parametrize("htmx", [False, True])
def test_embedded_never_leaves_for_the_redirect_url(widget, sandbox, new_link_token, htmx):
    token = new_link_token(
        redirect_url="https://app.example/cb", on_error="redirect", on_close="redirect"
    )
    wrong = widget.submit(
        "/link/provider/zwift", token, htmx=htmx, username="user_good", password="x", **EMBEDDED
    )
    assert wrong.status_code == 200 and "HX-Redirect" not in wrong.headers
    closed = widget.submit("/link/close", token, htmx=htmx, **EMBEDDED)
    assert closed.status_code == 200 and '"type": "exit"' in closed.content.decode()
    done = widget.submit(
        "/link/provider/zwift",
        token,
        htmx=htmx,
        username="user_good",
        password="pass_good",
        **EMBEDDED,
    )
    assert done.headers["Location"].startswith("/link/result?")


def test_an_embedded_oauth_sign_in_shows_its_outcome_instead_of_redirecting(
    widget, sandbox, new_link_token
):
    def sign_in(**embedding):
        token = new_link_token(redirect_url="https://app.example/cb")
        start = widget.step("/link/provider/strava/oauth", token, **embedding)
        return widget.get(_path(_consent(widget, start.headers["Location"], "allow")))

    embedded = sign_in(**EMBEDDED)
    assert embedded.status_code == 200 and "Strava is connected" in embedded.content.decode()
    assert "data-embedded" in embedded.content.decode()  # its window closes itself
    assert sign_in().status_code == 307  # full page: one channel, the redirect
