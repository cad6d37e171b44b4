"""R1: regimes and due dates. Expected dates are counted by hand against the State Council's
holiday notices (2026: 春节 02-15..02-23 off, 02-14 and 02-28 make-up; 劳动节 05-01..05-05 off,
05-09 make-up)."""

from datetime import date

import pytest

from ledger.rules.calendar import WorkCalendar
from ledger.rules.errors import RuleError
from ledger.rules.regimes import (
    ContractType,
    Regime,
    Source,
    Trigger,
    acceptance_trigger,
    article,
    due_date,
    regime_for,
    regulation_edition,
)

CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            dict(
                source=Source.MILESTONE,
                contract_type=ContractType.GOVERNMENT_PROCUREMENT,
                sme_declared=True,
                signed_on=date(2021, 1, 1),
            ),
            Regime.SME_PROCUREMENT,
        ),
        # the 2020 条例 took effect on 2020-09-01: that day is in, the day before is out
        (
            dict(
                source=Source.MILESTONE,
                contract_type=ContractType.GOVERNMENT_INVESTMENT,
                sme_declared=True,
                signed_on=date(2020, 9, 1),
            ),
            Regime.SME_PROCUREMENT,
        ),
        (
            dict(
                source=Source.MILESTONE,
                contract_type=ContractType.GOVERNMENT_PROCUREMENT,
                sme_declared=True,
                signed_on=date(2020, 8, 31),
            ),
            Regime.CONTRACT,
        ),
        (
            dict(
                source=Source.MILESTONE,
                contract_type=ContractType.GOVERNMENT_PROCUREMENT,
                sme_declared=False,
                signed_on=date(2023, 1, 1),
            ),
            Regime.CONTRACT,
        ),
        # not a purchase by type, and the milestone is not marked goods/works/services
        (
            dict(
                source=Source.MILESTONE,
                contract_type=ContractType.INVESTMENT_PROMOTION,
                sme_declared=True,
                signed_on=date(2023, 1, 1),
            ),
            Regime.CONTRACT,
        ),
        (
            dict(
                source=Source.MILESTONE,
                contract_type=ContractType.EXPROPRIATION_COMPENSATION,
                sme_declared=True,
                signed_on=date(2023, 1, 1),
            ),
            Regime.CONTRACT,
        ),
        # a PPP milestone marked as works bought from a declared SME
        (
            dict(
                source=Source.MILESTONE,
                contract_type=ContractType.PPP,
                milestone_is_goods_works_services=True,
                sme_declared=True,
                signed_on=date(2023, 1, 1),
            ),
            Regime.SME_PROCUREMENT,
        ),
        (dict(source=Source.OTHER), Regime.CONTRACT),
        (dict(source=Source.REDEMPTION), Regime.REDEMPTION),
        (dict(source=Source.DECISION), Regime.COURT_DECISION),
        (dict(source=Source.CLAIM, underlying_regime=Regime.SME_PROCUREMENT), Regime.SME_PROCUREMENT),
        (dict(source=Source.CLAIM, underlying_regime=Regime.REDEMPTION), Regime.REDEMPTION),
    ],
)
def test_regime_for(kwargs, expected):
    assert regime_for(**kwargs) == expected


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        (dict(source="loan"), "regime_unknown_source"),
        (dict(source=Source.CLAIM), "regime_underlying_missing"),
        (dict(source=Source.CLAIM, underlying_regime="claim"), "regime_unknown"),
        (dict(source=Source.MILESTONE, contract_type="lease"), "regime_unknown_contract_type"),
        (
            dict(source=Source.MILESTONE, contract_type=ContractType.GOVERNMENT_PROCUREMENT, sme_declared=True),
            "regime_signed_on_missing",
        ),
    ],
)
def test_regime_for_refuses(kwargs, code):
    with pytest.raises(RuleError) as err:
        regime_for(**kwargs)
    assert err.value.code == code


@pytest.mark.parametrize(
    ("on", "edition", "term_article"),
    [
        (date(2025, 5, 31), 2020, "第八条第一款"),
        (date(2025, 6, 1), 2025, "第九条第一款"),
    ],
)
def test_regulation_edition_turns_on_2025_06_01(on, edition, term_article):
    assert regulation_edition(on) == edition
    assert article("term", on) == term_article


