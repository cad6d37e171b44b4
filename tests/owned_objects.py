"""For every tenant-scoped model: how to make one row owned by agency A and/or enterprise 1.

The isolation suite (tests/test_tenant_isolation.py) walks the URL configuration and the
admin; a scoped model with an endpoint but no builder here fails the suite, so no endpoint can
escape the check. Add a builder when you add a model.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from ledger import models as m
from tests.factories import TenureFactory, World

BUILDERS: dict[type, Callable[[World], object]] = {}


def builder(model):
    def register(fn):
        BUILDERS[model] = fn
        return fn

    return register


@builder(m.Tenure)
def _tenure(w: World):
    return TenureFactory(agency=w.agency_a)


@builder(m.Enterprise)
def _enterprise(w: World):
    return w.enterprise_1


@builder(m.EnterpriseScale)
def _scale(w: World):
    return m.EnterpriseScale.objects.create(enterprise=w.enterprise_1, scale="小型", valid_from=date(2021, 1, 1))


@builder(m.User)
def _user(w: World):
    return w.enterprise_user_1


def obligation_for(w: World, **overrides) -> m.Obligation:
    fields = {
        "debtor_agency": w.agency_a,
        "creditor": w.enterprise_1,
        "region_code": "341002",
        "source": m.Source.OTHER,
        "title": "测试义务",
        "principal": Decimal("1000.00"),
        "arose_on": date(2026, 1, 5),
        "trigger": m.Trigger.DELIVERY,
        "trigger_on": date(2026, 1, 5),
        "regime": m.Regime.CONTRACT,
        "due_on": date(2026, 2, 4),
        "calendar_version": "test",
        "due_basis": "测试",
    }
    fields.update(overrides)
    return m.Obligation.objects.create(**fields)


@builder(m.Obligation)
def _obligation(w: World):
    return obligation_for(w)


@builder(m.LedgerEntry)
def _entry(w: World):
    return m.LedgerEntry.objects.create(
        obligation=obligation_for(w),
        kind=m.EntryKind.PAYMENT,
        on=date(2026, 1, 20),
        amount=Decimal("10.00"),
        recorded_by=w.staff_a,
    )


@builder(m.RefusalReason)
def _refusal(w: World):
    return m.RefusalReason.objects.create(
        obligation=obligation_for(w),
        code="leadership_change",
        given_on=date(2026, 3, 1),
        text="领导更换",
        recorded_by=w.staff_a,
    )


@builder(m.Policy)
def _policy(w: World):
    return m.Policy.objects.create(
        doc_number="屯政〔2026〕1号",
        title="测试政策",
        issuing_agency=w.agency_a,
        valid_from=date(2026, 1, 1),
        delivery_mode=m.DeliveryMode.ON_APPLICATION,
        redemption_working_days=15,
        region_code="341002",
    )


@builder(m.Redemption)
def _redemption(w: World):
    return m.Redemption.objects.create(
        policy=_policy(w),
        agency=w.agency_a,
        enterprise=w.enterprise_1,
        region_code="341002",
        amount=Decimal("5000.00"),
        status=m.RedemptionStatus.APPLIED,
        applied_on=date(2026, 3, 2),
    )


@builder(m.AccessLog)
def _access_log(w: World):
    return m.AccessLog.objects.create(user=w.staff_a, action="login", target="test")


@builder(m.Notification)
def _notification(w: World):
    return m.Notification.objects.create(user=w.enterprise_user_1, kind="test", title="测试通知")
