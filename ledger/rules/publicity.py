"""Publicity windows and credit repair of 政务失信 records — SPEC R10.

The windows are reference data kept by the administrator (a dated table with the
legal basis of each row); ``DEFAULT_WINDOWS`` seeds it with the rule in force today.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ledger.rules.calendar import add_months
from ledger.rules.errors import PublicityError

__all__ = [
    "DEFAULT_WINDOWS",
    "SEVERITIES",
    "PublicityError",
    "PublicityWindow",
    "can_repair",
    "is_expired",
    "publicity_dates",
    "window_for",
]

SEVERITIES = ("轻微", "一般", "严重")


@dataclass(frozen=True, slots=True)
class PublicityWindow:
    severity: str  # 失信等级: 轻微 / 一般 / 严重
    published: bool  # whether such records are published at all by default
    min_months: int  # 最短公示期, months from the determination date (0 = none)
    max_months: int  # 最长公示期: publication stops after it
    basis: str  # legal basis shown to users and kept with the record
    effective_from: date  # first determination date the row governs


_ORDER_36 = "《信用修复管理办法》（国家发展改革委令第36号，2026年4月1日起施行）"
_ORDER_36_FROM = date(2026, 4, 1)

DEFAULT_WINDOWS: tuple[PublicityWindow, ...] = (
    # 轻微: in principle not published; if a sector department publishes it, at most
    # 3 months, repairable once the obligation is performed (no minimum period).
    PublicityWindow(
        severity="轻微",
        published=False,
        min_months=0,
        max_months=3,
        basis=f"{_ORDER_36}：轻微失信信息原则上不公示，确需公示的最长3个月",
        effective_from=_ORDER_36_FROM,
    ),
    PublicityWindow(
        severity="一般",
        published=True,
        min_months=3,
        max_months=12,
        basis=f"{_ORDER_36}：一般失信信息最短公示3个月、最长1年",
        effective_from=_ORDER_36_FROM,
    ),
    PublicityWindow(
        severity="严重",
        published=True,
        min_months=12,
        max_months=36,
        basis=f"{_ORDER_36}：严重失信信息最短公示1年、最长3年",
        effective_from=_ORDER_36_FROM,
    ),
)


def window_for(
    severity: str,
    determined_on: date,
    windows: Iterable[PublicityWindow] = DEFAULT_WINDOWS,
) -> PublicityWindow:
    """The ``severity`` row in force on the determination date (latest start)."""
    if severity not in SEVERITIES:
        raise PublicityError(
            "publicity_invalid_severity",
            f"失信等级“{severity}”无效，应为轻微、一般或严重",
            field="severity",
        )
    in_force = [w for w in windows if w.severity == severity and w.effective_from <= determined_on]
    if not in_force:
        raise PublicityError(
            "publicity_window_missing",
            f"{determined_on.isoformat()}无适用的“{severity}”失信信息公示期限规则，请由管理员录入",
            field="determined_on",
        )
    return max(in_force, key=lambda w: w.effective_from)


def publicity_dates(determined_on: date, window: PublicityWindow) -> tuple[date, date, date]:
    """(start, last day of the minimum period, last day of the maximum period).

    Counted from the determination date with the month arithmetic of 民法典 art. 202.
    No roll to a working day (art. 203): that rule gives a party a working day to act
    before a period closes, while publicity is a sanction whose maximum 令第36号 caps;
    rolling would publish a record past its legal maximum, and repair is applied for
    online on any day.
    """
    return (
        determined_on,
        add_months(determined_on, window.min_months),
        add_months(determined_on, window.max_months),
    )


def can_repair(*, as_of: date, min_end: date, obligation_performed: bool, commitment_recorded: bool) -> list[str]:
    """Reasons repair cannot be granted as of a date (令第36号); empty = it can."""
    reasons = []
    # min_end is the last day of the minimum period, which runs to 24:00 of that day
    # (民法典 art. 203), so the period has been served from the next day on.
    if as_of <= min_end:
        reasons.append(f"最短公示期尚未届满（{min_end.isoformat()}届满）")
    if not obligation_performed:
        reasons.append("失信行为尚未纠正、法定义务尚未履行完毕")
    if not commitment_recorded:
        reasons.append("尚未作出公开信用承诺")
    return reasons


def is_expired(as_of: date, max_end: date) -> bool:
    """Published through ``max_end`` (公示截止日期), no longer from the next day."""
    return as_of > max_end
