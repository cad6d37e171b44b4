"""SPEC R2 day counting. Expected dates were checked against chinese_calendar directly and,
beyond its data, against lunar/solar-term dates worked out independently (qingming by an
astronomical computation of the Sun's longitude reaching 15°)."""

from datetime import date, datetime

import chinese_calendar
import pytest

from ledger.rules.calendar import (
    CIVIL_PROCEDURE,
    STATUTORY_ONLY,
    CalendarError,
    DueDate,
    WorkCalendar,
    add_months,
    add_working_days,
    calendar_version,
    data_years,
    next_year_missing,
    period_end_days,
    period_end_months,
    qingming,
    statutory_holidays,
)

CAL = WorkCalendar()
STATUTORY = WorkCalendar(reading=STATUTORY_ONLY)

# Once a chinesecalendar release carries 2027, the official data rightly wins over the
# fallback, and the provisional expectations below no longer apply.
beyond_data_2027 = pytest.mark.skipif(data_years()[1] >= 2027, reason="chinesecalendar now covers 2027")


def test_data_years_of_the_pinned_package():
    assert data_years()[0] == 2004
    assert data_years()[1] >= 2026


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # Spring Festival 2026: 2026-02-15..23 off; Sat 02-14 and Sat 02-28 are make-up days
        (date(2026, 2, 13), (True, False)),
        (date(2026, 2, 14), (True, False)),
        (date(2026, 2, 15), (False, False)),
        (date(2026, 2, 16), (False, False)),
        (date(2026, 2, 20), (False, False)),
        (date(2026, 2, 23), (False, False)),
        (date(2026, 2, 24), (True, False)),
        (date(2026, 2, 28), (True, False)),
        # National Day 2026: 10-01..07 off; Sun 09-20 and Sat 10-10 are make-up days
        (date(2026, 9, 20), (True, False)),
        (date(2026, 10, 1), (False, False)),
        (date(2026, 10, 7), (False, False)),
        (date(2026, 10, 8), (True, False)),
        (date(2026, 10, 10), (True, False)),
        # an ordinary weekend and weekday
        (date(2026, 3, 7), (False, False)),
        (date(2026, 3, 9), (True, False)),
    ],
)
def test_is_workday_from_official_data(day, expected):
    assert CAL.is_workday(day) == expected


@beyond_data_2027
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2027, 1, 1), (False, True)),  # 元旦, Fri
        (date(2027, 1, 4), (True, True)),
        (date(2027, 2, 4), (True, True)),  # Thu before 除夕
        (date(2027, 2, 5), (False, True)),  # 除夕 (lunar new year is Sat 2027-02-06)
        (date(2027, 2, 8), (False, True)),  # 正月初三, Mon
        (date(2027, 2, 9), (True, True)),
        (date(2027, 4, 5), (False, True)),  # 清明, Mon
        (date(2027, 5, 3), (True, True)),  # 劳动节 is May 1–2 only; no 调休 is guessed
        (date(2027, 6, 9), (False, True)),  # 端午
        (date(2027, 9, 15), (False, True)),  # 中秋
        (date(2027, 10, 4), (True, True)),  # 国庆 is Oct 1–3 only
        (date(2027, 3, 6), (False, True)),  # Saturday
    ],
)
def test_is_workday_beyond_data_is_provisional(day, expected):
    assert CAL.is_workday(day) == expected


@pytest.mark.parametrize(
    ("overrides", "day", "expected"),
    [
        ({date(2026, 2, 14): False}, date(2026, 2, 14), (False, False)),  # make-up day cancelled
        ({date(2026, 10, 1): True}, date(2026, 10, 1), (True, False)),
        ({date(2027, 2, 20): True}, date(2027, 2, 20), (True, False)),  # beyond data: not provisional
        ({date(2027, 2, 9): False}, date(2027, 2, 9), (False, False)),
        ({date(2026, 2, 14): False}, date(2026, 2, 13), (True, False)),  # other days untouched
    ],
)
def test_overrides_win_over_the_package(overrides, day, expected):
    assert WorkCalendar(overrides).is_workday(day) == expected


@pytest.mark.parametrize(
    ("year", "day"),
    [
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 4, 5)),
        (2028, date(2028, 4, 4)),
        (2029, date(2029, 4, 4)),
        (2030, date(2030, 4, 5)),
    ],
)
def test_qingming(year, day):
    assert qingming(year) == day


