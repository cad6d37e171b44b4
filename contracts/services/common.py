"""Helpers the contract services share: who may write, date checks, the event log."""

from __future__ import annotations

from datetime import date

from contracts.models import Contract, ContractEvent
from ledger import clock
from ledger.errors import NotFound, PermissionDenied, ValidationFailed
from ledger.models import Role, User
from ledger.selectors.scoping import is_visible, owns_agency


def check_writer(actor: User, contract: Contract) -> None:
    """Only the agency's own staff write its contracts (SPEC §1); others cannot even see it (404)."""
    if not is_visible(actor, contract):
        raise NotFound()
    if not may_write_for(actor, contract.agency_id):
        raise PermissionDenied("只有合同所属单位的工作人员可以操作该合同")


def may_write_for(actor: User, agency_id: int | None) -> bool:
    # Administrators keep users and reference data, not contracts (SPEC §1).
    if actor.is_superuser:
        return True
    return actor.role == Role.AGENCY_STAFF and owns_agency(actor, agency_id)


def lock(contract: Contract) -> Contract:
    try:
        return Contract.objects.select_for_update().select_related("agency", "counterparty").get(pk=contract.pk)
    except Contract.DoesNotExist:
        raise NotFound() from None


def check_past(on: date, field: str) -> date:
    if not isinstance(on, date):
        raise ValidationFailed.field(field, "须填写日期（YYYY-MM-DD）", code="required")
    if on > clock.today():
        raise ValidationFailed.field(field, f"日期{on.isoformat()}晚于今天，不能预先记录", code="future_date")
    return on


def text(value: str | None, field: str, *, required: bool, what: str, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed.field(field, f"须填写{what}", code="required")
    if max_length is not None and len(value) > max_length:
        raise ValidationFailed.field(field, f"{what}不得超过{max_length}字", code="too_long")
    return value


def last_event_on(contract: Contract, *, kinds: tuple[str, ...]) -> date | None:
    """The date of the latest step of these kinds on the contract: steps never go back in time."""
    return (
        ContractEvent.objects.filter(contract=contract, kind__in=kinds)
        .order_by("-on")
        .values_list("on", flat=True)
        .first()
    )


def record_event(contract: Contract, *, actor: User, kind: str, on: date, **fields) -> ContractEvent:
    return ContractEvent.objects.create(contract=contract, actor=actor, kind=kind, on=on, **fields)
