"""R1: which law governs an obligation (its regime) and when it falls due.

Pure functions: dates and flags in, a ``DueResult`` out. Day counting is R2 (``calendar.py``).
Article numbers of 《保障中小企业款项支付条例》 follow the trigger date: the 2020 text (国务院令第728号)
before 2025-06-01, the 2025 revision (国务院令第802号) from that day (SPEC R1). Neither text has
a transitional rule (domain-rules.md §9), so the date of the event decides which numbering is
cited; the substance of the due-date rules is the same in both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from ledger.rules.calendar import WorkCalendar, add_working_days, period_end_days
from ledger.rules.errors import RuleError

__all__ = [
    "REGULATION_2020_IN_FORCE",
    "REGULATION_2025_IN_FORCE",
    "SME_DEFAULT_TERM_DAYS",
    "SME_MAX_TERM_DAYS",
    "CONTRACT_DEFAULT_TERM_DAYS",
    "ContractType",
    "DueResult",
    "Regime",
    "Source",
    "Trigger",
    "acceptance_trigger",
    "article",
    "due_date",
    "regime_for",
    "regulation_edition",
    "regulation_name",
]

REGULATION_2020_IN_FORCE = date(2020, 9, 1)  # 条例 (2020) art. 29
REGULATION_2025_IN_FORCE = date(2025, 6, 1)  # 条例 (2025) art. 37
SME_DEFAULT_TERM_DAYS = 30  # 条例 (2020) art. 8 para 1 / (2025) art. 9 para 1
SME_MAX_TERM_DAYS = 60  # same paragraph: an agreed term "最长不得超过60日"
CONTRACT_DEFAULT_TERM_DAYS = 30  # the district's own default, not a statutory term (SPEC R1)


class Regime:
    """The law an obligation is due under (SPEC R1). A claim takes its underlying debt's regime."""

    SME_PROCUREMENT = "sme_procurement"  # 条例: 机关 buying goods/works/services from a declared SME
    CONTRACT = "contract"  # other contracts and non-SME creditors: the agreed term
    REDEMPTION = "redemption"  # 政策兑现: the policy's 兑现时限 in working days
    COURT_DECISION = "court_decision"  # 生效判决/裁定/行政复议决定: its performance deadline

    labels: ClassVar[dict[str, str]] = {
        SME_PROCUREMENT: "保障中小企业款项支付条例",
        CONTRACT: "合同约定",
        REDEMPTION: "政策兑现",
        COURT_DECISION: "生效法律文书",
    }
    choices: ClassVar[list[tuple[str, str]]] = list(labels.items())


class Source:
    """What an obligation comes from."""

    MILESTONE = "milestone"  # a government payment milestone of a contract
    REDEMPTION = "redemption"  # an approved 政策兑现
    DECISION = "decision"  # a money decision binding the agency
    CLAIM = "claim"  # an enterprise's 诉求, once verified
    OTHER = "other"

    labels: ClassVar[dict[str, str]] = {
        MILESTONE: "合同付款节点",
        REDEMPTION: "政策兑现",
        DECISION: "生效法律文书",
        CLAIM: "企业诉求",
        OTHER: "其他",
    }
    choices: ClassVar[list[tuple[str, str]]] = list(labels.items())


class ContractType:
    """Kinds of 政府合同协议 (SPEC §2)."""

    INVESTMENT_PROMOTION = "investment_promotion"
    GOVERNMENT_PROCUREMENT = "government_procurement"
    GOVERNMENT_INVESTMENT = "government_investment"
    CONCESSION = "concession"
    PPP = "ppp"
    RESOURCE_TRANSFER = "resource_transfer"
    EXPROPRIATION_COMPENSATION = "expropriation_compensation"
    INDUSTRY_SUPPORT = "industry_support"
    OTHER = "other"

    labels: ClassVar[dict[str, str]] = {
        INVESTMENT_PROMOTION: "招商引资",
        GOVERNMENT_PROCUREMENT: "政府采购",
        GOVERNMENT_INVESTMENT: "政府投资/工程",
        CONCESSION: "特许经营",
        PPP: "PPP",
        RESOURCE_TRANSFER: "资源出让",
        EXPROPRIATION_COMPENSATION: "征收补偿",
        INDUSTRY_SUPPORT: "产业扶持",
        OTHER: "其他",
    }
    choices: ClassVar[list[tuple[str, str]]] = list(labels.items())
    # 条例 art. 2: the agency *buys* goods, works or services. These types are purchases by
    # nature; the others are not, unless a milestone is marked as goods/works/services.
    PURCHASES: ClassVar[frozenset[str]] = frozenset({GOVERNMENT_PROCUREMENT, GOVERNMENT_INVESTMENT})


