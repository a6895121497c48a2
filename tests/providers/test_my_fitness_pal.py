"""MyFitnessPal: the session-cookie flow; what production's captcha does to it."""

import pytest
import responses

from providers.catalogue import provider_get
from providers.registry import provider_adapter
from providers.vendors.my_fitness_pal.adapter import CaptchaRequired

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_session_cookie_is_kept_not_the_password(sandbox, team):
    adapter = provider_adapter("my_fitness_pal", team=team)
    connected = adapter.login(username="user_good", password="pass_good", region=None)
    credentials = connected.tokens.as_credentials()
    assert credentials["extra"]["session"] and "pass_good" not in str(credentials)
    fresh = provider_adapter("my_fitness_pal", team=team)  # no cookies but the stored one
    assert fresh.refresh(credentials).access_token


@responses.activate
def test_a_captcha_refusal_says_what_to_do(team):
    team.environment = "production"
    responses.get("https://www.myfitnesspal.com/api/auth/csrf", json={"csrfToken": "c"})
    responses.post(
        "https://www.myfitnesspal.com/api/auth/callback/credentials",
        json={"url": "https://www.myfitnesspal.com/api/auth/error?error=RecaptchaFailed"},
        status=401,
    )
    adapter = provider_adapter("my_fitness_pal", team=team)
    with pytest.raises(CaptchaRequired, match="partner API"):
        adapter.login(username="a@b.c", password="pw", region=None)


def test_catalogue_says_production_login_is_blocked():
    note = provider_get("my_fitness_pal").note
    assert "reCAPTCHA" in note and "my_fitness_pal_v2" in note
