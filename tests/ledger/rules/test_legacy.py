"""R5: 新官不理旧账 — legacy-debt cases, on-time ratios and the contract flag."""

from datetime import date
from decimal import Decimal

import pytest

from ledger.rules.errors import RuleError
from ledger.rules.legacy import (
    Succession,
    TenureSpan,
    contract_flag,
    is_legacy_case,
    on_time_ratio,
    principal_on,
)

# Agency A: 张三 until 2024-03-01, vacancy, 李四 acting (主持工作) from 05-01, appointed 09-01.
ZHANG = TenureSpan("A", "张三", date(2022, 1, 1), date(2024, 3, 1), acting=False)
LI_ACTING = TenureSpan("A", "李四", date(2024, 5, 1), date(2024, 9, 1), acting=True)
LI = TenureSpan("A", "李四", date(2024, 9, 1), None, acting=False)
# Agency C: 王五, then 赵六, then 王五 again.
WANG_1 = TenureSpan("C", "王五", date(2020, 1, 1), date(2021, 1, 1))
ZHAO = TenureSpan("C", "赵六", date(2021, 1, 1), date(2022, 1, 1))
WANG_2 = TenureSpan("C", "王五", date(2022, 1, 1), None)
# OLD merged into NEW on 2024-01-01 (机构改革); OLD's tenure was never closed in the records.
MA = TenureSpan("OLD", "马七", date(2019, 1, 1), None)
NIU = TenureSpan("NEW", "牛八", date(2023, 1, 1), None)
TENURES = [ZHANG, LI_ACTING, LI, WANG_1, ZHAO, WANG_2, MA, NIU]
SUCCESSIONS = [Succession("OLD", "NEW", date(2024, 1, 1))]


@pytest.mark.parametrize(
    ("agency", "day", "expected"),
    [
        ("A", date(2024, 2, 29), ZHANG),
        ("A", date(2024, 3, 1), None),  # [start, end): the end day is already a vacancy
        ("A", date(2024, 5, 1), LI_ACTING),
        ("A", date(2021, 12, 31), None),
        ("OLD", date(2023, 12, 31), MA),
        ("OLD", date(2024, 1, 1), NIU),  # from the succession day the successor's principal
        ("NEW", date(2023, 6, 1), NIU),
    ],
)
def test_principal_on(agency, day, expected):
    assert principal_on(agency, day, TENURES, SUCCESSIONS) == expected


def test_principal_on_follows_a_chain_of_successions():
    successions = [Succession("OLD", "MID", date(2024, 1, 1)), Succession("MID", "NEW", date(2025, 1, 1))]
    mid = TenureSpan("MID", "杨九", date(2024, 1, 1), None)
    assert principal_on("OLD", date(2024, 6, 1), [MA, mid, NIU], successions) == mid
    assert principal_on("OLD", date(2025, 2, 1), [MA, mid, NIU], successions) == NIU


@pytest.mark.parametrize(
    ("agency", "arose_on", "as_of", "overdue", "is_case", "handover_on", "days", "then", "now"),
    [
        # vacancy now counts as a change
        ("A", date(2023, 6, 1), date(2024, 4, 1), True, True, date(2024, 3, 1), 31, ZHANG, None),
        # acting head now counts as a change: 2024-03-01 → 06-01 = 31 + 30 + 31 days
        ("A", date(2023, 6, 1), date(2024, 6, 1), True, True, date(2024, 3, 1), 92, ZHANG, LI_ACTING),
        # not overdue: no case, though the handover is still reported
        ("A", date(2023, 6, 1), date(2024, 6, 1), False, False, date(2024, 3, 1), 92, ZHANG, LI_ACTING),
        # same principal throughout
        ("A", date(2023, 6, 1), date(2024, 2, 1), True, False, None, None, ZHANG, ZHANG),
        # arose under 李四 acting, 李四 since appointed: the same person
        ("A", date(2024, 6, 1), date(2025, 1, 1), True, False, None, None, LI_ACTING, LI),
        # arose in a vacancy that still lasts: nobody new
        ("A", date(2024, 4, 1), date(2024, 4, 20), True, False, None, None, None, None),
        # arose in a vacancy, someone took office since
        ("A", date(2024, 4, 1), date(2024, 6, 1), True, True, date(2024, 5, 1), 31, None, LI_ACTING),
        # 王五 re-appointed after 赵六: the one who incurred the debt is back
        ("C", date(2020, 6, 1), date(2023, 1, 1), True, False, None, None, WANG_1, WANG_2),
        # across the merger: 马七 (OLD) until 2023-12-31, then NEW's 牛八
        ("OLD", date(2023, 6, 1), date(2023, 12, 31), True, False, None, None, MA, MA),
        ("OLD", date(2023, 6, 1), date(2024, 1, 1), True, True, date(2024, 1, 1), 0, MA, NIU),
        # 2024-01-01 → 03-01 in a leap year: 31 + 29 days
        ("OLD", date(2023, 6, 1), date(2024, 3, 1), True, True, date(2024, 1, 1), 60, MA, NIU),
    ],
)
def test_is_legacy_case(agency, arose_on, as_of, overdue, is_case, handover_on, days, then, now):
    # when
    result = is_legacy_case(
        debtor_agency_id=agency,
        arose_on=arose_on,
        as_of=as_of,
        overdue=overdue,
        tenures=TENURES,
        successions=SUCCESSIONS,
    )
    # then
    assert result.is_case is is_case
    assert result.handover_on == handover_on
    assert result.days_since_handover == days
    assert result.principal_then == then
    assert result.principal_now == now


