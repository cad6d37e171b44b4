"""R5: 新官不理旧账 — an overdue debt that outlived the principal who incurred it.

条例 (2025) art. 14 / (2020) art. 13 forbid refusing or delaying payment because the
主要负责人 changed, and 《优化营商环境条例》 art. 31 forbids breaking commitments because of
换届、机构或者职能调整、相关责任人更替. The ledger therefore compares who led the debtor when
the obligation arose with who leads it now, following 机构改革 successions (debts pass to the
successor agency).

Decisions (docs/adr): the comparison is by person, so the same person re-appointed in a new
tenure — even after someone else held the office in between — is *not* a change: the one who
incurred the debt is back in charge. A vacancy now, or an acting head now (主持工作), *is* a
change, except that an acting head who later holds the office substantively is still the same
person. A debt that arose during a vacancy changes hands when anyone takes office afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ledger.rules.errors import RuleError

__all__ = [
    "CONTRACT_FLAG_DAYS",
    "LegacyResult",
    "Succession",
    "TenureSpan",
    "contract_flag",
    "is_legacy_case",
    "on_time_ratio",
    "principal_on",
]

CONTRACT_FLAG_DAYS = 30  # SPEC R5: a government milestone due and unmet this long after a handover
_RATIO = Decimal("0.0001")
_MAX_SUCCESSION_CHAIN = 50


@dataclass(frozen=True, slots=True)
class TenureSpan:
    """A principal's tenure at an agency, ``[start, end)``; end None = current."""

    agency_id: object
    person: str
    start: date
    end: date | None
    acting: bool = False  # 主持工作, not formally appointed

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class Succession:
    """From ``on``, ``to_agency_id`` takes over ``from_agency_id`` and its debts (机构改革)."""

    from_agency_id: object
    to_agency_id: object
    on: date


@dataclass(frozen=True, slots=True)
class LegacyResult:
    is_case: bool
    handover_on: date | None
    days_since_handover: int | None
    principal_then: TenureSpan | None
    principal_now: TenureSpan | None


def _agency_on(agency_id: object, day: date, successions: Sequence[Succession]) -> object:
    """The agency answerable on ``day`` for debts of ``agency_id``, following successions."""
    current = agency_id
    for _ in range(_MAX_SUCCESSION_CHAIN):
        nexts = [s for s in successions if s.from_agency_id == current and s.on <= day]
        if not nexts:
            return current
        if len({s.to_agency_id for s in nexts}) > 1:
            raise RuleError(
                "legacy_ambiguous_succession",
                f"机构{current}在{day.isoformat()}前有多个承继机构，债务承继关系须唯一",
                field="successions",
            )
        current = nexts[0].to_agency_id
    raise RuleError("legacy_succession_cycle", "机构承继关系形成循环", field="successions")


def principal_on(
    agency_id: object, day: date, tenures: Sequence[TenureSpan], successions: Sequence[Succession]
) -> TenureSpan | None:
    """The principal tenure in force on ``day`` for debts of ``agency_id``; None = vacancy."""
    agency = _agency_on(agency_id, day, successions)
    found = [t for t in tenures if t.agency_id == agency and t.covers(day)]
    if len(found) > 1:
        raise RuleError(
            "legacy_overlapping_tenures", f"机构{agency}在{day.isoformat()}有多个主要负责人任职记录", field="tenures"
        )
    return found[0] if found else None


def _same_principal(then: TenureSpan | None, now: TenureSpan | None) -> bool:
    if then is None or now is None:
        return then is None and now is None  # a vacancy is only "the same" as itself; see below
    if then == now:
        return True
    # Same person re-appointed counts as the same; an acting head now counts as a change.
    return then.person == now.person and not now.acting


def _change_days(
    after: date, through: date, tenures: Iterable[TenureSpan], successions: Iterable[Succession]
) -> list[date]:
    # The principal in force can only change on these days.
    days = {t.start for t in tenures} | {t.end for t in tenures if t.end is not None}
    days |= {s.on for s in successions}
    return sorted(d for d in days if after < d <= through)


