"""R3: late interest and allocation. Every expected figure is worked out in the comment beside it."""

from datetime import date
from decimal import Decimal

import pytest

from ledger.rules.errors import RuleError
from ledger.rules.interest import (
    COURT_DELAY_DAILY_RATE,
    SME_DEFAULT_DAILY_RATE,
    Allocation,
    Entry,
    EntryKind,
    EntryState,
    RateSpec,
    accrued_interest,
    days_overdue,
    entry_states,
    interest_state,
    interest_state_after,
    rate_for,
)
from ledger.rules.regimes import Regime

D = Decimal
PAY = EntryKind.PAYMENT


def test_constants():
    assert D("0.000175") == COURT_DELAY_DAILY_RATE


@pytest.mark.parametrize(
    ("allocation", "principal_outstanding", "accrued", "paid", "unpaid"),
    [
        # SPEC R3 by art. 561: 10 days × 200,000 × 0.0005 = 1,000.00 paid first, 49,000 to
        # principal → 151,000; then 20 days × 151,000 × 0.0005 = 1,510 → accrued 2,510
        (None, D("151000.00"), D("2510.00"), D("1000.00"), D("1510.00")),
        (Allocation.DEFAULT, D("151000.00"), D("2510.00"), D("1000.00"), D("1510.00")),
        # recorded principal-first: 150,000; 1,000 + 20 × 150,000 × 0.0005 = 2,500, all unpaid
        (Allocation.PRINCIPAL_FIRST, D("150000.00"), D("2500.00"), D("0.00"), D("2500.00")),
    ],
)
def test_spec_worked_example(allocation, principal_outstanding, accrued, paid, unpaid):
    # given
    entries = [Entry(PAY, date(2026, 5, 16), D("50000.00"), allocation)]
    # when
    state = interest_state(
        principal=D("200000.00"),
        due_on=date(2026, 5, 6),
        regime=Regime.SME_PROCUREMENT,
        entries=entries,
        as_of=date(2026, 6, 5),
    )
    # then
    assert state.principal_outstanding == principal_outstanding
    assert state.principal_paid == D("200000.00") - principal_outstanding
    assert state.interest_accrued == accrued
    assert state.interest_paid == paid
    assert state.interest_waived == D("0.00")
    assert state.interest_unpaid == unpaid
    assert state.bears_interest is True
    assert state.daily_rate == D("0.0005")
    assert state.days_overdue == 30
    assert state.fully_paid_on is None
    assert state.rate_basis == "未约定逾期利率，按每日万分之五计（《保障中小企业款项支付条例》（2025）第十七条）"


