"""Writes for recommendations (检察建议 / 司法建议), their escalations, and binding decisions.

Who may do what (SPEC §1): supervisors (区司法局) record what was served on an agency, rule on
objections, give rectification verdicts and confirm performance; the recipient agency's staff
reply, object and report performance. A recipient never grades itself.

Every status change goes through ``ledger.lifecycles.assign_status`` with the transition table
beside the TextChoices in ledger/models/oversight.py (row lock, table check, 409, history).
Decisions: agency staff *report* performance and a supervisor *confirms* it (or records it
directly); only a confirmed performance counts in the performance rate. A money decision in
favour of an enterprise creates its obligation in the court-decision regime, and can be
confirmed performed only once that obligation's principal is paid off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from ledger import clock
from ledger.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from ledger.lifecycles import assign_status
from ledger.models import (
    DECISION_TRANSITIONS,
    RECOMMENDATION_TRANSITIONS,
    Agency,
    Decision,
    DecisionKind,
    DecisionStatus,
    Enterprise,
    Escalation,
    ObjectionOutcome,
    Recommendation,
    RecommendationKind,
    RecommendationObjection,
    RecommendationReply,
    RecommendationStatus,
    Rectification,
    Role,
    User,
)
from ledger.rules.calendar import DueDate, WorkCalendar, calendar_version
from ledger.rules.errors import RuleError
from ledger.rules.recommendations import (
    URGENT_PUBLIC_INTEREST_DAYS,
    escalation_due,
    reply_deadline,
)
from ledger.selectors.calendar import current_calendar
from ledger.selectors.scoping import owns_agency

_TEXT_MAX = 300

_DEFAULT_BASIS = {
    RecommendationKind.PROCURATORIAL: "建议书未载明期限，自收到之日起两个月内书面回复"
    "（《人民检察院检察建议工作规定》（2019））",
    RecommendationKind.PUBLIC_INTEREST: "建议书未载明期限，自收到之日起两个月内书面回复"
    "（两高《关于检察公益诉讼案件适用法律若干问题的解释》第二十一条）",
    RecommendationKind.JUDICIAL: "建议书未载明期限，按一般不超过两个月计"
    "（《最高人民法院关于综合治理类司法建议工作若干问题的规定》法释〔2023〕11号第八条）",
}


# --- helpers -----------------------------------------------------------------------------
def _invalid(exc: RuleError, default_field: str) -> ValidationFailed:
    field = exc.field or default_field
    return ValidationFailed(f"{field}：{exc.detail}", code=exc.code, fields={field: [exc.detail]})


def _require_supervisor(actor: User) -> None:
    if actor.role != Role.SUPERVISOR and not actor.is_superuser:
        raise PermissionDenied("仅督查（区司法局）可执行此操作")


def _require_staff_of(actor: User, agency_id: int) -> None:
    # A supervisor records what the agency says; only the agency's own staff reply, object or report.
    if actor.role != Role.AGENCY_STAFF or not owns_agency(actor, agency_id):
        raise PermissionDenied("仅被建议（履行义务）单位的工作人员可执行此操作")


def _text(value: str | None, field: str, what: str, *, required: bool = True, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed.field(field, f"须填写{what}", code="required")
    if max_length is not None and len(value) > max_length:
        raise ValidationFailed.field(field, f"{what}不得超过{max_length}字", code="too_long")
    return value


def _not_future(day: date, field: str, what: str) -> None:
    today = clock.today()
    if day > today:
        raise ValidationFailed.field(
            field, f"{what}{day.isoformat()}晚于今天（{today.isoformat()}）", code="future_date"
        )


def _not_before(day: date, earliest: date, field: str, what: str, earlier_what: str) -> None:
    if day < earliest:
        raise ValidationFailed.field(
            field, f"{what}{day.isoformat()}早于{earlier_what}{earliest.isoformat()}", code="date_order"
        )


def _check_transition(table, current: str, to: str, choices) -> None:
    """Refuse early (409) so a request for an illegal move is not answered with a 400 about its body.

    ``assign_status`` checks the same table again under the row lock and is what assigns.
    """
    if to not in table.get(current, frozenset()):
        labels = dict(choices.choices)
        raise IllegalTransition(f"当前状态“{labels.get(current, current)}”不能变为“{labels.get(to, to)}”")


def _period(stated_days: int | None, stated_months: int | None) -> None:
    if stated_days is not None and stated_months is not None:
        raise ValidationFailed.field("stated_days", "回复期限只能按日或按月之一载明", code="ambiguous_period")


def _deadline_basis(kind: str, urgent: bool, stated_days: int | None, stated_months: int | None, due: DueDate) -> str:
    if stated_days is not None:
        basis = f"建议书载明自收到之日起{stated_days}日内书面回复"
    elif stated_months is not None:
        basis = f"建议书载明自收到之日起{stated_months}个月内书面回复"
    elif urgent and kind == RecommendationKind.PUBLIC_INTEREST:
        basis = (
            f"紧急情形，自收到之日起{URGENT_PUBLIC_INTEREST_DAYS}日内书面回复"
            "（两高《关于检察公益诉讼案件适用法律若干问题的解释》第二十一条）"
        )
    else:
        basis = _DEFAULT_BASIS[RecommendationKind(kind)]
    if due.rolled_from is not None:
        basis += (
            f"；期间最后一日{due.rolled_from.isoformat()}为休息日，顺延至{due.date.isoformat()}（民法典第二百零三条）"
        )
    if due.provisional:
        basis += "；超出官方节假日数据，期限暂定，待日历更新后复核"
    return basis[:_TEXT_MAX]


def _compute_deadline(
    *,
    kind: str,
    served_on: date,
    urgent: bool,
    stated_days: int | None,
    stated_months: int | None,
    cal: WorkCalendar,
    served_field: str = "served_on",
) -> dict:
    """The deadline facts stored with a recommendation when served or revised (SPEC R6, R2)."""
    try:
        due = reply_deadline(
            kind=kind,
            served_on=served_on,
            urgent=urgent,
            stated_days=stated_days,
            stated_months=stated_months,
            cal=cal,
        )
    except RuleError as exc:
        raise _invalid(exc, served_field) from None
    return {
        "deadline": due.date,
        "deadline_provisional": due.provisional,
        "deadline_rolled_from": due.rolled_from,
        "deadline_basis": _deadline_basis(kind, urgent, stated_days, stated_months, due),
        "calendar_version": calendar_version(cal),
    }


def _lock(model, obj):
    return model._default_manager.select_for_update().get(pk=obj.pk)


# --- recommendations -----------------------------------------------------------------------
@transaction.atomic
def recommendation_record(
    *,
    actor: User,
    kind: str,
    issuer: str,
    doc_number: str,
    title: str,
    recipient: Agency,
    served_on: date,
    urgent: bool = False,
    stated_days: int | None = None,
    stated_months: int | None = None,
    is_demo: bool = False,
) -> Recommendation:
    """Record a recommendation as served on an agency, with its reply deadline (R6, R2 counting)."""
    _require_supervisor(actor)
    if kind not in RecommendationKind.values:
        raise ValidationFailed.field("kind", f"建议类型“{kind}”无效", code="invalid_choice")
    issuer = _text(issuer, "issuer", "发出机关", max_length=100)
    doc_number = _text(doc_number, "doc_number", "文号", max_length=100)
    title = _text(title, "title", "事由", max_length=_TEXT_MAX)
    _period(stated_days, stated_months)
    _not_future(served_on, "served_on", "送达日期")
    succeeded_on = recipient.succeeded_on
    if recipient.successor_id is not None and succeeded_on is not None and succeeded_on <= served_on:
        raise ValidationFailed.field(
            "recipient",
            f"{recipient.name}已于{recipient.succeeded_on.isoformat()}撤并，其职责由承继单位承担",
            code="agency_succeeded",
        )
    if Recommendation.objects.filter(issuer=issuer, doc_number=doc_number).exists():
        raise ValidationFailed.field("doc_number", f"{issuer}的文号“{doc_number}”已登记", code="duplicate")
    facts = _compute_deadline(
        kind=kind,
        served_on=served_on,
        urgent=urgent,
        stated_days=stated_days,
        stated_months=stated_months,
        cal=current_calendar(),
    )
    return Recommendation.objects.create(
        kind=kind,
        issuer=issuer,
        doc_number=doc_number,
        title=title,
        recipient=recipient,
        region_code=recipient.region_code,
        served_on=served_on,
        urgent=urgent,
        stated_days=stated_days,
        stated_months=stated_months,
        recorded_by=actor,
        is_demo=is_demo,
        **facts,
    )


@transaction.atomic
def recommendation_reply(
    *, actor: User, recommendation: Recommendation, replied_on: date, summary: str, evidence: str = ""
) -> Recommendation:
    """The recipient's written reply. Its date decides on time or late (R6, R7)."""
    _require_staff_of(actor, recommendation.recipient_id)
    rec = _lock(Recommendation, recommendation)
    _check_transition(RECOMMENDATION_TRANSITIONS, rec.status, RecommendationStatus.REPLIED, RecommendationStatus)
    summary = _text(summary, "summary", "回复及整改情况", max_length=5000)
    evidence = _text(evidence, "evidence", "佐证材料", required=False, max_length=5000)
    _not_before(replied_on, rec.served_on, "replied_on", "回复日期", "送达日期")
    _not_future(replied_on, "replied_on", "回复日期")
    RecommendationReply.objects.create(
        recommendation=rec, replied_on=replied_on, summary=summary, evidence=evidence, replied_by=actor
    )
    return assign_status(rec, RecommendationStatus.REPLIED, table=RECOMMENDATION_TRANSITIONS, replied_on=replied_on)


