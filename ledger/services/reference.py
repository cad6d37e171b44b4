"""Reference data kept by administrators: calendar overrides and the LPR table."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from ledger.errors import ValidationFailed
from ledger.models import CalendarOverride, LprRate, User


@transaction.atomic
def calendar_override_save(
    *, actor: User, override: CalendarOverride | None = None, day: date, is_workday: bool, basis: str
) -> CalendarOverride:
    clash = CalendarOverride.objects.filter(day=day)
    if override is not None:
        clash = clash.exclude(pk=override.pk)
    if clash.exists():
        raise ValidationFailed.field("day", "该日期已有调整记录", code="duplicate")
    override = override or CalendarOverride()
    override.day, override.is_workday, override.basis = day, is_workday, basis
    override.save()
    return override


@transaction.atomic
def lpr_rate_save(
    *, actor: User, rate: LprRate | None = None, effective_from: date, one_year: Decimal, basis: str
) -> LprRate:
    clash = LprRate.objects.filter(effective_from=effective_from)
    if rate is not None:
        clash = clash.exclude(pk=rate.pk)
    if clash.exists():
        raise ValidationFailed.field("effective_from", "该日期已有LPR记录", code="duplicate")
    rate = rate or LprRate()
    rate.effective_from, rate.one_year, rate.basis = effective_from, one_year, basis
    rate.save()
    return rate
