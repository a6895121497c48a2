"""Console actions change things through the services, show secrets once, and are logged."""

import re

import pytest
import responses
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from connections.models import Connection
from teams.models import ApiKey, ProviderApp
from teams.services import api_key_authenticate, api_key_create
from webhooks.models import WebhookDelivery, WebhookEndpoint

from .conftest import populate

pytestmark = pytest.mark.django_db


def _action(client, model, action, objects):
    app, name = model._meta.app_label, model._meta.model_name
    return client.post(
        reverse(f"admin:{app}_{name}_changelist"),
        {"action": action, "_selected_action": [o.pk for o in objects]},
        follow=True,
    )


def _logged(obj, text):
    entry = LogEntry.objects.get(object_id=str(obj.pk))
    return text in entry.get_change_message()


def _shown_once(response) -> list[str]:
    """The secrets on a page that shows them once."""
    assert response.status_code == 200 and "will not be shown again" in response.content.decode()
    return re.findall(r"<code>([^<]+)</code>", response.content.decode())


def test_api_key_is_shown_once_then_only_its_prefix(admin_client, team):
    response = admin_client.post(
        reverse("admin:teams_apikey_add"), {"team": team.pk, "name": "backend"}
    )
    api_key = ApiKey.objects.get(name="backend")
    [key] = _shown_once(response)
    assert key.startswith(api_key.prefix)
    assert api_key_authenticate(key=key) == api_key
    assert LogEntry.objects.get(object_id=str(api_key.pk)).is_addition()
    page = admin_client.get(reverse("admin:teams_apikey_change", args=[api_key.pk]))
    assert api_key.prefix in page.content.decode()
    assert key not in page.content.decode()


def test_revoking_an_api_key_is_logged(admin_client, team):
    key, api_key = api_key_create(team=team)
    _action(admin_client, ApiKey, "revoke", [api_key])
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert api_key_authenticate(key=key) is None
    assert _logged(api_key, "Revoked.")


def test_team_created_with_branding_and_a_webhook_endpoint(admin_client):
    response = admin_client.post(
        reverse("admin:teams_team_add"),
        {
            "name": "Northwind",
            "environment": "sandbox",
            "region": "eu",
            "accent_color": "#ff5500",
            "allowed_redirect_urls": "https://app.example.com/done\n\nmyapp://link\n",
            "webhook_endpoints-TOTAL_FORMS": "1",
            "webhook_endpoints-INITIAL_FORMS": "0",
            "webhook_endpoints-0-url": "https://hooks.example.com/link",
            "webhook_endpoints-0-enabled": "on",
            "api_keys-TOTAL_FORMS": "0",
            "api_keys-INITIAL_FORMS": "0",
            "provider_apps-TOTAL_FORMS": "0",
            "provider_apps-INITIAL_FORMS": "0",
        },
    )
    endpoint = WebhookEndpoint.objects.get(url="https://hooks.example.com/link")
    team = endpoint.team
    assert (team.name, team.region, team.accent_color) == ("Northwind", "eu", "#ff5500")
    assert team.allowed_redirect_urls == ["https://app.example.com/done", "myapp://link"]
    assert _shown_once(response) == [endpoint.secret]
    page = admin_client.get(reverse("admin:teams_team_change", args=[team.pk])).content.decode()
    assert endpoint.secret not in page
    assert "--brand: #ff5500" in page  # the widget preview in the team's colour
    assert "https://app.example.com/done\nmyapp://link" in page


