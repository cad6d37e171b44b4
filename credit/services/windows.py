"""The administrator's publicity-window table (SPEC §1: reference data; SPEC R10)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from credit.models import PublicityWindowRule, Severity
from ledger.errors import ValidationFailed
from ledger.models import User
from ledger.rules.publicity import DEFAULT_WINDOWS
from ledger.seeding import upsert


@transaction.atomic
def publicity_window_save(
    *,
    actor: User | None,
    window: PublicityWindowRule | None = None,
    severity: str,
    published: bool,
    min_months: int,
    max_months: int,
    effective_from: date,
    basis: str,
) -> PublicityWindowRule:
    """A row applies to records determined from ``effective_from``; records already determined keep
    the window they were determined under (it is stored on them)."""
    if severity not in Severity.values:
        raise ValidationFailed.field("severity", "失信等级应为轻微、一般或严重", code="invalid_choice")
    if max_months <= 0:
        raise ValidationFailed.field("max_months", "最长公示期须大于0", code="invalid_range")
    if min_months > max_months:
        raise ValidationFailed.field("min_months", "最短公示期不得长于最长公示期", code="invalid_range")
    if not (basis or "").strip():
        raise ValidationFailed.field("basis", "须写明法律依据", code="required")
    clash = PublicityWindowRule.objects.filter(severity=severity, effective_from=effective_from)
    if window is not None:
        clash = clash.exclude(pk=window.pk)
        if window.records.exists():
            raise ValidationFailed.field(
                "effective_from", "已有记录按此规则认定，不能修改；请新增一行自新的日期起适用", code="in_use"
            )
    if clash.exists():
        raise ValidationFailed.field("effective_from", "该失信等级在此日期已有规则", code="duplicate")
    window = window or PublicityWindowRule()
    window.severity, window.published = severity, published
    window.min_months, window.max_months = min_months, max_months
    window.effective_from, window.basis = effective_from, basis.strip()
    window._history_user = actor
    window.save()
    return window


@transaction.atomic
def seed_publicity_windows() -> None:
    """Seed hook: 信用修复管理办法 (NDRC 令第36号) from 2026-04-01 (ledger.rules.publicity)."""
    for w in DEFAULT_WINDOWS:
        upsert(
            PublicityWindowRule,
            severity=w.severity,
            effective_from=w.effective_from,
            defaults={
                "published": w.published,
                "min_months": w.min_months,
                "max_months": w.max_months,
                "basis": w.basis,
            },
        )
