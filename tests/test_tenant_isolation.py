"""Tenant isolation, generated from the URL configuration and the admin (SPEC §1, issue #2 item 7).

For every API route with an object id, and every action on it, a user of another agency or
another enterprise gets 404 — on read, write and action. Lists never show another tenant's row.
Every admin change page does the same. A new endpoint is covered without anyone writing a test;
a scoped model without a builder in tests/owned_objects.py fails here.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ledger.selectors.scoping import tenancy_of
from tests.owned_objects import BUILDERS


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def api_routes():
    """(route, viewset class, {method: action}) for every DRF viewset route."""
    seen = set()
    for route, pattern in _walk(get_resolver().url_patterns):
        cls = getattr(pattern.callback, "cls", None)
        actions = getattr(pattern.callback, "actions", None)
        if cls is None or not actions or "format" in route:
            continue
        key = (route, cls)
        if key in seen:
            continue
        seen.add(key)
        yield route, pattern, cls, actions


def _model(cls):
    return cls.queryset.model


def detail_routes():
    out = []
    for route, pattern, cls, actions in api_routes():
        if "<pk>" not in route and "(?P<pk>" not in route:
            continue
        for method, action in actions.items():
            if method not in cls.http_method_names:
                continue
            out.append(pytest.param(pattern.name, cls, method, action, id=f"{pattern.name}-{method}"))
    return out


def list_routes():
    out = []
    for route, pattern, cls, actions in api_routes():
        if "<pk>" in route or "(?P<pk>" in route:
            continue
        if actions.get("get") == "list":
            out.append(pytest.param(pattern.name, cls, id=pattern.name))
    return out


def _attackers(world, tenancy):
    """Users of the other agency / the other enterprise, for each side the model is scoped on."""
    attackers = []
    if tenancy.agency_path is not None and not tenancy.agency_staff_reads_all:
        attackers.append(world.staff_b)
    if tenancy.enterprise_path is not None:
        attackers.append(world.enterprise_user_2)
    if tenancy.custom is not None:
        attackers.extend([world.staff_b, world.enterprise_user_2])
    return attackers


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "cls", "method", "action"), detail_routes())
def test_other_tenant_gets_404_on_every_object_route(world, api, name, cls, method, action):
    model = _model(cls)
    tenancy = tenancy_of(model)
    if tenancy.public:
        pytest.skip(f"{model.__name__} is public reference data (SPEC §1); writes are role-checked")
    assert model in BUILDERS, f"no builder for {model.__name__} in tests/owned_objects.py"
    # given an object owned by agency A / enterprise 1
    obj = BUILDERS[model](world)
    url = reverse(name, kwargs={"pk": obj.pk})
    for attacker in _attackers(world, tenancy):
        # when another tenant reads, writes or acts on it
        response = getattr(api(attacker), method)(url, {}, format="json")
        # then it does not exist for them
        assert response.status_code == 404, (attacker.role, method, url, response.status_code, response.content[:200])
        assert response.json()["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "cls"), list_routes())
def test_lists_never_show_another_tenants_rows(world, api, name, cls):
    model = _model(cls)
    tenancy = tenancy_of(model)
    if tenancy.public:
        pytest.skip(f"{model.__name__} is public reference data (SPEC §1)")
    assert model in BUILDERS, f"no builder for {model.__name__} in tests/owned_objects.py"
    obj = BUILDERS[model](world)
    for attacker in _attackers(world, tenancy):
        response = api(attacker).get(reverse(name), {"page_size": 500})
        assert response.status_code == 200
        ids = [row["id"] for row in response.json()["results"]]
        assert obj.pk not in ids


def admin_models():
    return [pytest.param(model, id=model.__name__) for model in admin.site._registry]


@pytest.mark.django_db
@pytest.mark.parametrize("model", admin_models())
def test_admin_change_page_hides_other_tenants_objects(world, client, model):
    tenancy = tenancy_of(model)
    if tenancy.public:
        pytest.skip(f"{model.__name__} is public reference data (SPEC §1)")
    assert model in BUILDERS, f"no builder for {model.__name__} in tests/owned_objects.py"
    obj = BUILDERS[model](world)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    for attacker in _attackers(world, tenancy):
        client.force_login(attacker)
        response = client.get(url)
        # the admin answers a missing object with a redirect to its index; a non-staff user
        # (an enterprise) is sent to the admin login page
        assert response.status_code == 302, (attacker.role, url)
        assert response["Location"].startswith("/admin/")
        assert response["Location"] != url
        listing = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
        if listing.status_code == 200:
            assert obj.pk not in [o.pk for o in listing.context["cl"].result_list]