def test_merger_into_an_agency_led_by_the_same_person_is_no_change():
    ma_at_new = TenureSpan("NEW", "马七", date(2024, 1, 1), None)
    result = is_legacy_case(
        debtor_agency_id="OLD",
        arose_on=date(2023, 6, 1),
        as_of=date(2024, 6, 1),
        overdue=True,
        tenures=[MA, ma_at_new],
        successions=SUCCESSIONS,
    )
    assert result.is_case is False
    assert result.principal_now == ma_at_new


@pytest.mark.parametrize(
    ("tenures", "successions", "code"),
    [
        ([ZHANG, TenureSpan("A", "钱十", date(2023, 1, 1), None)], [], "legacy_overlapping_tenures"),
        (
            [ZHANG],
            [Succession("A", "B", date(2023, 1, 1)), Succession("A", "C", date(2023, 2, 1))],
            "legacy_ambiguous_succession",
        ),
        (
            [ZHANG],
            [Succession("A", "B", date(2023, 1, 1)), Succession("B", "A", date(2023, 1, 1))],
            "legacy_succession_cycle",
        ),
    ],
)
def test_principal_on_refuses_inconsistent_personnel_facts(tenures, successions, code):
    with pytest.raises(RuleError) as err:
        principal_on("A", date(2023, 6, 1), tenures, successions)
    assert err.value.code == code


def test_is_legacy_case_refuses_as_of_before_arose():
    with pytest.raises(RuleError) as err:
        is_legacy_case(
            debtor_agency_id="A",
            arose_on=date(2024, 6, 1),
            as_of=date(2024, 5, 1),
            overdue=False,
            tenures=TENURES,
            successions=[],
        )
    assert err.value.code == "legacy_as_of_before_arose"


HANDOVER = date(2024, 3, 1)
AS_OF = date(2024, 6, 1)
BEFORE = [
    (date(2023, 1, 1), date(2023, 2, 1), date(2023, 1, 20), AS_OF),  # on time
    (date(2023, 5, 1), date(2023, 6, 1), date(2023, 6, 1), AS_OF),  # on time: paid on the due date
    (date(2023, 7, 1), date(2023, 8, 1), date(2023, 9, 1), AS_OF),  # late
]
AFTER = [
    (date(2024, 3, 1), date(2024, 4, 1), None, AS_OF),  # arose on the handover day; unpaid, late
    (date(2024, 4, 1), date(2024, 5, 1), date(2024, 5, 2), AS_OF),  # late by a day
    (date(2024, 5, 1), date(2024, 6, 30), None, AS_OF),  # not yet due: undecided
    (date(2024, 5, 10), date(2024, 6, 1), None, AS_OF),  # due today, may still be paid: undecided
    (date(2024, 3, 5), date(2024, 4, 1), date(2024, 7, 1), AS_OF),  # paid after as-of: late as of it
]


@pytest.mark.parametrize(
    ("obligations", "expected"),
    [
        # before: 2 of 3 = 0.6667 (half up); after: 0 of 3 decided
        (BEFORE + AFTER, (Decimal("0.6667"), Decimal("0.0000"))),
        (BEFORE, (Decimal("0.6667"), None)),
        (AFTER[2:4], (None, None)),
        ([], (None, None)),
        ([(date(2024, 4, 1), date(2024, 5, 1), date(2024, 4, 15), AS_OF)], (None, Decimal("1.0000"))),
    ],
)
def test_on_time_ratio(obligations, expected):
    assert on_time_ratio(obligations, HANDOVER) == expected


SIGNED = date(2023, 1, 1)


@pytest.mark.parametrize(
    ("handovers", "milestones", "as_of", "flagged"),
    [
        # due before the handover: counted from the handover, 03-01 → 03-31 = 30 days
        ([HANDOVER], [(date(2024, 1, 15), None)], date(2024, 3, 31), True),
        ([HANDOVER], [(date(2024, 1, 15), None)], date(2024, 3, 30), False),
        # due after the handover: 04-01 → 05-01 = 30 days
        ([HANDOVER], [(date(2024, 4, 1), None)], date(2024, 5, 1), True),
        ([HANDOVER], [(date(2024, 4, 1), None)], date(2024, 4, 30), False),
        # met before the as-of date: not flagged
        ([HANDOVER], [(date(2024, 1, 15), date(2024, 3, 20))], date(2024, 6, 1), False),
        # met only after the as-of date: still unmet as of it
        ([HANDOVER], [(date(2024, 1, 15), date(2024, 5, 1))], date(2024, 3, 31), True),
        # one of several milestones suffices
        ([HANDOVER], [(date(2024, 1, 15), date(2024, 2, 1)), (date(2024, 4, 1), None)], date(2024, 5, 1), True),
        # no handover after signing, or none yet by the as-of date
        ([date(2022, 12, 1)], [(date(2024, 1, 15), None)], date(2024, 6, 1), False),
        ([SIGNED], [(date(2024, 1, 15), None)], date(2024, 6, 1), False),
        ([date(2024, 7, 1)], [(date(2024, 1, 15), None)], date(2024, 6, 1), False),
        ([], [(date(2024, 1, 15), None)], date(2024, 6, 1), False),
    ],
)
def test_contract_flag(handovers, milestones, as_of, flagged):
    assert contract_flag(signed_on=SIGNED, handover_dates=handovers, milestones=milestones, as_of=as_of) is flagged
