"""Importing redemptions (政策兑现): natural keys, lifecycle steps through the services."""

from datetime import date
from decimal import Decimal

import pytest

from ledger.api.base import history_of
from ledger.models import DeliveryMode, ImportStatus, Notification, Obligation, Redemption, RedemptionStatus
from ledger.services.redemptions import policy_create
from tests.ledger.imports.helpers import problems, run, xlsx

pytestmark = pytest.mark.django_db

HEADERS = ["政策文号", "企业名称", "统一社会信用代码", "兑现金额（元）", "申请日期", "受理日期", "核准日期"]


def _policy(world, mode=DeliveryMode.ON_APPLICATION, doc="屯政〔2026〕8号"):
    return policy_create(
        actor=world.administrator,
        doc_number=doc,
        title="稳岗奖补",
        issuing_agency=world.agency_a,
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
        delivery_mode=mode,
        redemption_working_days=15,
    )


def _row(enterprise, *, doc="屯政〔2026〕8号", amount="50,000", applied="2026-03-02", accepted="", approved=""):
    return [doc, enterprise.name, enterprise.uscc, amount, applied, accepted, approved]


def written() -> tuple:
    return (
        Redemption.objects.count(),
        Obligation.objects.count(),
        Notification.objects.count(),
        Redemption.history.count(),
    )


def test_rows_walk_the_lifecycle_and_approval_creates_the_obligation(world):
    _policy(world)
    rows = [
        HEADERS,
        _row(world.enterprise_1, accepted="2026-03-03", approved="2026-03-10"),
        _row(world.enterprise_2, doc="屯政[2026]8号", accepted="2026-03-04"),  # bracket variant of the 文号
    ]
    job = run(world.staff_a, "redemptions", xlsx({"政策兑现": rows}))

    assert job.status == ImportStatus.IMPORTED, job.report["problems"]
    approved = Redemption.objects.get(enterprise=world.enterprise_1)
    assert (approved.status, approved.amount, approved.accepted_on, approved.approved_on) == (
        RedemptionStatus.APPROVED,
        Decimal("50000.00"),
        date(2026, 3, 3),
        date(2026, 3, 10),
    )
    assert approved.obligation.principal == Decimal("50000.00")
    assert approved.obligation.trigger_on == date(2026, 3, 3)  # the clock runs from acceptance
    assert Redemption.objects.get(enterprise=world.enterprise_2).status == RedemptionStatus.ACCEPTED
    # and the same file again changes nothing
    before = written()
    again = run(world.staff_a, "redemptions", xlsx({"政策兑现": rows}))
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 2)
    assert written() == before


def test_a_later_step_in_the_sheet_moves_the_redemption_on_and_shows_in_history(world):
    _policy(world)
    run(world.staff_a, "redemptions", xlsx({"政策兑现": [HEADERS, _row(world.enterprise_1, accepted="2026-03-03")]}))
    redemption = Redemption.objects.get()

    job = run(
        world.staff_a,
        "redemptions",
        xlsx({"政策兑现": [HEADERS, _row(world.enterprise_1, accepted="2026-03-03", approved="2026-03-12")]}),
    )

    assert (job.rows_created, job.rows_updated) == (0, 1)
    assert job.report["changes"][0]["detail"] == "核准日期：2026-03-12"
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.APPROVED
    assert Redemption.objects.count() == 1
    status_changes = [
        c
        for entry in history_of(redemption)
        for c in entry["changes"]
        if c["field"] == "status" and entry["type"] == "changed"
    ]
    assert status_changes[-1] == {"field": "status", "old": "accepted", "new": "approved"}


