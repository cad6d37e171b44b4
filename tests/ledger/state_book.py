"""Eleven obligations, one per case the money rule distinguishes (every regime, interest first
and principal first, an interest payment, a waiver, a same-day reversal, written off, cancelled,
paid early), and the dates to read them as of: shared by the tests that prove a faster path
gives the rule's own figures (the SQL export, the stored entry states)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ledger.models import Obligation, Outcome
from ledger.services.obligations import obligation_close, payment_record
from tests.factories import TenureFactory
from tests.ledger.report_helpers import ob

DUE = date(2026, 5, 6)


def entry(world, obligation, kind, on, amount=None, **kw):
    return payment_record(actor=world.administrator, obligation=obligation, kind=kind, on=on, amount=amount, **kw)


def book_of(world) -> dict[str, Obligation]:
    """One obligation per case the rule distinguishes."""
    TenureFactory(agency=world.agency_a, person="甲", start_on=date(2020, 1, 1), end_on=date(2026, 6, 1))
    TenureFactory(agency=world.agency_a, person="乙", start_on=date(2026, 6, 1))
    sme = {"regime": "sme_procurement", "sme_declared": True}
    due = {"arose_on": date(2026, 4, 6), "due_on": DUE}
    book = {
        "sme_unpaid": ob(world, principal="200000.00", **due, **sme),
        "sme_interest_first": ob(world, principal="200000.00", **due, **sme),
        "sme_agreed_above_lpr": ob(
            world,
            principal="123456.78",
            **due,
            **sme,
            agreed_annual_rate=Decimal("5.4750"),
            lpr_at_signing=Decimal("3.450"),
        ),
        "sme_agreed_below_lpr": ob(
            world,
            principal="99999.99",
            **due,
            **sme,
            agreed_annual_rate=Decimal("2.0000"),
            lpr_at_signing=Decimal("3.450"),
        ),
        "contract_rate": ob(
            world, principal="80000.00", **due, regime="contract", agreed_annual_rate=Decimal("3.6500")
        ),
        "contract_no_rate": ob(world, principal="80000.00", **due, regime="contract"),
        "court": ob(world, principal="5000.00", **due, regime="court_decision", source="decision"),
        "redemption": ob(world, principal="3000.00", **due, regime="redemption", source="redemption"),
        "written_off": ob(world, principal="1000.00", **due, regime="contract"),
        "cancelled": ob(world, principal="1000.00", **due, regime="contract"),
        "early_paid": ob(world, principal="1000.00", **due, regime="contract", agreed_annual_rate=Decimal("3.6500")),
    }
    # interest first (民法典 art. 561): the part payment settles interest, then principal; then
    # interest paid and waived, and a payment reversed the same day.
    o = book["sme_interest_first"]
    entry(world, o, "payment", date(2026, 5, 26), "50000.00")
    entry(world, o, "interest_payment", date(2026, 6, 10), "300.00")
    entry(world, o, "interest_waiver", date(2026, 6, 10), "0.55", basis="企业书面同意减免")
    wrong = entry(world, o, "payment", date(2026, 7, 1), "10000.00")
    entry(world, o, "reversal", date(2026, 7, 1), reverses=wrong, basis="银行退票")
    entry(world, o, "payment", date(2026, 8, 3), "150000.00")
    o = book["sme_agreed_above_lpr"]
    entry(world, o, "payment", date(2026, 6, 1), "23456.78", allocation="principal_first", basis="合同约定先本后息")
    o = book["sme_agreed_below_lpr"]
    entry(world, o, "payment", date(2026, 5, 31), "99999.99", allocation="principal_first", basis="双方约定先本后息")
    o = book["contract_rate"]
    entry(world, o, "payment", date(2026, 5, 20), "30000.00")
    entry(world, o, "payment", date(2026, 9, 9), "40000.00")
    o = book["court"]  # the money debt first, then the doubled interest (法释〔2014〕8号 art. 4)
    entry(world, o, "payment", date(2026, 6, 5), "5000.00")
    entry(world, o, "interest_payment", date(2026, 6, 5), "10.00")
    o = book["redemption"]
    entry(world, o, "payment", date(2026, 5, 1), "1000.00")
    obligation_close(
        actor=world.administrator,
        obligation=book["written_off"],
        outcome=Outcome.WRITTEN_OFF,
        on=date(2026, 7, 1),
        basis="依法核销",
    )
    obligation_close(
        actor=world.administrator,
        obligation=book["cancelled"],
        outcome=Outcome.CANCELLED,
        on=date(2026, 5, 1),
        basis="合同解除",
    )
    entry(world, book["early_paid"], "payment", date(2026, 4, 20), "1000.00")
    return book


AS_OF = [
    date(2026, 4, 1),  # before anything arose
    date(2026, 4, 20),  # before due, on an early payment
    DUE - timedelta(days=1),
    DUE,
    date(2026, 5, 26),  # the day of a part payment
    date(2026, 6, 10),  # an interest payment and a waiver the same day
    date(2026, 7, 1),  # a payment and its reversal
    date(2026, 8, 2),
    date(2026, 8, 3),  # paid off
    date(2026, 11, 26),
    date(2031, 2, 28),  # years on
]