# principal, due, as_of, regime, rate spec, entries → accrued, unpaid, outstanding
CASES = [
    pytest.param(
        # agreed 3.00 % below LPR 3.10 % → 3.10 %: 365,000 × 0.031 × 30 / 365 = 930.00
        D("365000.00"),
        date(2026, 1, 10),
        date(2026, 2, 9),
        Regime.SME_PROCUREMENT,
        RateSpec(agreed_annual_rate=D("3.00"), lpr_1y_at_signing=D("3.10")),
        [],
        D("930.00"),
        D("930.00"),
        D("365000.00"),
        id="sme-agreed-below-lpr-lifted",
    ),
    pytest.param(
        # agreed 5 % above LPR: 365,000 × 0.05 × 30 / 365 = 1,500.00
        D("365000.00"),
        date(2026, 1, 10),
        date(2026, 2, 9),
        Regime.SME_PROCUREMENT,
        RateSpec(agreed_annual_rate=D("5.00"), lpr_1y_at_signing=D("3.10")),
        [],
        D("1500.00"),
        D("1500.00"),
        D("365000.00"),
        id="sme-agreed-above-lpr",
    ),
    pytest.param(
        # 1,001 × 0.0005 = 0.5005 a day × 10 = 5.005 → 5.01 half up, rounded once
        # (rounding each day would give 0.50 × 10 = 5.00)
        D("1001.00"),
        date(2026, 1, 1),
        date(2026, 1, 11),
        Regime.SME_PROCUREMENT,
        RateSpec(),
        [],
        D("5.01"),
        D("5.01"),
        D("1001.00"),
        id="quantize-once-half-up",
    ),
    pytest.param(
        # payment 500 on day 10: interest due 5.005 → 5.01 paid, 494.99 to principal → 506.01;
        # 10 more days × 506.01 × 0.0005 = 2.53005; accrued 7.53505 → 7.54, unpaid 7.54 − 5.01
        D("1001.00"),
        date(2026, 1, 1),
        date(2026, 1, 21),
        Regime.SME_PROCUREMENT,
        RateSpec(),
        [Entry(PAY, date(2026, 1, 11), D("500.00"))],
        D("7.54"),
        D("2.53"),
        D("506.01"),
        id="split-in-whole-fen",
    ),
    pytest.param(
        # contract, 3.65 %: 100,000 × 0.0365 × 10 / 365 = 100.00
        D("100000.00"),
        date(2026, 3, 1),
        date(2026, 3, 11),
        Regime.CONTRACT,
        RateSpec(agreed_annual_rate=D("3.65")),
        [],
        D("100.00"),
        D("100.00"),
        D("100000.00"),
        id="contract-agreed-rate",
    ),
    pytest.param(
        # court 加倍部分: 100,000 × 0.000175 × 40 days (03-31 → 05-10) = 700.00
        D("100000.00"),
        date(2026, 3, 31),
        date(2026, 5, 10),
        Regime.COURT_DECISION,
        RateSpec(),
        [],
        D("700.00"),
        D("700.00"),
        D("100000.00"),
        id="court-default-rate",
    ),
    pytest.param(
        # court default order is principal first (法释〔2014〕8号 art. 4): 10 days × 100,000 ×
        # 0.000175 = 175; 30,000 to principal → 70,000 × 20 × 0.000175 = 245; 420 unpaid
        D("100000.00"),
        date(2026, 3, 31),
        date(2026, 4, 30),
        Regime.COURT_DECISION,
        RateSpec(),
        [Entry(PAY, date(2026, 4, 10), D("30000.00"))],
        D("420.00"),
        D("420.00"),
        D("70000.00"),
        id="court-principal-first-by-default",
    ),
    pytest.param(
        # an agreed interest-first order: 175 to interest, 29,825 to principal → 70,175 × 20 ×
        # 0.000175 = 245.6125; accrued 420.6125 → 420.61, unpaid 420.61 − 175.00 = 245.61
        D("100000.00"),
        date(2026, 3, 31),
        date(2026, 4, 30),
        Regime.COURT_DECISION,
        RateSpec(),
        [Entry(PAY, date(2026, 4, 10), D("30000.00"), Allocation.INTEREST_FIRST)],
        D("420.61"),
        D("245.61"),
        D("70175.00"),
        id="court-interest-first-by-agreement",
    ),
    pytest.param(
        # court rate given by the decision: 100,000 × 0.0003 × 10 = 300.00
        D("100000.00"),
        date(2026, 3, 31),
        date(2026, 4, 10),
        Regime.COURT_DECISION,
        RateSpec(court_daily_rate=D("0.0003")),
        [],
        D("300.00"),
        D("300.00"),
        D("100000.00"),
        id="court-rate-from-decision",
    ),
    pytest.param(
        # reversed payment: as if never paid, 30 × 200,000 × 0.0005 = 3,000
        D("200000.00"),
        date(2026, 5, 6),
        date(2026, 6, 5),
        Regime.SME_PROCUREMENT,
        RateSpec(),
        [
            Entry(PAY, date(2026, 5, 16), D("50000.00"), ref="p1"),
            Entry(EntryKind.PAYMENT_REVERSAL, date(2026, 5, 16), D("50000.00"), reverses="p1"),
        ],
        D("3000.00"),
        D("3000.00"),
        D("200000.00"),
        id="payment-reversed",
    ),
    pytest.param(
        # worked example plus 500 waived on 06-01 (1,208 due then) → unpaid 2,510 − 1,000 − 500
        D("200000.00"),
        date(2026, 5, 6),
        date(2026, 6, 5),
        Regime.SME_PROCUREMENT,
        RateSpec(),
        [Entry(PAY, date(2026, 5, 16), D("50000.00")), Entry(EntryKind.INTEREST_WAIVER, date(2026, 6, 1), D("500.00"))],
        D("2510.00"),
        D("1010.00"),
        D("151000.00"),
        id="waiver",
    ),
    pytest.param(
        # a reversed waiver restores the worked example
        D("200000.00"),
        date(2026, 5, 6),
        date(2026, 6, 5),
        Regime.SME_PROCUREMENT,
        RateSpec(),
        [
            Entry(PAY, date(2026, 5, 16), D("50000.00")),
            Entry(EntryKind.INTEREST_WAIVER, date(2026, 6, 1), D("500.00"), ref="w1"),
            Entry(EntryKind.INTEREST_WAIVER_REVERSAL, date(2026, 6, 1), D("500.00"), reverses="w1"),
        ],
        D("2510.00"),
        D("1510.00"),
        D("151000.00"),
        id="waiver-reversed",
    ),
    pytest.param(
        # the remaining interest paid on the as-of day itself
        D("200000.00"),
        date(2026, 5, 6),
        date(2026, 6, 5),
        Regime.SME_PROCUREMENT,
        RateSpec(),
        [
            Entry(PAY, date(2026, 5, 16), D("50000.00")),
            Entry(EntryKind.INTEREST_PAYMENT, date(2026, 6, 5), D("1510.00")),
        ],
        D("2510.00"),
        D("0.00"),
        D("151000.00"),
        id="interest-paid-off",
    ),
    pytest.param(
        # an entry after the as-of date is not known yet: 30 days on 200,000
        D("200000.00"),
        date(2026, 5, 6),
        date(2026, 6, 5),
        Regime.SME_PROCUREMENT,
        RateSpec(),
        [Entry(PAY, date(2026, 6, 6), D("50000.00"))],
        D("3000.00"),
        D("3000.00"),
        D("200000.00"),
        id="entry-after-as-of-ignored",
    ),
    pytest.param(
        # paid in full before the due date: nothing accrues
        D("200000.00"),
        date(2026, 5, 6),
        date(2026, 6, 5),
        Regime.SME_PROCUREMENT,
        RateSpec(),
        [Entry(PAY, date(2026, 5, 1), D("200000.00"))],
        D("0.00"),
        D("0.00"),
        D("0.00"),
        id="paid-before-due",
    ),
    pytest.param(
        # 201,000 on day 10: 1,000 interest then all principal; nothing accrues afterwards
        D("200000.00"),
        date(2026, 5, 6),
        date(2026, 6, 5),
        Regime.SME_PROCUREMENT,
        RateSpec(),
        [Entry(PAY, date(2026, 5, 16), D("201000.00"))],
        D("1000.00"),
        D("0.00"),
        D("0.00"),
        id="paid-in-full-late",
    ),
]


