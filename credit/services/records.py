"""Writes of dishonesty records: proposals from the rules, every lifecycle step, corrections.

``_assign_status`` is the only code that writes ``DishonestyRecord.status``: it locks the row,
checks RECORD_TRANSITIONS, raises IllegalTransition (409) and records the step — actor, date and
reason — as a RecordEvent (simple-history keeps the field changes). Every step after the
proposal is a credit officer's explicit action with a reason (SPEC R9).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Max

from credit.candidates import RULES, Proposal
from credit.models import (
    RECORD_TRANSITIONS,
    CandidateRule,
    DishonestyRecord,
    PublicityWindowRule,
    RecordEvent,
    RecordStatus,
    Severity,
)
from credit.selectors import flagged_records, repair_blockers
from ledger.errors import IllegalTransition, PermissionDenied, ValidationFailed
from ledger.models import Agency, Enterprise, Role, User
from ledger.rules import uscc
from ledger.rules.errors import RuleError
from ledger.rules.publicity import PublicityWindow, is_expired, publicity_dates, window_for
from ledger.services.notifications import notify, recipients

S = RecordStatus


def _label(status: str) -> str:
    return str(RecordStatus(status).label) if status in RecordStatus.values else status


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", "每一步办理都须写明理由", code="required")
    return reason


def _check_step_date(record: DishonestyRecord, on: date) -> None:
    """Steps happen in order: a step is not dated before the previous one (corrections and the
    recording of performance or a commitment are not steps of the lifecycle)."""
    steps = record.events.exclude(from_status=F("to_status"))
    last = steps.aggregate(last=Max("on"))["last"] or record.proposed_on
    if on < last:
        raise ValidationFailed.field("on", f"日期不得早于上一办理步骤的日期（{last.isoformat()}）", code="out_of_order")


def _save(record: DishonestyRecord, actor: User | None, fields: list[str]) -> None:
    record._history_user = actor  # simple-history: who changed it, also outside a request
    record.save(update_fields=fields)


def _event(
    record: DishonestyRecord,
    *,
    actor: User | None,
    action: str,
    on: date,
    reason: str,
    from_status: str = "",
    to_status: str = "",
    detail: dict | None = None,
) -> RecordEvent:
    event = RecordEvent(
        record=record,
        action=action,
        from_status=from_status,
        to_status=to_status,
        on=on,
        reason=reason,
        detail=detail or {},
        actor=actor,
    )
    event._history_user = actor
    event.save()
    return event


def _assign_status(
    *,
    record: DishonestyRecord,
    to: str,
    actor: User,
    on: date,
    reason: str,
    action: str,
    detail: dict | None = None,
    **facts,
) -> DishonestyRecord:
    """The one function that moves a record: lock, check the table, write, record the step."""
    locked = DishonestyRecord.objects.select_for_update().get(pk=record.pk)
    if to not in RECORD_TRANSITIONS.get(locked.status, frozenset()):
        raise IllegalTransition(
            f"记录当前状态为“{_label(locked.status)}”，不能变为“{_label(to)}”", code="illegal_transition"
        )
    reason = _require_reason(reason)
    _check_step_date(locked, on)
    previous = locked.status
    locked.status = to
    for name, value in facts.items():
        setattr(locked, name, value)
    _save(locked, actor, ["status", *facts])
    _event(locked, actor=actor, action=action, on=on, reason=reason, from_status=previous, to_status=to, detail=detail)
    return locked


def _require_credit_officer(actor: User | None) -> None:
    # The API checks roles too; services are also called from commands and the admin.
    if actor is None or not (actor.role == Role.CREDIT_OFFICER or actor.is_superuser):
        raise PermissionDenied("只有信用管理人员可以办理政务失信记录", code="credit_officer_only")


# --- proposals -------------------------------------------------------------------------------
@dataclass
class ProposeResult:
    as_of: date
    created: list[DishonestyRecord] = field(default_factory=list)
    already_proposed: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)


def _create_candidate(p: Proposal, *, as_of: date, actor: User | None) -> DishonestyRecord | None:
    """One candidate per (rule, source): the unique constraint is the last word on a race."""
    ct = ContentType.objects.get_for_model(type(p.source))
    if DishonestyRecord.objects.filter(rule=p.rule, source_type=ct, source_id=p.source.pk).exists():
        return None
    try:
        with transaction.atomic():
            record = DishonestyRecord(
                rule=p.rule,
                source_type=ct,
                source_id=p.source.pk,
                source_label=p.source_label[:300],
                region_code=p.region_code,
                subject_agency=p.subject_agency,
                subject_name=p.subject_agency.name,
                subject_uscc=p.subject_agency.uscc or "",
                kind=p.kind,
                facts=p.facts,
                amount=p.amount if p.amount is None or p.amount > 0 else None,
                counterparty=p.counterparty,
                counterparty_name=p.counterparty.name if p.counterparty else "",
                counterparty_uscc=p.counterparty.uscc if p.counterparty else "",
                proposed_on=as_of,
                is_demo=p.is_demo,
            )
            record._history_user = actor
            record.save()
    except IntegrityError:  # a concurrent run proposed it first
        return None
    _event(
        record,
        actor=actor,
        action="propose",
        on=as_of,
        reason=f"按规则“{CandidateRule(p.rule).label}”提出候选（{p.source_label}）",
        to_status=S.CANDIDATE,
    )
    return record


@transaction.atomic
def candidates_propose(*, actor: User | None, as_of: date) -> ProposeResult:
    """Run every rule of SPEC R9 as of a date; a source already proposed by a rule is skipped."""
    result = ProposeResult(as_of=as_of)
    for code, rule in RULES.items():
        created = 0
        for proposal in rule.find(as_of):
            record = _create_candidate(proposal, as_of=as_of, actor=actor)
            if record is None:
                result.already_proposed += 1
            else:
                result.created.append(record)
                created += 1
        result.by_rule[code] = created
    return result


@transaction.atomic
def record_create_manual(
    *,
    actor: User,
    subject_agency: Agency,
    kind: str,
    facts: str,
    source_label: str,
    proposed_on: date,
    reason: str,
    amount: Decimal | None = None,
    counterparty: Enterprise | None = None,
    is_demo: bool = False,
    number: str | None = None,
) -> DishonestyRecord:
    """A candidate from outside the rules (a 失信被执行人 listing, a complaint): entered by hand.

    ``is_demo`` and a fixed ``number`` are for the demo loader only.
    """
    _require_credit_officer(actor)
    reason = _require_reason(reason)
    if not (facts or "").strip():
        raise ValidationFailed.field("facts", "失信行为描述不能为空", code="required")
    if not (source_label or "").strip():
        raise ValidationFailed.field("source_label", "请写明线索来源", code="required")
    record = DishonestyRecord(
        rule=CandidateRule.MANUAL,
        source_label=source_label,
        region_code=subject_agency.region_code,
        subject_agency=subject_agency,
        subject_name=subject_agency.name,
        subject_uscc=subject_agency.uscc or "",
        kind=kind,
        facts=facts,
        amount=amount,
        counterparty=counterparty,
        counterparty_name=counterparty.name if counterparty else "",
        counterparty_uscc=counterparty.uscc if counterparty else "",
        proposed_on=proposed_on,
        is_demo=is_demo,
    )
    if number:
        record.number = number
    record._history_user = actor
    record.save()
    _event(record, actor=actor, action="propose", on=proposed_on, reason=reason, to_status=S.CANDIDATE)
    return record


# --- steps before determination ------------------------------------------------------------------
@transaction.atomic
def record_verify(*, actor: User, record: DishonestyRecord, on: date, reason: str) -> DishonestyRecord:
    _require_credit_officer(actor)
    return _assign_status(
        record=record, to=S.VERIFIED, actor=actor, on=on, reason=reason, action="verify", verified_on=on
    )


@transaction.atomic
def record_order_rectification(
    *, actor: User, record: DishonestyRecord, on: date, reason: str, deadline: date
) -> DishonestyRecord:
    """NDRC 2023 通知: a verified breach is first ordered to be rectified by a deadline."""
    _require_credit_officer(actor)
    if deadline <= on:
        raise ValidationFailed.field("deadline", "整改期限须晚于责令整改日期", code="invalid_range")
    return _assign_status(
        record=record,
        to=S.RECTIFICATION_ORDERED,
        actor=actor,
        on=on,
        reason=reason,
        action="order_rectification",
        detail={"deadline": deadline.isoformat()},
        rectification_ordered_on=on,
        rectification_deadline=deadline,
    )


@transaction.atomic
def record_mark_rectified(*, actor: User, record: DishonestyRecord, on: date, reason: str) -> DishonestyRecord:
    """Rectified: closed with no dishonesty record."""
    _require_credit_officer(actor)
    return _assign_status(
        record=record,
        to=S.RECTIFIED,
        actor=actor,
        on=on,
        reason=reason,
        action="rectified",
        closed_on=on,
        closing_reason=_require_reason(reason),
    )


@transaction.atomic
def record_dismiss(*, actor: User, record: DishonestyRecord, on: date, reason: str) -> DishonestyRecord:
    _require_credit_officer(actor)
    return _assign_status(
        record=record,
        to=S.DISMISSED,
        actor=actor,
        on=on,
        reason=reason,
        action="dismiss",
        closed_on=on,
        closing_reason=_require_reason(reason),
    )


# --- determination -----------------------------------------------------------------------------
def windows_table() -> list[PublicityWindow]:
    """The administrator's table (SPEC R10) as the pure rule's rows."""
    return [
        PublicityWindow(
            severity=w.severity,
            published=w.published,
            min_months=w.min_months,
            max_months=w.max_months,
            basis=w.basis,
            effective_from=w.effective_from,
        )
        for w in PublicityWindowRule.objects.all()
    ]


def _agency_code(agency: Agency, field_name: str, what: str) -> str:
    if not agency.uscc:
        raise ValidationFailed.field(field_name, f"{what}“{agency.name}”没有统一社会信用代码，不能作为{what}")
    return uscc.validate(agency.uscc, field=field_name)


@transaction.atomic
def record_determine(
    *,
    actor: User,
    record: DishonestyRecord,
    on: date,
    reason: str,
    severity: str,
    determining_authority: Agency,
    basis: str,
    data_source: Agency | None = None,
    publish: bool | None = None,
) -> DishonestyRecord:
    """认定: after the rectification deadline passed unrectified (NDRC 2023 通知), by the
    determining authority; the publicity window is the table's row in force on the determination
    date (令第36号), counted from it."""
    _require_credit_officer(actor)
    locked = DishonestyRecord.objects.select_for_update().get(pk=record.pk)
    if locked.status == S.RECTIFICATION_ORDERED and on <= locked.rectification_deadline:
        raise ValidationFailed.field(
            "on",
            f"整改期限（{locked.rectification_deadline.isoformat()}）届满前不能认定失信",
            code="rectification_pending",
        )
    if severity not in Severity.values:
        raise ValidationFailed.field("severity", "失信等级应为轻微、一般或严重", code="invalid_choice")
    if not (basis or "").strip():
        raise ValidationFailed.field("basis", "认定依据不能为空", code="required")
    authority_uscc = _agency_code(determining_authority, "determining_authority", "认定单位")
    data_source = data_source or determining_authority
    source_uscc = _agency_code(data_source, "data_source", "数据来源单位")
    try:
        window = window_for(severity, on, windows_table())
    except RuleError as exc:
        raise ValidationFailed.field("on", exc.detail, code=exc.code) from None
    rule = PublicityWindowRule.objects.get(severity=window.severity, effective_from=window.effective_from)
    if publish is None:
        publish = window.published
    if window.published and not publish:
        raise ValidationFailed.field("publish", f"{severity}失信信息应当公示（{window.basis}）", code="must_publish")
    start, min_end, max_end = publicity_dates(on, window)
    return _assign_status(
        record=locked,
        to=S.DETERMINED,
        actor=actor,
        on=on,
        reason=reason,
        action="determine",
        detail={"severity": severity, "published": publish, "window": window.basis},
        determined_on=on,
        severity=severity,
        basis=basis.strip(),
        determining_authority=determining_authority,
        authority_name=determining_authority.name,
        authority_uscc=authority_uscc,
        data_source=data_source,
        data_source_name=data_source.name,
        data_source_uscc=source_uscc,
        published=publish,
        window_rule=rule,
        window_basis=window.basis,
        publicity_start=start,
        publicity_min_end=min_end,
        publicity_max_end=max_end,
    )


# --- after determination ---------------------------------------------------------------------------
def _require_determined(record: DishonestyRecord, what: str) -> None:
    if record.status != S.DETERMINED:
        raise IllegalTransition(f"记录当前状态为“{_label(record.status)}”，不能{what}", code="illegal_transition")


@transaction.atomic
def record_performance_record(
    *, actor: User, record: DishonestyRecord, performed_on: date, note: str
) -> DishonestyRecord:
    """A credit officer records that the obligation was performed (where the source cannot tell)."""
    _require_credit_officer(actor)
    locked = DishonestyRecord.objects.select_for_update().get(pk=record.pk)
    _require_determined(locked, "登记履行情况")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed.field("note", "请写明履行情况及证明材料", code="required")
    locked.performed_on, locked.performance_note = performed_on, note
    _save(locked, actor, ["performed_on", "performance_note"])
    _event(
        locked,
        actor=actor,
        action="performance",
        on=performed_on,
        reason=note,
        from_status=locked.status,
        to_status=locked.status,
    )
    return locked


@transaction.atomic
def record_commitment_record(
    *, actor: User, record: DishonestyRecord, committed_on: date, text: str
) -> DishonestyRecord:
    """信用承诺 (令第36号): the public credit commitment repair requires, with its date and text."""
    _require_credit_officer(actor)
    locked = DishonestyRecord.objects.select_for_update().get(pk=record.pk)
    _require_determined(locked, "登记信用承诺")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed.field("text", "信用承诺内容不能为空", code="required")
    if committed_on < locked.determined_on:
        raise ValidationFailed.field("committed_on", "信用承诺日期不得早于认定日期", code="out_of_order")
    locked.commitment_on, locked.commitment_text = committed_on, text
    _save(locked, actor, ["commitment_on", "commitment_text"])
    _event(
        locked,
        actor=actor,
        action="commitment",
        on=committed_on,
        reason=text,
        from_status=locked.status,
        to_status=locked.status,
    )
    return locked


@transaction.atomic
def record_repair(
    *, actor: User, record: DishonestyRecord, on: date, reason: str, on_behalf_of: Agency
) -> DishonestyRecord:
    """信用修复: only the determining authority repairs (谁认定谁修复), only after the minimum
    period, with the obligation performed and a recorded credit commitment (令第36号)."""
    _require_credit_officer(actor)
    locked = DishonestyRecord.objects.select_for_update().get(pk=record.pk)
    _require_determined(locked, "信用修复")
    if on_behalf_of.pk != locked.determining_authority_id:
        raise PermissionDenied(
            f"谁认定谁修复：本记录由“{locked.authority_name}”认定，只能以该单位名义修复",
            code="not_determining_authority",
            fields={"on_behalf_of": [f"应为认定单位“{locked.authority_name}”"]},
        )
    blockers = repair_blockers(locked, on)
    if blockers:
        raise ValidationFailed(
            "不符合信用修复条件：" + "；".join(blockers), code="repair_conditions_unmet", fields={"on": blockers}
        )
    return _assign_status(
        record=locked,
        to=S.REPAIRED,
        actor=actor,
        on=on,
        reason=reason,
        action="repair",
        detail={"on_behalf_of": on_behalf_of.pk, "on_behalf_of_name": on_behalf_of.name},
        closed_on=on,
        closing_reason=_require_reason(reason),
    )


@transaction.atomic
def record_expire(*, actor: User, record: DishonestyRecord, on: date, reason: str) -> DishonestyRecord:
    """Close a record at or after its maximum period (the computed expiry already stops publication
    when the obligation was performed; this is how the officer decides on a flagged one)."""
    _require_credit_officer(actor)
    locked = DishonestyRecord.objects.select_for_update().get(pk=record.pk)
    _require_determined(locked, "按公示期满办结")
    if not is_expired(on, locked.publicity_max_end):
        raise ValidationFailed.field(
            "on", f"最长公示期至{locked.publicity_max_end.isoformat()}，届满后方可办结", code="max_not_reached"
        )
    return _assign_status(
        record=locked,
        to=S.EXPIRED,
        actor=actor,
        on=on,
        reason=reason,
        action="expire",
        closed_on=on,
        closing_reason=_require_reason(reason),
    )


@transaction.atomic
def record_revoke(*, actor: User, record: DishonestyRecord, on: date, reason: str) -> DishonestyRecord:
    _require_credit_officer(actor)
    return _assign_status(
        record=record,
        to=S.REVOKED,
        actor=actor,
        on=on,
        reason=reason,
        action="revoke",
        closed_on=on,
        closing_reason=_require_reason(reason),
    )


# --- corrections ---------------------------------------------------------------------------------
CORRECTABLE = (
    "subject_name",
    "subject_uscc",
    "facts",
    "basis",
    "amount",
    "counterparty_name",
    "counterparty_uscc",
    "authority_name",
    "authority_uscc",
    "data_source_name",
    "data_source_uscc",
    "remarks",
)


@transaction.atomic
def record_correct(*, actor: User, record: DishonestyRecord, on: date, reason: str, changes: dict) -> DishonestyRecord:
    """Correct what the record says (e.g. after the platform rejected a row): a published record
    goes out as 变更 in the next batch. Codes are validated and normalised (SPEC R8)."""
    _require_credit_officer(actor)
    reason = _require_reason(reason)
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        raise ValidationFailed.field(unknown[0], "该字段不能更正", code="not_correctable")
    locked = DishonestyRecord.objects.select_for_update().get(pk=record.pk)
    for name in ("subject_uscc", "authority_uscc", "data_source_uscc", "counterparty_uscc"):
        if changes.get(name):
            changes[name] = uscc.validate(changes[name], field=name)
    for name in ("subject_name", "facts"):
        if name in changes and not (changes[name] or "").strip():
            raise ValidationFailed.field(name, "不能为空", code="required")
    if "amount" in changes and changes["amount"] is not None and changes["amount"] <= 0:
        raise ValidationFailed.field("amount", "金额必须大于零", code="amount_not_positive")
    diff = {
        name: {"old": _plain(getattr(locked, name)), "new": _plain(value)}
        for name, value in changes.items()
        if getattr(locked, name) != value
    }
    if not diff:
        raise ValidationFailed("没有需要更正的内容", code="nothing_to_correct")
    for name in diff:
        setattr(locked, name, changes[name])
    _save(locked, actor, list(diff))
    _event(
        locked,
        actor=actor,
        action="correct",
        on=on,
        reason=reason,
        from_status=locked.status,
        to_status=locked.status,
        detail=diff,
    )
    return locked


def _plain(value) -> str | None:
    return None if value is None else str(value)


# --- the flag at the maximum ------------------------------------------------------------------
def notify_flagged(*, as_of: date) -> int:
    """Tell the credit officers about each record past its maximum whose obligation is unperformed
    (SPEC R10: flagged instead of silently expired). Once per record."""
    officers = recipients(roles=[Role.CREDIT_OFFICER])
    sent = 0
    for record in flagged_records(as_of):
        sent += len(
            notify(
                users=officers,
                kind="credit_max_unperformed",
                title=f"失信记录{record.number}最长公示期已届满但义务尚未履行",
                body=(
                    f"{record.subject_name}的失信记录最长公示期于{record.publicity_max_end.isoformat()}届满，"
                    "相关义务尚未履行完毕，未自动停止公示，请信用管理员依有关规定处理。"
                ),
                link=f"/api/credit/records/{record.pk}/",
                dedupe_key=f"credit-max-unperformed-{record.pk}",
            )
        )
    return sent
