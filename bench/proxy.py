"""The vendor proxy's overhead: the same Oura daily_sleep call made straight to the sandbox's
emulator (on the vendor gunicorn, with the connection's own token) and through
`/v2/proxy/{user_id}/oura/…` (with the API key), at each concurrency. The connection is made the
real way: a callback to Link with a code from the emulator's consent page, exchanged by Link."""

from datetime import timedelta
from urllib.parse import urlencode

import requests
from widget import oauth_callbacks

from providers.http import sandbox_path
from providers.registry import adapter_class
from providers.sandbox.data import today

PROVIDER = "oura"
DIRECT = "proxy: direct to the emulator"
PROXIED = "proxy: through /v2/proxy"
_DAILY_SLEEP = "v2/usercollection/daily_sleep"


def connect(team, user, public_url: str) -> dict:
    """Connect `user` to Oura through the running server; the connection's credentials."""
    from connections.models import Connection

    [(path, browser)] = oauth_callbacks(team, user, 1, PROVIDER)
    callback = requests.get(public_url + path, headers=browser, timeout=30)
    callback.raise_for_status()
    return Connection.objects.get(user=user, provider=PROVIDER, status="connected").credentials


def scenarios(user_id: str, credentials: dict, api_key: str, vendor_port: int) -> list[dict]:
    """A week of daily_sleep, straight to the emulator and through the proxy."""
    end = today()
    query = urlencode({"start_date": (end - timedelta(days=6)).isoformat(), "end_date": end})
    direct = sandbox_path(f"{adapter_class(PROVIDER).hosts['api']}/{_DAILY_SLEEP}")
    return [
        {
            "name": DIRECT,
            "method": "GET",
            "port": vendor_port,
            "path": f"/{direct}?{query}",
            "headers": {"Authorization": f"Bearer {credentials['access_token']}"},
        },
        {
            "name": PROXIED,
            "method": "GET",
            "path": f"/v2/proxy/{user_id}/{PROVIDER}/{_DAILY_SLEEP}?{query}",
            "headers": {"X-Vital-API-Key": api_key},
        },
    ]


def print_overhead(results: list[dict]) -> None:
    """What the proxy adds to the direct call, per concurrency."""
    direct = {r["concurrency"]: r for r in results if r["name"] == DIRECT}
    proxied = [r for r in results if r["name"] == PROXIED]
    if not direct or not proxied:
        return
    print(f"\n{'proxy overhead (Oura daily_sleep)':34} {'conc':>4} {'+p50 ms':>8} {'+p99 ms':>8}")
    for r in proxied:
        base = direct[r["concurrency"]]
        if r["p50_ms"] is None or base["p50_ms"] is None:
            continue
        print(
            f"{'':34} {r['concurrency']:>4} {r['p50_ms'] - base['p50_ms']:>8.1f} "
            f"{r['p99_ms'] - base['p99_ms']:>8.1f}"
        )
