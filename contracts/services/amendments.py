"""变更: signed changes to a signed contract, each with its rationale and each field's old → new.

The contract row always holds the current version (``version`` counts amendments); every
earlier version can be rebuilt from the amendments' old values and is also in the row's
history (simple-history). Obligations already recorded keep their due dates: a due date is a
fact computed when its trigger was recorded (SPEC §2); a changed payment term applies to
milestones triggered after the amendment.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction

from contracts.models import AMENDABLE_FIELDS, BINDING_STATES, Amendment, AmendmentRationale, Contract, EventKind
from contracts.services.common import check_past, check_writer, lock, record_event, text
from ledger.errors import IllegalTransition, ValidationFailed
from ledger.models import User
from ledger.rules.errors import RuleError
from ledger.rules.money import parse_amount

_RATE_STEP = Decimal("0.0001")


def _parse_positive_int(raw, field: str, what: str) -> int | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ValidationFailed.field(field, f"{what}须为正整数（日）", code="invalid")
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if not isinstance(raw, int) or raw < 1:
        raise ValidationFailed.field(field, f"{what}须为正整数（日）", code="invalid")
    return raw


def _parse_date(raw, field: str) -> date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ValidationFailed.field(field, "日期格式应为 YYYY-MM-DD", code="invalid_date") from None


def _parse_rate(raw, field: str) -> Decimal | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, float | bool):
        raise ValidationFailed.field(field, "利率须以字符串提交（不接受浮点数）", code="float_rate")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationFailed.field(field, f"利率格式无效：“{raw}”", code="invalid") from None
    if not value.is_finite() or not Decimal(0) < value <= 100 or value != value.quantize(_RATE_STEP):
        raise ValidationFailed.field(field, "年利率（%）须大于0且不超过100，最多4位小数", code="invalid_rate")
    return value


def parse_change(name: str, raw):
    """One amended field's new value, parsed exactly; errors name ``changes.<field>``."""
    field = f"changes.{name}"
    if name == "amount":
        try:
            return parse_amount(raw, field=field)
        except RuleError as exc:
            raise ValidationFailed.field(field, exc.detail, code=exc.code) from None
    if name in ("payment_term_days", "acceptance_period_days"):
        return _parse_positive_int(raw, field, "期限")
    if name in ("period_start", "period_end"):
        return _parse_date(raw, field)
    if name == "agreed_late_rate":
        return _parse_rate(raw, field)
    if name == "title":
        return text(raw if isinstance(raw, str) else None, field, required=True, what="合同名称", max_length=300)
    if name == "description":
        if not isinstance(raw, str):
            raise ValidationFailed.field(field, "须为文本", code="invalid")
        return raw
    raise ValidationFailed.field(field, "该字段不能通过变更修改", code="not_amendable")  # pragma: no cover


def to_json(value):
    """Old/new values as JSON: money and rates as decimal strings, dates ISO, ints as ints."""
    if isinstance(value, Decimal | date):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    return value


@transaction.atomic
def amendment_create(
    *,
    actor: User,
    contract: Contract,
    rationale_code: str,
    rationale: str,
    signed_on: date,
    changes: dict,
) -> Amendment:
    """Record a signed amendment and apply it to the contract.

    Refused: a contract not in force (409), a date before signing or before the previous
    amendment, an unknown or unchanged field (400, naming it). SME status is fixed at signing
    (条例 art. 3) and cannot be amended.
    """
    check_writer(actor, contract)
    contract = lock(contract)
    if contract.status not in BINDING_STATES:
        raise IllegalTransition(
            f"合同处于“{contract.get_status_display()}”状态，只有已签订、已备案或履行中的合同可以变更",
            code="not_amendable",
        )
    if rationale_code not in AmendmentRationale.values:
        raise ValidationFailed.field(
            "rationale_code",
            f"变更原因“{rationale_code}”无效，应为：{'、'.join(AmendmentRationale.values)}",
            code="invalid_choice",
        )
    rationale = text(rationale, "rationale", required=True, what="变更理由")
    check_past(signed_on, "signed_on")
    if signed_on < contract.signed_on:
        raise ValidationFailed.field(
            "signed_on",
            f"变更签订日期{signed_on.isoformat()}早于合同签订日期{contract.signed_on.isoformat()}",
            code="before_signing",
        )
    previous = contract.amendments.order_by("-number").first()
    if previous is not None and signed_on < previous.signed_on:
        raise ValidationFailed.field(
            "signed_on",
            f"变更签订日期{signed_on.isoformat()}早于上一次变更（第{previous.number}次，{previous.signed_on.isoformat()}）",
            code="before_previous_amendment",
        )
    if not isinstance(changes, dict) or not changes:
        raise ValidationFailed.field("changes", "须列明变更的字段及新值", code="required")
    parsed = {}
    for name in sorted(changes):
        if name not in AMENDABLE_FIELDS:
            why = (
                "签约时声明的中小企业身份不能变更（条例第三条）" if name == "sme_declared" else "该字段不能通过变更修改"
            )
            raise ValidationFailed.field(f"changes.{name}", why, code="not_amendable")
        new = parse_change(name, changes[name])
        old = getattr(contract, name)
        if new == old:
            raise ValidationFailed.field(f"changes.{name}", "新值与现值相同", code="unchanged")
        parsed[name] = (old, new)
    start = parsed.get("period_start", (None, contract.period_start))[1]
    end = parsed.get("period_end", (None, contract.period_end))[1]
    if start is not None and end is not None and end < start:
        raise ValidationFailed.field("changes.period_end", "履行期限止日不得早于起日", code="invalid_range")

    for name, (_old, new) in parsed.items():
        setattr(contract, name, new)
    contract.version += 1
    contract.save()
    amendment = Amendment.objects.create(
        contract=contract,
        number=contract.version,
        rationale_code=rationale_code,
        rationale=rationale,
        signed_on=signed_on,
        changes={name: {"old": to_json(old), "new": to_json(new)} for name, (old, new) in parsed.items()},
        recorded_by=actor,
    )
    record_event(
        contract,
        actor=actor,
        kind=EventKind.AMENDMENT,
        on=signed_on,
        reason_code=rationale_code,
        reason=f"第{amendment.number}次变更：{rationale}",
    )
    return amendment