def is_legacy_case(
    *,
    debtor_agency_id: object,
    arose_on: date,
    as_of: date,
    overdue: bool,
    tenures: Sequence[TenureSpan],
    successions: Sequence[Succession],
) -> LegacyResult:
    """Whether an obligation is a 新官不理旧账 case as of ``as_of`` (SPEC R5).

    It is when it is overdue and the principal in force now (following successor agencies) is
    not the one in force when it arose. ``handover_on`` is the first day the principal in force
    stopped being the one of the day it arose; it is reported whenever the principal changed,
    overdue or not.
    """
    if as_of < arose_on:
        raise RuleError("legacy_as_of_before_arose", "统计日期早于债务发生日期", field="as_of")
    then = principal_on(debtor_agency_id, arose_on, tenures, successions)
    now = principal_on(debtor_agency_id, as_of, tenures, successions)
    change_days = _change_days(arose_on, as_of, tenures, successions)

    def differs(state: TenureSpan | None) -> bool:
        if then is None:
            return state is not None
        return not _same_principal(then, state)

    handover_on = next(
        (d for d in change_days if differs(principal_on(debtor_agency_id, d, tenures, successions))),
        None,
    )
    # Vacancy then and vacancy now is a change only if someone held office in between.
    changed = handover_on is not None if then is None and now is None else not _same_principal(then, now)
    if not changed:
        handover_on = None
    return LegacyResult(
        is_case=overdue and changed,
        handover_on=handover_on,
        days_since_handover=None if handover_on is None else (as_of - handover_on).days,
        principal_then=then,
        principal_now=now,
    )


def _ratio(on_time: int, decided: int) -> Decimal | None:
    if decided == 0:
        return None
    return (Decimal(on_time) / Decimal(decided)).quantize(_RATIO, rounding=ROUND_HALF_UP)


def on_time_ratio(
    obligations: Iterable[tuple[date, date, date | None, date]], handover_on: date
) -> tuple[Decimal | None, Decimal | None]:
    """On-time payment ratios of an agency's obligations arising before / on-or-after a handover.

    Each obligation is ``(arose_on, due_on, fully_paid_on or None, as_of)``. Only decided ones
    count: paid by ``as_of`` (on time when paid on or before the due date), or unpaid past the
    due date (late). One unpaid on or before its due date is still undecided. None when a side
    has nothing decided.
    """
    counts = {True: [0, 0], False: [0, 0]}  # after handover? → [on time, decided]
    for arose_on, due_on, fully_paid_on, as_of in obligations:
        paid = fully_paid_on if fully_paid_on is not None and fully_paid_on <= as_of else None
        if paid is None and as_of <= due_on:
            continue
        side = counts[arose_on >= handover_on]
        side[1] += 1
        if paid is not None and paid <= due_on:
            side[0] += 1
    return _ratio(*counts[False]), _ratio(*counts[True])


def contract_flag(
    *,
    signed_on: date,
    handover_dates: Iterable[date],
    milestones: Iterable[tuple[date, date | None]],
    as_of: date,
) -> bool:
    """Flag a contract whose government milestone went unmet under a new principal (SPEC R5).

    True when there was a handover after signing (on or before ``as_of``) and a government
    milestone ``(due_on, met_on)`` is unmet as of ``as_of`` and has been due and unmet for
    ``CONTRACT_FLAG_DAYS`` days or more since the later of its due date and that handover —
    the new principal has had that long to act on it.
    """
    handovers = [h for h in handover_dates if signed_on < h <= as_of]
    if not handovers:
        return False
    first = min(handovers)
    for due_on, met_on in milestones:
        unmet = met_on is None or met_on > as_of
        if unmet and (as_of - max(due_on, first)).days >= CONTRACT_FLAG_DAYS:
            return True
    return False