def test_qingming_agrees_with_the_package_in_its_data_years():
    # every 清明 holiday the State Council has announced contains the computed solar term
    for year in range(2008, data_years()[1] + 1):
        assert chinese_calendar.get_holiday_detail(qingming(year))[1] == "Tomb-sweeping Day", year


def test_statutory_holidays_2027():
    assert dict(statutory_holidays(2027)) == {
        date(2027, 1, 1): "元旦",
        date(2027, 2, 5): "春节",
        date(2027, 2, 6): "春节",
        date(2027, 2, 7): "春节",
        date(2027, 2, 8): "春节",
        date(2027, 4, 5): "清明节",
        date(2027, 5, 1): "劳动节",
        date(2027, 5, 2): "劳动节",
        date(2027, 6, 9): "端午节",
        date(2027, 9, 15): "中秋节",
        date(2027, 10, 1): "国庆节",
        date(2027, 10, 2): "国庆节",
        date(2027, 10, 3): "国庆节",
    }


def test_statutory_holidays_2028_mid_autumn_on_national_day():
    days = statutory_holidays(2028)
    assert sorted(d for d, name in days.items() if name == "春节") == [
        date(2028, 1, 25),
        date(2028, 1, 26),
        date(2028, 1, 27),
        date(2028, 1, 28),
    ]
    assert days[date(2028, 5, 28)] == "端午节"
    assert days[date(2028, 10, 3)] == "国庆节"  # 中秋 falls on it that year
    assert len(days) == 12


@pytest.mark.parametrize("year", [2025, 2026])
def test_fallback_holidays_are_official_holidays_under_the_2024_rules(year):
    # the revised 放假办法 applies from 2025: each statutory day is inside an announced block
    for day in statutory_holidays(year):
        assert day in chinese_calendar.holidays, day


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # 30 days from 2026-01-15 end on Sat 2026-02-14, a make-up working day: no roll
        (date(2026, 1, 15), 30, DueDate(date(2026, 2, 14), False, None)),
        # Spring Festival: Sun 2026-02-15 rolls past the whole block to Tue 02-24
        (date(2026, 2, 5), 10, DueDate(date(2026, 2, 24), False, date(2026, 2, 15))),
        # National Day: 2026-10-01 rolls to Thu 10-08
        (date(2026, 9, 20), 11, DueDate(date(2026, 10, 8), False, date(2026, 10, 1))),
        # make-up Saturday 2026-10-10 is a working day
        (date(2026, 10, 1), 9, DueDate(date(2026, 10, 10), False, None)),
        # an ordinary weekend rolls to Monday
        (date(2026, 3, 2), 5, DueDate(date(2026, 3, 9), False, date(2026, 3, 7))),
        # start day excluded: 1 day from Thursday is Friday
        (date(2026, 3, 5), 1, DueDate(date(2026, 3, 6), False, None)),
        # the last day of the data is still official
        (date(2026, 12, 1), 30, DueDate(date(2026, 12, 31), False, None)),
    ],
)
def test_period_end_days_civil_procedure(start, days, expected):
    assert period_end_days(start, days, CAL) == expected


@beyond_data_2027
@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 12, 21), 30, DueDate(date(2027, 1, 20), True, None)),
        (date(2027, 1, 21), 15, DueDate(date(2027, 2, 9), True, date(2027, 2, 5))),  # 除夕 2027
        (date(2027, 9, 16), 15, DueDate(date(2027, 10, 4), True, date(2027, 10, 1))),
    ],
)
def test_period_end_days_beyond_data(start, days, expected):
    assert period_end_days(start, days, CAL) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        # Jan 31 + 1 month = Feb 28, which in 2026 is a make-up Saturday: no roll
        (date(2026, 1, 31), 1, DueDate(date(2026, 2, 28), False, None)),
        # month end to a Sunday month end, rolled to Monday
        (date(2026, 3, 31), 2, DueDate(date(2026, 6, 1), False, date(2026, 5, 31))),
        (date(2026, 1, 15), 2, DueDate(date(2026, 3, 16), False, date(2026, 3, 15))),
        (date(2026, 8, 31), 1, DueDate(date(2026, 9, 30), False, None)),
        (date(2026, 8, 1), 2, DueDate(date(2026, 10, 8), False, date(2026, 10, 1))),
        (date(2025, 12, 16), 2, DueDate(date(2026, 2, 24), False, date(2026, 2, 16))),
    ],
)
def test_period_end_months_civil_procedure(start, months, expected):
    assert period_end_months(start, months, CAL) == expected


