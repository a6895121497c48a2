"""Walking Link's OAuth start page and the sandbox vendors' consent pages like a browser."""

import re
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlsplit

import requests

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _LoopbackIsSecure(DefaultCookiePolicy):
    """As in browsers, loopback is a secure context: `Secure` cookies (Django's CSRF cookie on a
    production server) go to http://127.0.0.1 too."""

    def return_ok_secure(self, cookie, request):
        host = urlsplit(request.get_full_url()).hostname
        return host in ("127.0.0.1", "localhost") or super().return_ok_secure(cookie, request)


class Browser(requests.Session):
    """An end user's browser, without JavaScript: it keeps its cookies."""

    def __init__(self):
        super().__init__()
        self.cookies.set_policy(_LoopbackIsSecure())

    def prepare_request(self, request):
        # requests copies the cookies into a jar of the default policy; send them by ours.
        prepared = super().prepare_request(request)
        prepared.headers.pop("Cookie", None)
        prepared.prepare_cookies(self.cookies)
        return prepared


def press_continue(browser: Browser, url: str, csrf: str, **options) -> requests.Response:
    """Press Continue on our start page at `url`: a form this browser loaded, with its CSRF
    token, posted with the `Origin` a browser sends."""
    parts = urlsplit(url)
    return browser.post(
        url,
        data={"csrfmiddlewaretoken": csrf},
        headers={"Origin": f"{parts.scheme}://{parts.netloc}"},
        timeout=30,
        **options,
    )


def consent(
    oauth_url: str,
    *,
    browser: Browser | None = None,
    decision="allow",
    fault="",
    scopes=None,
) -> str:
    """Walk from `oauth_url` (our start page, where it presses Continue, or a vendor's
    authorize URL) through the emulator's consent page; returns where the vendor sends the
    browser back. The start page binds the sign-in to the browser that continues from it, so
    pass the `browser` that is to follow that URL."""
    browser = browser or Browser()
    page = browser.get(oauth_url, timeout=10)
    assert page.status_code == 200, page.text
    if csrf := CSRF.search(page.text):  # our start page
        page = press_continue(browser, page.url, csrf.group(1))
        assert page.status_code == 200, page.text
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)
    offered = re.findall(r'name="scope" value="([^"]+)"', page.text)
    form = {
        "ticket": ticket,
        "decision": decision,
        "fault": fault,
        "scope": offered if scopes is None else scopes(offered),
        "account": "user_good",
    }
    answer = browser.post(page.url.split("?")[0], data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]
