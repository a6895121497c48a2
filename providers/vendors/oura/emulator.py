"""Oura's OAuth server: `redirect_uri` optional (without it, the app's registered one; if sent at
authorize, it must be sent again at the exchange), client credentials in the body, single-use
refresh tokens, the user id from personal_info; and one of its data endpoints, daily_sleep, paged
with `next_token`."""

import uuid
from datetime import date, timedelta

from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import OAuthEmulator, account_id, exempt, sign, unsign
from ...sandbox.data import days_between, seeded, today
from .adapter import OuraAdapter

_PAGE_DAYS = 50
_CONTRIBUTORS = (
    "deep_sleep",
    "efficiency",
    "latency",
    "rem_sleep",
    "restfulness",
    "timing",
    "total_sleep",
)


def daily_sleep_of(account: str, day: date) -> dict | None:
    """One night's daily_sleep document (None for a night the ring was not worn)."""
    rng = seeded(account, "oura.daily_sleep", day)
    if rng.random() < 0.05:
        return None
    contributors = {name: rng.randint(45, 99) for name in _CONTRIBUTORS}
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"oura:{account}:{day}")),
        "contributors": contributors,
        "day": day.isoformat(),
        "score": round(sum(contributors.values()) / len(contributors)),
        "timestamp": f"{day.isoformat()}T00:00:00+00:00",
    }


class OuraEmulator(OAuthEmulator):
    vendor = OuraAdapter
    refresh_single_use = True
    redirect_uri_optional = True
    access_ttl = 86400

    def daily_sleep(self, request):
        """`GET /v2/usercollection/daily_sleep`: start_date defaults to the day before
        end_date, end_date to today (as Oura's API reference says)."""
        account = self.bearer_account(request)
        if account is None:
            return JsonResponse({"error": "unauthorized"}, status=401)
        try:
            end = date.fromisoformat(request.GET.get("end_date") or today().isoformat())
            start = date.fromisoformat(
                request.GET.get("start_date") or (end - timedelta(days=1)).isoformat()
            )
        except ValueError:
            return JsonResponse({"detail": "start_date and end_date are YYYY-MM-DD."}, status=400)
        if "next_token" in request.GET:
            page = unsign(request.GET["next_token"], "oura.page")
            if page is None:
                return JsonResponse({"detail": "next_token is not valid."}, status=400)
            start = date.fromisoformat(page["from"])
        wanted = days_between(start, end)
        shown, rest = wanted[:_PAGE_DAYS], wanted[_PAGE_DAYS:]
        return JsonResponse(
            {
                "data": [doc for day in shown if (doc := daily_sleep_of(account, day))],
                "next_token": sign({"from": rest[0].isoformat()}, "oura.page") if rest else None,
            }
        )

    def hosts(self):
        cloud, api = OuraAdapter.hosts["cloud"], OuraAdapter.hosts["api"]
        return {
            cloud: [path("oauth/authorize", exempt(self.authorize))],
            api: [
                path("oauth/token", exempt(self.token)),
                path(
                    "v2/usercollection/personal_info",
                    self.profile_view(lambda account: {"id": account_id(account), "age": 35}),
                ),
                path("v2/usercollection/daily_sleep", exempt(self.daily_sleep)),
                path("oauth/revoke", self.revoke_view(lambda r: r.GET.get("access_token"))),
            ],
        }
