"""SPEC R6 reply deadlines and states, R7 on-time reply rate. Dates checked against
chinese_calendar directly; 2027+ against the lunar calendar (除夕 2027-02-05)."""

from datetime import date
from decimal import Decimal

import pytest

from ledger.rules.calendar import DueDate, WorkCalendar, data_years
from ledger.rules.errors import RecommendationError
from ledger.rules.recommendations import (
    RecommendationKind,
    ReplyState,
    escalation_due,
    on_time_rate,
    reply_deadline,
    reply_state,
)

CAL = WorkCalendar()
beyond_data_2027 = pytest.mark.skipif(data_years()[1] >= 2027, reason="chinesecalendar now covers 2027")


@pytest.mark.parametrize(
    ("kind", "served_on", "urgent", "stated", "expected"),
    [
        # default two months; Sun 2026-03-15 rolls to Mon 03-16
        ("procuratorial", date(2026, 1, 15), False, {}, DueDate(date(2026, 3, 16), False, date(2026, 3, 15))),
        # month end: Dec 31 + 2 months = Feb 28, a make-up Saturday in 2026 — no roll
        ("procuratorial", date(2025, 12, 31), False, {}, DueDate(date(2026, 2, 28), False, None)),
        # two months landing in Spring Festival 2026 roll to Tue 02-24
        ("public_interest", date(2025, 12, 16), False, {}, DueDate(date(2026, 2, 24), False, date(2026, 2, 16))),
        # two months landing on National Day 2026 roll to Thu 10-08
        ("judicial", date(2026, 8, 1), False, {}, DueDate(date(2026, 10, 8), False, date(2026, 10, 1))),
        # urgent 公益诉讼诉前检察建议: 15 days (两高解释 art. 21)
        ("public_interest", date(2026, 9, 16), True, {}, DueDate(date(2026, 10, 8), False, date(2026, 10, 1))),
        ("public_interest", date(2026, 2, 1), True, {}, DueDate(date(2026, 2, 24), False, date(2026, 2, 16))),
        ("public_interest", date(2026, 1, 30), True, {}, DueDate(date(2026, 2, 14), False, None)),  # make-up day
        ("public_interest", date(2026, 3, 2), True, {}, DueDate(date(2026, 3, 17), False, None)),
        # "urgent" has no default meaning for other kinds: two months unless a period is stated
        ("procuratorial", date(2026, 4, 10), True, {}, DueDate(date(2026, 6, 10), False, None)),
        ("judicial", date(2026, 4, 10), True, {}, DueDate(date(2026, 6, 10), False, None)),
        # a stated period wins
        ("judicial", date(2026, 8, 31), False, {"stated_months": 1}, DueDate(date(2026, 9, 30), False, None)),
        ("judicial", date(2026, 1, 15), False, {"stated_days": 30}, DueDate(date(2026, 2, 14), False, None)),
        (
            "procuratorial",
            date(2026, 3, 2),
            True,
            {"stated_days": 5},
            DueDate(date(2026, 3, 9), False, date(2026, 3, 7)),
        ),
        ("public_interest", date(2026, 3, 2), True, {"stated_days": 10}, DueDate(date(2026, 3, 12), False, None)),
        (
            RecommendationKind.PROCURATORIAL,
            date(2026, 1, 15),
            False,
            {},
            DueDate(date(2026, 3, 16), False, date(2026, 3, 15)),
        ),
    ],
)
def test_reply_deadline(kind, served_on, urgent, stated, expected):
    assert reply_deadline(kind=kind, served_on=served_on, urgent=urgent, cal=CAL, **stated) == expected


@beyond_data_2027
@pytest.mark.parametrize(
    ("kind", "served_on", "urgent", "expected"),
    [
        # Sun 2027-02-28 rolls to Mon 03-01; beyond the data, so provisional
        ("procuratorial", date(2026, 12, 31), False, DueDate(date(2027, 3, 1), True, date(2027, 2, 28))),
        ("public_interest", date(2026, 11, 20), False, DueDate(date(2027, 1, 20), True, None)),
        # leap year: Dec 31 + 2 months = Feb 29 2028 (Tue)
        ("judicial", date(2027, 12, 31), False, DueDate(date(2028, 2, 29), True, None)),
        # urgent, ending on 除夕 2027 (02-05): rolls past 初三 to Tue 02-09
        ("public_interest", date(2027, 1, 21), True, DueDate(date(2027, 2, 9), True, date(2027, 2, 5))),
    ],
)
def test_reply_deadline_beyond_calendar_data(kind, served_on, urgent, expected):
    assert reply_deadline(kind=kind, served_on=served_on, urgent=urgent, cal=CAL) == expected


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"kind": "advice"}, "recommendation_invalid_kind", "kind"),
        ({"stated_days": 5, "stated_months": 1}, "recommendation_ambiguous_period", "stated_days"),
        ({"stated_days": 0}, "recommendation_invalid_period", "stated_days"),
        ({"stated_months": -1}, "recommendation_invalid_period", "stated_months"),
        ({"stated_days": True}, "recommendation_invalid_period", "stated_days"),
    ],
)
def test_reply_deadline_refuses(kwargs, code, field):
    args = {"kind": "procuratorial", "served_on": date(2026, 3, 2), "urgent": False, "cal": CAL} | kwargs
    with pytest.raises(RecommendationError) as caught:
        reply_deadline(**args)
    assert (caught.value.code, caught.value.field) == (code, field)


