"""Reply deadlines and the on-time reply rate of 检察建议 / 司法建议 — SPEC R6, R7."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ledger.rules.calendar import (
    DueDate,
    WorkCalendar,
    add_working_days,
    period_end_days,
    period_end_months,
)
from ledger.rules.errors import RecommendationError

__all__ = [
    "DEFAULT_REPLY_MONTHS",
    "ESCALATION_WORKING_DAYS",
    "URGENT_PUBLIC_INTEREST_DAYS",
    "RATE_QUANTUM",
    "RecommendationError",
    "RecommendationKind",
    "ReplyState",
    "escalation_due",
    "on_time_rate",
    "reply_deadline",
    "reply_state",
]


class RecommendationKind(StrEnum):
    PROCURATORIAL = "procuratorial"  # 检察建议
    PUBLIC_INTEREST = "public_interest"  # 公益诉讼诉前检察建议
    JUDICIAL = "judicial"  # 司法建议


class ReplyState(StrEnum):
    PENDING = "pending"  # 办理中: not replied, deadline not yet passed
    REPLIED_ON_TIME = "replied_on_time"  # 按期回复
    REPLIED_LATE = "replied_late"  # 逾期回复
    OVERDUE_UNREPLIED = "overdue_unreplied"  # 逾期未回复


# 《人民检察院检察建议工作规定》 (2019): reply in writing within two months of receipt.
# 两高《关于检察公益诉讼案件适用法律若干问题的解释》 art. 21: two months; 15 days
# when urgent. 法释〔2023〕11号 art. 8: as the court sets, generally ≤ two months.
DEFAULT_REPLY_MONTHS = 2
URGENT_PUBLIC_INTEREST_DAYS = 15
ESCALATION_WORKING_DAYS = 5  # SPEC R6: escalate within 5 working days after the deadline
RATE_QUANTUM = Decimal("0.0001")


def _positive(n: int | None, name: str) -> None:
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise RecommendationError(
            "recommendation_invalid_period",
            f"回复期限须为正整数，实为“{n}”",
            field=name,
        )


def reply_deadline(
    *,
    kind: str,
    served_on: date,
    urgent: bool,
    stated_days: int | None = None,
    stated_months: int | None = None,
    cal: WorkCalendar,
) -> DueDate:
    """Last day to reply in writing, counted from service with R2 day counting.

    A period stated in the recommendation wins: what was served on the recipient binds
    it. Without one: 15 days for an urgent 公益诉讼诉前检察建议 (两高解释 art. 21), else
    two months — for 检察建议 the 2019 规定's rule (its shorter urgent period exists
    only when stated), for 司法建议 the ceiling of 法释〔2023〕11号 art. 8
    ("一般不超过两个月").
    """
    try:
        kind = RecommendationKind(kind)
    except ValueError:
        raise RecommendationError("recommendation_invalid_kind", f"建议类型“{kind}”无效", field="kind") from None
    _positive(stated_days, "stated_days")
    _positive(stated_months, "stated_months")
    if stated_days is not None and stated_months is not None:
        raise RecommendationError(
            "recommendation_ambiguous_period",
            "回复期限只能按日或按月之一载明",
            field="stated_days",
        )
    if stated_days is not None:
        return period_end_days(served_on, stated_days, cal)
    if stated_months is not None:
        return period_end_months(served_on, stated_months, cal)
    if urgent and kind is RecommendationKind.PUBLIC_INTEREST:
        return period_end_days(served_on, URGENT_PUBLIC_INTEREST_DAYS, cal)
    return period_end_months(served_on, DEFAULT_REPLY_MONTHS, cal)


def reply_state(*, deadline: date, replied_on: date | None, as_of: date) -> ReplyState:
    """Live state as of a date; a reply dated after ``as_of`` is not known yet then."""
    if replied_on is not None and replied_on <= as_of:
        return ReplyState.REPLIED_ON_TIME if replied_on <= deadline else ReplyState.REPLIED_LATE
    # The deadline day is the last day to reply (民法典 art. 203: it ends at 24:00).
    return ReplyState.OVERDUE_UNREPLIED if as_of > deadline else ReplyState.PENDING


def escalation_due(deadline: date, cal: WorkCalendar) -> date:
    """Last day to escalate an overdue unreplied recommendation to the superior."""
    return add_working_days(deadline, ESCALATION_WORKING_DAYS, cal).date


def on_time_rate(
    items: Iterable[tuple[date, date | None]],
    *,
    period_start: date,
    period_end: date,
    as_of: date,
) -> Decimal | None:
    """按期办复率 (SPEC R7): replies on or before their deadline ÷ those due.

    The denominator counts deadlines in [period_start, period_end] and on or before
    ``as_of`` (a deadline still running cannot be missed yet); ``None`` when it is 0,
    shown as "—". No national formula exists (domain-rules.md §2.3): this is the
    district's definition.
    """
    if period_start > period_end:
        raise RecommendationError(
            "recommendation_invalid_period",
            "统计起始日期不能晚于截止日期",
            field="period_start",
        )
    due = on_time = 0
    for deadline, replied_on in items:
        if not (period_start <= deadline <= period_end and deadline <= as_of):
            continue
        due += 1
        # replied_on <= deadline <= as_of: a reply counted here was known as of as_of.
        if replied_on is not None and replied_on <= deadline:
            on_time += 1
    if due == 0:
        return None
    # Half-up rounding of on_time/due to 4 places in integers: exact, no context.
    ten_thousandths = (on_time * 20000 + due) // (2 * due)
    return Decimal(ten_thousandths).scaleb(-4).quantize(RATE_QUANTUM)
