"""Lifecycles of the obligation ledger: one transition table per status field, one assigning function.

The states themselves are the TextChoices in ledger/models/obligations.py (each commented there);
the tables say which moves are allowed. ``assign_status`` is the only code that writes these
status fields: it locks the row, checks the table, raises IllegalTransition (409) and saves, so
simple-history records who moved it and when.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models, transaction

from ledger.errors import IllegalTransition
from ledger.models import ConfirmationStatus, Outcome, RedemptionStatus

R = RedemptionStatus
# 政策兑现: applied → accepted (受理; the clock starts) → approved | rejected;
# 免申即享: eligible → notified (告知; the clock starts) → approved | rejected.
REDEMPTION_TRANSITIONS: Mapping[str, frozenset[str]] = {
    R.APPLIED: frozenset({R.ACCEPTED, R.REJECTED}),
    R.ACCEPTED: frozenset({R.APPROVED, R.REJECTED}),
    R.ELIGIBLE: frozenset({R.NOTIFIED, R.REJECTED}),
    R.NOTIFIED: frozenset({R.APPROVED, R.REJECTED}),
    R.APPROVED: frozenset(),  # paid / closed are read from its obligation
    R.REJECTED: frozenset(),
}

OC = Outcome
# Final outcome of an obligation. ``paid`` follows the entries (set and, after a reversal, unset by
# the payment service); written off and cancelled are explicit actions with a basis.
OUTCOME_TRANSITIONS: Mapping[str, frozenset[str]] = {
    OC.OPEN: frozenset({OC.PAID, OC.WRITTEN_OFF, OC.CANCELLED}),
    OC.PAID: frozenset({OC.OPEN}),  # a reversal reopened it
    OC.WRITTEN_OFF: frozenset(),
    OC.CANCELLED: frozenset(),
}

C = ConfirmationStatus
# 对账确认: the creditor confirms or objects to each entry; an objection can be withdrawn by confirming.
CONFIRMATION_TRANSITIONS: Mapping[str, frozenset[str]] = {
    C.PENDING: frozenset({C.CONFIRMED, C.OBJECTED}),
    C.OBJECTED: frozenset({C.CONFIRMED}),
    C.CONFIRMED: frozenset(),
}


def _label(instance: models.Model, field: str, value: str) -> str:
    choices = dict(instance._meta.get_field(field).choices or [])
    return str(choices.get(value, value))


@transaction.atomic
def assign_status(
    instance: models.Model, to: str, *, table: Mapping[str, frozenset[str]], field: str = "status", **facts
):
    """Move ``instance.<field>`` to ``to`` if ``table`` allows it from the state in the database.

    ``facts`` are other fields written in the same save (the date of the step, a reason…).
    Returns the instance, updated in place.
    """
    model = type(instance)
    current = model._default_manager.select_for_update().values_list(field, flat=True).get(pk=instance.pk)
    if to not in table.get(current, frozenset()):
        raise IllegalTransition(
            f"当前状态“{_label(instance, field, current)}”不能变为“{_label(instance, field, to)}”",
            code="illegal_transition",
        )
    setattr(instance, field, to)
    for name, value in facts.items():
        setattr(instance, name, value)
    instance.save(update_fields=[field, *facts])
    return instance