DEADLINE = date(2026, 3, 16)


@pytest.mark.parametrize(
    ("replied_on", "as_of", "expected"),
    [
        (None, date(2026, 3, 1), "pending"),
        (None, DEADLINE, "pending"),  # the deadline day is still in time
        (None, date(2026, 3, 17), "overdue_unreplied"),
        (date(2026, 3, 16), date(2026, 4, 1), "replied_on_time"),
        (date(2026, 3, 2), date(2026, 3, 2), "replied_on_time"),
        (date(2026, 3, 17), date(2026, 3, 17), "replied_late"),
        (date(2026, 5, 1), date(2026, 6, 1), "replied_late"),
        # a reply dated after as_of was not known then
        (date(2026, 3, 10), date(2026, 3, 5), "pending"),
        (date(2026, 3, 20), date(2026, 3, 18), "overdue_unreplied"),
    ],
)
def test_reply_state(replied_on, as_of, expected):
    state = reply_state(deadline=DEADLINE, replied_on=replied_on, as_of=as_of)
    assert state == expected
    assert state is ReplyState(expected)


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [
        (date(2026, 9, 30), date(2026, 10, 13)),  # Oct 8, 9, 10 (make-up Sat), 12, 13
        (date(2026, 2, 13), date(2026, 2, 27)),  # Feb 14 (make-up Sat), 24, 25, 26, 27
        (date(2026, 3, 16), date(2026, 3, 23)),
        (date(2026, 4, 30), date(2026, 5, 11)),  # May 1–5 off; 6, 7, 8, 9 (make-up Sat), 11
    ],
)
def test_escalation_due_is_five_working_days_after_the_deadline(deadline, expected):
    assert escalation_due(deadline, CAL) == expected


@beyond_data_2027
def test_escalation_due_beyond_calendar_data():
    # Dec 29, 30, 31, then 元旦 2027 (Fri) off, Jan 4, Jan 5
    assert escalation_due(date(2026, 12, 28), CAL) == date(2027, 1, 5)


JAN_START, JAN_END = date(2026, 1, 1), date(2026, 1, 31)
MIXED = [
    (date(2026, 1, 10), date(2026, 1, 9)),  # on time
    (date(2026, 1, 20), date(2026, 1, 20)),  # on time, on the day
    (date(2026, 1, 25), date(2026, 1, 26)),  # late
    (date(2026, 1, 31), None),  # unreplied
    (date(2026, 2, 5), date(2026, 2, 1)),  # deadline after the period
    (date(2025, 12, 31), date(2025, 12, 30)),  # deadline before the period
]


@pytest.mark.parametrize(
    ("items", "as_of", "expected"),
    [
        (MIXED, date(2026, 2, 10), Decimal("0.5000")),
        # deadlines after as_of are not counted yet: only Jan 10 and Jan 20
        (MIXED, date(2026, 1, 24), Decimal("1.0000")),
        (MIXED, date(2026, 1, 25), Decimal("0.6667")),
        # empty denominators → None (shown as "—")
        ([], date(2026, 2, 10), None),
        (MIXED, date(2026, 1, 9), None),
        ([(date(2026, 2, 5), date(2026, 2, 1))], date(2026, 3, 1), None),
        # exact half-up rounding to 4 places
        ([(date(2026, 1, 5), date(2026, 1, 5))] + [(date(2026, 1, 5), None)] * 2, date(2026, 2, 1), Decimal("0.3333")),
        ([(date(2026, 1, 5), date(2026, 1, 5))] + [(date(2026, 1, 5), None)] * 31, date(2026, 2, 1), Decimal("0.0313")),
        ([(date(2026, 1, 5), None)] * 2, date(2026, 2, 1), Decimal("0.0000")),
        ([(date(2026, 1, 5), date(2026, 1, 6))], date(2026, 2, 1), Decimal("0.0000")),
        ([(date(2026, 1, 31), date(2026, 1, 31))], date(2026, 1, 31), Decimal("1.0000")),
    ],
)
def test_on_time_rate(items, as_of, expected):
    rate = on_time_rate(items, period_start=JAN_START, period_end=JAN_END, as_of=as_of)
    assert rate == expected
    if expected is not None:
        assert str(rate) == str(expected)


def test_on_time_rate_accepts_any_iterable():
    rate = on_time_rate(iter(MIXED), period_start=JAN_START, period_end=JAN_END, as_of=date(2026, 2, 10))
    assert rate == Decimal("0.5000")


def test_on_time_rate_refuses_an_inverted_period():
    with pytest.raises(RecommendationError) as caught:
        on_time_rate([], period_start=JAN_END, period_end=JAN_START, as_of=date(2026, 2, 10))
    assert caught.value.code == "recommendation_invalid_period"