def test_production_team_refuses_a_plain_http_webhook(admin_client, other_team):
    response = admin_client.post(
        reverse("admin:teams_team_change", args=[other_team.pk]),
        {
            "name": other_team.name,
            "environment": "production",
            "region": "eu",
            "accent_color": "#2563eb",
            "allowed_redirect_urls": "",
            "webhook_endpoints-TOTAL_FORMS": "1",
            "webhook_endpoints-INITIAL_FORMS": "0",
            "webhook_endpoints-0-url": "http://hooks.example.com/link",
            "api_keys-TOTAL_FORMS": "0",
            "api_keys-INITIAL_FORMS": "0",
            "provider_apps-TOTAL_FORMS": "0",
            "provider_apps-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "must be an absolute URL starting with https" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_rotating_a_webhook_secret_shows_the_new_one_once(admin_client, team):
    populate(team, 1)
    endpoint = WebhookEndpoint.objects.get()
    old = endpoint.secret
    response = _action(admin_client, WebhookEndpoint, "rotate_secret", [endpoint])
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert _shown_once(response) == [endpoint.secret]
    assert _logged(endpoint, "Rotated the signing secret.")


def test_disabling_and_enabling_a_webhook_endpoint(admin_client, team):
    populate(team, 1)
    endpoint = WebhookEndpoint.objects.get()
    _action(admin_client, WebhookEndpoint, "disable", [endpoint])
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert _logged(endpoint, "Enabled")
    _action(admin_client, WebhookEndpoint, "enable", [endpoint])
    endpoint.refresh_from_db()
    assert endpoint.enabled


def test_deregistering_a_connection_forgets_its_credentials(admin_client, team):
    populate(team, 1)
    connection = Connection.objects.get()
    _action(admin_client, Connection, "deregister", [connection])
    connection.refresh_from_db()
    assert (connection.status, connection.credentials) == ("deregistered", None)
    assert _logged(connection, "Deregistered.")


def test_refresh_now_tries_and_reports(admin_client, team, settings):
    settings.LINK_SANDBOX_BASE_URL = "http://127.0.0.1:9"  # the vendor is down
    settings.LINK_PROVIDER_TIMEOUT_SECONDS = 1
    populate(team, 1)
    connection = Connection.objects.get()
    response = _action(admin_client, Connection, "refresh_now", [connection])
    connection.refresh_from_db()
    assert connection.refresh_failures == 1 and connection.status == "connected"
    assert _logged(connection, "Refresh requested: retry.")
    assert "1 retry" in response.content.decode()


@responses.activate
def test_replaying_a_webhook_delivery(admin_client, team, django_capture_on_commit_callbacks):
    populate(team, 1)
    delivery = WebhookDelivery.objects.get()
    responses.post(delivery.endpoint.url, status=204)
    with django_capture_on_commit_callbacks(execute=True):
        _action(admin_client, WebhookDelivery, "replay", [delivery])
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (1, 204)  # sent again from scratch
    assert delivery.log.count() == 2
    assert responses.calls[0].request.headers["svix-id"] == delivery.message_id
    assert _logged(delivery, "Replayed.")


def test_the_action_log_lists_who_did_what(admin_client, team):
    key, api_key = api_key_create(team=team)
    _action(admin_client, ApiKey, "revoke", [api_key])
    page = admin_client.get(reverse("admin:admin_logentry_changelist")).content.decode()
    assert "admin" in page and "Revoked." in page and api_key.prefix in page
    assert key not in page


def test_end_users_are_found_by_either_id(admin_client, team):
    populate(team, 2)
    user = team.users.get(client_user_id="row-1")
    url = reverse("admin:teams_enduser_changelist")
    for query in ("row-1", str(user.user_id)):
        page = admin_client.get(url, {"q": query}).content.decode()
        assert "row-1" in page and "row-0" not in page
    assert admin_client.get(url, {"q": "not-a-uuid"}).status_code == 200
    page = admin_client.get(reverse("admin:teams_enduser_change", args=[user.pk]))
    assert "ext-row-1" in page.content.decode()  # the user's connection, inline


def test_provider_app_secret_is_write_only(admin_client, other_team):
    add = reverse("admin:teams_providerapp_add")
    data = {"team": other_team.pk, "provider": "oura", "client_id": "cid", "enabled": "on"}
    response = admin_client.post(add, data)
    assert "A new app needs its client secret." in response.content.decode()
    admin_client.post(add, {**data, "client_secret": "first-secret"})
    app = ProviderApp.objects.get()
    assert app.client_secret == "first-secret"
    change = reverse("admin:teams_providerapp_change", args=[app.pk])
    assert "first-secret" not in admin_client.get(change).content.decode()
    admin_client.post(change, {**data, "client_id": "cid-2", "client_secret": ""})
    app.refresh_from_db()
    assert (app.client_id, app.client_secret) == ("cid-2", "first-secret")  # blank keeps it
    admin_client.post(change, {**data, "client_secret": "second-secret"})
    app.refresh_from_db()
    assert app.client_secret == "second-secret"
    team_page = admin_client.get(reverse("admin:teams_team_change", args=[other_team.pk]))
    assert "second-secret" not in team_page.content.decode()
    assert "Offered" in team_page.content.decode()


def test_operators_choose_which_providers_a_team_offers(admin_client, team):
    page = admin_client.get(reverse("admin:teams_team_change", args=[team.pk]))
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "id"}
    data.update(
        allowed_redirect_urls="", disabled_providers=["zwift", "renpho"], accent_color="#2563eb"
    )
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = admin_client.post(reverse("admin:teams_team_change", args=[team.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    team.refresh_from_db()
    assert team.disabled_providers == ["zwift", "renpho"]
