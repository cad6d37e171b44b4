"""R4: reasons an agency gives for refusing or delaying payment, and which of them the 条例 forbids.

Each reason has the wording of the 条例 edition in force on the day it was given: the 2020 text
(国务院令第728号) before 2025-06-01, the 2025 revision (国务院令第802号) from then. Two
differences matter: 2020 speaks of waiting for 竣工验收批复 and 2025 of 竣工验收备案, and 2020
has no 应收账款电子凭证; and 2020 art. 11 let the contract make audit results the settlement
basis, which 2025 art. 12 no longer does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar

from ledger.rules.errors import RuleError
from ledger.rules.money import quantize_yuan
from ledger.rules.regimes import regulation_edition

__all__ = ["Reason", "Violation", "describe", "undisputed_part"]


class Reason:
    """Refusal or delay reasons recorded against an obligation (labels in the current wording)."""

    LEADERSHIP_CHANGE = "leadership_change"  # 法定代表人或者主要负责人变更
    INTERNAL_PROCEDURE = "internal_procedure"  # 履行内部付款流程
    AWAITING_COMPLETION_FILING = "awaiting_completion_filing"  # 等待竣工验收备案 (2020: 批复)
    AWAITING_FINAL_AUDIT = "awaiting_final_audit"  # 等待决算审计
    AUDIT_RESULT_AS_BASIS = "audit_result_as_basis"  # 以审计结果作为结算依据
    DELAYED_ACCEPTANCE = "delayed_acceptance"  # 拖延检验、验收
    FORCED_BILLS = "forced_bills"  # 强制接受商业汇票等非现金支付
    OTHER_LAWFUL = "other_lawful"  # 其他有依据的理由 (quality dispute, missing invoice, ...)

    labels: ClassVar[dict[str, str]] = {
        LEADERSHIP_CHANGE: "以法定代表人或者主要负责人变更为由",
        INTERNAL_PROCEDURE: "以履行内部付款流程为由",
        AWAITING_COMPLETION_FILING: "以等待竣工验收备案为由",
        AWAITING_FINAL_AUDIT: "以等待决算审计为由",
        AUDIT_RESULT_AS_BASIS: "要求以审计机关的审计结果作为结算依据",
        DELAYED_ACCEPTANCE: "拖延检验、验收",
        FORCED_BILLS: "强制接受商业汇票、应收账款电子凭证等非现金支付方式",
        OTHER_LAWFUL: "其他理由（须载明合同或法律依据）",
    }
    choices: ClassVar[list[tuple[str, str]]] = list(labels.items())


@dataclass(frozen=True, slots=True)
class _Wording:
    label: str
    article: str | None


_NAME = {2020: "《保障中小企业款项支付条例》（2020）", 2025: "《保障中小企业款项支付条例》（2025）"}

# (reason, edition) → wording and the articles that forbid it: the duty, then the liability item.
_WORDING: dict[tuple[str, int], _Wording] = {
    (Reason.LEADERSHIP_CHANGE, 2020): _Wording(
        "以法定代表人或者主要负责人变更为由拒绝或者迟延支付", "第十三条、第二十五条第（六）项"
    ),
    (Reason.LEADERSHIP_CHANGE, 2025): _Wording(
        "以法定代表人或者主要负责人变更为由拒绝或者迟延支付", "第十四条、第三十一条第（六）项"
    ),
    (Reason.INTERNAL_PROCEDURE, 2020): _Wording(
        "以履行内部付款流程为由拒绝或者迟延支付", "第十三条、第二十五条第（六）项"
    ),
    (Reason.INTERNAL_PROCEDURE, 2025): _Wording(
        "以履行内部付款流程为由拒绝或者迟延支付", "第十四条、第三十一条第（六）项"
    ),
    (Reason.AWAITING_COMPLETION_FILING, 2020): _Wording(
        "在合同未作约定的情况下以等待竣工验收批复为由拒绝或者迟延支付", "第十三条、第二十五条第（六）项"
    ),
    (Reason.AWAITING_COMPLETION_FILING, 2025): _Wording(
        "在合同未作约定的情况下以等待竣工验收备案为由拒绝或者迟延支付", "第十四条、第三十一条第（六）项"
    ),
    (Reason.AWAITING_FINAL_AUDIT, 2020): _Wording(
        "在合同未作约定的情况下以等待决算审计为由拒绝或者迟延支付", "第十三条、第二十五条第（六）项"
    ),
    (Reason.AWAITING_FINAL_AUDIT, 2025): _Wording(
        "在合同未作约定的情况下以等待决算审计为由拒绝或者迟延支付", "第十四条、第三十一条第（六）项"
    ),
    (Reason.AUDIT_RESULT_AS_BASIS, 2020): _Wording(
        "没有法律、行政法规依据或者合同约定，要求以审计机关的审计结果作为结算依据", "第十一条、第二十五条第（四）项"
    ),
    (Reason.AUDIT_RESULT_AS_BASIS, 2025): _Wording(
        "没有法律、行政法规依据，要求以审计机关的审计结果作为结算依据", "第十二条、第三十一条第（四）项"
    ),
    (Reason.DELAYED_ACCEPTANCE, 2020): _Wording("拖延检验、验收", "第九条第二款、第二十五条第（二）项"),
    (Reason.DELAYED_ACCEPTANCE, 2025): _Wording("拖延检验、验收", "第十条第二款、第三十一条第（二）项"),
    (Reason.FORCED_BILLS, 2020): _Wording(
        "强制中小企业接受商业汇票等非现金支付方式，或者利用商业汇票等非现金支付方式变相延长付款期限",
        "第十条、第二十五条第（三）项",
    ),
    (Reason.FORCED_BILLS, 2025): _Wording(
        "强制中小企业接受商业汇票、应收账款电子凭证等非现金支付方式，"
        "或者利用商业汇票、应收账款电子凭证等非现金支付方式变相延长付款期限",
        "第十一条、第三十一条第（三）项",
    ),
}


@dataclass(frozen=True, slots=True)
class Violation:
    """A reason as the law of its day reads it.

    ``article`` is the full citation (None for a lawful reason); ``note`` says why a reason
    that can be lawful was judged one way or the other.
    """

    code: str
    label: str
    article: str | None
    is_violation: bool
    edition: int
    note: str = ""


def describe(code: str, on: date, *, contract_silent: bool = True, legal_basis: bool = False) -> Violation:
    """Judge a refusal or delay reason given on ``on`` (SPEC R4).

    ``contract_silent``: the contract says nothing on the point. It decides whether waiting for
    completion filing/approval or the final-account audit is forbidden (2020 art. 13 / 2025
    art. 14 forbid it only then), and, before 2025-06-01 only, whether audit results may be the
    settlement basis (2020 art. 11 exception, removed by 2025 art. 12). It defaults to True: an
    agency relying on a clause must show the clause. ``legal_basis``: a law or administrative
    regulation requires audit results as the basis (both editions allow that).
    """
    if code not in Reason.labels:
        raise RuleError("violation_unknown_reason", f"拒付或迟延理由“{code}”无效", field="code")
    edition = regulation_edition(on)
    if code == Reason.OTHER_LAWFUL:
        return Violation(code, Reason.labels[code], None, False, edition, "需载明所依据的合同条款或法律规定")
    wording = _WORDING[(code, edition)]
    article = f"{_NAME[edition]}{wording.article}"
    is_violation, note = True, ""
    if code in (Reason.AWAITING_COMPLETION_FILING, Reason.AWAITING_FINAL_AUDIT) and not contract_silent:
        is_violation, note = False, "合同对此已有约定，不属于条例禁止的情形"
    elif code == Reason.AUDIT_RESULT_AS_BASIS:
        if legal_basis:
            is_violation, note = False, "法律、行政法规要求以审计结果作为结算依据"
        elif not contract_silent and edition == 2020:
            is_violation, note = False, "合同约定以审计结果作为结算依据（2020年条例第十一条允许）"
        elif not contract_silent:
            note = "2025年条例第十二条已删除“合同另有约定”的例外，合同约定不能排除"
    return Violation(code, wording.label, article, is_violation, edition, note)


def undisputed_part(principal: Decimal, disputed: Decimal) -> Decimal:
    """The part not in dispute, which stays due on its own date (条例 2025 art. 15).

    The 2020 text had no such article; the ledger applies the same split to earlier debts as
    ordinary performance of the undisputed part of a contract.
    """
    for name, value in (("principal", principal), ("disputed", disputed)):
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
            raise RuleError("amount_invalid", f"金额须为非负数，实为“{value}”", field=name)
    if disputed > principal:
        raise RuleError("disputed_exceeds_principal", f"争议金额{disputed}元超过本金{principal}元", field="disputed")
    return quantize_yuan(principal - disputed)
