"""Clocks of claims (诉求) and 确权 requests: 条例 (2025) art. 25 and art. 16 para 2 (2020: art. 14).

Pure functions: dates and a ``WorkCalendar`` in, dates and states out.

- Art. 25 (2025 text, in force 2025-06-01): the accepting department forwards a complaint within
  **10 working days** of formal acceptance; the handling department produces a written result
  within **30 days** of receiving the materials, extendable with approval but **never beyond 90
  days**. The 2020 text (art. 17) only said "及时", so a step that started before 2025-06-01 has
  no statutory term and is shown as such.
- 确权: the debtor confirms the debt within **30 days** of the SME's request (2020 art. 14 from
  2020-09-01; 2025 art. 16 para 2).

Day counts follow R2 (民法典 arts. 201–203): start day excluded, a period ending on a rest day
ends on the next working day; working days are the official ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ledger.rules.calendar import DueDate, WorkCalendar, add_working_days, period_end_days
from ledger.rules.errors import RuleError
from ledger.rules.regimes import REGULATION_2020_IN_FORCE, REGULATION_2025_IN_FORCE, article, regulation_name

__all__ = [
    "CONFIRMATION_DAYS",
    "DUE_SOON_DAYS",
    "ART_25",
    "FORWARD_WORKING_DAYS",
    "RESULT_DAYS",
    "RESULT_MAX_DAYS",
    "ClockState",
    "StepClock",
    "art25_article",
    "check_extension",
    "confirmation_article",
    "confirmation_deadline",
    "forward_deadline",
    "result_cap",
    "result_deadline",
    "step_clock",
]

FORWARD_WORKING_DAYS = 10  # 条例 (2025) art. 25: 自正式受理之日起10个工作日内转交
RESULT_DAYS = 30  # art. 25: 自收到材料之日起30日内形成书面处理结果
RESULT_MAX_DAYS = 90  # art. 25: 经批准可以延长，但最长不超过90日
CONFIRMATION_DAYS = 30  # 2020 art. 14 / 2025 art. 16 para 2: 自提出确权请求之日起30日内确认
DUE_SOON_DAYS = 3  # a step with this many calendar days left or fewer is "due soon"


class ClockState(StrEnum):
    NOT_STARTED = "not_started"  # the step's clock has not started as of the date
    NO_STATUTORY_TERM = "no_statutory_term"  # started before the law set a term
    ON_TIME = "on_time"  # running, more than DUE_SOON_DAYS left
    DUE_SOON = "due_soon"  # running, DUE_SOON_DAYS or fewer left
    OVERDUE = "overdue"  # running past its last day
    DONE_ON_TIME = "done_on_time"  # done on or before its last day
    DONE_LATE = "done_late"  # done after its last day

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ClockState.NOT_STARTED: "未开始",
    ClockState.NO_STATUTORY_TERM: "无法定时限",
    ClockState.ON_TIME: "期限内",
    ClockState.DUE_SOON: "即将到期",
    ClockState.OVERDUE: "已超期",
    ClockState.DONE_ON_TIME: "按期完成",
    ClockState.DONE_LATE: "逾期完成",
}


@dataclass(frozen=True, slots=True)
class StepClock:
    """One step of a clock as of a date. ``days_left`` counts calendar days to ``due_on`` while the
    step runs (0 on its last day); ``days_late`` counts days past ``due_on`` (running or done)."""

    state: ClockState
    starts_on: date | None
    due_on: date | None
    done_on: date | None
    days_left: int | None
    days_late: int | None
    article: str

    @property
    def label(self) -> str:
        return self.state.label


def step_clock(
    *,
    starts_on: date | None,
    due_on: date | None,
    done_on: date | None,
    as_of: date,
    article: str,
    due_soon_days: int = DUE_SOON_DAYS,
) -> StepClock:
    """The state of one step as of ``as_of``: what happened after ``as_of`` has not happened yet."""
    if starts_on is None or starts_on > as_of:
        return StepClock(ClockState.NOT_STARTED, None, None, None, None, None, article)
    done = done_on if done_on is not None and done_on <= as_of else None
    if due_on is None:
        return StepClock(ClockState.NO_STATUTORY_TERM, starts_on, None, done, None, None, article)
    if done is not None:
        late = max(0, (done - due_on).days)
        state = ClockState.DONE_LATE if late else ClockState.DONE_ON_TIME
        return StepClock(state, starts_on, due_on, done, None, late, article)
    if as_of > due_on:
        return StepClock(ClockState.OVERDUE, starts_on, due_on, None, None, (as_of - due_on).days, article)
    left = (due_on - as_of).days
    state = ClockState.DUE_SOON if left <= due_soon_days else ClockState.ON_TIME
    return StepClock(state, starts_on, due_on, None, left, 0, article)


def _art25_applies(start: date) -> bool:
    return start >= REGULATION_2025_IN_FORCE


def forward_deadline(accepted_on: date, cal: WorkCalendar) -> DueDate | None:
    """Last day to forward a complaint accepted on ``accepted_on``; None before the 2025 text."""
    if not _art25_applies(accepted_on):
        return None
    return add_working_days(accepted_on, FORWARD_WORKING_DAYS, cal)


def result_deadline(received_on: date, cal: WorkCalendar) -> DueDate | None:
    """Last day for the written result, 30 days from receipt of the materials."""
    if not _art25_applies(received_on):
        return None
    return period_end_days(received_on, RESULT_DAYS, cal)


def result_cap(received_on: date, cal: WorkCalendar) -> DueDate | None:
    """The latest an extension may reach: 90 days from receipt."""
    if not _art25_applies(received_on):
        return None
    return period_end_days(received_on, RESULT_MAX_DAYS, cal)


def check_extension(
    *, received_on: date, current_due: date, extended_to: date, approved_on: date, cal: WorkCalendar
) -> DueDate:
    """Validate an approved extension of the result term (art. 25); returns the 90-day cap.

    The new last day must be later than the current one and no later than the cap; the approval
    must be given before the current term has run out (a term that has expired cannot be
    extended, only missed).
    """
    cap = result_cap(received_on, cal)
    if cap is None:
        raise RuleError(
            "claim_extension_no_term",
            "2025年6月1日前收到的材料不适用条例（2025）第二十五条的办理期限，无需延期",
            field="extended_to",
        )
    if extended_to <= current_due:
        raise RuleError(
            "claim_extension_not_later",
            f"延长后的期限须晚于现期限{current_due.isoformat()}",
            field="extended_to",
        )
    if extended_to > cap.date:
        raise RuleError(
            "claim_extension_beyond_cap",
            f"延长后最长不超过收到材料之日起90日，即{cap.date.isoformat()}（条例（2025）第二十五条）",
            field="extended_to",
        )
    if approved_on > current_due:
        raise RuleError(
            "claim_extension_too_late",
            f"现期限已于{current_due.isoformat()}届满，不能再批准延期",
            field="approved_on",
        )
    return cap


def confirmation_deadline(requested_on: date, cal: WorkCalendar) -> DueDate | None:
    """Last day to confirm a receivable requested on ``requested_on``; None before 2020-09-01."""
    if requested_on < REGULATION_2020_IN_FORCE:
        return None
    return period_end_days(requested_on, CONFIRMATION_DAYS, cal)


def confirmation_article(requested_on: date) -> str:
    return f"{regulation_name(requested_on)}{article('confirmation', requested_on)}"


ART_25 = "《保障中小企业款项支付条例》（2025）第二十五条"
ART_17_2020 = "《保障中小企业款项支付条例》（2020）第十七条（及时处理，未规定期限）"


def art25_article(start: date | None) -> str:
    if start is not None and not _art25_applies(start):
        return ART_17_2020
    return ART_25
