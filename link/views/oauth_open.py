"""The start page of an OAuth sign-in begun outside the widget (the API's `oauth_url`, or a link
to the widget's OAuth step followed from elsewhere): it says which app asks to connect which
vendor, and binds the first browser that goes on from it, before that browser sees the vendor."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from link import oauth
from link.errors import LinkError, OtherBrowser
from link.results import outcome_for
from link.widget import widget_headers
from providers.catalogue import provider_get

from .base import leave


@require_http_methods(["GET", "POST"])
def oauth_open(request, provider):
    """GET shows who asks; POST binds this browser and leaves for the vendor. The POST passes
    Django's CSRF check and the page cannot be framed, so another site cannot make a browser
    go on without a click here. Refusals are pages with status 200, as the callback's are
    (under /v2/, any other status would be turned into JSON)."""
    key = {"provider": provider, "state": request.GET.get("state", ""), "cookies": request.COOKIES}
    try:
        if request.method == "POST":
            url, cookie, value = oauth.oauth_open(**key)
            return oauth_cookie_set(leave(request, url), request, cookie, value)
        row = oauth.oauth_opening(**key)
    except LinkError as exc:
        outcome = outcome_for(exc.flow_error_type)
        context = {"outcome": outcome, "other_browser": isinstance(exc, OtherBrowser)}
    else:
        context = {"team": row.link_token.team, "provider": provider_get(provider)}
    response = widget_headers(render(request, "link/oauth_open.html", context), team=None)
    # Our own form must carry its Origin (the CSRF check); the vendor still gets no referrer.
    response["Referrer-Policy"] = "same-origin"
    return response


def oauth_cookie_set(response, request, name: str, value: str):
    """The cookie that binds a sign-in to this browser: first-party (a sign-in always runs in a
    top-level window), and Lax still rides along on the vendor's top-level redirect back to
    the callback. Sent only to the callback and the start page."""
    response.set_cookie(
        name,
        value,
        max_age=settings.LINK_OAUTH_STATE_TTL_MINUTES * 60,
        path="/v2/link/connect/",
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response
