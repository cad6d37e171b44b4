"""Export batches in zwsx-1 and the platform's receipts (SPEC §5).

A batch holds exactly the changes since the previous batch: for each published-ever record, what
the platform should show as of the batch date is compared with what was last sent and not
rejected — 新增 when it should show a record it does not have, 变更 when the content changed,
撤销 when it should no longer show it (repair, expiry as of the batch date, revocation). A row
the platform rejected comes back once the record was corrected (its content differs).

Every row is checked before anything is written; one bad row stops the batch with a report
naming record and column, writes nothing and takes no sequence number. The sequence row is
locked first, so two requests at once are serialised and never send a record twice or skip one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db import transaction

from credit import zwsx
from credit.candidates import source_querysets
from credit.models import (
    DETERMINED_OR_AFTER,
    DishonestyKind,
    DishonestyRecord,
    ExportBatch,
    ExportReceipt,
    ExportReceiptLine,
    ExportRow,
    ExportSequence,
    Operation,
    RecordStatus,
)
from credit.selectors import Publication, performed_on, publication
from ledger import clock
from ledger.errors import Conflict, ValidationFailed
from ledger.models import Agency, User
from ledger.rules import uscc
from ledger.rules.errors import RuleError
from ledger.rules.money import yuan_to_wan


@dataclass(frozen=True)
class PlannedRow:
    record: DishonestyRecord
    operation: str
    row: dict[str, str]
    fingerprint: str


def _category(code: str) -> str:
    try:
        return uscc.category(code)
    except RuleError:
        return ""  # the code itself is reported as the fault


def _withdraw_remark(record: DishonestyRecord, pub: Publication) -> str:
    if pub.code == RecordStatus.REPAIRED:
        return f"信用修复（{record.closed_on.isoformat()}）"
    if pub.code == RecordStatus.REVOKED:
        return f"撤销认定（{record.closed_on.isoformat()}）：{record.closing_reason}"
    if pub.code == RecordStatus.EXPIRED:
        return f"公示期满，停止公示（{record.closed_on.isoformat()}）"
    return f"最长公示期届满（{record.publicity_max_end.isoformat()}），停止公示"


def build_row(record: DishonestyRecord, pub: Publication, operation: str = "") -> dict[str, str]:
    """The zwsx-1 row of a record as of the publication state ``pub``."""
    remark = record.remarks
    if not pub.published:
        remark = "；".join(x for x in (_withdraw_remark(record, pub), record.remarks) if x)
    return {
        "记录编号": record.number,
        "操作类型": operation,
        "失信主体名称": record.subject_name,
        "失信主体统一社会信用代码": record.subject_uscc,
        "主体类别": _category(record.subject_uscc),
        "失信类型": DishonestyKind(record.kind).label,
        "失信行为描述": record.facts,
        "认定依据": record.basis,
        "认定单位": record.authority_name,
        "认定单位统一社会信用代码": record.authority_uscc,
        "认定日期": record.determined_on.isoformat(),
        "失信等级": record.severity,
        "涉及金额（万元）": "" if record.amount is None else f"{yuan_to_wan(record.amount):f}",
        "相对方名称": record.counterparty_name,
        "相对方统一社会信用代码": record.counterparty_uscc,
        "公示起始日期": record.publicity_start.isoformat(),
        "公示截止日期": record.publicity_max_end.isoformat(),
        "信用修复状态": "已修复" if pub.repaired else "未修复",
        "数据来源单位": record.data_source_name,
        "数据来源单位统一社会信用代码": record.data_source_uscc,
        "备注": remark,
    }


def _rejected(row: ExportRow) -> bool:
    result = getattr(row, "result", None)
    return result is not None and not result.accepted


def plan_rows(*, as_of: date, demo: bool) -> list[PlannedRow]:
    """The rows a batch as of ``as_of`` would hold (live records, or demo records only)."""
    records = list(
        DishonestyRecord.objects.filter(is_demo=demo, published=True, status__in=sorted(DETERMINED_OR_AFTER))
        .prefetch_related(GenericPrefetch("source", source_querysets()))
        .order_by("id")
    )
    sent: dict[int, list[ExportRow]] = defaultdict(list)
    for row in (
        ExportRow.objects.filter(record__in=records, batch__is_demo=demo)
        .select_related("batch", "result")
        .order_by("batch__sequence")
    ):
        sent[row.record_id].append(row)
    planned = []
    for record in records:
        pub = publication(record, as_of, performed_on(record))
        content = build_row(record, pub)
        fp = zwsx.fingerprint(content)
        history = sent[record.pk]
        if history and _rejected(history[-1]) and history[-1].fingerprint == fp:
            continue  # rejected and not corrected since: it waits for the correction
        last = next((r for r in reversed(history) if not _rejected(r)), None)
        on_platform = last is not None and last.operation != Operation.WITHDRAW
        if pub.published and not on_platform:
            operation = Operation.ADD
        elif pub.published and last.fingerprint != fp:
            operation = Operation.CHANGE
        elif not pub.published and on_platform:
            operation = Operation.WITHDRAW
        else:
            continue
        content["操作类型"] = str(operation)
        planned.append(PlannedRow(record=record, operation=operation, row=content, fingerprint=fp))
    return planned


def _demo_codes() -> frozenset[str]:
    """Codes of agencies marked 信用代码为演示数据 (the seeds mint them where the real one is unknown)."""
    return frozenset(Agency.objects.filter(uscc_is_demo=True, uscc__isnull=False).values_list("uscc", flat=True))


def _lock_sequence(scope: str) -> ExportSequence:
    ExportSequence.objects.get_or_create(scope=scope)
    return ExportSequence.objects.select_for_update().get(scope=scope)


def _render(rows: list[dict[str, str]], *, sequence: int, as_of: date, demo: bool, created) -> zwsx.BatchFiles:
    return zwsx.render(rows, sequence=sequence, as_of=as_of, demo=demo, created=created)


@transaction.atomic
def export_batch_create(*, actor: User | None, as_of: date, demo: bool = False) -> ExportBatch:
    """Create the next batch as of a date, or raise ValidationFailed naming every bad row."""
    seq = _lock_sequence("demo" if demo else "live")  # serialises concurrent batches of a scope
    if as_of > clock.today():
        raise ValidationFailed.field("as_of", "批次日期不能晚于今天", code="future_date")
    previous = ExportBatch.objects.filter(is_demo=demo).order_by("-sequence").first()
    if previous is not None and as_of < previous.as_of:
        raise ValidationFailed.field(
            "as_of",
            f"批次日期不得早于上一批次（第{previous.sequence}批，{previous.as_of.isoformat()}）",
            code="out_of_order",
        )
    planned = plan_rows(as_of=as_of, demo=demo)
    # A live batch goes to the credit platform: no demo USCC may leave in it (SPEC §5, R8).
    demo_codes = frozenset() if demo else _demo_codes()
    faults: dict[str, list[str]] = {}
    for p in planned:
        for column, message in zwsx.check_row(p.row, live=not demo, demo_codes=demo_codes).items():
            faults[f"{p.record.number}.{column}"] = [message]
    if faults:
        bad = len({key.split(".", 1)[0] for key in faults})
        raise ValidationFailed(
            f"有{bad}条记录未通过校验，批次未生成、未占用批次号："
            + "；".join(f"{k}：{v[0]}" for k, v in faults.items()),
            code="credit_batch_invalid",
            fields=faults,
        )
    sequence = seq.last_sequence + 1
    created = clock.now().replace(microsecond=0)
    rows = [p.row for p in planned]
    files = _render(rows, sequence=sequence, as_of=as_of, demo=demo, created=created)
    digests = files.digests()
    batch = ExportBatch(
        sequence=sequence,
        is_demo=demo,
        as_of=as_of,
        row_count=len(rows),
        created_at=created,
        created_by=actor,
        csv_bytes=files.csv,
        xlsx_bytes=files.xlsx,
        json_bytes=files.json,
        manifest_bytes=files.manifest,
        csv_sha256=digests["csv"],
        xlsx_sha256=digests["xlsx"],
        json_sha256=digests["json"],
        manifest_sha256=digests["manifest"],
    )
    batch._history_user = actor
    batch.save()
    for line, p in enumerate(planned, start=1):
        row = ExportRow(
            batch=batch, record=p.record, line=line, operation=p.operation, fingerprint=p.fingerprint, data=p.row
        )
        row._history_user = actor
        row.save()
    seq.last_sequence = sequence
    seq._history_user = actor
    seq.save(update_fields=["last_sequence"])
    return batch


@transaction.atomic
def export_receipt_record(
    *,
    actor: User | None,
    batch: ExportBatch,
    received_on: date,
    accepted: list[str],
    rejected: list[dict],
    platform_reference: str = "",
    note: str = "",
) -> ExportReceipt:
    """The platform's receipt: every row of the batch accepted or rejected (with a reason), once."""
    batch = ExportBatch.objects.select_for_update().defer("csv_bytes", "xlsx_bytes", "json_bytes").get(pk=batch.pk)
    if ExportReceipt.objects.filter(batch=batch).exists():
        raise Conflict(f"第{batch.sequence}批已登记回执", code="receipt_exists")
    if received_on < batch.as_of:
        raise ValidationFailed.field("received_on", "回执日期不得早于批次日期", code="out_of_order")
    rows = {r.record.number: r for r in batch.rows.select_related("record")}
    seen: dict[str, int] = defaultdict(int)
    fields: dict[str, list[str]] = {}
    for i, number in enumerate(accepted):
        seen[number] += 1
        if number not in rows:
            fields[f"accepted.{i}"] = [f"记录“{number}”不在本批次中"]
    for i, item in enumerate(rejected):
        number = item["record_number"]
        seen[number] += 1
        if number not in rows:
            fields[f"rejected.{i}.record_number"] = [f"记录“{number}”不在本批次中"]
        if not (item.get("reason") or "").strip():
            fields[f"rejected.{i}.reason"] = ["退回的行须写明理由"]
    twice = sorted(n for n, c in seen.items() if c > 1)
    if twice:
        fields["rejected"] = [f"记录重复列出：{'、'.join(twice)}"]
    missing = sorted(set(rows) - set(seen))
    if missing:
        fields["accepted"] = [f"回执未列明以下行的结果：{'、'.join(missing)}"]
    if fields:
        raise ValidationFailed("回执与批次内容不符", code="receipt_mismatch", fields=fields)
    receipt = ExportReceipt(
        batch=batch, received_on=received_on, platform_reference=platform_reference, note=note, recorded_by=actor
    )
    receipt._history_user = actor
    receipt.save()
    reasons = {item["record_number"]: item["reason"].strip() for item in rejected}
    for number, row in sorted(rows.items(), key=lambda kv: kv[1].line):
        line = ExportReceiptLine(
            receipt=receipt, row=row, accepted=number not in reasons, reason=reasons.get(number, "")
        )
        line._history_user = actor
        line.save()
    return receipt
