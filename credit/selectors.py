"""Reads of dishonesty records and batches, and their live states as of a date (SPEC R10).

Whether a record is published is computed, never stored: from its determination, its window
(stored at determination), the step that closed it and the performance of its obligation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Prefetch, QuerySet

from credit.candidates import RULES, source_querysets
from credit.models import (
    CLOSED_AFTER_DETERMINATION,
    DETERMINED_OR_AFTER,
    DishonestyRecord,
    ExportBatch,
    ExportRow,
    RecordEvent,
    RecordStatus,
)
from ledger.models import User
from ledger.rules.publicity import can_repair, is_expired
from ledger.selectors.scoping import visible_to


@dataclass(frozen=True)
class Publication:
    """A record's publicity as of a date."""

    code: str
    published: bool  # on the credit platform as of the date
    flagged: bool  # at or past the maximum with the obligation unperformed: the credit officer decides
    repaired: bool

    LABELS = {
        "not_determined": "未认定",
        "not_published": "已认定，不公示（轻微失信）",
        "published": "公示中",
        "max_reached": "最长公示期届满，停止公示",
        "max_reached_unperformed": "最长公示期届满但义务未履行，待信用管理员处理",
        RecordStatus.REPAIRED: "已信用修复，停止公示",
        RecordStatus.EXPIRED: "公示期满，已停止公示",
        RecordStatus.REVOKED: "认定已撤销，停止公示",
    }

    @property
    def label(self) -> str:
        return self.LABELS[self.code]


def source_performed_on(record: DishonestyRecord) -> date | None:
    rule = RULES.get(record.rule)
    if rule is None or record.source_id is None:
        return None
    source = record.source
    return None if source is None else rule.performed_on(source)


def performed_on(record: DishonestyRecord) -> date | None:
    """When the obligation behind the record was performed: from its source where the source says
    (a decision's performance date, an obligation's fully-paid date), else as recorded by a credit
    officer; the earlier of the two."""
    dates = [d for d in (source_performed_on(record), record.performed_on) if d is not None]
    return min(dates) if dates else None


def publication(record: DishonestyRecord, as_of: date, performed: date | None) -> Publication:
    """SPEC R10: published from the determination date through the maximum; at the maximum it
    stops — unless the obligation is still unperformed, when the credit officer is asked instead."""
    if record.status not in DETERMINED_OR_AFTER or record.determined_on is None or record.determined_on > as_of:
        return Publication("not_determined", published=False, flagged=False, repaired=False)
    if record.status in CLOSED_AFTER_DETERMINATION and record.closed_on is not None and record.closed_on <= as_of:
        return Publication(
            record.status, published=False, flagged=False, repaired=record.status == RecordStatus.REPAIRED
        )
    if not record.published:
        return Publication("not_published", published=False, flagged=False, repaired=False)
    if is_expired(as_of, record.publicity_max_end):
        if performed is not None and performed <= as_of:
            return Publication("max_reached", published=False, flagged=False, repaired=False)
        return Publication("max_reached_unperformed", published=True, flagged=True, repaired=False)
    return Publication("published", published=True, flagged=False, repaired=False)


def repair_blockers(record: DishonestyRecord, as_of: date) -> list[str]:
    """Why repair cannot be granted as of a date (令第36号); empty = it can (the authority aside)."""
    if record.status != RecordStatus.DETERMINED:
        return [f"当前状态“{record.get_status_display()}”不能申请信用修复"]
    performed = performed_on(record)
    return can_repair(
        as_of=as_of,
        min_end=record.publicity_min_end,
        obligation_performed=performed is not None and performed <= as_of,
        commitment_recorded=record.commitment_on is not None and record.commitment_on <= as_of,
    )


def record_queryset() -> QuerySet:
    """Everything the record list and detail read, in a fixed number of queries."""
    return DishonestyRecord.objects.select_related(
        "subject_agency", "determining_authority", "data_source", "counterparty", "source_type", "window_rule"
    ).prefetch_related(
        GenericPrefetch("source", source_querysets()),
        Prefetch("events", RecordEvent.objects.select_related("actor").order_by("id")),
        Prefetch(
            "export_rows",
            ExportRow.objects.select_related("batch", "result").order_by("batch__is_demo", "batch__sequence"),
        ),
    )


def record_list(*, user: User, filters: dict | None = None) -> QuerySet:
    qs = visible_to(user, record_queryset())
    filters = filters or {}
    for name in ("status", "rule", "kind", "severity", "subject_agency", "is_demo"):
        if filters.get(name) not in (None, ""):
            qs = qs.filter(**{name: filters[name]})
    return qs


def flagged_records(as_of: date, *, demo: bool | None = None) -> list[DishonestyRecord]:
    """Determined records past their maximum with the obligation unperformed (SPEC R10)."""
    qs = DishonestyRecord.objects.filter(status=RecordStatus.DETERMINED, publicity_max_end__lt=as_of)
    if demo is not None:
        qs = qs.filter(is_demo=demo)
    return [r for r in qs.order_by("id") if publication(r, as_of, performed_on(r)).flagged]


def batch_queryset() -> QuerySet:
    return ExportBatch.objects.select_related("created_by", "receipt").defer(
        "csv_bytes", "xlsx_bytes", "json_bytes", "manifest_bytes"
    )


def batch_list(*, user: User) -> QuerySet:
    return visible_to(user, batch_queryset())