@transaction.atomic
def recommendation_object(
    *, actor: User, recommendation: Recommendation, filed_on: date, grounds: str
) -> RecommendationObjection:
    """The recipient objects; the reply period keeps running while the issuer re-examines."""
    _require_staff_of(actor, recommendation.recipient_id)
    rec = _lock(Recommendation, recommendation)
    _check_transition(RECOMMENDATION_TRANSITIONS, rec.status, RecommendationStatus.OBJECTED, RecommendationStatus)
    if RecommendationObjection.objects.filter(recommendation=rec, revision=rec.revision).exists():
        raise Conflict("对本建议（当前文本）已提出过异议并经审查，不得重复提出", code="objection_already_ruled")
    grounds = _text(grounds, "grounds", "异议理由", max_length=5000)
    _not_before(filed_on, rec.served_on, "filed_on", "异议提出日期", "送达日期")
    _not_future(filed_on, "filed_on", "异议提出日期")
    objection = RecommendationObjection.objects.create(
        recommendation=rec,
        revision=rec.revision,
        filed_on=filed_on,
        grounds=grounds,
        filed_by=actor,
        deadline_before=rec.deadline,
        served_before=rec.served_on,
    )
    assign_status(rec, RecommendationStatus.OBJECTED, table=RECOMMENDATION_TRANSITIONS)
    return objection


