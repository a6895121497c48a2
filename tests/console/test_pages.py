"""Every console page renders, for every registered model, and none shows a secret."""

import pytest
from django.contrib import admin
from django.urls import reverse

from .conftest import SECRETS

MODELS = [(m._meta.app_label, m._meta.model_name) for m in admin.site._registry]


def _pages(model, obj):
    app, name = model._meta.app_label, model._meta.model_name
    yield reverse(f"admin:{app}_{name}_changelist")
    if obj is not None:
        yield reverse(f"admin:{app}_{name}_change", args=[obj.pk])
        yield reverse(f"admin:{app}_{name}_history", args=[obj.pk])
    yield reverse(f"admin:{app}_{name}_add")


@pytest.mark.django_db
@pytest.mark.parametrize("app_model", MODELS, ids="_".join)
def test_every_page_renders_without_secrets(admin_client, secrets_everywhere, app_model):
    model = next(m for m in admin.site._registry if m._meta.model_name == app_model[1])
    for url in _pages(model, model._default_manager.first()):
        response = admin_client.get(url)
        assert response.status_code in (200, 403), (url, response.status_code)
        page = response.content.decode()
        for secret in SECRETS:
            assert secret not in page, (url, secret)


@pytest.mark.django_db
def test_dashboard_renders_without_secrets(admin_client, secrets_everywhere):
    for window in ("24h", "7d", "30d", "bogus"):
        response = admin_client.get(reverse("admin:index"), {"window": window})
        assert response.status_code == 200
        page = response.content.decode()
        assert "Conversion funnel" in page
        assert not [s for s in SECRETS if s in page]