@pytest.mark.parametrize(
    ("principal", "due_on", "as_of", "regime", "rate", "entries", "accrued", "unpaid", "outstanding"), CASES
)
def test_interest_state(principal, due_on, as_of, regime, rate, entries, accrued, unpaid, outstanding):
    # when
    state = interest_state(principal=principal, due_on=due_on, regime=regime, rate=rate, entries=entries, as_of=as_of)
    # then
    assert state.bears_interest is True
    assert state.interest_accrued == accrued
    assert state.interest_unpaid == unpaid
    assert state.principal_outstanding == outstanding
    assert state.interest_accrued == state.interest_paid + state.interest_waived + state.interest_unpaid


def test_lpr_lift_reports_rate_and_basis():
    state = interest_state(
        principal=D("365000.00"),
        due_on=date(2026, 1, 10),
        regime=Regime.SME_PROCUREMENT,
        rate=RateSpec(agreed_annual_rate=D("3.00"), lpr_1y_at_signing=D("3.10")),
        entries=[],
        as_of=date(2026, 2, 9),
    )
    assert state.daily_rate == D("3.10") / 36500
    assert state.rate_basis == (
        "约定年利率3%低于合同订立时1年期LPR 3.1%，按LPR年利率÷365计（《保障中小企业款项支付条例》（2025）第十七条）"
    )


