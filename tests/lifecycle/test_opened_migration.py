"""link 0006 keeps on each link session when its agreement first showed (`opened_at`): sessions
opened before it carry over the moment of their first OPENED event, so a reload records no
second one."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.lifecycle.test_webhooks_migration import migrate

pytestmark = pytest.mark.django_db(transaction=True)


def test_sessions_opened_before_keep_their_first_open():
    apps = migrate([("link", "0005_link_code_hashed")])
    team = apps.get_model("teams", "Team").objects.create(name="Acme")
    user = apps.get_model("teams", "EndUser").objects.create(team=team, client_user_id="u")
    tokens = apps.get_model("link", "LinkToken").objects
    later = timezone.now() + timedelta(hours=1)
    opened = tokens.create(token_hash="a", team=team, user=user, expires_at=later)
    unopened = tokens.create(token_hash="b", team=team, user=user, expires_at=later)
    first = timezone.now() - timedelta(minutes=5)
    events = apps.get_model("link", "LinkEvent").objects
    for at in (first + timedelta(minutes=1), first):
        events.create(link_token=opened, kind="opened", created_at=at)
    events.create(link_token=unopened, kind="created", created_at=first)
    try:
        apps = migrate([("link", "0006_linktoken_opened_at")])
        after = apps.get_model("link", "LinkToken").objects
        assert after.get(pk=opened.pk).opened_at == first
        assert after.get(pk=unopened.pk).opened_at is None
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