@transaction.atomic
def recommendation_rule_objection(
    *,
    actor: User,
    recommendation: Recommendation,
    outcome: str,
    ruled_on: date,
    reasons: str,
    revised_served_on: date | None = None,
    stated_days: int | None = None,
    stated_months: int | None = None,
) -> Recommendation:
    """Record the issuer's ruling on the pending objection.

    Upheld: the recommendation is revised and served again on ``revised_served_on``; the deadline
    is recomputed from it (with the period stated in the revised text, or else the one stated
    before) and the old served date and deadline stay on the objection and in history. Rejected:
    the deadline stands.
    """
    _require_supervisor(actor)
    rec = _lock(Recommendation, recommendation)
    _check_transition(RECOMMENDATION_TRANSITIONS, rec.status, RecommendationStatus.SERVED, RecommendationStatus)
    objection = RecommendationObjection.objects.select_for_update().get(
        recommendation=rec, revision=rec.revision, outcome=ObjectionOutcome.PENDING
    )
    if outcome not in (ObjectionOutcome.UPHELD, ObjectionOutcome.REJECTED):
        raise ValidationFailed.field(
            "outcome", f"审查结果“{outcome}”无效，应为 upheld 或 rejected", code="invalid_choice"
        )
    reasons = _text(reasons, "reasons", "审查理由", max_length=5000)
    _not_before(ruled_on, objection.filed_on, "ruled_on", "审查日期", "异议提出日期")
    _not_future(ruled_on, "ruled_on", "审查日期")
    objection.outcome, objection.ruled_on, objection.ruling_reasons, objection.ruled_by = (
        outcome,
        ruled_on,
        reasons,
        actor,
    )
    if outcome == ObjectionOutcome.REJECTED:
        if revised_served_on is not None or stated_days is not None or stated_months is not None:
            field = "revised_served_on" if revised_served_on is not None else "stated_days"
            raise ValidationFailed.field(field, "异议不成立时建议不作修订，回复期限不变", code="not_applicable")
        objection.save()
        return assign_status(rec, RecommendationStatus.SERVED, table=RECOMMENDATION_TRANSITIONS)

    if revised_served_on is None:
        raise ValidationFailed.field("revised_served_on", "异议成立的，须填写修订后建议的送达日期", code="required")
    _period(stated_days, stated_months)
    _not_before(revised_served_on, ruled_on, "revised_served_on", "修订后送达日期", "审查日期")
    _not_future(revised_served_on, "revised_served_on", "修订后送达日期")
    if stated_days is None and stated_months is None:
        stated_days, stated_months = rec.stated_days, rec.stated_months
    facts = _compute_deadline(
        kind=rec.kind,
        served_on=revised_served_on,
        urgent=rec.urgent,
        stated_days=stated_days,
        stated_months=stated_months,
        cal=current_calendar(),
        served_field="revised_served_on",
    )
    objection.revised_served_on, objection.revised_deadline = revised_served_on, facts["deadline"]
    objection.save()
    return assign_status(
        rec,
        RecommendationStatus.SERVED,
        table=RECOMMENDATION_TRANSITIONS,
        served_on=revised_served_on,
        stated_days=stated_days,
        stated_months=stated_months,
        revision=rec.revision + 1,
        **facts,
    )


