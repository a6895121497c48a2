"""`seed_demo` creates a superuser with a published password (issue 16, item 9): a production
process refuses to run it unless told explicitly, and then only because a benchmark asks."""

import pytest
from django.contrib.auth import get_user_model

from tests.processes import database_url, manage, production_env

pytestmark = pytest.mark.django_db(transaction=True)


def test_production_refuses_to_seed_the_demo():
    env = production_env(DATABASE_URL=database_url())
    refused = manage("seed_demo", env=env)
    assert refused.returncode != 0
    assert "DJANGO_DEBUG" in refused.stderr
    assert not get_user_model().objects.exists()


def test_an_explicit_flag_allows_it():
    env = production_env(DATABASE_URL=database_url())
    seeded = manage("seed_demo", "--allow-production", env=env)
    assert seeded.returncode == 0, seeded.stderr
    assert get_user_model().objects.filter(is_superuser=True).exists()
