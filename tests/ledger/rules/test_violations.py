"""R4: refusal and delay reasons in the wording of the 条例 text in force on the day given."""

from datetime import date
from decimal import Decimal

import pytest

from ledger.rules.errors import RuleError
from ledger.rules.violations import Reason, describe, undisputed_part

LAST_2020 = date(2025, 5, 31)
FIRST_2025 = date(2025, 6, 1)
REG_2020 = "《保障中小企业款项支付条例》（2020）"
REG_2025 = "《保障中小企业款项支付条例》（2025）"


@pytest.mark.parametrize(
    ("code", "on", "label", "article"),
    [
        (
            Reason.LEADERSHIP_CHANGE,
            LAST_2020,
            "以法定代表人或者主要负责人变更为由拒绝或者迟延支付",
            REG_2020 + "第十三条、第二十五条第（六）项",
        ),
        (
            Reason.LEADERSHIP_CHANGE,
            FIRST_2025,
            "以法定代表人或者主要负责人变更为由拒绝或者迟延支付",
            REG_2025 + "第十四条、第三十一条第（六）项",
        ),
        (
            Reason.INTERNAL_PROCEDURE,
            LAST_2020,
            "以履行内部付款流程为由拒绝或者迟延支付",
            REG_2020 + "第十三条、第二十五条第（六）项",
        ),
        (
            Reason.INTERNAL_PROCEDURE,
            FIRST_2025,
            "以履行内部付款流程为由拒绝或者迟延支付",
            REG_2025 + "第十四条、第三十一条第（六）项",
        ),
        # 2020 waits for 竣工验收批复, 2025 for 竣工验收备案
        (
            Reason.AWAITING_COMPLETION_FILING,
            LAST_2020,
            "在合同未作约定的情况下以等待竣工验收批复为由拒绝或者迟延支付",
            REG_2020 + "第十三条、第二十五条第（六）项",
        ),
        (
            Reason.AWAITING_COMPLETION_FILING,
            FIRST_2025,
            "在合同未作约定的情况下以等待竣工验收备案为由拒绝或者迟延支付",
            REG_2025 + "第十四条、第三十一条第（六）项",
        ),
        (
            Reason.AWAITING_FINAL_AUDIT,
            LAST_2020,
            "在合同未作约定的情况下以等待决算审计为由拒绝或者迟延支付",
            REG_2020 + "第十三条、第二十五条第（六）项",
        ),
        (
            Reason.AUDIT_RESULT_AS_BASIS,
            LAST_2020,
            "没有法律、行政法规依据或者合同约定，要求以审计机关的审计结果作为结算依据",
            REG_2020 + "第十一条、第二十五条第（四）项",
        ),
        (
            Reason.AUDIT_RESULT_AS_BASIS,
            FIRST_2025,
            "没有法律、行政法规依据，要求以审计机关的审计结果作为结算依据",
            REG_2025 + "第十二条、第三十一条第（四）项",
        ),
        (Reason.DELAYED_ACCEPTANCE, LAST_2020, "拖延检验、验收", REG_2020 + "第九条第二款、第二十五条第（二）项"),
        (Reason.DELAYED_ACCEPTANCE, FIRST_2025, "拖延检验、验收", REG_2025 + "第十条第二款、第三十一条第（二）项"),
        # 2020 has no 应收账款电子凭证
        (
            Reason.FORCED_BILLS,
            LAST_2020,
            "强制中小企业接受商业汇票等非现金支付方式，或者利用商业汇票等非现金支付方式变相延长付款期限",
            REG_2020 + "第十条、第二十五条第（三）项",
        ),
        (
            Reason.FORCED_BILLS,
            FIRST_2025,
            "强制中小企业接受商业汇票、应收账款电子凭证等非现金支付方式，"
            "或者利用商业汇票、应收账款电子凭证等非现金支付方式变相延长付款期限",
            REG_2025 + "第十一条、第三十一条第（三）项",
        ),
    ],
)
def test_wording_and_article_follow_the_date(code, on, label, article):
    # when
    violation = describe(code, on)
    # then
    assert violation.code == code
    assert violation.label == label
    assert violation.article == article
    assert violation.is_violation is True
    assert violation.edition == (2020 if on < FIRST_2025 else 2025)


@pytest.mark.parametrize(
    ("code", "on", "contract_silent", "legal_basis", "is_violation"),
    [
        # completion filing / final audit: forbidden only where the contract is silent
        (Reason.AWAITING_COMPLETION_FILING, FIRST_2025, True, False, True),
        (Reason.AWAITING_COMPLETION_FILING, FIRST_2025, False, False, False),
        (Reason.AWAITING_COMPLETION_FILING, LAST_2020, False, False, False),
        (Reason.AWAITING_FINAL_AUDIT, FIRST_2025, True, False, True),
        (Reason.AWAITING_FINAL_AUDIT, LAST_2020, False, False, False),
        # audit results as the settlement basis: 2020 allowed a contract clause, 2025 does not
        (Reason.AUDIT_RESULT_AS_BASIS, LAST_2020, True, False, True),
        (Reason.AUDIT_RESULT_AS_BASIS, LAST_2020, False, False, False),
        (Reason.AUDIT_RESULT_AS_BASIS, FIRST_2025, False, False, True),
        (Reason.AUDIT_RESULT_AS_BASIS, FIRST_2025, True, True, False),
        (Reason.AUDIT_RESULT_AS_BASIS, LAST_2020, True, True, False),
        # a contract clause never excuses a leadership change
        (Reason.LEADERSHIP_CHANGE, FIRST_2025, False, False, True),
    ],
)
def test_conditional_reasons(code, on, contract_silent, legal_basis, is_violation):
    violation = describe(code, on, contract_silent=contract_silent, legal_basis=legal_basis)
    assert violation.is_violation is is_violation


def test_audit_clause_note_after_2025():
    violation = describe(Reason.AUDIT_RESULT_AS_BASIS, FIRST_2025, contract_silent=False)
    assert violation.note == "2025年条例第十二条已删除“合同另有约定”的例外，合同约定不能排除"


def test_other_lawful_reason_is_not_a_violation():
    violation = describe(Reason.OTHER_LAWFUL, FIRST_2025)
    assert violation.is_violation is False
    assert violation.article is None
    assert violation.label == "其他理由（须载明合同或法律依据）"


def test_unknown_reason_refused():
    with pytest.raises(RuleError) as err:
        describe("budget_exhausted", FIRST_2025)
    assert err.value.code == "violation_unknown_reason"


@pytest.mark.parametrize(
    ("principal", "disputed", "expected"),
    [
        (Decimal("100000.00"), Decimal("30000.00"), Decimal("70000.00")),
        (Decimal("100000.00"), Decimal("0"), Decimal("100000.00")),
        (Decimal("100.00"), Decimal("100.00"), Decimal("0.00")),
        (Decimal("12345.67"), Decimal("0.01"), Decimal("12345.66")),
    ],
)
def test_undisputed_part(principal, disputed, expected):
    assert undisputed_part(principal, disputed) == expected


@pytest.mark.parametrize(
    ("principal", "disputed", "code"),
    [
        (Decimal("100.00"), Decimal("100.01"), "disputed_exceeds_principal"),
        (Decimal("100.00"), Decimal("-1.00"), "amount_invalid"),
    ],
)
def test_undisputed_part_refuses(principal, disputed, code):
    with pytest.raises(RuleError) as err:
        undisputed_part(principal, disputed)
    assert err.value.code == code
