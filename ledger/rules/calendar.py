"""Working days and legal periods — SPEC R2, docs/adr/0001-day-counting.md.

Periods follow 民法典 arts. 201–203: the start day is not counted; a month period
ends on the corresponding day of the end month, or on that month's last day when
there is none; a period whose last day is a rest day ends on the next day that is
not. Which days count as rest days at the end of a period is the ``reading``
(setting ``LEDGER_DAY_COUNTING``); ``add_working_days`` always counts the official
working days.

Day facts come, in order, from administrator overrides, the ``chinesecalendar``
package and — beyond its data — a provisional fallback: Mon–Fri minus the statutory
holidays of 《全国年节及纪念日放假办法》 (revised 2024, in force 2025-01-01), with
lunar dates from ``lunardate``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from types import MappingProxyType

import chinese_calendar
from lunardate import LunarDate

from ledger.rules.errors import CalendarError

__all__ = [
    "CIVIL_PROCEDURE",
    "READINGS",
    "STATUTORY_ONLY",
    "CalendarError",
    "DueDate",
    "WorkCalendar",
    "add_months",
    "add_working_days",
    "calendar_version",
    "data_years",
    "next_year_missing",
    "period_end_days",
    "period_end_months",
    "qingming",
    "statutory_holidays",
]

# Readings of "法定休假日" in 民法典 art. 203 (ADR 0001, setting LEDGER_DAY_COUNTING).
# civil_procedure: weekends are rest days, 调休 make-up days are working days.
# statutory_only: only announced holiday days roll a period end; weekends do not.
CIVIL_PROCEDURE = "civil_procedure"
STATUTORY_ONLY = "statutory_only"
READINGS = (CIVIL_PROCEDURE, STATUTORY_ONLY)

# The fallback's formulas (寿星 formula for 清明, lunardate) hold for 2000–2099.
_FALLBACK_LAST_YEAR = 2099
# A longer run of rest days means broken overrides, not a real calendar.
_MAX_CONSECUTIVE_REST_DAYS = 60


@dataclass(frozen=True, slots=True)
class DueDate:
    """A computed last day of a period.

    ``provisional``: some day that decided it came from the fallback, not official
    data. ``rolled_from``: the raw period end when a rest day moved it, else None.
    """

    date: dt.date
    provisional: bool
    rolled_from: dt.date | None = None


def _check_date(d: object, name: str = "date") -> date:
    # A datetime is a date subclass; refusing it keeps UTC-vs-local dates out.
    if not isinstance(d, date) or isinstance(d, dt.datetime):
        raise TypeError(f"{name} must be a datetime.date, got {type(d).__name__}")
    return d


def _check_count(n: object, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise CalendarError("calendar_invalid_period", f"期间长度须为正整数，实为“{n}”", field=name)
    return n


@cache
def data_years() -> tuple[int, int]:
    """First and last year covered by the installed ``chinesecalendar`` data."""
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def next_year_missing(today: date) -> bool:
    """True from 1 November when the package has no data for next year (R2)."""
    _check_date(today, "today")
    return today.month >= 11 and data_years()[1] < today.year + 1


def qingming(year: int) -> date:
    """The 清明 solar term (Beijing time), 寿星 formula [Y×D+C]−L, 2000–2099.

    Y = the year's last two digits, D = 0.2422, C = 4.81 (21st century),
    L = floor(Y/4); the formula lists no exception for 清明 in 2000–2099. Worked in
    integers (×10⁴) so no float is involved.
    """
    if not 2000 <= year <= _FALLBACK_LAST_YEAR:
        raise CalendarError("calendar_year_unsupported", f"无法推算{year}年清明日期")
    y = year % 100
    return date(year, 4, (y * 2422 + 48100) // 10000 - y // 4)


@cache
def statutory_holidays(year: int) -> Mapping[date, str]:
    """全体公民放假 days by 《全国年节及纪念日放假办法》 (2024 revision) art. 2.

    元旦 1 day, 春节 4 days (农历除夕 to 正月初三), 清明 1 day, 劳动节 May 1–2,
    端午 1 day, 中秋 1 day, 国庆 Oct 1–3. The State Council's yearly 调休 notice
    (in-lieu and make-up days) cannot be derived: results built on this are
    provisional.
    """
    if not 2000 <= year <= _FALLBACK_LAST_YEAR:
        raise CalendarError("calendar_year_unsupported", f"无法推算{year}年法定节假日")
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    new_year = LunarDate(year, 1, 1).to_solar_date()
    for offset in range(-1, 3):  # 除夕 = the day before 正月初一; then 初一 to 初三
        days[new_year + timedelta(days=offset)] = "春节"
    days[qingming(year)] = "清明节"
    days[date(year, 5, 1)] = days[date(year, 5, 2)] = "劳动节"
    days[LunarDate(year, 5, 5).to_solar_date()] = "端午节"
    # 中秋 may fall on Oct 1–3 (2028-10-03): 国庆 then names the day. How the State
    # Council arranges such a year is unknowable here; the result is provisional.
    days[LunarDate(year, 8, 15).to_solar_date()] = "中秋节"
    for day in (1, 2, 3):
        days[date(year, 10, day)] = "国庆节"
    return MappingProxyType(dict(sorted(days.items())))


def _check_fallback_year(d: date) -> None:
    first = data_years()[0]
    if d.year < first or d.year > _FALLBACK_LAST_YEAR:
        raise CalendarError(
            "calendar_year_unsupported",
            f"{d.isoformat()}超出日历数据范围（{first}–{_FALLBACK_LAST_YEAR}年），请由管理员录入日历",
        )


class WorkCalendar:
    """Official working days, administrator overrides, and a reading of art. 203."""

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        reading: str = CIVIL_PROCEDURE,
    ) -> None:
        if reading not in READINGS:
            raise CalendarError(
                "calendar_invalid_reading",
                f"计日方式“{reading}”无效，应为 {' / '.join(READINGS)}",
                field="reading",
            )
        checked: dict[date, bool] = {}
        for d, working in (overrides or {}).items():
            _check_date(d, "override date")
            if not isinstance(working, bool):
                raise TypeError(f"override for {d} must be bool, not {working!r}")
            checked[d] = working
        self.overrides: Mapping[date, bool] = MappingProxyType(checked)
        self.reading = reading

    def __repr__(self) -> str:
        return f"WorkCalendar({calendar_version(self)!r})"

    def is_workday(self, d: date) -> tuple[bool, bool]:
        """(is a working day, provisional); the same under either reading."""
        _check_date(d)
        if d in self.overrides:
            return self.overrides[d], False
        try:
            return chinese_calendar.is_workday(d), False
        except NotImplementedError:  # the package's "no available data for year …"
            _check_fallback_year(d)
            return d.weekday() < 5 and d not in statutory_holidays(d.year), True

    def is_period_rest_day(self, d: date) -> tuple[bool, bool]:
        """(a period ending on ``d`` moves on, provisional) — art. 203 as read."""
        _check_date(d)
        if self.reading == CIVIL_PROCEDURE:
            working, provisional = self.is_workday(d)
            return not working, provisional
        # statutory_only. An administrator's rest-day entry records an official
        # holiday arrangement, so it rolls; an ordinary weekend does not.
        if d in self.overrides:
            return not self.overrides[d], False
        try:
            chinese_calendar.is_workday(d)  # raises beyond the data
        except NotImplementedError:
            _check_fallback_year(d)
            return d in statutory_holidays(d.year), True
        # The package's ``holidays`` are the announced 放假 blocks (statutory days,
        # in-lieu days and the weekends inside a block): the 法定休假日 as announced.
        return d in chinese_calendar.holidays, False


def _roll(raw_end: date, cal: WorkCalendar) -> DueDate:
    # 民法典 art. 203: a period ending on a 法定休假日 ends on the day after it.
    end, provisional = raw_end, False
    for _ in range(_MAX_CONSECUTIVE_REST_DAYS + 1):
        rest, prov = cal.is_period_rest_day(end)
        provisional = provisional or prov
        if not rest:
            return DueDate(end, provisional, raw_end if end != raw_end else None)
        end += timedelta(days=1)
    raise CalendarError(
        "calendar_no_working_day",
        f"{raw_end.isoformat()}之后连续{_MAX_CONSECUTIVE_REST_DAYS}天均为休息日，请检查日历设置",
    )


def _last_day_of_month(year: int, month: int) -> int:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return (first_of_next - timedelta(days=1)).day


def add_months(start: date, months: int) -> date:
    """Last day of a ``months``-month period from ``start``, no roll (art. 202).

    The corresponding day of the end month, or that month's last day when there is
    none (2026-01-31 + 1 month → 2026-02-28).
    """
    _check_date(start, "start")
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise CalendarError(
            "calendar_invalid_period",
            f"月数须为非负整数，实为“{months}”",
            field="months",
        )
    year, month0 = divmod(start.year * 12 + start.month - 1 + months, 12)
    month = month0 + 1
    return date(year, month, min(start.day, _last_day_of_month(year, month)))


def period_end_days(start: date, days: int, cal: WorkCalendar) -> DueDate:
    """Last day of a ``days``-day period from ``start`` (民法典 arts. 201, 203)."""
    _check_date(start, "start")
    _check_count(days, "days")
    # art. 201: the start day is not counted, so day 1 is start + 1.
    return _roll(start + timedelta(days=days), cal)


def period_end_months(start: date, months: int, cal: WorkCalendar) -> DueDate:
    """Last day of a ``months``-month period from ``start`` (民法典 arts. 201–203)."""
    _check_count(months, "months")
    return _roll(add_months(start, months), cal)


def add_working_days(start: date, n: int, cal: WorkCalendar) -> DueDate:
    """The n-th working day after ``start``, start excluded (e.g. 条例 art. 25)."""
    _check_date(start, "start")
    _check_count(n, "n")
    d, provisional, counted, idle = start, False, 0, 0
    while counted < n:
        d += timedelta(days=1)
        working, prov = cal.is_workday(d)
        provisional = provisional or prov
        counted, idle = (counted + 1, 0) if working else (counted, idle + 1)
        if idle > _MAX_CONSECUTIVE_REST_DAYS:
            raise CalendarError(
                "calendar_no_working_day",
                f"{d.isoformat()}之前连续{idle}天均为休息日，请检查日历设置",
            )
    return DueDate(d, provisional)


def calendar_version(cal: WorkCalendar) -> str:
    """Names the calendar a due date was computed with; stored beside it (R2)."""
    lines = "\n".join(f"{d.isoformat()}={int(w)}" for d, w in sorted(cal.overrides.items()))
    digest = hashlib.sha256(lines.encode()).hexdigest()[:8]
    return f"chinesecalendar-{chinese_calendar.__version__};overrides-{digest};reading-{cal.reading}"