# (trigger, trigger_on, agreed term) → (due_on, rolled_from, term applied, capped, term_missing, cited)
SME_CASES = [
    # no term: 30 days, lawful, noted; 2026-03-02 + 30 = Wed 04-01
    (Trigger.DELIVERY, date(2026, 3, 2), None, date(2026, 4, 1), None, 30, False, True, "（2025）第九条第一款"),
    # 75 days agreed → capped at 60: 03-02 + 60 = 05-01, 劳动节 05-01..05-05 → Wed 05-06
    (
        Trigger.DELIVERY,
        date(2026, 3, 2),
        75,
        date(2026, 5, 6),
        date(2026, 5, 1),
        60,
        True,
        False,
        "超过第九条第一款规定的最长60日",
    ),
    # 60 days exactly is lawful and not capped
    (
        Trigger.DELIVERY,
        date(2026, 3, 2),
        60,
        date(2026, 5, 6),
        date(2026, 5, 1),
        60,
        False,
        False,
        "合同约定付款期限60日",
    ),
    # 01-15 + 30 = Sat 02-14, a make-up working day: no roll (ADR 0001)
    (Trigger.DELIVERY, date(2026, 1, 15), None, date(2026, 2, 14), None, 30, False, True, "自交付之日起算"),
    # 45 days from 01-15 = Sun 03-01 → Mon 03-02
    (
        Trigger.DELIVERY,
        date(2026, 1, 15),
        45,
        date(2026, 3, 2),
        date(2026, 3, 1),
        45,
        False,
        False,
        "合同约定付款期限45日",
    ),
    # late acceptance: from the end of the agreed period 04-10; +30 = Sun 05-10 → Mon 05-11
    (
        Trigger.LATE_ACCEPTANCE,
        date(2026, 4, 10),
        None,
        date(2026, 5, 11),
        date(2026, 5, 10),
        30,
        False,
        True,
        "（2025）第十条第二款",
    ),
    # acceptance passed 2025-07-10, 60 days → Mon 2025-09-08
    (Trigger.ACCEPTANCE, date(2025, 7, 10), 60, date(2025, 9, 8), None, 60, False, False, "（2025）第十条第一款"),
    # progress settlement confirmed in 2024: 2020 numbering, art. 8 para 3; +30 = Fri 12-20
    (
        Trigger.SETTLEMENT_CONFIRMED,
        date(2024, 11, 20),
        None,
        date(2024, 12, 20),
        None,
        30,
        False,
        True,
        "（2020）第八条第三款",
    ),
    # the day before the 2025 text: 2020 numbering; +30 = Mon 2025-06-30
    (Trigger.DELIVERY, date(2025, 5, 31), None, date(2025, 6, 30), None, 30, False, True, "（2020）第八条第一款"),
    (Trigger.DELIVERY, date(2025, 6, 1), None, date(2025, 7, 1), None, 30, False, True, "（2025）第九条第一款"),
]


@pytest.mark.parametrize(
    ("trigger", "trigger_on", "agreed", "due_on", "rolled_from", "term", "capped", "missing", "cited"),
    SME_CASES,
)
def test_sme_due_date(trigger, trigger_on, agreed, due_on, rolled_from, term, capped, missing, cited):
    # when
    result = due_date(
        regime=Regime.SME_PROCUREMENT, trigger=trigger, trigger_on=trigger_on, agreed_term_days=agreed, cal=CAL
    )
    # then
    assert result.due_on == due_on
    assert result.rolled_from == rolled_from
    assert result.term_days_applied == term
    assert result.term_unit == "days"
    assert result.capped is capped
    assert result.term_missing is missing
    assert result.default_term_used is False
    assert result.provisional is False
    assert cited in result.basis


def test_sme_due_date_beyond_calendar_data_is_provisional():
    # 2027 is past the chinesecalendar data: Mon–Fri fallback, Wed 2027-03-31
    result = due_date(regime=Regime.SME_PROCUREMENT, trigger_on=date(2027, 3, 1), cal=CAL)
    assert result.due_on == date(2027, 3, 31)
    assert result.provisional is True


