"""The SQL twins of the live rules agree with the rules (style.md: one table-driven test each).

- R5 新官不理旧账: ``selectors.live.with_legacy`` against ``selectors.obligations.figures`` (which asks
  ``rules.legacy.is_legacy_case``), over tenure histories that bite: a handover, the same person
  re-appointed, an acting head now, an acting head made substantive, vacancies, and successions.
- The claim handling clock (条例 (2025) art. 25): ``filters.claim_handling_overdue_q`` against
  ``selectors.status.claim_clock``.
"""

from __future__ import annotations

from datetime import date

import pytest

from ledger import models as m
from ledger.filters import claim_handling_overdue_q
from ledger.rules.claims import ClockState
from ledger.selectors import live
from ledger.selectors.live import AgencyGraph, legacy_where_q, with_legacy
from ledger.selectors.obligations import LegacyFacts, figures, obligation_queryset
from ledger.selectors.status import claim_clock
from tests.factories import AgencyFactory, TenureFactory
from tests.ledger.report_helpers import ob, pay
from tests.owned_objects import claim_for

D = date
OPEN = None

# name → [(agency label, person, start, end, acting)]; agencies "x" (the debtor), "new" (successor)
TENURES = {
    "handover": [("x", "甲", D(2020, 1, 1), D(2026, 3, 1), False), ("x", "乙", D(2026, 3, 1), OPEN, False)],
    "no_change": [("x", "甲", D(2020, 1, 1), OPEN, False)],
    "vacant_now": [("x", "甲", D(2020, 1, 1), D(2026, 3, 1), False)],
    "acting_now": [("x", "甲", D(2020, 1, 1), D(2026, 3, 1), False), ("x", "乙", D(2026, 3, 1), OPEN, True)],
    "same_person_back": [
        ("x", "甲", D(2020, 1, 1), D(2026, 2, 1), False),
        ("x", "乙", D(2026, 2, 1), D(2026, 4, 1), False),
        ("x", "甲", D(2026, 4, 1), OPEN, False),
    ],
    "arose_in_vacancy": [("x", "乙", D(2026, 3, 1), OPEN, False)],
    "vacancy_then_and_now_someone_between": [
        ("x", "甲", D(2020, 1, 1), D(2026, 2, 1), False),
        ("x", "丙", D(2026, 3, 1), D(2026, 4, 1), False),
    ],
    "always_vacant": [],
    "acting_made_substantive": [
        ("x", "乙", D(2020, 1, 1), D(2026, 3, 1), True),
        ("x", "乙", D(2026, 3, 1), OPEN, False),
    ],
    # 机构改革: x merged into "new" on 2026-03-01
    "merged_other_head": [("x", "甲", D(2020, 1, 1), OPEN, False), ("new", "乙", D(2020, 1, 1), OPEN, False)],
    "merged_same_head": [("x", "甲", D(2020, 1, 1), OPEN, False), ("new", "甲", D(2026, 1, 1), OPEN, False)],
    "merged_vacant_successor": [("x", "甲", D(2020, 1, 1), OPEN, False)],
    "merged_head_changes_later": [
        ("x", "甲", D(2020, 1, 1), OPEN, False),
        ("new", "乙", D(2020, 1, 1), D(2026, 5, 1), False),
        ("new", "丁", D(2026, 5, 1), OPEN, False),
    ],
}
MERGED = {name for name in TENURES if name.startswith("merged")}
ARISING = [D(2026, 1, 5), D(2026, 2, 10), D(2026, 3, 5), D(2026, 4, 10), D(2026, 5, 20)]
AS_OF = [D(2026, 2, 20), D(2026, 3, 15), D(2026, 4, 20), D(2026, 6, 30)]


def _debtor(setup: str):
    """The debtor "x" with the tenure history ``setup`` (and, for a merger, its successor's)."""
    x, new = AgencyFactory(), AgencyFactory()
    if setup in MERGED:
        x.successor, x.succeeded_on = new, D(2026, 3, 1)
        x.save()
    agencies = {"x": x, "new": new}
    for label, person, start, end, acting in TENURES[setup]:
        TenureFactory(agency=agencies[label], person=person, start_on=start, end_on=end, acting=acting)
    return x


