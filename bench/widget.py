"""What the widget scenarios use up, made before the load starts (in-process, on the benchmark's
database): link tokens for password submits, and OAuth callbacks, each with its own link token,
a state from link.oauth.oauth_start_in_browser (and the cookie of the browser it is bound to)
and a code from the sandbox emulator's consent page."""

import re
import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.test import Client

from providers.sandbox.base import sign

LOGIN_PROVIDER = "zwift"  # password, one login call, no region
OAUTH_PROVIDER = "google_health"  # PKCE on the code exchange
CONNECT_NAMES = ("oauth (strava)", "password (zwift)", "email (freestyle_libre)")


def oauth_callbacks(team, user, count: int, provider: str = OAUTH_PROVIDER) -> list[list]:
    """The vendor's redirects back to us, each with a fresh state and a signed code: pairs of
    its path and the headers of the browser that started it (its cookie)."""
    from link.oauth import oauth_start_in_browser
    from link.services import link_token_create

    client = Client(HTTP_HOST="127.0.0.1")
    paths = []
    for _ in range(count):
        _, link_token = link_token_create(team=team, user_id=user.pk)
        url, cookie, value = oauth_start_in_browser(link_token=link_token, provider=provider)
        authorize = urlsplit(url)
        query = dict(parse_qsl(authorize.query))
        consent = client.post(
            authorize.path,
            {
                "ticket": sign(query, "consent"),
                "decision": "allow",
                # as the consent page offers them: some vendors ask no scope, Strava's are
                # comma-separated
                "scope": re.findall(r"[^ ,]+", query.get("scope", "")),
            },
        )
        back = urlsplit(consent["Location"])
        paths.append([f"{back.path}?{back.query}", {"Cookie": f"{cookie}={value}"}])
    return paths


def scenarios(token: str, password_tokens: list[str], callbacks: list[list]) -> list[dict]:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    return [
        {"name": "widget: agreement", "method": "GET", "path": f"/?token={token}"},
        {
            "name": "widget: provider list",
            "method": "GET",
            "path": f"/link/providers?token={token}",
        },
        {
            "name": "widget: password submit",
            "method": "POST",
            "path": f"/link/provider/{LOGIN_PROVIDER}",
            "headers": form,
            "body": "token={pool}&username=user_good&password=pass_good",
            "pool": password_tokens,
            "ok": [302],
        },
        {
            "name": "widget: OAuth callback",
            "method": "GET",
            "path": "{pool}",
            "pool": callbacks,
        },
    ]


def browser_links(team, public_url: str, redirect_url: str) -> dict[str, str]:
    """link_web_urls for the browser: one to weigh the steps, one per full connect (each for a
    new user, and redirecting to the customer's `redirect_url` with the outcome)."""
    from link.services import link_token_create
    from teams.services import end_user_create

    links = {}
    for name in ("weigh", *CONNECT_NAMES):
        user = end_user_create(team=team, client_user_id=f"browser-{secrets.token_hex(4)}")
        redirect = None if name == "weigh" else redirect_url
        token, _ = link_token_create(team=team, user_id=user.pk, redirect_url=redirect)
        links[name] = f"{public_url}/?{urlencode({'token': token, 'env': 'sandbox'})}"
    return links