@beyond_data_2027
@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2028, 1, 31), 1, DueDate(date(2028, 2, 29), True, None)),  # leap year
        (date(2027, 1, 31), 1, DueDate(date(2027, 3, 1), True, date(2027, 2, 28))),  # Sun
        (date(2028, 2, 29), 12, DueDate(date(2029, 2, 28), True, None)),
        (date(2026, 12, 31), 2, DueDate(date(2027, 3, 1), True, date(2027, 2, 28))),
    ],
)
def test_period_end_months_beyond_data(start, months, expected):
    assert period_end_months(start, months, CAL) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 5, 10), 0, date(2026, 5, 10)),
        (date(2026, 4, 10), 36, date(2029, 4, 10)),
    ],
)
def test_add_months_has_no_roll(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 3, 2), 5, DueDate(date(2026, 3, 7), False, None)),  # Saturday stays
        (date(2026, 2, 5), 10, DueDate(date(2026, 2, 24), False, date(2026, 2, 15))),  # block rolls
        (date(2026, 9, 21), 5, DueDate(date(2026, 9, 28), False, date(2026, 9, 26))),  # Sat in 中秋 block
        (date(2026, 1, 15), 30, DueDate(date(2026, 2, 14), False, None)),
    ],
)
def test_period_end_statutory_only(start, days, expected):
    assert period_end_days(start, days, STATUTORY) == expected


@beyond_data_2027
def test_period_end_statutory_only_beyond_data():
    # Sat 2027-03-06 stays; 除夕 2027-02-05 rolls to Tue 02-09
    assert period_end_days(date(2027, 3, 1), 5, STATUTORY) == DueDate(date(2027, 3, 6), True, None)
    assert period_end_days(date(2027, 3, 1), 5, CAL) == DueDate(date(2027, 3, 8), True, date(2027, 3, 6))
    assert period_end_days(date(2027, 1, 21), 15, STATUTORY) == DueDate(date(2027, 2, 9), True, date(2027, 2, 5))


@pytest.mark.parametrize(
    ("reading", "overrides", "start", "days", "expected"),
    [
        # a cancelled make-up day rolls the 2026-02-14 end past Spring Festival
        (
            CIVIL_PROCEDURE,
            {date(2026, 2, 14): False},
            date(2026, 1, 15),
            30,
            DueDate(date(2026, 2, 24), False, date(2026, 2, 14)),
        ),
        (CIVIL_PROCEDURE, {date(2026, 10, 1): True}, date(2026, 9, 20), 11, DueDate(date(2026, 10, 1), False, None)),
        (
            STATUTORY_ONLY,
            {date(2026, 3, 10): False},
            date(2026, 3, 5),
            5,
            DueDate(date(2026, 3, 11), False, date(2026, 3, 10)),
        ),
        (STATUTORY_ONLY, {date(2026, 10, 1): True}, date(2026, 9, 20), 11, DueDate(date(2026, 10, 1), False, None)),
    ],
)
def test_overrides_decide_period_ends(reading, overrides, start, days, expected):
    assert period_end_days(start, days, WorkCalendar(overrides, reading)) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 2, 13), 1, DueDate(date(2026, 2, 14), False)),  # make-up Saturday counts
        (date(2026, 2, 13), 2, DueDate(date(2026, 2, 24), False)),
        (date(2026, 2, 13), 5, DueDate(date(2026, 2, 27), False)),
        (date(2026, 9, 30), 5, DueDate(date(2026, 10, 13), False)),  # Oct 8, 9, 10 (Sat), 12, 13
        (date(2026, 4, 30), 3, DueDate(date(2026, 5, 8), False)),
        (date(2026, 3, 6), 1, DueDate(date(2026, 3, 9), False)),  # Friday → Monday
    ],
)
def test_add_working_days(start, n, expected):
    assert add_working_days(start, n, CAL) == expected


