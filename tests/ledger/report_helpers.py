"""Builders for the filter, export and report tests: obligations with exact dates and amounts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ledger.services.obligations import payment_record
from tests.owned_objects import obligation_for


def ob(world, *, due_on: date, principal: str = "1000.00", agency=None, creditor=None, arose_on=None, **fields):
    """A contract-regime obligation without an agreed rate (no interest: payments go to principal)."""
    arose_on = arose_on or min(due_on - timedelta(days=30), due_on)
    agency = agency or world.agency_a
    return obligation_for(
        world,
        debtor_agency=agency,
        creditor=creditor or world.enterprise_1,
        region_code=agency.region_code,
        principal=Decimal(principal),
        arose_on=arose_on,
        trigger_on=fields.pop("trigger_on", arose_on),
        due_on=due_on,
        **fields,
    )


def pay(world, obligation, amount: str, on: date):
    payment_record(actor=world.administrator, obligation=obligation, kind="payment", on=on, amount=amount)
    obligation.refresh_from_db()
    return obligation