class Trigger:
    """The event a payment term runs from."""

    DELIVERY = "delivery"  # 交付
    ACCEPTANCE = "acceptance"  # 验收通过, when payment depends on acceptance
    LATE_ACCEPTANCE = "late_acceptance"  # 验收逾期: end of the agreed acceptance period
    SETTLEMENT_CONFIRMED = "settlement_confirmed"  # 结算确认 (progress / periodic settlement)
    REDEMPTION_ACCEPTED = "redemption_accepted"  # 兑现申请受理
    REDEMPTION_NOTIFIED = "redemption_notified"  # 免申即享: 告知
    DECISION = "decision"  # 法律文书生效
    OTHER = "other"

    labels: ClassVar[dict[str, str]] = {
        DELIVERY: "交付",
        ACCEPTANCE: "验收通过",
        LATE_ACCEPTANCE: "验收逾期（约定验收期限届满）",
        SETTLEMENT_CONFIRMED: "结算确认",
        REDEMPTION_ACCEPTED: "兑现受理",
        REDEMPTION_NOTIFIED: "免申即享告知",
        DECISION: "法律文书生效",
        OTHER: "其他",
    }
    choices: ClassVar[list[tuple[str, str]]] = list(labels.items())


# Triggers each regime accepts; None in a call means "not stated" and takes the first one.
_TRIGGERS_BY_REGIME: dict[str, tuple[str, ...]] = {
    Regime.SME_PROCUREMENT: (
        Trigger.DELIVERY,
        Trigger.ACCEPTANCE,
        Trigger.LATE_ACCEPTANCE,
        Trigger.SETTLEMENT_CONFIRMED,
    ),
    Regime.CONTRACT: (
        Trigger.DELIVERY,
        Trigger.ACCEPTANCE,
        Trigger.LATE_ACCEPTANCE,
        Trigger.SETTLEMENT_CONFIRMED,
        Trigger.OTHER,
    ),
    Regime.REDEMPTION: (Trigger.REDEMPTION_ACCEPTED, Trigger.REDEMPTION_NOTIFIED),
    Regime.COURT_DECISION: (Trigger.DECISION,),
}

# Article numbers of 《保障中小企业款项支付条例》 by edition. 2020 has no undisputed-part rule.
_ARTICLES: dict[int, dict[str, str | None]] = {
    2020: {
        "term": "第八条第一款",
        "settlement": "第八条第三款",
        "acceptance": "第九条第一款",
        "late_acceptance": "第九条第二款",
        "non_cash": "第十条",
        "audit": "第十一条",
        "excuses": "第十三条",
        "confirmation": "第十四条",
        "interest": "第十五条",
        "undisputed": None,
        "liability": "第二十五条",
    },
    2025: {
        "term": "第九条第一款",
        "settlement": "第九条第四款",
        "acceptance": "第十条第一款",
        "late_acceptance": "第十条第二款",
        "non_cash": "第十一条",
        "audit": "第十二条",
        "excuses": "第十四条",
        "undisputed": "第十五条",
        "confirmation": "第十六条第二款",
        "interest": "第十七条",
        "liability": "第三十一条",
    },
}

_TRIGGER_ARTICLE = {
    Trigger.DELIVERY: "term",
    Trigger.ACCEPTANCE: "acceptance",
    Trigger.LATE_ACCEPTANCE: "late_acceptance",
    Trigger.SETTLEMENT_CONFIRMED: "settlement",
}


def regulation_edition(on: date) -> int:
    """2020 or 2025: which text of the 条例 numbers an event on ``on`` (2025 text from 2025-06-01)."""
    return 2025 if on >= REGULATION_2025_IN_FORCE else 2020


def regulation_name(on: date) -> str:
    return f"《保障中小企业款项支付条例》（{regulation_edition(on)}）"


def article(key: str, on: date) -> str | None:
    """The article (e.g. ``'第九条第一款'``) of the 条例 edition in force on ``on``; None if absent."""
    return _ARTICLES[regulation_edition(on)][key]


def _require_choice(value: str, labels: dict[str, str], code: str, field: str, what: str) -> None:
    if value not in labels:
        raise RuleError(code, f"{what}“{value}”无效，应为：{'、'.join(labels)}", field=field)


