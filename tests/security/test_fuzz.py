"""Schemathesis against our own OpenAPI description, served by the live server: every operation
with generated input, authenticated with a real API key and a fresh real link token. No answer
may be a 5xx, and every answer must be one the schema declares, with the declared shape.

Then what schemathesis does not generate, sent to every operation: bodies nested as deep as a
parser goes (with and without a NUL inside), bodies past Django's upload limit, very long
strings in every field, and query and header values of 100,000 characters (issue 16, item 10).
"""

import json

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings

from api.api import api
from link.services import link_token_create
from teams.models import ApiKey
from teams.services import api_key_create

pytestmark = pytest.mark.django_db(transaction=True)

CASES = {"run": 0}


# A 400 is a documented business answer to schema-valid input (an unknown user or provider, as
# Vital answers); a past `expires_at` for a link code is a 422 no schema can express.
_OK = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {"positive_data_acceptance": {"expected-statuses": _OK}},
        "operations": [
            {
                "include-name": "POST /v2/link/code/create",
                "checks": {"positive_data_acceptance": {"expected-statuses": [*_OK, "422"]}},
            }
        ],
    }
)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)


@pytest.fixture(scope="module", autouse=True)
def _report_cases():
    yield
    print(f"\nschemathesis: {CASES['run']} cases run")


@pytest.fixture
def api_key(team):
    """A key with every scope, so that input reaches every operation's own code."""
    return api_key_create(team=team, scopes=ApiKey.Scope.values)[0]


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_matches_its_schema(case, sandbox, team, live_user, api_key):
    token, _ = link_token_create(team=team, user_id=live_user.pk)
    case.call_and_validate(
        base_url=sandbox.url, headers={"X-Vital-API-Key": api_key, "x-vital-link-token": token}
    )
    CASES["run"] += 1


# -- nested and oversized input, to every operation ---------------------------------------------

_LONG = "9" * 100_000
_FIELDS = [
    "user_id",
    "client_user_id",
    "username",
    "password",
    "email",
    "mfa_code",
    "region",
    "provider",
    "redirect_url",
    "token",
    "fallback_time_zone",
    "ingestion_start",
    "grant_type",
    "client_id",
    "client_secret",
]
HOSTILE_BODIES = {
    "nested 100,000 deep": "[" * 100_000 + "]" * 100_000,
    "nested, with a NUL": '{"a":' * 5_000 + '"\\u0000"' + "}" * 5_000,
    "nested 900 deep (parses)": '{"a":' * 900 + '"\\u0000"' + "}" * 900,
    "past the upload limit": json.dumps({"client_user_id": "x" * 3_000_000}),
    "long strings": json.dumps(
        {**{name: "x" * 100_000 for name in _FIELDS}, "filter_on_providers": ["x" * 100_000]}
    ),
}


def _operations():
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            yield pytest.param(method, path, operation, id=f"{method.upper()} {path}")


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [
        *_operations(),
        pytest.param("post", "/oauth/token", {"requestBody": True}, id="POST /oauth/token"),
    ],
)
def test_nested_and_oversized_input_never_answers_5xx(
    method, path, operation, team, end_user, api_key
):
    token, _ = link_token_create(team=team, user_id=end_user.pk)
    ids = {
        name: _LONG for name in ("client_user_id", "device_id", "sleep_id", "workout_id", "path")
    }
    url = path.format(user_id=end_user.pk, provider="zwift", **ids)
    client = Client(
        raise_request_exception=False,
        headers={"X-Vital-API-Key": api_key, "x-vital-link-token": token},
    )
    send = getattr(client, method)
    sent = []
    queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    sent.append(send(url, {name: _LONG for name in queries}))
    long_header = Client(raise_request_exception=False, headers={"x-vital-link-token": _LONG})
    sent.append(getattr(long_header, method)(url))
    if operation.get("requestBody"):
        sent += [
            send(url, body, content_type="application/json") for body in HOSTILE_BODIES.values()
        ]
    statuses = [answer.status_code for answer in sent]
    assert all(400 <= status < 500 or status < 300 for status in statuses), statuses
