"""条例 (2025) art. 25 and the 确权 clock (2020 art. 14 / 2025 art. 16 para 2): table-driven."""

from datetime import date

import pytest

from ledger.rules import claims as c
from ledger.rules.calendar import WorkCalendar
from ledger.rules.errors import RuleError

CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("accepted_on", "expected"),
    [
        # 10 working days, start day excluded: Mon 2026-06-01 → Mon 2026-06-15
        (date(2026, 6, 1), date(2026, 6, 15)),
        # across 国庆 2026 (Oct 1–7 off): Fri 2026-09-25 → Thu 2026-10-15
        (date(2026, 9, 25), date(2026, 10, 15)),
        # across 春节 2026 (Feb 15–23 off; make-up Saturdays Feb 14 and Feb 28 count): Tue 2026-02-10 → 2026-03-02
        (date(2026, 2, 10), date(2026, 3, 2)),
        # the 2025 text takes effect on 2025-06-01: an acceptance on that day has the clock
        (date(2025, 6, 1), date(2025, 6, 16)),
    ],
)
def test_forward_deadline_counts_ten_working_days(accepted_on, expected):
    assert c.forward_deadline(accepted_on, CAL).date == expected


def test_before_the_2025_text_there_is_no_statutory_term():
    # 2020 art. 17 only said "及时"
    assert c.forward_deadline(date(2025, 5, 30), CAL) is None
    assert c.result_deadline(date(2025, 5, 30), CAL) is None
    assert c.art25_article(date(2025, 5, 30)).startswith("《保障中小企业款项支付条例》（2020）第十七条")
    assert c.art25_article(date(2025, 6, 1)) == "《保障中小企业款项支付条例》（2025）第二十五条"


@pytest.mark.parametrize(
    ("received_on", "result", "cap"),
    [
        (date(2026, 6, 10), date(2026, 7, 10), date(2026, 9, 8)),
        # 30 days end on 2026-10-01 (国庆): rolls to the first working day, 2026-10-08
        (date(2026, 9, 1), date(2026, 10, 8), date(2026, 11, 30)),
        # 30 days end on Sun 2026-05-31 → Mon 2026-06-01
        (date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 30)),
    ],
)
def test_result_deadline_and_ninety_day_cap(received_on, result, cap):
    assert c.result_deadline(received_on, CAL).date == result
    assert c.result_cap(received_on, CAL).date == cap


@pytest.mark.parametrize(
    ("requested_on", "due", "article"),
    [
        (date(2026, 6, 1), date(2026, 7, 1), "《保障中小企业款项支付条例》（2025）第十六条第二款"),
        (date(2026, 9, 1), date(2026, 10, 8), "《保障中小企业款项支付条例》（2025）第十六条第二款"),
        (date(2024, 2, 1), date(2024, 3, 4), "《保障中小企业款项支付条例》（2020）第十四条"),  # Sat Mar 2 → Mon
    ],
)
def test_confirmation_deadline(requested_on, due, article):
    assert c.confirmation_deadline(requested_on, CAL).date == due
    assert c.confirmation_article(requested_on) == article


def test_confirmation_before_the_2020_text_has_no_term():
    assert c.confirmation_deadline(date(2020, 8, 31), CAL) is None


@pytest.mark.parametrize(
    ("as_of", "done_on", "state", "days_left", "days_late"),
    [
        (date(2026, 5, 31), None, c.ClockState.NOT_STARTED, None, None),
        (date(2026, 6, 5), None, c.ClockState.ON_TIME, 10, 0),
        (date(2026, 6, 11), None, c.ClockState.ON_TIME, 4, 0),
        (date(2026, 6, 12), None, c.ClockState.DUE_SOON, 3, 0),
        (date(2026, 6, 15), None, c.ClockState.DUE_SOON, 0, 0),
        (date(2026, 6, 16), None, c.ClockState.OVERDUE, None, 1),
        (date(2026, 6, 20), date(2026, 6, 15), c.ClockState.DONE_ON_TIME, None, 0),
        (date(2026, 6, 20), date(2026, 6, 18), c.ClockState.DONE_LATE, None, 3),
        # done after the as-of date: not done yet as of then
        (date(2026, 6, 16), date(2026, 6, 18), c.ClockState.OVERDUE, None, 1),
    ],
)
def test_step_clock_states(as_of, done_on, state, days_left, days_late):
    step = c.step_clock(
        starts_on=date(2026, 6, 1), due_on=date(2026, 6, 15), done_on=done_on, as_of=as_of, article=c.ART_25
    )
    assert (step.state, step.days_left, step.days_late) == (state, days_left, days_late)


def test_step_without_a_term():
    step = c.step_clock(starts_on=date(2025, 5, 1), due_on=None, done_on=None, as_of=date(2026, 1, 1), article="x")
    assert step.state == c.ClockState.NO_STATUTORY_TERM
    assert step.label == "无法定时限"


@pytest.mark.parametrize(
    ("extended_to", "approved_on", "code"),
    [
        (date(2026, 7, 10), date(2026, 7, 1), "claim_extension_not_later"),
        (date(2026, 9, 9), date(2026, 7, 1), "claim_extension_beyond_cap"),
        (date(2026, 8, 31), date(2026, 7, 11), "claim_extension_too_late"),
    ],
)
def test_extension_refusals(extended_to, approved_on, code):
    with pytest.raises(RuleError) as exc:
        c.check_extension(
            received_on=date(2026, 6, 10),
            current_due=date(2026, 7, 10),
            extended_to=extended_to,
            approved_on=approved_on,
            cal=CAL,
        )
    assert exc.value.code == code


def test_extension_to_the_cap_is_allowed():
    cap = c.check_extension(
        received_on=date(2026, 6, 10),
        current_due=date(2026, 7, 10),
        extended_to=date(2026, 9, 8),
        approved_on=date(2026, 7, 10),
        cal=CAL,
    )
    assert cap.date == date(2026, 9, 8)