def regime_for(
    *,
    source: str,
    contract_type: str | None = None,
    milestone_is_goods_works_services: bool = False,
    sme_declared: bool = False,
    signed_on: date | None = None,
    underlying_regime: str | None = None,
) -> str:
    """The regime of an obligation (SPEC R1).

    The 条例 governs when the debtor buys goods, works or services (a purchase-type contract,
    or a milestone marked goods/works/services whatever the contract type — art. 2 looks at
    what is bought, not at the label) from a creditor that declared SME status on a contract
    signed on or after 2020-09-01 (art. 3: size is fixed at signing and must be declared).
    Everything else contract-like is the contract regime. A claim takes the underlying debt's
    regime once verified.
    """
    _require_choice(source, Source.labels, "regime_unknown_source", "source", "来源")
    if source == Source.REDEMPTION:
        return Regime.REDEMPTION
    if source == Source.DECISION:
        return Regime.COURT_DECISION
    if source == Source.CLAIM:
        if underlying_regime is None:
            raise RuleError(
                "regime_underlying_missing",
                "诉求核实后须注明所涉债务的适用规则（条例、合同、政策兑现或生效法律文书）",
                field="underlying_regime",
            )
        _require_choice(
            underlying_regime,
            Regime.labels,
            "regime_unknown",
            "underlying_regime",
            "适用规则",
        )
        return underlying_regime
    if contract_type is not None:
        _require_choice(
            contract_type,
            ContractType.labels,
            "regime_unknown_contract_type",
            "contract_type",
            "合同类型",
        )
    buys = contract_type in ContractType.PURCHASES or milestone_is_goods_works_services
    if not (buys and sme_declared):
        return Regime.CONTRACT
    if signed_on is None:
        raise RuleError(
            "regime_signed_on_missing",
            "中小企业声明以合同订立时为准（条例第三条），须填写合同签订日期",
            field="signed_on",
        )
    # The 2020 条例 took effect on 2020-09-01 (art. 29); earlier contracts stay contractual.
    return Regime.SME_PROCUREMENT if signed_on >= REGULATION_2020_IN_FORCE else Regime.CONTRACT


@dataclass(frozen=True, slots=True)
class DueResult:
    """A computed due date and how it was reached.

    ``term_days_applied`` is the term actually counted, in ``term_unit`` (``'days'`` calendar
    days, ``'working_days'``; None for a court deadline taken as is). ``capped``: an agreed 条例
    term over 60 days was cut to 60 — itself a violation. ``term_missing``: a 条例 contract with
    no term (lawful; 30 days apply, only noted). ``default_term_used``: a contract-regime
    obligation with no term, given the district's own 30-day default.
    """

    due_on: date
    provisional: bool
    term_days_applied: int | None
    capped: bool
    term_missing: bool
    default_term_used: bool
    basis: str
    term_unit: str | None = None
    rolled_from: date | None = None