@pytest.mark.django_db
@pytest.mark.parametrize("setup", list(TENURES))
def test_legacy_in_sql_agrees_with_the_rule(world, setup):
    # given the debtor's tenure history (and, for a merger, its successor's)
    x = _debtor(setup)
    # and an obligation arising on each of the days, due 30 days later, unpaid
    for arose_on in ARISING:
        ob(world, agency=x, arose_on=arose_on, due_on=D.fromordinal(arose_on.toordinal() + 30))
    graph = AgencyGraph.load()
    facts = LegacyFacts.load([x.pk])
    for as_of in AS_OF:
        # when R5 is asked in SQL and through the rule
        sql = dict(
            with_legacy(m.Obligation.objects.filter(debtor_agency=x, arose_on__lte=as_of), as_of, graph).values_list(
                "arose_on", "legacy_as_of"
            )
        )
        rule = {
            o.arose_on: figures(o, as_of, facts)["legacy_debt"]
            for o in obligation_queryset().filter(debtor_agency=x, arose_on__lte=as_of)
        }
        # then they agree on every obligation
        assert sql == rule, (setup, as_of)


@pytest.mark.django_db
@pytest.mark.parametrize("setup", list(TENURES))
def test_legacy_as_a_where_predicate_agrees_with_the_rule(world, setup):
    # given the debtor's tenure history, and obligations arising on each day: unpaid, and paid off
    x = _debtor(setup)
    for arose_on in ARISING:
        due_on = D.fromordinal(arose_on.toordinal() + 30)
        ob(world, agency=x, arose_on=arose_on, due_on=due_on)
        pay(world, ob(world, agency=x, arose_on=arose_on, due_on=due_on), "1000.00", due_on)
    facts = LegacyFacts.load([x.pk])
    for as_of in AS_OF:
        # when R5 is asked as a WHERE predicate (on PostgreSQL, the debtors' segments), both ways
        listed = m.Obligation.objects.filter(debtor_agency=x, arose_on__lte=as_of)
        cases = set(listed.filter(legacy_where_q(as_of)).values_list("pk", flat=True))
        others = set(listed.exclude(legacy_where_q(as_of)).values_list("pk", flat=True))
        rule = {
            o.pk
            for o in obligation_queryset().filter(debtor_agency=x, arose_on__lte=as_of)
            if figures(o, as_of, facts)["legacy_debt"]
        }
        # then it selects the rule's cases, and its negation everything else
        assert cases == rule, (setup, as_of)
        assert others == set(listed.values_list("pk", flat=True)) - rule, (setup, as_of)


def test_the_table_has_cases_on_both_sides(db, world):
    """Guard: the table above is only a proof if both answers occur."""
    x = AgencyFactory()
    for _label, person, start, end, acting in TENURES["handover"]:
        TenureFactory(agency=x, person=person, start_on=start, end_on=end, acting=acting)
    early = ob(world, agency=x, arose_on=D(2026, 1, 5), due_on=D(2026, 2, 4))
    late = ob(world, agency=x, arose_on=D(2026, 4, 10), due_on=D(2026, 5, 10))
    flags = dict(with_legacy(m.Obligation.objects.all(), D(2026, 6, 30)).values_list("pk", "legacy_as_of"))
    assert flags == {early.pk: True, late.pk: False}


def _claim(world, **fields):
    base = {"filed_on": D(2026, 5, 1), "status": m.ClaimStatus.ACCEPTED, "accepted_on": D(2026, 5, 4)}
    base.update(fields)
    return claim_for(world, **base)


