"""Every model has a Chinese admin with search, scoped through the same selectors as the API."""

import re

import pytest
from django.apps import apps
from django.contrib import admin

from ledger.admin_base import ScopedAdmin

CJK = re.compile(r"[\u4e00-\u9fff]")
# Infrastructure rows that are not data entry: tokens, failed sign-ins and the export-batch
# counter are kept out of the admin. Platform receipt lines are read through the credit API
# (credit/exports/{id}/) until they get an admin page of their own.
NOT_IN_ADMIN = {"ApiToken", "LoginFailure", "ExportSequence", "ExportReceiptLine"}


def _inline_models():
    """Models shown as inlines of a registered scoped admin count as covered."""
    return {inline.model for ma in admin.site._registry.values() for inline in getattr(ma, "inlines", [])}


def domain_models():
    for label in ("ledger", "contracts", "credit"):
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical") or model.__name__ in NOT_IN_ADMIN:
                continue
            if model._meta.auto_created:
                continue
            yield pytest.param(model, id=f"{label}.{model.__name__}")


@pytest.mark.parametrize("model", list(domain_models()))
def test_model_has_a_scoped_chinese_admin_with_search(model):
    if model in _inline_models():
        assert CJK.search(str(model._meta.verbose_name)), f"{model.__name__} needs a Chinese verbose_name"
        return
    assert model in admin.site._registry, f"{model.__name__} is not registered in the admin"
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, ScopedAdmin), f"{model.__name__} admin must extend ScopedAdmin"
    assert CJK.search(str(model._meta.verbose_name)), f"{model.__name__} needs a Chinese verbose_name"
    assert model_admin.search_fields, f"{model.__name__} admin needs search_fields"