def test_paid_in_full_late_stops_the_clock():
    state = interest_state(
        principal=D("200000.00"),
        due_on=date(2026, 5, 6),
        regime=Regime.SME_PROCUREMENT,
        entries=[Entry(PAY, date(2026, 5, 16), D("201000.00"))],
        as_of=date(2026, 6, 5),
    )
    assert state.fully_paid_on == date(2026, 5, 16)
    assert state.days_overdue == 10
    assert state.principal_paid == D("200000.00")
    assert state.interest_paid == D("1000.00")


@pytest.mark.parametrize(
    ("regime", "rate", "basis"),
    [
        (Regime.CONTRACT, RateSpec(), "合同未约定逾期利率，不计法定逾期利息"),
        (Regime.REDEMPTION, RateSpec(), "政策兑现不计法定逾期利息"),
    ],
)
def test_no_statutory_interest_is_none_not_zero(regime, rate, basis):
    # given: 200,000 due 05-06, 50,000 paid 05-16 — all of it principal
    entries = [Entry(PAY, date(2026, 5, 16), D("50000.00"))]
    # when
    state = interest_state(
        principal=D("200000.00"),
        due_on=date(2026, 5, 6),
        regime=regime,
        rate=rate,
        entries=entries,
        as_of=date(2026, 6, 5),
    )
    # then
    assert state.bears_interest is False
    assert state.interest_accrued is None
    assert state.interest_paid is None
    assert state.interest_waived is None
    assert state.interest_unpaid is None
    assert state.daily_rate is None
    assert state.rate_basis == basis
    assert state.principal_paid == D("50000.00")
    assert state.principal_outstanding == D("150000.00")
    assert state.days_overdue == 30


@pytest.mark.parametrize(
    ("regime", "entries", "code"),
    [
        # 1,000 interest + 200,000 principal is the most a payment on 05-16 can settle
        (Regime.SME_PROCUREMENT, [Entry(PAY, date(2026, 5, 16), D("201000.01"))], "overpayment"),
        (
            Regime.SME_PROCUREMENT,
            [Entry(PAY, date(2026, 5, 16), D("201000.01"), Allocation.PRINCIPAL_FIRST)],
            "overpayment",
        ),
        (Regime.REDEMPTION, [Entry(PAY, date(2026, 5, 16), D("200000.01"))], "overpayment"),
        (
            Regime.SME_PROCUREMENT,
            [Entry(EntryKind.INTEREST_PAYMENT, date(2026, 5, 16), D("1000.01"))],
            "interest_overpayment",
        ),
        (
            Regime.SME_PROCUREMENT,
            [Entry(EntryKind.INTEREST_WAIVER, date(2026, 5, 6), D("0.01"))],
            "interest_overpayment",
        ),
        (Regime.REDEMPTION, [Entry(EntryKind.INTEREST_PAYMENT, date(2026, 5, 16), D("1.00"))], "interest_not_borne"),
        (
            Regime.SME_PROCUREMENT,
            [Entry(EntryKind.PAYMENT_REVERSAL, date(2026, 5, 16), D("1.00"), reverses="nope")],
            "reversal_target_missing",
        ),
        (
            Regime.SME_PROCUREMENT,
            [
                Entry(PAY, date(2026, 5, 16), D("100.00"), ref="p1"),
                Entry(EntryKind.PAYMENT_REVERSAL, date(2026, 5, 16), D("99.00"), reverses="p1"),
            ],
            "reversal_mismatch",
        ),
        (
            Regime.SME_PROCUREMENT,
            [
                Entry(PAY, date(2026, 5, 16), D("100.00"), ref="p1"),
                Entry(EntryKind.INTEREST_PAYMENT_REVERSAL, date(2026, 5, 16), D("100.00"), reverses="p1"),
            ],
            "reversal_mismatch",
        ),
        (
            Regime.SME_PROCUREMENT,
            [
                Entry(PAY, date(2026, 5, 16), D("100.00"), ref="p1"),
                Entry(EntryKind.PAYMENT_REVERSAL, date(2026, 5, 16), D("100.00"), reverses="p1"),
                Entry(EntryKind.PAYMENT_REVERSAL, date(2026, 5, 16), D("100.00"), reverses="p1"),
            ],
            "reversal_duplicate",
        ),
        (Regime.SME_PROCUREMENT, [Entry(PAY, date(2026, 5, 16), D("0.001"))], "entry_invalid_amount"),
        (Regime.SME_PROCUREMENT, [Entry(PAY, date(2026, 5, 16), D("-5.00"))], "entry_invalid_amount"),
        (Regime.SME_PROCUREMENT, [Entry("refund", date(2026, 5, 16), D("5.00"))], "entry_unknown_kind"),
        (Regime.SME_PROCUREMENT, [Entry(PAY, date(2026, 5, 16), D("5.00"), "pro_rata")], "entry_unknown_allocation"),
    ],
)
def test_interest_state_refuses(regime, entries, code):
    with pytest.raises(RuleError) as err:
        interest_state(
            principal=D("200000.00"), due_on=date(2026, 5, 6), regime=regime, entries=entries, as_of=date(2026, 6, 5)
        )
    assert err.value.code == code


