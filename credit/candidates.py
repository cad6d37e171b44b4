"""The rules of SPEC R9 that propose dishonesty candidates — one small function each.

Each rule reads its source facts as of a date and yields ``Proposal``s; it never writes.
``credit.services.records.candidates_propose`` turns them into candidate records, once per
(rule, source) — a unique constraint makes a rerun propose nothing twice. Nothing is ever
determined or published automatically: every later step is a credit officer's action.

Each rule also says when its source counts as performed (履行完毕), which repair and the
expiry flag need (令第36号: repair requires the obligation performed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Model, Q

from contracts.models import Contract, ContractStatus, TerminationReason
from credit.models import CandidateRule, DishonestyKind
from ledger.models import (
    Agency,
    Claim,
    ClaimStatus,
    Decision,
    Enterprise,
    Obligation,
    Outcome,
    Redemption,
    RedemptionStatus,
)
from ledger.selectors.obligations import LegacyFacts, Status, answerable_agency_id, obligation_state, with_status

# SPEC R9: arrears unpaid 90 days after the supervisor's verification; a redemption unpaid 90
# days past its due date.
ARREARS_GRACE_DAYS = 90
REDEMPTION_GRACE_DAYS = 90


@dataclass(frozen=True)
class Proposal:
    rule: str
    source: Model
    source_label: str
    subject_agency: Agency
    kind: str
    facts: str
    amount: Decimal | None
    counterparty: Enterprise | None
    region_code: str
    is_demo: bool


@dataclass(frozen=True)
class Rule:
    code: str
    find: Callable[[date], Iterable[Proposal]]
    performed_on: Callable[[Model], date | None]  # when the source's obligation was performed, if known


def _answerable(agency: Agency, as_of: date) -> Agency:
    """机构改革: the agency answerable now for its debts (the record is against the successor)."""
    agency_id = answerable_agency_id(agency.pk, as_of)
    return agency if agency_id == agency.pk else Agency.objects.get(pk=agency_id)


def _unpaid(obligation: Obligation, as_of: date) -> bool:
    """Not paid off, written off or cancelled by ``as_of`` (stored facts: fully-paid and outcome dates)."""
    if obligation.fully_paid_on is not None and obligation.fully_paid_on <= as_of:
        return False
    closed = obligation.outcome in (Outcome.WRITTEN_OFF, Outcome.CANCELLED)
    return not (closed and obligation.outcome_on is not None and obligation.outcome_on <= as_of)


def _outstanding(obligation: Obligation, as_of: date) -> Decimal:
    return obligation_state(obligation, as_of).principal_outstanding


def _paid_on(obligation: Obligation | None) -> date | None:
    return None if obligation is None else obligation.fully_paid_on


def _yuan(amount: Decimal | None) -> str:
    return "—" if amount is None else f"{amount:,.2f}元"


# --- (a) a decision unperformed past its deadline ---------------------------------------------------
def decisions_unperformed(as_of: date) -> Iterator[Proposal]:
    qs = (
        Decision.objects.select_related("agency", "creditor")
        .filter(performance_deadline__lt=as_of)
        .filter(Q(performed_on__isnull=True) | Q(performed_on__gt=as_of))
        .order_by("id")
    )
    for d in qs:
        subject = _answerable(d.agency, as_of)
        yield Proposal(
            rule=CandidateRule.DECISION_UNPERFORMED,
            source=d,
            source_label=f"{d.get_kind_display()} {d.case_number}",
            subject_agency=subject,
            kind=DishonestyKind.COURT_DECISION,
            facts=(
                f"{d.issued_by}{d.get_kind_display()}（{d.case_number}）确定{d.agency.name}履行“{d.title}”，"
                f"履行期限于{d.performance_deadline.isoformat()}届满，截至{as_of.isoformat()}仍未履行完毕。"
            ),
            amount=d.amount,
            counterparty=d.creditor,
            region_code=d.region_code,
            is_demo=d.is_demo,
        )


def decision_performed_on(source: Decision) -> date | None:
    return source.performed_on


# --- (b) arrears confirmed by the supervisor and unpaid 90 days after verification ------------------
def claims_unpaid_after_verification(as_of: date) -> Iterator[Proposal]:
    cutoff = as_of - timedelta(days=ARREARS_GRACE_DAYS)
    qs = (
        Claim.objects.select_related("agency", "enterprise", "obligation")
        .filter(status=ClaimStatus.VERIFIED, decided_on__lt=cutoff, obligation__isnull=False)
        .order_by("id")
    )
    for c in qs:
        if not _unpaid(c.obligation, as_of):
            continue
        outstanding = _outstanding(c.obligation, as_of)
        yield Proposal(
            rule=CandidateRule.CLAIM_ARREARS,
            source=c,
            source_label=f"诉求 {c.reference}",
            subject_agency=_answerable(c.agency, as_of),
            kind=DishonestyKind.ARREARS,
            facts=(
                f"{c.enterprise.name}反映{c.agency.name}拖欠账款（{c.subject}），经督查部门于"
                f"{c.decided_on.isoformat()}核实属实（给付义务 {c.obligation.reference}），核实后"
                f"{ARREARS_GRACE_DAYS}日仍未清偿，截至{as_of.isoformat()}未付本金{_yuan(outstanding)}。"
            ),
            amount=outstanding,
            counterparty=c.enterprise,
            region_code=c.region_code,
            is_demo=c.is_demo,
        )


def claim_performed_on(source: Claim) -> date | None:
    return _paid_on(source.obligation)


# --- (c) a contract terminated for government breach ------------------------------------------------
def contracts_terminated_for_government_breach(as_of: date) -> Iterator[Proposal]:
    qs = (
        Contract.objects.select_related("agency", "counterparty")
        .filter(
            status=ContractStatus.TERMINATED,
            termination_reason_code=TerminationReason.GOVERNMENT_BREACH,
            terminated_on__lte=as_of,
        )
        .order_by("id")
    )
    for k in qs:
        label = f"合同 {k.number}" if k.number else f"合同“{k.title}”"
        reason = f"：{k.termination_reason}" if k.termination_reason else ""
        yield Proposal(
            rule=CandidateRule.CONTRACT_BREACH,
            source=k,
            source_label=label,
            subject_agency=_answerable(k.agency, as_of),
            kind=DishonestyKind.BREACH,
            facts=(
                f"{k.agency.name}与{k.counterparty.name}签订的{label}（{k.get_contract_type_display()}）"
                f"于{k.terminated_on.isoformat()}因政府方违约而终止{reason}。"
            ),
            amount=k.amount,
            counterparty=k.counterparty,
            region_code=k.region_code,
            is_demo=k.is_demo,
        )


def contract_performed_on(source: Contract) -> date | None:
    return None  # what performing a broken contract means is the credit officer's finding (performance action)


# --- (d) a redemption approved and unpaid 90 days past due -----------------------------------------
def redemptions_unpaid(as_of: date) -> Iterator[Proposal]:
    cutoff = as_of - timedelta(days=REDEMPTION_GRACE_DAYS)
    qs = (
        Redemption.objects.select_related("agency", "enterprise", "policy", "obligation")
        .filter(status=RedemptionStatus.APPROVED, obligation__isnull=False, obligation__due_on__lt=cutoff)
        .order_by("id")
    )
    for r in qs:
        if not _unpaid(r.obligation, as_of):
            continue
        outstanding = _outstanding(r.obligation, as_of)
        yield Proposal(
            rule=CandidateRule.REDEMPTION_UNPAID,
            source=r,
            source_label=f"政策兑现 {r.reference}",
            subject_agency=_answerable(r.agency, as_of),
            kind=DishonestyKind.POLICY,
            facts=(
                f"{r.agency.name}已核准{r.enterprise.name}依《{r.policy.title}》（{r.policy.doc_number}）兑现"
                f"{_yuan(r.amount)}，应于{r.obligation.due_on.isoformat()}前支付，逾期{REDEMPTION_GRACE_DAYS}日"
                f"仍未支付，截至{as_of.isoformat()}未付{_yuan(outstanding)}。"
            ),
            amount=outstanding,
            counterparty=r.enterprise,
            region_code=r.region_code,
            is_demo=r.is_demo,
        )


def redemption_performed_on(source: Redemption) -> date | None:
    return _paid_on(source.obligation)


# --- (e) a legacy-debt case (新官不理旧账, SPEC R5) ----------------------------------------------------
def legacy_debt_cases(as_of: date) -> Iterator[Proposal]:
    overdue = list(
        with_status(Obligation.objects.select_related("debtor_agency", "creditor"), as_of)
        .filter(status_as_of=Status.OVERDUE, arose_on__lte=as_of)
        .order_by("id")
    )
    if not overdue:
        return
    facts = LegacyFacts.load({o.debtor_agency_id for o in overdue})
    for o in overdue:
        case = facts.case(o, as_of, overdue=True)
        if case is None or not case.is_case:
            continue
        then = facts.rows.get(case.principal_then) if case.principal_then else None
        now = facts.rows.get(case.principal_now) if case.principal_now else None
        outstanding = _outstanding(o, as_of)
        yield Proposal(
            rule=CandidateRule.LEGACY_DEBT,
            source=o,
            source_label=f"给付义务 {o.reference}",
            subject_agency=_answerable(o.debtor_agency, as_of),
            kind=DishonestyKind.LEGACY_DEBT,
            facts=(
                f"{o.debtor_agency.name}于{o.arose_on.isoformat()}形成对{o.creditor.name}的给付义务“{o.title}”"
                f"（{o.reference}），{o.due_on.isoformat()}到期；发生时主要负责人为"
                f"{then.person if then else '空缺'}，{case.handover_on.isoformat()}起更替为"
                f"{now.person if now else '空缺'}，截至{as_of.isoformat()}仍逾期未付{_yuan(outstanding)}"
                f"（优化营商环境条例第三十一条：不得以相关责任人更替为由违约毁约）。"
            ),
            amount=outstanding,
            counterparty=o.creditor,
            region_code=o.region_code,
            is_demo=o.is_demo,
        )


def obligation_performed_on(source: Obligation) -> date | None:
    return source.fully_paid_on


def source_querysets() -> list:
    """How to load each kind of source for ``GenericPrefetch`` (with what ``performed_on`` reads)."""
    return [
        Decision.objects.all(),
        Claim.objects.select_related("obligation"),
        Contract.objects.all(),
        Redemption.objects.select_related("obligation"),
        Obligation.objects.all(),
    ]


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(CandidateRule.DECISION_UNPERFORMED, decisions_unperformed, decision_performed_on),
        Rule(CandidateRule.CLAIM_ARREARS, claims_unpaid_after_verification, claim_performed_on),
        Rule(CandidateRule.CONTRACT_BREACH, contracts_terminated_for_government_breach, contract_performed_on),
        Rule(CandidateRule.REDEMPTION_UNPAID, redemptions_unpaid, redemption_performed_on),
        Rule(CandidateRule.LEGACY_DEBT, legacy_debt_cases, obligation_performed_on),
    )
}
