import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_counters")]


def test_api_is_limited_per_team_with_retry_after(api, other_api, settings):
    settings.LINK_RATE_LIMIT_API = "3/60"
    calls = [api.get("/v2/user", REMOTE_ADDR=f"10.0.0.{i}").status_code for i in range(3)]
    assert calls == [200] * 3
    limited = api.get("/v2/user", REMOTE_ADDR="10.0.0.9")  # the team's budget, not the address's
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 61
    assert "Too many requests" in limited.json()["detail"]
    assert other_api.get("/v2/user", REMOTE_ADDR="10.0.1.1").status_code == 200  # its own budget


def test_pages_are_limited_per_client_ip(client, settings):
    settings.LINK_RATE_LIMIT_WIDGET = "2/60"
    for _ in range(2):
        assert client.get("/admin/login/", REMOTE_ADDR="10.0.0.1").status_code == 200
    limited = client.get("/admin/login/", REMOTE_ADDR="10.0.0.1")
    assert limited.status_code == 429 and limited["Retry-After"]
    assert client.get("/admin/login/", REMOTE_ADDR="10.0.0.2").status_code == 200
    assert client.get("/static/providers/oura.svg", REMOTE_ADDR="10.0.0.1").status_code == 200


def test_forwarded_for_is_trusted_only_behind_configured_proxies(client, settings):
    settings.LINK_RATE_LIMIT_WIDGET = "1/60"
    spoofed = {"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_FOR": "1.1.1.1"}
    assert client.get("/admin/login/", **spoofed).status_code == 200
    spoofed["HTTP_X_FORWARDED_FOR"] = "2.2.2.2"  # ignored: no proxy is trusted
    assert client.get("/admin/login/", **spoofed).status_code == 429

    settings.LINK_NUM_PROXIES = 1
    via_proxy = {"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_FOR": "9.9.9.9, 3.3.3.3"}
    assert client.get("/admin/login/", **via_proxy).status_code == 200
    via_proxy["HTTP_X_FORWARDED_FOR"] = "8.8.8.8, 4.4.4.4"
    assert client.get("/admin/login/", **via_proxy).status_code == 200