@pytest.mark.parametrize(
    ("kwargs", "daily", "basis_part"),
    [
        (dict(regime=Regime.SME_PROCUREMENT), D("0.0005"), "每日万分之五"),
        (dict(regime=Regime.SME_PROCUREMENT, on=date(2025, 5, 31)), D("0.0005"), "（2020）第十五条"),
        (dict(regime=Regime.SME_PROCUREMENT, on=date(2025, 6, 1)), D("0.0005"), "（2025）第十七条"),
        (
            dict(regime=Regime.SME_PROCUREMENT, agreed_annual_rate=D("7.3"), lpr_1y_at_signing=D("3.45")),
            D("0.0002"),
            "约定年利率7.3%÷365",
        ),
        (dict(regime=Regime.CONTRACT, agreed_annual_rate=D("3.65")), D("0.0001"), "合同约定年利率3.65%÷365"),
        (dict(regime=Regime.CONTRACT), None, "不计法定逾期利息"),
        (dict(regime=Regime.COURT_DECISION), D("0.000175"), "法释〔2014〕8号第一条"),
        (dict(regime=Regime.COURT_DECISION, court_daily_rate=D("0.0003")), D("0.0003"), "第二百六十四条"),
        (dict(regime=Regime.REDEMPTION), None, "政策兑现不计法定逾期利息"),
    ],
)
def test_rate_for(kwargs, daily, basis_part):
    rate, basis = rate_for(**kwargs)
    assert rate == daily
    assert basis_part in basis


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        (dict(regime=Regime.SME_PROCUREMENT, agreed_annual_rate=D("4.00")), "interest_lpr_missing"),
        (dict(regime=Regime.CONTRACT, agreed_annual_rate=D("-0.01")), "interest_invalid_rate"),
        (dict(regime=Regime.CONTRACT, agreed_annual_rate=D("365")), "interest_invalid_rate"),
        # 万分之一点七五 typed as 1.75 instead of 0.000175
        (dict(regime=Regime.COURT_DECISION, court_daily_rate=D("1.75")), "interest_invalid_rate"),
        (dict(regime="claim"), "regime_unknown"),
    ],
)
def test_rate_for_refuses(kwargs, code):
    with pytest.raises(RuleError) as err:
        rate_for(**kwargs)
    assert err.value.code == code


