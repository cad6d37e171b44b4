"""The query count of every list endpoint is pinned: 2 rows and 20 rows cost the same (issue 9).

The lists are found in the URL configuration (every DRF route whose GET is ``list``, and every
list's ``export``), the rows made by the builders of tests/owned_objects.py — so a new list is
covered without anyone writing a test, and an N+1 (a query per row) cannot come back unnoticed.
The enterprise status page, a list of its own, is checked the same way.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ledger import models as m
from ledger.api.exporting import export_resources
from tests.factories import AgencyFactory, EnterpriseFactory, TenureFactory, UserFactory
from tests.owned_objects import BUILDERS, obligation_for, policy_for
from tests.test_tenant_isolation import list_routes

FEW, MANY = 2, 20


def _policy(w, n):
    return policy_for(w, doc_number=f"屯政〔2026〕{n}号")


def _redemption(w, n):
    return m.Redemption.objects.create(
        policy=_policy(w, n),
        agency=w.agency_a,
        enterprise=w.enterprise_1,
        region_code="341002",
        amount="5000.00",
        status=m.RedemptionStatus.APPLIED,
        applied_on=date(2026, 3, 2),
    )


def _enterprise(w, n):
    return EnterpriseFactory()


def _scale(w, n):
    return m.EnterpriseScale.objects.create(enterprise=w.enterprise_1, scale="小型", valid_from=date(2001 + n, 1, 1))


def _tenure(w, n):
    return TenureFactory(agency=w.agency_a, start_on=date(2001 + n, 1, 1), end_on=date(2002 + n, 1, 1))


def _saved_filter(w, n):
    return m.SavedFilter.objects.create(
        owner=w.staff_a, name=f"本单位逾期{n}", resource="obligation", query="overdue=true"
    )


def _agency(w, n):
    return AgencyFactory(parent=w.agency_a)


def _unit_group(w, n):
    group = m.UnitGroup.objects.create(name=f"测试单位集合{n}")
    group.members.set([w.agency_a, w.agency_b])
    return group


def _plan_task(w, n):
    task = m.PlanTask.objects.create(plan="测试方案", number=1000 + n, title=f"任务{n}", body="内容")
    task.responsible_agencies.set([w.agency_a])
    task.cooperating_agencies.set([w.agency_b])
    return task


def _calendar_override(w, n):
    return m.CalendarOverride.objects.create(day=date(2040, 1, 1 + n), is_workday=False, basis="测试")


def _lpr(w, n):
    return m.LprRate.objects.create(effective_from=date(2040, 1, 1 + n), one_year="3.000", basis="测试")


def _user(w, n):
    return UserFactory(role=m.Role.ENTERPRISE, enterprise=w.enterprise_1)


# Builders in tests/owned_objects.py that make or return one row only (a fixed natural key, a
# world's own row, an open tenure): the n-th row is made here.
NTH = {
    m.Policy: _policy,
    m.Redemption: _redemption,
    m.Enterprise: _enterprise,
    m.EnterpriseScale: _scale,
    m.Tenure: _tenure,
    m.User: _user,
    m.SavedFilter: _saved_filter,
    # public reference data (no tenant, so no builder there)
    m.Agency: _agency,
    m.UnitGroup: _unit_group,
    m.PlanTask: _plan_task,
    m.CalendarOverride: _calendar_override,
    m.LprRate: _lpr,
}


def _build(model, world, n: int):
    with transaction.atomic():
        if model in NTH:
            return NTH[model](world, n)
        return BUILDERS[model](world)


def _viewers(world):
    return [
        world.administrator,
        world.supervisor,
        world.auditor,
        world.credit_officer,
        world.staff_a,
        world.enterprise_user_1,
    ]


def _rows(response) -> int:
    body = response.json()
    return body["count"] if isinstance(body, dict) and "count" in body else len(body)


def _queries(client, url, params) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)  # a streamed export runs its queries as it is read
    return len(ctx.captured_queries), response


def _pin(api, world, model, url, params, *, counted=True):
    """Build FEW rows, find a user who sees them, count; build up to MANY, count again."""
    for n in range(FEW):
        _build(model, world, n)
    viewer = None
    for user in _viewers(world):
        client = api(user)
        response = client.get(url, params)
        if response.status_code == 200 and (not counted or _rows(response) >= FEW):
            viewer = client
            break
    assert viewer is not None, f"no user sees the {FEW} rows of {url}"
    _queries(viewer, url, params)  # warm: per-process caches (calendar, content types) load once
    few, response = _queries(viewer, url, params)
    seen = _rows(response) if counted else None
    for n in range(FEW, MANY):
        _build(model, world, n)
    many, response = _queries(viewer, url, params)
    if counted:
        assert _rows(response) >= seen + (MANY - FEW), f"{url}: the extra rows are not listed"
    assert many == few, f"{url}: {few} queries for {FEW} rows but {many} for {MANY} — a query per row"


def _model(cls):
    return cls.queryset.model


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "cls"), list_routes())
def test_list_query_count_does_not_grow_with_rows(world, api, name, cls):
    model = _model(cls)
    if model not in BUILDERS and model not in NTH:
        pytest.skip(f"{model.__name__} has no builder here or in tests/owned_objects.py")
    _pin(api, world, model, reverse(name), {"page_size": 50})


def export_routes():
    return [pytest.param(name, cls, id=f"{name}-export") for name, cls in sorted(export_resources().items())]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "cls"), export_routes())
def test_export_query_count_does_not_grow_with_rows(world, api, name, cls, settings):
    model = _model(cls)
    if model not in BUILDERS and model not in NTH:
        pytest.skip(f"{model.__name__} has no builder here or in tests/owned_objects.py")
    settings.LEDGER_EXPORT_SYNC_MAX_ROWS = 1000
    _pin(api, world, model, reverse(f"{name}-export"), {"format": "csv"}, counted=False)


@pytest.mark.django_db
def test_enterprise_status_query_count_does_not_grow_with_obligations(world, api):
    client = api(world.enterprise_user_1)
    url = reverse("status-api")

    def add(n):
        for _ in range(n):
            o = obligation_for(world)
            m.LedgerEntry.objects.create(
                obligation=o, kind=m.EntryKind.PAYMENT, on=date(2026, 1, 20), amount="10.00", recorded_by=world.staff_a
            )

    add(FEW)
    _queries(client, url, {})
    few, response = _queries(client, url, {})
    assert len(response.json()["obligations"]) == FEW
    add(MANY - FEW)
    many, response = _queries(client, url, {})
    assert len(response.json()["obligations"]) == MANY
    assert many == few, f"status: {few} queries for {FEW} obligations but {many} for {MANY}"