@pytest.mark.parametrize(
    ("agreed", "due_on", "default_used", "basis"),
    [
        (None, date(2026, 4, 1), True, "合同未约定付款期限，按本区默认30日计（非法定期限），自交付之日起算"),
        # no 60-day cap outside the 条例: 03-02 + 90 = Sun 05-31 → Mon 06-01
        (90, date(2026, 6, 1), False, "合同约定付款期限90日，自交付之日起算"),
    ],
)
def test_contract_due_date(agreed, due_on, default_used, basis):
    result = due_date(regime=Regime.CONTRACT, trigger_on=date(2026, 3, 2), agreed_term_days=agreed, cal=CAL)
    assert result.due_on == due_on
    assert result.default_term_used is default_used
    assert result.capped is False
    assert result.term_missing is False
    assert result.basis == basis


def test_redemption_15_working_days_across_spring_festival_2026():
    # given: accepted Tue 2026-02-10. Working days: 02-11, 12, 13, Sat 14 (make-up) = 4;
    # 02-15..02-23 off; 24, 25, 26, 27, Sat 28 (make-up) = 9; 03-02..03-06 = 14; Mon 03-09 = 15
    # when
    result = due_date(
        regime=Regime.REDEMPTION,
        trigger=Trigger.REDEMPTION_ACCEPTED,
        trigger_on=date(2026, 2, 10),
        working_days=15,
        cal=CAL,
    )
    # then
    assert result.due_on == date(2026, 3, 9)
    assert result.term_days_applied == 15
    assert result.term_unit == "working_days"
    assert result.provisional is False
    assert result.basis == "政策规定兑现时限15个工作日，自受理之日起算（不含当日，节假日及调休按国务院安排）"


def test_court_decision_deadline_taken_as_is():
    result = due_date(
        regime=Regime.COURT_DECISION, trigger_on=date(2026, 3, 1), decision_deadline=date(2026, 3, 11), cal=CAL
    )
    assert result.due_on == date(2026, 3, 11)
    assert result.term_days_applied is None
    assert result.provisional is False


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        (dict(regime=Regime.REDEMPTION, trigger_on=date(2026, 2, 10)), "due_working_days_missing"),
        (dict(regime=Regime.REDEMPTION, trigger_on=date(2026, 2, 10), working_days=0), "due_invalid_working_days"),
        (dict(regime=Regime.COURT_DECISION, trigger_on=date(2026, 3, 1)), "due_decision_deadline_missing"),
        (
            dict(regime=Regime.COURT_DECISION, trigger_on=date(2026, 3, 1), decision_deadline=date(2026, 2, 28)),
            "due_before_trigger",
        ),
        (dict(regime=Regime.SME_PROCUREMENT, trigger_on=date(2026, 3, 1), agreed_term_days=0), "due_invalid_term"),
        (
            dict(regime=Regime.SME_PROCUREMENT, trigger_on=date(2026, 3, 1), trigger=Trigger.DECISION),
            "due_trigger_mismatch",
        ),
        (dict(regime="claim", trigger_on=date(2026, 3, 1)), "regime_unknown"),
    ],
)
def test_due_date_refuses(kwargs, code):
    with pytest.raises(RuleError) as err:
        due_date(cal=CAL, **kwargs)
    assert err.value.code == code


@pytest.mark.parametrize(
    ("accepted_on", "as_of", "expected"),
    [
        (date(2026, 4, 8), date(2026, 4, 20), (Trigger.ACCEPTANCE, date(2026, 4, 8))),
        (date(2026, 4, 10), date(2026, 4, 20), (Trigger.ACCEPTANCE, date(2026, 4, 10))),
        # accepted after the agreed period: the clock ran from its end
        (date(2026, 4, 15), date(2026, 4, 20), (Trigger.LATE_ACCEPTANCE, date(2026, 4, 10))),
        (None, date(2026, 4, 11), (Trigger.LATE_ACCEPTANCE, date(2026, 4, 10))),
        (None, date(2026, 4, 10), None),
        # an acceptance recorded after the as-of date is not known yet
        (date(2026, 4, 9), date(2026, 4, 8), None),
    ],
)
def test_acceptance_trigger(accepted_on, as_of, expected):
    assert acceptance_trigger(acceptance_period_end=date(2026, 4, 10), accepted_on=accepted_on, as_of=as_of) == expected