@pytest.mark.parametrize(
    ("due_on", "as_of", "fully_paid_on", "expected"),
    [
        (date(2026, 5, 6), date(2026, 6, 5), None, 30),
        (date(2026, 5, 6), date(2026, 6, 5), date(2026, 5, 16), 10),
        (date(2026, 5, 6), date(2026, 6, 5), date(2026, 5, 1), 0),
        (date(2026, 5, 6), date(2026, 5, 6), None, 0),
        (date(2026, 5, 6), date(2026, 5, 1), None, 0),
        # paid after the as-of date: counted to the as-of date
        (date(2026, 5, 6), date(2026, 6, 5), date(2026, 6, 20), 30),
        # across the leap day: 2024-02-28 → 2024-03-01 is 2 days
        (date(2024, 2, 28), date(2024, 3, 1), None, 2),
    ],
)
def test_days_overdue(due_on, as_of, fully_paid_on, expected):
    assert days_overdue(due_on, as_of, fully_paid_on) == expected


def test_entry_states_are_the_walk_after_each_entry_and_give_interest_state_at_any_date():
    # 200,000 due 2026-05-06 at 0.05 % a day: a part payment (interest first), an interest payment
    # and a waiver the same day, a payment reversed the same day, then the rest
    entries = [
        Entry("payment", date(2026, 5, 26), Decimal("50000.00"), ref="1"),
        Entry("interest_payment", date(2026, 6, 10), Decimal("300.00"), ref="2"),
        Entry("interest_waiver", date(2026, 6, 10), Decimal("0.55"), ref="3"),
        Entry("payment", date(2026, 7, 1), Decimal("10000.00"), ref="4"),
        Entry("payment_reversal", date(2026, 7, 1), Decimal("10000.00"), ref="5", reverses="4"),
        Entry("payment", date(2026, 8, 3), Decimal("156943.45"), ref="6"),
    ]
    facts = {"principal": Decimal("200000.00"), "due_on": date(2026, 5, 6), "regime": Regime.SME_PROCUREMENT}
    states = entry_states(**facts, entries=entries)
    outstanding = [s.principal_outstanding for s in states]
    # a reversed payment and its reversal have no effect
    assert outstanding == [Decimal("152000.00")] * 5 + [Decimal("0.00")]
    assert [s.balance_days for s in states[:2]] == [Decimal("4000000.00"), Decimal("6280000.00")]
    assert (states[2].interest_paid, states[2].interest_waived) == (Decimal("2300.00"), Decimal("0.55"))
    assert [s.fully_paid_on for s in states] == [None] * 5 + [date(2026, 8, 3)]
    # the state as of any date = the last state on or before it + outstanding × the days after it
    for day in (date(2026, 5, 1), date(2026, 5, 26), date(2026, 6, 20), date(2026, 7, 1), date(2026, 9, 30)):
        want = interest_state(**facts, entries=entries, as_of=day)
        last = [(e, s) for e, s in zip(entries, states, strict=True) if e.on <= day]
        entry, state = last[-1] if last else (None, None)
        outstanding = state.principal_outstanding if state else facts["principal"]
        start = max(facts["due_on"], entry.on) if entry else facts["due_on"]
        balance = (state.balance_days if state else 0) + outstanding * max(0, (day - start).days)
        assert accrued_interest(balance, SME_DEFAULT_DAILY_RATE, 1) == want.interest_accrued, day
        assert facts["principal"] - outstanding == want.principal_paid, day
        # and the rule resumed from that stored state gives the whole state
        assert interest_state_after(**facts, last=state, last_on=entry.on if entry else None, as_of=day) == want


def test_a_stored_state_dated_after_as_of_is_refused():
    state = EntryState(Decimal("1.00"), Decimal("0"), Decimal("0"), Decimal("0"), None)
    with pytest.raises(RuleError) as exc:
        interest_state_after(
            principal=Decimal("1.00"),
            due_on=date(2026, 5, 6),
            regime=Regime.CONTRACT,
            last=state,
            last_on=date(2026, 5, 7),
            as_of=date(2026, 5, 6),
        )
    assert (exc.value.code, exc.value.field) == ("state_after_as_of", "as_of")
