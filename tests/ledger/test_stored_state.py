"""Pages that read a few hundred obligations take each one's state from the state stored beside
its last entry (``with_stored_state``), not from a walk over its entries (issue 9). On both
databases, for every case the rule distinguishes and as of dates around every entry, the two
give the very same ``InterestState``; an entry whose state was never stored falls back to the
walk, in one query for the whole page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger.models import LedgerEntry, Obligation
from ledger.selectors.obligations import obligation_state, with_entries_where_unstored, with_stored_state
from ledger.selectors.status import enterprise_status
from tests.ledger.state_book import AS_OF, book_of

pytestmark = pytest.mark.django_db


def _walked(as_of: date) -> dict[str, object]:
    qs = Obligation.objects.prefetch_related("entries").order_by("id")
    return {o.reference: obligation_state(o, as_of, entries=list(o.entries.order_by("on", "id"))) for o in qs}


def _stored(as_of: date) -> dict[str, object]:
    rows = list(with_stored_state(Obligation.objects.order_by("id"), as_of))
    return {o.reference: obligation_state(o, as_of) for o in rows}


@pytest.mark.parametrize("as_of", AS_OF, ids=str)
def test_the_stored_state_gives_the_walks_state(world, as_of):
    book_of(world)
    walked = _walked(as_of)
    with CaptureQueriesContext(connection) as queries:
        stored = _stored(as_of)
    assert len(queries) == 1  # the obligations with their last entries' states; no entry read
    assert len(stored) == 11
    assert stored == walked


def test_the_stored_state_gives_the_rules_exact_figures(world):
    book = book_of(world)
    stored = _stored(date(2026, 6, 5))
    # SPEC R3's example: 200,000.00 unpaid 30 days at 0.05 % a day
    unpaid = stored[book["sme_unpaid"].reference]
    assert (unpaid.days_overdue, unpaid.interest_accrued, unpaid.interest_unpaid) == (
        30,
        Decimal("3000.00"),
        Decimal("3000.00"),
    )
    # 50,000 paid on day 20: 2,000.00 of interest first, 48,000 to principal; then 152,000 × 10 days
    first = stored[book["sme_interest_first"].reference]
    assert (first.principal_paid, first.principal_outstanding) == (Decimal("48000.00"), Decimal("152000.00"))
    assert (first.interest_accrued, first.interest_paid, first.interest_unpaid) == (
        Decimal("2760.00"),
        Decimal("2000.00"),
        Decimal("760.00"),
    )
    # the agreed rate below the LPR gives way to the LPR: 99,999.99 × 25 days × 3.45 % ÷ 365
    below = stored[book["sme_agreed_below_lpr"].reference]
    assert (below.fully_paid_on, below.days_overdue, below.interest_accrued) == (
        date(2026, 5, 31),
        25,
        Decimal("236.30"),
    )
    assert stored[book["contract_no_rate"].reference].interest_accrued is None


def test_an_entry_without_its_state_is_walked_and_the_page_reads_entries_once(world):
    book = book_of(world)
    LedgerEntry.objects.filter(obligation=book["contract_rate"]).update(after_principal_outstanding=None)
    as_of = date(2026, 11, 26)
    rows = list(with_stored_state(Obligation.objects.order_by("id"), as_of))
    with CaptureQueriesContext(connection) as queries:
        with_entries_where_unstored(rows, as_of)
        states = {o.reference: obligation_state(o, as_of) for o in rows}
    assert len(queries) == 1  # the entries of the one obligation whose state is missing
    assert f"IN ({book['contract_rate'].pk})" in queries[0]["sql"]
    assert states == _walked(as_of)
    # 80,000 at 3.65 % ÷ 365 = 0.01 % a day, interest first: 30,000 on 5-20 pays 14 days' 112.00
    # and 29,888.00 of principal; 40,000 on 9-09 pays 112 days × 50,112.00 = 561.25 (rounded
    # once over both periods: 673.25 − 112.00) and 39,438.75 of principal → 10,673.25 left
    assert states[book["contract_rate"].reference].principal_outstanding == Decimal("10673.25")


def test_the_enterprise_status_reads_no_entry(world):
    book_of(world)
    with CaptureQueriesContext(connection) as queries:
        st = enterprise_status(user=world.enterprise_user_1, as_of=date(2026, 6, 5))
    assert [q["sql"][:30] for q in queries if q["sql"].startswith('SELECT "ledger_ledgerentry"')] == []
    assert len(st.obligations) == 11
    first = next(r for r in st.obligations if r.money.principal_outstanding == Decimal("152000.00"))
    assert (first.money.interest_accrued, first.money.interest_unpaid) == (Decimal("2760.00"), Decimal("760.00"))