def _positive_int(value: object, code: str, field: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RuleError(code, f"{what}须为正整数，实为“{value}”", field=field)
    return value


def _sme_basis(trigger: str, on: date, term: int, *, agreed: int | None) -> str:
    name = regulation_name(on)
    start = article(_TRIGGER_ARTICLE[trigger], on)
    term_article = article("term", on)
    opening = {
        Trigger.DELIVERY: f"自交付之日起算（{name}{start}）",
        Trigger.ACCEPTANCE: f"付款以验收合格为条件，自验收合格之日起算（{name}{start}）",
        Trigger.LATE_ACCEPTANCE: f"机关拖延验收，自约定的验收期限届满之日起算（{name}{start}）",
        Trigger.SETTLEMENT_CONFIRMED: f"自双方确认结算金额之日起算（{name}{start}）",
    }[trigger]
    if agreed is None:
        term_text = f"合同未约定付款期限，依{term_article}按{term}日计（合法，仅作提示）"
    elif agreed > SME_MAX_TERM_DAYS:
        term_text = (
            f"合同约定付款期限{agreed}日，超过{term_article}规定的最长{SME_MAX_TERM_DAYS}日，"
            f"按{SME_MAX_TERM_DAYS}日计（约定违反条例）"
        )
    else:
        term_text = f"合同约定付款期限{agreed}日（{term_article}：最长不得超过{SME_MAX_TERM_DAYS}日）"
    return f"{opening}；{term_text}"


def due_date(
    *,
    regime: str,
    trigger_on: date,
    agreed_term_days: int | None = None,
    working_days: int | None = None,
    decision_deadline: date | None = None,
    cal: WorkCalendar,
    trigger: str | None = None,
) -> DueResult:
    """The due date of an obligation under its regime (SPEC R1, counted by R2).

    ``trigger_on`` is the date the clock starts from: delivery, acceptance, the end of the
    agreed acceptance period when acceptance is late (see ``acceptance_trigger``), confirmed
    settlement, redemption acceptance or notification, or the decision's effective date.
    ``trigger`` names that event; it only selects the article cited and defaults to the first
    trigger of the regime (delivery; acceptance for redemption; the decision).
    """
    _require_choice(regime, Regime.labels, "regime_unknown", "regime", "适用规则")
    allowed = _TRIGGERS_BY_REGIME[regime]
    trigger = trigger or allowed[0]
    if trigger not in allowed:
        raise RuleError(
            "due_trigger_mismatch",
            f"起算事件“{Trigger.labels.get(trigger, trigger)}”不适用于“{Regime.labels[regime]}”",
            field="trigger",
        )

    if regime == Regime.SME_PROCUREMENT:
        agreed = (
            None
            if agreed_term_days is None
            else _positive_int(agreed_term_days, "due_invalid_term", "agreed_term_days", "约定付款期限")
        )
        term = SME_DEFAULT_TERM_DAYS if agreed is None else min(agreed, SME_MAX_TERM_DAYS)
        end = period_end_days(trigger_on, term, cal)
        result = DueResult(
            due_on=end.date,
            provisional=end.provisional,
            term_days_applied=term,
            capped=agreed is not None and agreed > SME_MAX_TERM_DAYS,
            term_missing=agreed is None,
            default_term_used=False,
            basis=_sme_basis(trigger, trigger_on, term, agreed=agreed),
            term_unit="days",
            rolled_from=end.rolled_from,
        )
    elif regime == Regime.CONTRACT:
        agreed = (
            None
            if agreed_term_days is None
            else _positive_int(agreed_term_days, "due_invalid_term", "agreed_term_days", "约定付款期限")
        )
        term = CONTRACT_DEFAULT_TERM_DAYS if agreed is None else agreed
        end = period_end_days(trigger_on, term, cal)
        event = Trigger.labels[trigger]
        basis = (
            f"合同约定付款期限{agreed}日，自{event}之日起算"
            if agreed is not None
            else f"合同未约定付款期限，按本区默认{term}日计（非法定期限），自{event}之日起算"
        )
        result = DueResult(
            due_on=end.date,
            provisional=end.provisional,
            term_days_applied=term,
            capped=False,
            term_missing=False,
            default_term_used=agreed is None,
            basis=basis,
            term_unit="days",
            rolled_from=end.rolled_from,
        )
    elif regime == Regime.REDEMPTION:
        if working_days is None:
            raise RuleError(
                "due_working_days_missing",
                "政策兑现须有政策规定的兑现时限（工作日）",
                field="working_days",
            )
        n = _positive_int(working_days, "due_invalid_working_days", "working_days", "兑现时限")
        end = add_working_days(trigger_on, n, cal)
        start = "受理" if trigger == Trigger.REDEMPTION_ACCEPTED else "免申即享告知"
        result = DueResult(
            due_on=end.date,
            provisional=end.provisional,
            term_days_applied=n,
            capped=False,
            term_missing=False,
            default_term_used=False,
            basis=f"政策规定兑现时限{n}个工作日，自{start}之日起算（不含当日，节假日及调休按国务院安排）",
            term_unit="working_days",
        )
    else:  # Regime.COURT_DECISION
        if decision_deadline is None:
            raise RuleError(
                "due_decision_deadline_missing",
                "生效法律文书须载明履行期限届满日",
                field="decision_deadline",
            )
        # The deadline is the court's or reviewing body's own; it is not recounted here.
        result = DueResult(
            due_on=decision_deadline,
            provisional=False,
            term_days_applied=None,
            capped=False,
            term_missing=False,
            default_term_used=False,
            basis="生效法律文书确定的履行期限届满日",
        )

    if result.due_on < trigger_on:
        raise RuleError(
            "due_before_trigger",
            f"到期日{result.due_on.isoformat()}早于起算日{trigger_on.isoformat()}",
            field="decision_deadline" if regime == Regime.COURT_DECISION else "trigger_on",
        )
    return result


def acceptance_trigger(
    *, acceptance_period_end: date, accepted_on: date | None, as_of: date
) -> tuple[str, date] | None:
    """The trigger of a payment that depends on acceptance, as of a date.

    Accepted within the agreed period: the acceptance date (条例 2020 art. 9 para 1 / 2025
    art. 10 para 1). Accepted after it, or still not accepted once it has ended: the end of the
    agreed period, because delay in acceptance counts against the payer (2020 art. 9 para 2 /
    2025 art. 10 para 2). Before the period ends with no acceptance: not yet triggered (None).
    """
    if accepted_on is not None and accepted_on <= as_of:
        if accepted_on <= acceptance_period_end:
            return Trigger.ACCEPTANCE, accepted_on
        return Trigger.LATE_ACCEPTANCE, acceptance_period_end
    if as_of > acceptance_period_end:
        return Trigger.LATE_ACCEPTANCE, acceptance_period_end
    return None