CLAIMS = {
    "forwarding_late": {"forward_due_on": D(2026, 5, 18)},
    "forwarding_running": {"accepted_on": D(2026, 6, 25), "forward_due_on": D(2026, 7, 9)},
    "no_statutory_term": {"forward_due_on": None},
    "result_late": {
        "status": m.ClaimStatus.FORWARDED,
        "forward_due_on": D(2026, 5, 18),
        "forwarded_on": D(2026, 5, 10),
        "result_due_on": D(2026, 6, 9),
        "result_cap_on": D(2026, 8, 8),
    },
    "result_extended": {
        "status": m.ClaimStatus.FORWARDED,
        "forward_due_on": D(2026, 5, 18),
        "forwarded_on": D(2026, 5, 10),
        "result_due_on": D(2026, 6, 9),
        "result_cap_on": D(2026, 8, 8),
        "result_extended_to": D(2026, 7, 30),
        "extension_approved_on": D(2026, 6, 1),
    },
    "extension_approved_after_as_of": {
        "status": m.ClaimStatus.FORWARDED,
        "forward_due_on": D(2026, 5, 18),
        "forwarded_on": D(2026, 5, 10),
        "result_due_on": D(2026, 6, 9),
        "result_cap_on": D(2026, 8, 8),
        "result_extended_to": D(2026, 7, 30),
        "extension_approved_on": D(2026, 7, 2),
    },
    "decided_in_time": {
        "status": m.ClaimStatus.REJECTED,
        "rejection_reason": "证据不足",
        "forward_due_on": D(2026, 5, 18),
        "forwarded_on": D(2026, 5, 10),
        "result_due_on": D(2026, 6, 9),
        "result_cap_on": D(2026, 8, 8),
        "decided_on": D(2026, 6, 5),
    },
    "decided_after_as_of": {
        "status": m.ClaimStatus.REJECTED,
        "rejection_reason": "证据不足",
        "forward_due_on": D(2026, 5, 18),
        "forwarded_on": D(2026, 5, 10),
        "result_due_on": D(2026, 6, 9),
        "result_cap_on": D(2026, 8, 8),
        "decided_on": D(2026, 7, 5),
    },
    "withdrawn": {"status": m.ClaimStatus.WITHDRAWN, "forward_due_on": D(2026, 5, 18), "withdrawn_on": D(2026, 5, 8)},
}


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", [D(2026, 5, 15), D(2026, 6, 12), D(2026, 6, 30), D(2026, 7, 6)])
def test_claim_handling_overdue_in_sql_agrees_with_the_clock(world, as_of):
    claims = {name: _claim(world, **fields) for name, fields in CLAIMS.items()}
    sql = set(m.Claim.objects.filter(claim_handling_overdue_q(as_of)).values_list("pk", flat=True))
    clock = {
        c.pk
        for c in claims.values()
        if ClockState.OVERDUE in (claim_clock(c, as_of).forward.state, claim_clock(c, as_of).result.state)
    }
    assert sql == clock
    if as_of == D(2026, 6, 30):
        names = {name for name, c in claims.items() if c.pk in sql}
        assert names == {"forwarding_late", "result_late", "extension_approved_after_as_of", "decided_after_as_of"}


@pytest.mark.postgres
def test_the_r5_digest_tells_apart_what_segments_depend_on(world):
    a, b = world.agency_a, world.agency_b
    start = live._r5_facts_digest()
    # a parent and a successor are different facts, though both name the same agency
    m.Agency.objects.filter(pk=a.pk).update(parent=b, successor=None, succeeded_on=None)
    as_parent = live._r5_facts_digest()
    m.Agency.objects.filter(pk=a.pk).update(parent=None, successor=b, succeeded_on=date(2026, 1, 1))
    as_successor = live._r5_facts_digest()
    tenure = TenureFactory(agency=a, person="甲,乙", start_on=date(2020, 1, 1))
    with_comma = live._r5_facts_digest()
    m.Tenure.objects.filter(pk=tenure.pk).update(person="甲", acting=False)
    renamed = live._r5_facts_digest()
    assert len({start, as_parent, as_successor, with_comma, renamed}) == 5
    # the same rows, the same digest
    assert live._r5_facts_digest() == renamed
