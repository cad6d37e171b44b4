"""Writes for policies (公共政策) and redemptions (政策兑现).

A redemption moves through the table in ledger/lifecycles.py (REDEMPTION_TRANSITIONS) by explicit
actions; ``assign_status`` is the only code that writes its status. Approval creates the
obligation: due the policy's 兑现时限 in working days after acceptance (依申请 / 即申即享) or
notification (免申即享) — not after approval (SPEC §2). Paid and closed are read from that
obligation, never stored on the redemption.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from ledger import clock
from ledger.errors import ValidationFailed
from ledger.lifecycles import REDEMPTION_TRANSITIONS, assign_status
from ledger.models import (
    Agency,
    DeliveryMode,
    Enterprise,
    Policy,
    Redemption,
    RedemptionStatus,
    Source,
    Trigger,
    User,
)
from ledger.rules.errors import RuleError
from ledger.rules.money import parse_amount
from ledger.services.notifications import notify, recipients
from ledger.services.obligations import obligation_create

R = RedemptionStatus


# --- policies -------------------------------------------------------------------------------
def _check_policy(
    *, doc_number: str, issuing_agency: Agency, valid_from: date, valid_to: date | None, days: int, pk=None
) -> None:
    if not doc_number.strip():
        raise ValidationFailed.field("doc_number", "须填写文号", code="required")
    if valid_to is not None and valid_to < valid_from:
        raise ValidationFailed.field("valid_to", "有效期止不得早于有效期起", code="invalid_range")
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValidationFailed.field("redemption_working_days", "兑现时限须为正整数（工作日）")
    clash = Policy.objects.filter(doc_number=doc_number.strip(), issuing_agency=issuing_agency)
    if pk is not None:
        clash = clash.exclude(pk=pk)
    if clash.exists():
        raise ValidationFailed.field("doc_number", "该单位已有同一文号的政策", code="duplicate")


@transaction.atomic
def policy_create(
    *,
    actor: User,
    doc_number: str,
    title: str,
    issuing_agency: Agency,
    valid_from: date,
    valid_to: date | None = None,
    delivery_mode: str,
    redemption_working_days: int,
    is_demo: bool = False,
) -> Policy:
    _check_policy(
        doc_number=doc_number,
        issuing_agency=issuing_agency,
        valid_from=valid_from,
        valid_to=valid_to,
        days=redemption_working_days,
    )
    if delivery_mode not in DeliveryMode.values:
        raise ValidationFailed.field("delivery_mode", f"兑现方式“{delivery_mode}”无效", code="invalid_choice")
    return Policy.objects.create(
        doc_number=doc_number.strip(),
        title=title,
        issuing_agency=issuing_agency,
        valid_from=valid_from,
        valid_to=valid_to,
        delivery_mode=delivery_mode,
        redemption_working_days=redemption_working_days,
        region_code=issuing_agency.region_code,
        is_demo=is_demo,
    )


@transaction.atomic
def policy_update(*, actor: User, policy: Policy, **fields) -> Policy:
    """Change a policy's text or validity. Its issuing agency stays; redemptions already approved
    keep the due dates computed when their clock started."""
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    fields.pop("issuing_agency", None)
    merged = {f: fields.get(f, getattr(policy, f)) for f in ("doc_number", "valid_from", "valid_to")}
    _check_policy(
        doc_number=merged["doc_number"],
        issuing_agency=policy.issuing_agency,
        valid_from=merged["valid_from"],
        valid_to=merged["valid_to"],
        days=fields.get("redemption_working_days", policy.redemption_working_days),
        pk=policy.pk,
    )
    for name, value in fields.items():
        setattr(policy, name, value.strip() if name == "doc_number" else value)
    policy.save()
    return policy


# --- redemptions ----------------------------------------------------------------------------
def _step_date(on: date | None, after: date | None, field: str = "on") -> date:
    on = on or clock.today()
    if on > clock.today():
        raise ValidationFailed.field(field, f"日期{on.isoformat()}晚于今天", code="future_date")
    if after is not None and on < after:
        raise ValidationFailed.field(
            field, f"日期{on.isoformat()}早于上一步的日期{after.isoformat()}", code="before_previous"
        )
    return on


def _within_policy(policy: Policy, on: date, field: str) -> None:
    if on < policy.valid_from or (policy.valid_to is not None and on > policy.valid_to):
        raise ValidationFailed.field(field, f"{on.isoformat()}不在政策有效期内", code="outside_policy_validity")


@transaction.atomic
def redemption_create(
    *,
    actor: User,
    policy: Policy,
    enterprise: Enterprise,
    amount,
    on: date | None = None,
    agency: Agency | None = None,
    is_demo: bool = False,
) -> Redemption:
    """Record an application (依申请 / 即申即享: status applied) or, for 免申即享, the agency's finding
    from its own data that the enterprise is eligible (status eligible)."""
    try:
        amount = parse_amount(amount, field="amount")
    except RuleError as exc:
        raise ValidationFailed(exc.detail, code=exc.code, fields={"amount": [exc.detail]}) from None
    on = _step_date(on, None)
    _within_policy(policy, on, "on")
    agency = agency or policy.issuing_agency
    free = policy.delivery_mode == DeliveryMode.FREE_APPLY
    return Redemption.objects.create(
        policy=policy,
        agency=agency,
        enterprise=enterprise,
        region_code=agency.region_code,
        amount=amount,
        status=R.ELIGIBLE if free else R.APPLIED,
        applied_on=None if free else on,
        eligible_on=on if free else None,
        is_demo=is_demo,
    )


def _previous_date(r: Redemption) -> date | None:
    return r.notified_on or r.accepted_on or r.eligible_on or r.applied_on


@transaction.atomic
def redemption_accept(*, actor: User, redemption: Redemption, on: date | None = None) -> Redemption:
    """受理: the 兑现时限 runs from this day."""
    on = _step_date(on, _previous_date(redemption))
    return assign_status(redemption, R.ACCEPTED, table=REDEMPTION_TRANSITIONS, accepted_on=on)


@transaction.atomic
def redemption_notify(*, actor: User, redemption: Redemption, on: date | None = None) -> Redemption:
    """免申即享 告知 (一键送达): the enterprise is told it will receive the benefit; the clock starts."""
    on = _step_date(on, _previous_date(redemption))
    redemption = assign_status(redemption, R.NOTIFIED, table=REDEMPTION_TRANSITIONS, notified_on=on)
    notify(
        users=recipients(enterprise=redemption.enterprise),
        kind="redemption_notified",
        title=f"免申即享告知：{redemption.policy.title}",
        body=f"贵企业符合《{redemption.policy.title}》（{redemption.policy.doc_number}）兑现条件，"
        f"兑现金额{redemption.amount}元，将于{redemption.policy.redemption_working_days}个工作日内兑现。",
        link=f"/status/?redemption={redemption.reference}",
        dedupe_key=f"redemption-notified-{redemption.pk}",
    )
    return redemption


@transaction.atomic
def redemption_reject(*, actor: User, redemption: Redemption, reason: str, on: date | None = None) -> Redemption:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", "不予兑现须说明理由", code="required")
    on = _step_date(on, _previous_date(redemption))
    return assign_status(redemption, R.REJECTED, table=REDEMPTION_TRANSITIONS, rejected_on=on, reject_reason=reason)


@transaction.atomic
def redemption_approve(*, actor: User, redemption: Redemption, on: date | None = None) -> Redemption:
    """核准: create the obligation, due 兑现时限 working days after acceptance or notification."""
    on = _step_date(on, _previous_date(redemption))
    redemption = assign_status(redemption, R.APPROVED, table=REDEMPTION_TRANSITIONS, approved_on=on)
    policy = redemption.policy
    if redemption.notified_on is not None:
        trigger, trigger_on = Trigger.REDEMPTION_NOTIFIED, redemption.notified_on
    else:
        trigger, trigger_on = Trigger.REDEMPTION_ACCEPTED, redemption.accepted_on
    obligation = obligation_create(
        actor=actor,
        debtor_agency=redemption.agency,
        creditor=redemption.enterprise,
        source=Source.REDEMPTION,
        title=f"政策兑现 {redemption.reference}：{policy.title}（{policy.doc_number}）"[:300],
        principal=redemption.amount,
        arose_on=trigger_on,  # the commitment is owed from the day the clock starts
        trigger=trigger,
        trigger_on=trigger_on,
        working_days=policy.redemption_working_days,
        is_demo=redemption.is_demo,
    )
    redemption.obligation = obligation
    redemption.save(update_fields=["obligation"])
    return redemption
