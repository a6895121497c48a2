"""Schemathesis against our own OpenAPI description, served by the live server: every operation
with generated input, authenticated with a real API key and a fresh real link token. No answer
may be a 5xx, and every answer must be one the schema declares, with the declared shape."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.api import api
from link.services import link_token_create
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
    return api_key_create(team=team)[0]


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
