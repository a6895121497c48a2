"""The widget's steps through Django's test client: plain requests (no JavaScript) and htmx's."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connections.models import Connection
from link.models import LinkEvent, LinkToken

# A sandbox team without an allow-list may be embedded anywhere.
EMBEDDED = {"embed": "iframe", "origin": "https://customer.example"}


def frame_ancestors(response) -> str:
    """The CSP frame-ancestors source list of a response."""
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().partition(" ")[::2] for d in policy.split(";"))
    return directives["frame-ancestors"]


def test_agreement_page_and_panel(widget, link_token, team):
    page = widget.step("/", link_token)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.startswith("<!doctype html>")
    assert team.name in html and f"/link/providers?token={link_token}" in html
    assert "X-Frame-Options" not in page.headers
    assert frame_ancestors(page) == "*"  # sandbox, no list
    assert "HX-Request" in page.headers["Vary"]
    panel = widget.step("/", link_token, htmx=True).content.decode()
    assert "<html" not in panel and "Continue" in panel
    assert LinkEvent.objects.filter(kind="opened").count() == 1  # once per link session


def test_agreement_skips_the_list_when_the_token_names_a_provider(widget, make_token):
    token = make_token(provider="strava")
    assert f"/link/provider/strava?token={token}" in widget.step("/", token).content.decode()
    assert (
        widget.step("/link/providers", token)
        .headers["Location"]
        .startswith("/link/provider/strava?")
    )


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, 410, "This link has expired"),
        ({"consumed_at": timezone.now(), "state": "error"}, 410, "already used"),
    ],
)
def test_unusable_tokens_get_a_clear_page(widget, link_token, change, status, words):
    LinkToken.objects.update(**change)
    response = widget.step("/link/providers", link_token)
    assert response.status_code == status
    assert words in response.content.decode()


def test_unknown_token(widget, db):
    response = widget.step("/", "not-a-token")
    assert response.status_code == 404
    assert "This link doesn&#x27;t work" in response.content.decode()


def test_provider_list_filter_search_and_connected(widget, make_token, end_user):
    Connection.objects.create(user=end_user, provider="oura", status="connected")
    token = make_token(filter_on_providers=["oura", "strava", "fitbit"])
    html = widget.step("/link/providers", token).content.decode()
    assert "Oura" in html and "Strava" in html and "Garmin" not in html
    assert html.count("choose to reconnect") == 1
    found = widget.step("/link/providers", token, q="STRAVA").content.decode()
    assert "Strava" in found and "Oura" not in found and "<html" in found
    live = widget.get(
        "/link/providers",
        {"token": token, "q": "sleep"},
        headers={"HX-Request": "true", "HX-Target": "provider-results"},
    ).content.decode()
    assert live.startswith('<div id="provider-results">')
    assert "Oura" in live and "Strava" not in live
    assert "No provider matches" in widget.step("/link/providers", token, q="zzz").content.decode()
    accented = widget.step("/link/providers", make_token(), q=" FRÉESTYLE ").content.decode()
    assert "FreeStyle Libre" in accented and "Oura" not in accented


def test_steps_stay_within_four_queries(widget, link_token, django_assert_max_num_queries):
    for path in ("/", "/link/providers", "/link/provider/strava", "/link/provider/zwift"):
        with django_assert_max_num_queries(4):
            assert widget.step(path, link_token).status_code == 200


def test_provider_outside_the_filter_is_refused(widget, make_token):
    token = make_token(filter_on_providers=["oura"])
    html = widget.step("/link/provider/strava", token).content.decode()
    assert "isn&#x27;t available here" in html


def test_password_form_has_labels_autocomplete_and_region(widget, link_token):
    html = widget.step("/link/provider/dexcom", link_token).content.decode()
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
    assert 'for="id_region"' in html and "data-toggle-password" in html
    assert 'for="id_region"' not in widget.step("/link/provider/zwift", link_token).content.decode()


def test_close_without_redirect(widget, link_token):
    html = widget.submit("/link/close", link_token).content.decode()
    assert "Nothing was connected" in html and "link-events" not in html  # nobody to tell
    embedded = widget.submit("/link/close", link_token, **EMBEDDED).content.decode()
    assert '"type": "exit"' in embedded and '"error_type": "user_cancelled"' in embedded
    assert LinkEvent.objects.filter(kind="closed", error_type="user_cancelled").exists()


@pytest.mark.parametrize("htmx", [False, True])
def test_close_with_on_close_redirect(widget, make_token, htmx):
    token = make_token(redirect_url="https://app.example/done?x=1", on_close="redirect")
    response = widget.submit("/link/close", token, htmx=htmx, provider="oura")
    target = response.headers["HX-Redirect"] if htmx else response.headers["Location"]
    assert target.startswith("https://app.example/done?x=1&state=error&provider=oura")
    assert "error_type=user_cancelled" in target


def test_error_result_explains_and_offers_next_steps(widget, link_token):
    html = widget.step(
        "/link/result", link_token, provider="strava", error_type="user_cancelled"
    ).content.decode()
    assert "Connection cancelled" in html
    assert "/link/provider/strava?" in html and "Choose another provider" in html
    unknown = widget.step("/link/result", link_token, error_type="<script>").content.decode()
    assert "Something went wrong" in unknown and "<script>" not in unknown


def test_oauth_step_full_page_and_framed(widget, link_token):
    html = widget.step("/link/provider/strava", link_token).content.decode()
    assert "Continue to Strava" in html
    assert f"/link/provider/strava/oauth?token={link_token}" in html
    framed = widget.step(
        "/link/provider/strava", link_token, embed="iframe", origin="http://127.0.0.2:8001"
    ).content.decode()
    assert 'data-oauth-popup="/link/provider/strava/oauth?' in framed
    assert 'data-link-origin="http://127.0.0.2:8001"' in framed


def test_oauth_wait_polls_quietly(widget, link_token):
    assert (
        "Finish signing in"
        in widget.step("/link/provider/strava/wait", link_token).content.decode()
    )
    assert widget.step("/link/provider/strava/wait", link_token, htmx=True).status_code == 204


def test_embed_origin_must_be_allowed(widget, make_token, team):
    team.allowed_redirect_urls = ["https://app.example/cb"]
    team.save()
    token = make_token()
    ok = widget.step("/", token, embed="iframe", origin="https://app.example").content.decode()
    assert 'data-link-origin="https://app.example"' in ok
    bad = widget.step("/", token, embed="iframe", origin="https://evil.example").content.decode()
    assert "data-link-origin" not in bad
    assert frame_ancestors(widget.step("/", token)) == "'self' https://app.example"


def test_language_from_parameter_and_header(widget, link_token):
    assert "Continuar" in widget.step("/", link_token, lang="es").content.decode()
    spanish = widget.get("/", {"token": link_token}, headers={"Accept-Language": "es"})
    assert "Continuar" in spanish.content.decode()
    assert "lang=es" in widget.step("/", link_token, lang="es").content.decode()


def test_embed_script(widget):
    response = widget.get("/initialize.js")
    assert response.headers["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "window.Vital" in body and "e.origin !== BASE" in body


def test_branding(widget, link_token, team):
    team.accent_color = "#ffe000"
    team.logo_url = "https://cdn.acme.example/logo.png"
    team.save()
    html = widget.step("/", link_token).content.decode()
    assert "--accent:#ffe000;--on-accent:#000000" in html
    assert 'src="https://cdn.acme.example/logo.png"' in html
    team.accent_color = "red;}</"  # not a colour (stored before validation, or by hand)
    team.save()
    assert "--accent:#2563eb" in widget.step("/", link_token).content.decode()


def test_every_widget_page_is_never_cached_and_says_who_may_frame_it(widget, make_token, team):
    """Issue 16: widget pages lacked no-store, the token-error page framing headers."""
    team.allowed_redirect_urls = ["https://app.example/cb"]
    team.save()
    token = make_token()
    pages = [widget.step(p, token) for p in ("/", "/link/providers", "/link/provider/zwift")]
    unknown = widget.step("/link/providers", "not-a-token")
    LinkToken.objects.update(expires_at=timezone.now())
    expired = widget.step("/link/providers", token)
    for page in [*pages, unknown, expired]:
        assert "no-store" in page.headers["Cache-Control"], page.content[:200]
        assert page.headers["Cross-Origin-Opener-Policy"] == "unsafe-none"
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert "script-src" not in page.headers["Content-Security-Policy"]  # default-src 'self'
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert frame_ancestors(unknown) == "'none'"  # names no team: nobody may frame it
    assert frame_ancestors(expired) == "'self' https://app.example"
    callback = widget.get("/v2/link/connect/oura?state=forged&code=x")
    assert frame_ancestors(callback) == "'none'" and callback.headers["X-Frame-Options"] == "DENY"
    assert "no-store" in callback.headers["Cache-Control"]


def test_an_expired_token_tells_the_embedding_page_why(widget, link_token):
    LinkToken.objects.update(expires_at=timezone.now())
    html = widget.step("/link/provider/zwift", link_token, **EMBEDDED).content.decode()
    assert '"type": "exit"' in html and '"error_type": "token_expired"' in html
    assert '"provider": "zwift"' in html


def test_a_used_token_opened_again_is_an_exit_not_a_second_success(widget, link_token):
    LinkToken.objects.update(consumed_at=timezone.now(), state="success", provider="zwift")
    html = widget.step("/", link_token, **EMBEDDED).content.decode()
    assert "already used" in html and '"error_type": "token_consumed"' in html
    assert '"type": "success"' not in html
    assert "Zwift is connected" in widget.step("/link/result", link_token).content.decode()


def test_embed_script_answers_head_and_names_its_origin(widget, settings):
    settings.LINK_PUBLIC_URL = "https://link.example.com/base"
    assert widget.head("/initialize.js").status_code == 200
    assert 'var BASE = "https://link.example.com";' in widget.get("/initialize.js").content.decode()
