"""Every user, link and providers operation we serve answers what the official `vital` SDK
(2.1.569) models, strictly (tests/conformance/strict.py): the SDK itself calls a live server,
and each raw answer is checked against the model the SDK's own signature names. The lists below
are the whole of what we leave out or add, each with its reason."""

from datetime import UTC, datetime, timedelta

import pytest
from vital.core.api_error import ApiError
from vital.link.raw_client import RawLinkClient
from vital.providers.raw_client import RawProvidersClient
from vital.team.raw_client import RawTeamClient
from vital.types import Address, ConnectionRecipe
from vital.user.raw_client import RawUserClient

from teams.services import api_key_create
from tests.api.test_user_operations import INFO

from .recorder import Recorder

pytestmark = pytest.mark.django_db(transaction=True)

RAW_CLIENTS = {
    "user": RawUserClient,
    "link": RawLinkClient,
    "providers": RawProvidersClient,
    "team": RawTeamClient,
}

# SDK methods Link does not serve (their paths answer a JSON 404), and why.
NOT_SERVED = {
    "user.create_insurance": "lab testing, not Link",
    "user.get_latest_insurance": "lab testing, not Link",
    "link.connect_manual_provider": "mobile-SDK providers (HealthKit, BLE…): Link has no SDK",
    "link.start_connect": "Vital's own widget's internal call; Link's widget has its own steps",
    "team.get": "team administration happens in Link's console",
    "team.get_user_by_id": "team administration happens in Link's console",
    "team.get_svix_url": "webhooks are set up in Link's console, not Svix's portal",
    "team.get_source_priorities": "Link ranks no source above another (data per provider)",
    "team.update_source_priorities": "Link ranks no source above another (data per provider)",
    "team.get_physicians": "lab testing, not Link",
}

# Served, but never with a 2xx for the model to check.
NO_SUCCESS = {
    "user.get_device": "no health data yet, so no device is known: always 404",
}

# Fields we send that the SDK's model does not declare, by model (deliberate additions).
EXTRAS = {
    # `POST /v2/user` answers the whole user, as Vital's current API does; the SDK still
    # models only the key (user_id, client_user_id).
    "ClientFacingUserKey": {
        "team_id",
        "created_on",
        "connected_sources",
        "fallback_time_zone",
        "fallback_birth_date",
        "ingestion_start",
        "ingestion_end",
    },
    # How sure we are of each vendor's login, and where that is documented; whether this team's
    # users are offered the vendor, and if not, why.
    "ClientFacingProviderDetailed": {
        "status",
        "docs_url",
        "checked_on",
        "sources",
        "note",
        "offered",
        "not_offered",
    },
    # `success` as the 2022 SDKs' ConnectionStatus has it, beside today's fields.
    "ProviderLinkResponse": {"success"},
    # In Vital's published spec (UserAddress, API 0.4.687), newer than the SDK's Address.
    "Address": {"access_notes"},
}


def sdk_methods() -> set[str]:
    return {
        f"{group}.{name}"
        for group, raw in RAW_CLIENTS.items()
        for name in vars(raw)
        if not name.startswith("_")
    }


@pytest.fixture
def sdk(sandbox, team):
    return Recorder(sandbox.url, api_key_create(team=team)[0], RAW_CLIENTS, EXTRAS)


def test_every_served_operation_answers_the_sdks_model_strictly(sdk):
    call = sdk
    call("providers.get_all")
    user = call(
        "user.create",
        client_user_id="conformance",
        fallback_time_zone="Europe/London",
        fallback_birth_date="1990-12-10",
        ingestion_start="2024-01-01",
    )
    uid = user.user_id
    call("user.patch", uid, ingestion_end="2030-01-01")
    call("user.get", uid)
    call("user.get_by_client_user_id", "conformance")
    call("user.get_all", offset=0, limit=10)

    def token() -> str:
        return sdk.vital.link.token(
            user_id=uid, redirect_url="https://app.example.com/done"
        ).link_token

    first = call("link.token", user_id=uid, redirect_url="https://app.example.com/done").link_token
    call("link.is_token_valid", token=first)
    call("link.token_state", vital_link_token=first)
    call("team.get_link_config", vital_link_token=first)
    call("link.get_all_providers", vital_link_token=first)
    call("link.generate_oauth_link", "oura", vital_link_token=first)
    call(
        "link.connect_password_provider",
        "zwift",
        username="user_good",
        password="pass_good",
        vital_link_token=first,
    )
    mfa = token()
    call(
        "link.connect_password_provider",
        "peloton",
        username="user_mfa",
        password="pass_good",
        vital_link_token=mfa,
    )
    call("link.complete_password_provider_mfa", "peloton", mfa_code="123456", vital_link_token=mfa)
    call(
        "link.connect_email_auth_provider",
        email="ada@example.com",
        region="us",
        vital_link_token=token(),
    )
    call(
        "link.password_auth",
        username="user_good",
        password="pass_good",
        provider="renpho",
        auth_type="password",
        vital_link_token=token(),
    )
    call(
        "link.email_auth",
        email="ada@example.com",
        provider="freestyle_libre",
        auth_type="email",
        vital_link_token=token(),
    )
    call("link.code_create", user_id=uid, expires_at=datetime.now(UTC) + timedelta(hours=2))

    call("user.get_connected_providers", uid)
    call("user.refresh", uid)
    call("user.get_team_metrics")
    call("user.upsert_user_info", uid, **{**INFO, "address": Address(**INFO["address"])})
    call("user.get_latest_user_info", uid)
    call("user.get_devices", uid)
    with pytest.raises(ApiError) as no_device:
        sdk.vital.user.get_device(uid, "00000000-0000-4000-8000-000000000000")
    assert no_device.value.status_code == 404 and no_device.value.body["detail"]
    call("user.get_user_sign_in_token", uid)
    call("user.create_portal_url", uid, context="launch")

    recipe = ConnectionRecipe(
        user_id=uid,
        access_token="imported-access",
        refresh_token="imported-refresh",
        provider_id="OURA-1",
        expires_at=int((datetime.now(UTC) + timedelta(hours=1)).timestamp()),
        oauth_scopes=["daily", "heartrate"],
    )
    imported = call(
        "link.bulk_import", provider="oura", connections=[recipe], wait_for_completion=True
    )
    assert imported.user_ids_imported == [uid]
    call("link.bulk_trigger_historical_pull", user_ids=[uid], provider="oura")
    call("link.list_bulk_ops", page_size=1)
    call("link.bulk_pause", user_ids=[uid], provider="oura")
    exported = call("link.bulk_export", provider="oura", user_ids=[uid])
    assert [r.access_token for r in exported.data] == ["imported-access"]
    call("link.connect_demo_provider", user_id=uid, provider="fitbit")

    call("user.deregister_provider", uid, "zwift")
    call("user.delete", uid)
    call("user.undo_delete", user_id=uid)

    problems = {name: found for name, found in sdk.problems.items() if found}
    assert problems == {}
    unchecked = sdk_methods() - set(sdk.problems) - set(NOT_SERVED) - set(NO_SUCCESS)
    assert unchecked == set(), "SDK methods neither checked nor listed as not served"


def test_the_lists_name_real_sdk_methods():
    assert set(NOT_SERVED) | set(NO_SUCCESS) <= sdk_methods()