@beyond_data_2027
@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 12, 30), 3, DueDate(date(2027, 1, 5), True)),  # Dec 31, (Jan 1 元旦), Jan 4, 5
        (date(2026, 12, 29), 2, DueDate(date(2026, 12, 31), False)),  # never left the data
        (date(2027, 2, 3), 2, DueDate(date(2027, 2, 9), True)),
    ],
)
def test_add_working_days_beyond_data(start, n, expected):
    assert add_working_days(start, n, CAL) == expected


def test_add_working_days_ignores_the_reading():
    assert add_working_days(date(2026, 3, 6), 1, STATUTORY) == DueDate(date(2026, 3, 9), False)


@pytest.mark.parametrize(
    ("overrides", "reading", "expected"),
    [
        ({}, CIVIL_PROCEDURE, "chinesecalendar-1.11.0;overrides-e3b0c442;reading-civil_procedure"),
        ({}, STATUTORY_ONLY, "chinesecalendar-1.11.0;overrides-e3b0c442;reading-statutory_only"),
        (
            {date(2026, 2, 14): False},
            CIVIL_PROCEDURE,
            "chinesecalendar-1.11.0;overrides-19837be2;reading-civil_procedure",
        ),
        # order of entry does not matter
        (
            {date(2026, 10, 1): True, date(2026, 2, 14): False},
            CIVIL_PROCEDURE,
            "chinesecalendar-1.11.0;overrides-6a96c8b5;reading-civil_procedure",
        ),
        (
            {date(2026, 2, 14): False, date(2026, 10, 1): True},
            CIVIL_PROCEDURE,
            "chinesecalendar-1.11.0;overrides-6a96c8b5;reading-civil_procedure",
        ),
    ],
)
def test_calendar_version(overrides, reading, expected):
    if chinese_calendar.__version__ != "1.11.0":
        expected = expected.replace("1.11.0", chinese_calendar.__version__)
    assert calendar_version(WorkCalendar(overrides, reading)) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 10, 31), False),
        (date(2026, 11, 1), True),
        (date(2026, 12, 31), True),
        (date(2025, 11, 1), False),
        (date(2026, 1, 15), False),
    ],
)
def test_next_year_missing(today, expected):
    if data_years()[1] >= 2027:
        pytest.skip("chinesecalendar now covers 2027")
    assert next_year_missing(today) is expected


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: period_end_days(date(2026, 1, 1), 0, CAL), "calendar_invalid_period"),
        (lambda: period_end_days(date(2026, 1, 1), -3, CAL), "calendar_invalid_period"),
        (lambda: period_end_months(date(2026, 1, 1), 0, CAL), "calendar_invalid_period"),
        (lambda: add_working_days(date(2026, 1, 1), 0, CAL), "calendar_invalid_period"),
        (lambda: add_months(date(2026, 1, 1), -1), "calendar_invalid_period"),
        (lambda: WorkCalendar(reading="lenient"), "calendar_invalid_reading"),
        (lambda: CAL.is_workday(date(2003, 5, 1)), "calendar_year_unsupported"),
        (lambda: CAL.is_workday(date(2100, 1, 4)), "calendar_year_unsupported"),
        (lambda: qingming(2100), "calendar_year_unsupported"),
    ],
)
def test_calendar_errors(call, code):
    with pytest.raises(CalendarError) as caught:
        call()
    assert caught.value.code == code


def test_a_run_of_rest_days_is_refused():
    never = WorkCalendar(
        {date(2026, 3, 1 + i): False for i in range(31)} | {date(2026, 4, 1 + i): False for i in range(30)}
    )
    with pytest.raises(CalendarError) as caught:
        period_end_days(date(2026, 2, 27), 2, never)
    assert caught.value.code == "calendar_no_working_day"


@pytest.mark.parametrize("bad", [datetime(2026, 3, 2, 10, 0), "2026-03-02"])
def test_dates_only(bad):
    with pytest.raises(TypeError):
        CAL.is_workday(bad)


def test_override_values_must_be_bool():
    with pytest.raises(TypeError):
        WorkCalendar({date(2026, 3, 2): 1})


def test_overrides_are_read_only_and_copied():
    source = {date(2026, 3, 2): False}
    cal = WorkCalendar(source)
    source[date(2026, 3, 2)] = True
    assert cal.is_workday(date(2026, 3, 2)) == (False, False)
    with pytest.raises(TypeError):
        cal.overrides[date(2026, 3, 3)] = False