@transaction.atomic
def recommendation_give_verdict(
    *, actor: User, recommendation: Recommendation, rectification: str, verdict_on: date, note: str = ""
) -> Recommendation:
    """The supervisor's rectification verdict on a replied recommendation (never the recipient's own)."""
    _require_supervisor(actor)
    rec = _lock(Recommendation, recommendation)
    _check_transition(RECOMMENDATION_TRANSITIONS, rec.status, RecommendationStatus.ASSESSED, RecommendationStatus)
    if rectification not in Rectification.values:
        raise ValidationFailed.field("rectification", f"整改评定“{rectification}”无效", code="invalid_choice")
    note = _text(note, "note", "评定意见", required=rectification != Rectification.FULLY, max_length=5000)
    _not_before(verdict_on, rec.replied_on, "verdict_on", "评定日期", "回复日期")
    _not_future(verdict_on, "verdict_on", "评定日期")
    return assign_status(
        rec,
        RecommendationStatus.ASSESSED,
        table=RECOMMENDATION_TRANSITIONS,
        rectification=rectification,
        verdict_on=verdict_on,
        verdict_note=note,
        verdict_by=actor,
    )


@dataclass(frozen=True)
class DeadlineChange:
    recommendation_id: int
    doc_number: str
    old_deadline: date
    new_deadline: date
    still_provisional: bool
    old_version: str
    new_version: str


@transaction.atomic
def recommendation_deadlines_recompute(*, dry_run: bool = False) -> list[DeadlineChange]:
    """Recompute provisional reply deadlines after the calendar changed (SPEC R2).

    Only rows stored as provisional are touched; each change is saved with a reason, so the
    recommendation's history shows old → new. Meant to run beside obligations' recompute command.
    """
    cal = current_calendar()
    version = calendar_version(cal)
    changes = []
    for rec in Recommendation.objects.select_for_update().filter(deadline_provisional=True).order_by("id"):
        facts = _compute_deadline(
            kind=rec.kind,
            served_on=rec.served_on,
            urgent=rec.urgent,
            stated_days=rec.stated_days,
            stated_months=rec.stated_months,
            cal=cal,
        )
        if (facts["deadline"], facts["deadline_provisional"], version) == (
            rec.deadline,
            rec.deadline_provisional,
            rec.calendar_version,
        ):
            continue
        changes.append(
            DeadlineChange(
                rec.pk,
                rec.doc_number,
                rec.deadline,
                facts["deadline"],
                facts["deadline_provisional"],
                rec.calendar_version,
                version,
            )
        )
        if not dry_run:
            for name, value in facts.items():
                setattr(rec, name, value)
            rec._change_reason = "日历更新后重算暂定回复期限"
            rec.save(update_fields=list(facts))
    return changes


