"""The calls of the original Link docs, made with the PyPI `vital` SDK (0.3 to 1.1) of the
virtualenv running this script, against Link at $LINK_URL with the team's client id and secret.
The SDK is not edited: the constants it has instead of a base-URL option (its API host and its
token host) are pointed at Link first, as README "Clients" tells a self-hoster to. Prints what
the calls answered, as JSON."""

import json
import os
import sys
from urllib.parse import urlsplit

import vital.client
from vital.internal import token_handler

LINK_URL = os.environ["LINK_URL"]
hosts = vital.client.base_urls
hosts.get("us", hosts)["sandbox"] = LINK_URL  # 1.1 keys them by region
token_handler.domains["sandbox"] = urlsplit(LINK_URL).netloc

from vital import Client  # noqa: E402 (after the hosts it reads are pointed at Link)
from vital.errors import VitalError  # noqa: E402

client_id, client_secret = os.environ["VITAL_CLIENT_ID"], os.environ["VITAL_CLIENT_SECRET"]


def refused(call) -> dict | None:
    try:
        call()
    except VitalError as exc:
        return {"status": exc.code, "error_type": exc.type}
    return None


def link(client_user_id: str) -> dict:
    client = Client(client_id, client_secret, environment="sandbox")
    user = client.User.create(client_user_id)
    user_id = user["user_id"]
    token = client.Link.create(user_id, "oura")
    link_token = token["link_token"]
    wrong = refused(lambda: client.Link.password_provider(link_token, "zwift", "user_good", "no"))
    resp = client.Link.password_provider(link_token, "zwift", "user_good", "pass_good")
    link_token = client.Link.create(user_id, "google_health")["link_token"]
    oauth_url = client.Link.oauth_provider(link_token, "google_health")
    return {
        "user": user,
        "resolved": client.User.resolve(client_user_id),
        "token": token,
        "wrong_password": wrong,
        "password": resp,
        "oauth": oauth_url,
    }


def manage(user_id: str) -> dict:
    client = Client(client_id, client_secret, environment="sandbox")
    link_token = client.Link.create(user_id)["link_token"]
    return {
        "providers": client.User.providers(user_id),
        "user": client.User.get(user_id),
        "users": client.User.get_all(),
        "email": client.Link.email_provider(link_token, "freestyle_libre", "reader@example.com"),
        "deregistered": client.User.deregister_provider(user_id, "zwift"),
        # Only 1.1 has refresh.
        "refreshed": client.User.refresh(user_id) if hasattr(client.User, "refresh") else None,
        "deleted": client.User.delete(user_id),
    }


if __name__ == "__main__":
    step, argument = sys.argv[1:]
    print(json.dumps({"link": link, "manage": manage}[step](argument)))