def test_free_apply_rows_are_found_eligible_then_notified(world):
    _policy(world, DeliveryMode.FREE_APPLY, doc="屯政〔2026〕9号")
    headers = ["文号", "统一社会信用代码", "金额（万元）", "认定日期", "告知日期"]
    rows = [headers, ["屯政〔2026〕9号", world.enterprise_1.uscc, "1.5", "2026-04-01", "2026-04-02"]]
    job = run(world.staff_a, "redemptions", xlsx({"兑现": rows}))
    assert job.status == ImportStatus.IMPORTED, job.report["problems"]
    redemption = Redemption.objects.get()
    assert (redemption.status, redemption.eligible_on, redemption.notified_on, redemption.amount) == (
        RedemptionStatus.NOTIFIED,
        date(2026, 4, 1),
        date(2026, 4, 2),
        Decimal("15000.00"),
    )
    assert Notification.objects.filter(user=world.enterprise_user_1, kind="redemption_notified").count() == 1


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            lambda w: _row(w.enterprise_1, doc="屯政〔2026〕99号"),
            (3, "A（政策文号）", "没有文号为屯政〔2026〕99号的政策，须先登记该政策"),
        ),
        (
            lambda w: _row(w.enterprise_1, accepted="2026-03-01"),
            (3, "F（受理日期）", "受理日期2026-03-01早于申请日期2026-03-02"),
        ),
        (
            lambda w: _row(w.enterprise_1, approved="2026-03-10"),
            (3, "G（核准日期）", "核准前须先受理：请填写相应日期"),
        ),
        (
            lambda w: _row(w.enterprise_2, applied="2026-03-02"),
            (3, "E（申请日期）", "与第2行重复（同一申请日期）"),
        ),
    ],
    ids=["unknown-policy", "steps-out-of-order", "approve-before-accept", "duplicate-key"],
)
def test_bad_rows_write_nothing(world, row, expected):
    _policy(world)
    rows = [HEADERS, _row(world.enterprise_2), row(world)]
    before = written()
    job = run(world.staff_a, "redemptions", xlsx({"政策兑现": rows}))
    assert job.status == ImportStatus.REJECTED
    assert problems(job) == [expected]
    assert written() == before


def test_a_recorded_amount_or_step_is_not_rewritten(world):
    _policy(world)
    run(world.staff_a, "redemptions", xlsx({"政策兑现": [HEADERS, _row(world.enterprise_1, accepted="2026-03-03")]}))
    reference = Redemption.objects.get().reference
    before = written()
    job = run(
        world.staff_a,
        "redemptions",
        xlsx({"政策兑现": [HEADERS, _row(world.enterprise_1, amount="60000", accepted="2026-03-05")]}),
    )
    assert problems(job) == [
        (
            2,
            "D（兑现金额（元））",
            f"政策兑现{reference}已登记金额为50000.00元，表中为60000.00元：金额登记后不能通过导入修改",
        ),
        (2, "F（受理日期）", f"政策兑现{reference}已登记受理日期为2026-03-03，表中为2026-03-05：已记录的环节不能改写"),
    ]
    assert written() == before


def test_staff_import_only_their_own_agencys_redemptions(world):
    _policy(world)
    headers = ["兑现单位", *HEADERS]
    rows = [headers, [world.agency_b.name, *_row(world.enterprise_1)]]
    before = written()
    job = run(world.staff_a, "redemptions", xlsx({"政策兑现": rows}))
    assert problems(job) == [
        (
            2,
            "A（兑现单位）",
            f"不能导入其他单位（{world.agency_b.name}）的数据：只能导入本单位（{world.agency_a.name}）的台账",
        )
    ]
    assert written() == before


def test_the_redemptions_template_imports(world):
    from ledger.imports.kinds.redemptions import redemptions_kind
    from ledger.imports.registry import EXAMPLE_USCC
    from ledger.imports.templates import template_xlsx
    from tests.factories import AgencyFactory, EnterpriseFactory

    agency = AgencyFactory(name="区交运局")
    EnterpriseFactory(uscc=EXAMPLE_USCC)
    policy_create(
        actor=world.administrator,
        doc_number="屯政〔2026〕1号",
        title="稳岗奖补",
        issuing_agency=agency,
        valid_from=date(2026, 1, 1),
        delivery_mode=DeliveryMode.ON_APPLICATION,
        redemption_working_days=15,
    )
    staff = world.staff_a
    staff.agency = agency
    staff.save()
    job = run(staff, "redemptions", template_xlsx(redemptions_kind))
    assert job.status == ImportStatus.IMPORTED, job.report["problems"]
    redemption = Redemption.objects.get()
    assert (redemption.status, redemption.amount, redemption.accepted_on) == (
        RedemptionStatus.ACCEPTED,
        Decimal("50000.00"),
        date(2026, 1, 6),
    )