def escalation_candidates(as_of: date):
    """Overdue unreplied as of ``as_of``, not under objection review, not yet escalated for this text."""
    already = Escalation.objects.filter(recommendation=OuterRef("pk"), revision=OuterRef("revision"))
    return (
        Recommendation.objects.filter(deadline__lt=as_of)
        .filter(Q(replied_on__isnull=True) | Q(replied_on__gt=as_of))
        .exclude(status=RecommendationStatus.OBJECTED)
        .filter(~Exists(already))
        .select_related("recipient__parent")
        .order_by("id")
    )


def escalations_create_due(*, as_of: date, cal: WorkCalendar | None = None) -> list[Escalation]:
    """Create the escalation records due as of a date (SPEC R6); idempotent.

    Each overdue unreplied recommendation is reported to its recipient's superior (Agency.parent)
    once per text (a revision after an upheld objection can be escalated again). The daily run
    creates it on the first working day after the deadline, well within the 5 working days;
    ``due_by`` keeps the last day, so a late escalation (a missed run) shows as late.
    """
    cal = cal or current_calendar()
    created = []
    for rec in escalation_candidates(as_of):
        parent = rec.recipient.parent
        due_by = escalation_due(rec.deadline, cal)
        note = "" if parent is not None else "被建议单位无上级单位，报同级党委、人大或政府"
        if as_of > due_by:
            note = (note + "；" if note else "") + f"超过应报送日期{due_by.isoformat()}方报送"
        try:
            with transaction.atomic():
                created.append(
                    Escalation.objects.create(
                        recommendation=rec,
                        revision=rec.revision,
                        deadline=rec.deadline,
                        to_agency=parent,
                        due_by=due_by,
                        created_on=as_of,
                        note=note[:_TEXT_MAX],
                        is_demo=rec.is_demo,
                    )
                )
        except IntegrityError:  # a concurrent run created it first
            continue
    return created


# --- decisions -------------------------------------------------------------------------------
_OBLIGATION_FIELDS = {  # obligation_create's field names → this API's
    "principal": "amount",
    "decision_deadline": "performance_deadline",
    "trigger_on": "effective_on",
    "arose_on": "effective_on",
    "title": "title",
    "creditor": "creditor",
}


@transaction.atomic
def decision_record(
    *,
    actor: User,
    kind: str,
    case_number: str,
    issued_by: str,
    agency: Agency,
    title: str,
    effective_on: date,
    performance_deadline: date,
    amount: Decimal | None = None,
    creditor: Enterprise | None = None,
    is_demo: bool = False,
) -> Decision:
    """Record a binding decision; a money decision for an enterprise creates its obligation (R1 court regime)."""
    _require_supervisor(actor)
    if kind not in DecisionKind.values:
        raise ValidationFailed.field("kind", f"文书类型“{kind}”无效", code="invalid_choice")
    case_number = _text(case_number, "case_number", "案号", max_length=100)
    issued_by = _text(issued_by, "issued_by", "作出机关", max_length=100)
    title = _text(title, "title", "履行内容", max_length=_TEXT_MAX)
    _not_future(effective_on, "effective_on", "生效日期")
    _not_before(performance_deadline, effective_on, "performance_deadline", "履行期限届满日", "生效日期")
    if amount is not None and amount <= 0:
        raise ValidationFailed.field("amount", "给付金额须大于0", code="not_positive")
    if Decision.objects.filter(case_number=case_number, agency=agency).exists():
        raise ValidationFailed.field("case_number", f"案号“{case_number}”已对该单位登记", code="duplicate")
    decision = Decision.objects.create(
        kind=kind,
        case_number=case_number,
        issued_by=issued_by,
        agency=agency,
        region_code=agency.region_code,
        title=title,
        effective_on=effective_on,
        performance_deadline=performance_deadline,
        amount=amount,
        creditor=creditor,
        recorded_by=actor,
        is_demo=is_demo,
    )
    if amount is not None and creditor is not None:
        from ledger.services.obligations import obligation_create

        label = DecisionKind(kind).label
        try:
            obligation = obligation_create(
                actor=actor,
                debtor_agency=agency,
                creditor=creditor,
                source="decision",
                title=f"{label}{case_number}：{title}"[:_TEXT_MAX],
                principal=amount,
                arose_on=effective_on,
                trigger="decision",
                trigger_on=effective_on,
                decision_deadline=performance_deadline,
                is_demo=is_demo,
            )
        except ValidationFailed as exc:  # name this API's fields, not the obligation's
            fields = {_OBLIGATION_FIELDS.get(k, k): v for k, v in exc.fields.items()}
            raise ValidationFailed(exc.detail, code=exc.code, fields=fields) from None
        decision.obligation = obligation
        decision.save(update_fields=["obligation"])
    return decision


