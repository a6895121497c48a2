"""Walking the sandbox vendors like a browser would."""

import re

import requests


def consent(oauth_url: str, *, decision="allow", fault="", scopes=None) -> str:
    """Walk the emulator's consent page like a browser; returns where it sends us back."""
    page = requests.get(oauth_url, timeout=10)
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
    answer = requests.post(oauth_url.split("?")[0], data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]