@transaction.atomic
def decision_report_performance(*, actor: User, decision: Decision, reported_on: date, note: str) -> Decision:
    """The bound agency reports that it performed; a supervisor then confirms."""
    _require_staff_of(actor, decision.agency_id)
    d = _lock(Decision, decision)
    _check_transition(DECISION_TRANSITIONS, d.status, DecisionStatus.REPORTED, DecisionStatus)
    note = _text(note, "note", "履行情况说明", max_length=5000)
    _not_before(reported_on, d.effective_on, "reported_on", "履行日期", "生效日期")
    _not_future(reported_on, "reported_on", "履行日期")
    return assign_status(
        d,
        DecisionStatus.REPORTED,
        table=DECISION_TRANSITIONS,
        reported_on=reported_on,
        report_note=note,
        reported_by=actor,
    )


@transaction.atomic
def decision_confirm_performance(
    *, actor: User, decision: Decision, performed_on: date | None = None, note: str = ""
) -> Decision:
    """A supervisor confirms performance (after the agency's report, or directly).

    The date defaults to the reported date; for a money decision with an obligation, performance
    needs the principal paid off and defaults to the fully-paid date (not before it).
    """
    _require_supervisor(actor)
    d = _lock(Decision, decision)
    _check_transition(DECISION_TRANSITIONS, d.status, DecisionStatus.PERFORMED, DecisionStatus)
    note = _text(note, "note", "督查意见", required=False, max_length=5000)
    paid_on = None
    if d.obligation_id is not None:
        paid_on = d.obligation.fully_paid_on
        if paid_on is None:
            raise Conflict("该文书的给付义务本金尚未付清，不能确认履行完毕", code="decision_obligation_unpaid")
    if performed_on is None:
        performed_on = paid_on or d.reported_on
    if performed_on is None:
        raise ValidationFailed.field("performed_on", "须填写履行完毕日期", code="required")
    _not_before(performed_on, d.effective_on, "performed_on", "履行完毕日期", "生效日期")
    if paid_on is not None:
        _not_before(performed_on, paid_on, "performed_on", "履行完毕日期", "本金付清日期")
    _not_future(performed_on, "performed_on", "履行完毕日期")
    return assign_status(
        d,
        DecisionStatus.PERFORMED,
        table=DECISION_TRANSITIONS,
        performed_on=performed_on,
        confirmed_by=actor,
        confirm_note=note,
    )


@transaction.atomic
def decision_reject_report(*, actor: User, decision: Decision, reasons: str) -> Decision:
    """A supervisor sends a performance report back; the decision is pending again (history keeps the report)."""
    _require_supervisor(actor)
    d = _lock(Decision, decision)
    _check_transition(DECISION_TRANSITIONS, d.status, DecisionStatus.PENDING, DecisionStatus)
    reasons = _text(reasons, "reasons", "退回理由", max_length=5000)
    return assign_status(
        d,
        DecisionStatus.PENDING,
        table=DECISION_TRANSITIONS,
        reported_on=None,
        report_note="",
        reported_by=None,
        confirm_note=f"退回履行报告：{reasons}",
    )
