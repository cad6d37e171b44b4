"""Running an import: read, validate every row, then write all of it or nothing.

Pass 1 reads the file and checks every row — notation, required values, references (agency,
enterprise, policy…), natural keys and duplicates within the file, and facts that may not change
on records already imported — without writing. One problem and nothing is written.

Pass 2 reads the file again inside one transaction, after locking the agencies it writes for (in
id order, ``FOR NO KEY UPDATE``: ordinary writes of those agencies go on; a second import of the
same agencies waits), looks each natural key up again under the lock and applies each row
through the services of its area. A problem a service finds rolls everything back; a dry run
rolls back too, after showing what would have been created or changed. Either way the job is
recorded with its report. Memory stays bounded: rows are streamed, never held all at once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.db import IntegrityError, transaction
from simple_history.models import HistoricalRecords

from ledger import clock
from ledger.errors import DomainError, PermissionDenied, ValidationFailed
from ledger.imports.context import ImportContext
from ledger.imports.reading import FileUnreadable, Note, find_sheet, open_source, read_table
from ledger.imports.registry import ImportKind, get_kind, kinds
from ledger.imports.report import Report
from ledger.models import Agency, ImportJob, ImportStatus, Role, User
from ledger.rules.errors import RuleError
from ledger.selectors.scoping import owns_agency

STOP_AFTER = 1000  # pass 2 stops once this many rows were refused: the report says enough
CHUNK = 500  # rows read, looked up and written together; memory stays bounded by it
_CONFLICT = "与数据库中已有记录冲突（可能有人同时导入了同一文件），未导入任何数据，请稍后重试"


class _Rollback(Exception):
    pass


def max_upload_bytes() -> int:
    return int(getattr(settings, "LEDGER_IMPORT_MAX_BYTES", 50 * 1024 * 1024))


def job_agency(*, actor: User, agency: Agency | None) -> Agency | None:
    """The agency an import is for. Staff: their own (or one merged into it); administrators:
    the one chosen, or none (each row names its agency)."""
    if actor.is_superuser or actor.role == Role.ADMINISTRATOR:
        return agency
    if actor.role != Role.AGENCY_STAFF or actor.agency_id is None:
        raise PermissionDenied("只有机关工作人员（本单位）和管理员可以导入台账")
    if agency is None:
        return actor.agency
    if not owns_agency(actor, agency.pk):
        raise ValidationFailed.field("agency", "只能为本单位导入台账", code="not_own_agency")
    return agency


@contextmanager
def _attributed(actor: User) -> Iterator[None]:
    """History records written by the import name its actor, from the command and threads too
    (in a request, simple-history's middleware has already set the requesting user)."""
    context = HistoricalRecords.context
    if getattr(getattr(context, "request", None), "user", None) is not None:
        yield
        return
    context.request = SimpleNamespace(user=actor)
    try:
        yield
    finally:
        del context.request


@contextmanager
def _spooled(upload) -> Iterator[tuple[Path, str, int]]:
    """The upload copied to a temporary file (readers need a path), with its SHA-256 and size."""
    digest = hashlib.sha256()
    size = 0
    limit = max_upload_bytes()
    fd, name = tempfile.mkstemp(prefix="ledger-import-")
    try:
        with os.fdopen(fd, "wb") as out:
            chunks = upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b"")
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise ValidationFailed.field(
                        "file", f"文件超过{limit // (1024 * 1024)}MB，请拆分后分批导入", code="file_too_large"
                    )
                digest.update(chunk)
                out.write(chunk)
        yield Path(name), digest.hexdigest(), size
    finally:
        os.unlink(name)


def import_run(
    *, actor: User, kind: str, upload, file_name: str, dry_run: bool = False, agency: Agency | None = None
) -> ImportJob:
    """Import one file of ``kind``; returns the recorded job (imported, validated or rejected).

    Raises ValidationFailed only for a request that is not an import at all (unknown kind, an
    agency the actor may not import for, a file too large); a bad file or bad rows give a
    rejected job whose report says why.
    """
    spec = get_kind(kind)
    if spec is None:
        known = "、".join(f"{k.key}（{k.label}）" for k in kinds())
        raise ValidationFailed.field("kind", f"导入类别“{kind}”无效，应为：{known}", code="invalid_choice")
    agency = job_agency(actor=actor, agency=agency)
    started = clock.now()
    report = Report()
    ctx = ImportContext(actor=actor, agency=agency, dry_run=dry_run, report=report)
    with _spooled(upload) as (path, sha256, size), _attributed(actor):
        try:
            source = open_source(path, file_name)
        except FileUnreadable as exc:
            report.add("error", sheet="", row=None, column="", value=file_name, reason=exc.reason)
        else:
            try:
                _run(ctx, spec, source)
            except FileUnreadable as exc:
                report.add("error", sheet="", row=None, column="", value=file_name, reason=exc.reason)
            finally:
                source.close()
    totals = report.totals()
    if report.has_errors:
        status = ImportStatus.REJECTED
        totals.update(create=0, update=0, unchanged=0)
    else:
        status = ImportStatus.VALIDATED if dry_run else ImportStatus.IMPORTED
    return ImportJob.objects.create(
        kind=spec.key,
        file_name=file_name[:255],
        file_sha256=sha256,
        file_size=size,
        dry_run=dry_run,
        agency=agency,
        region_code=agency.region_code if agency else "",
        created_by=actor,
        created_at=started,
        finished_at=clock.now(),
        status=status,
        rows_total=totals["rows"],
        rows_created=totals["create"],
        rows_updated=totals["update"],
        rows_unchanged=totals["unchanged"],
        problem_count=report.problem_count,
        warning_count=report.warning_count,
        report=report.as_json(),
    )


def _note(report: Report, table_name: str, note: Note) -> None:
    report.add(note.severity, sheet=table_name, row=note.row, column=note.column, value=note.value, reason=note.reason)


def _run(ctx: ImportContext, kind: ImportKind, source) -> None:
    report = ctx.report
    refusal = kind.allowed(ctx)
    if refusal:
        report.add("error", sheet="", row=None, column="", value="", reason=refusal)
        return
    tables = []
    for index, sheet in enumerate(kind.sheets):
        if source.kind == "csv" and index > 0:
            continue  # a CSV holds one table: the kind's main sheet
        name = find_sheet(source, sheet, main=index == 0)
        if name is None:
            continue
        table = read_table(source, sheet, name)
        for note in table.notes:
            _note(report, name or sheet.title, note)
        table.notes.clear()
        entry = report.sheet(sheet.key, name, sheet.title)
        entry["header_row"] = table.header_row
        tables.append(table)
    if report.has_errors:
        return

    # Pass 1: check every row; nothing is written.
    kind.begin(ctx)
    for table in tables:
        for rows in _chunks(ctx, table):
            report.sheets[table.spec.key]["rows"] += len(rows)
            kind.prefetch(ctx, table.spec, rows)
            for row in rows:
                kind.check_row(ctx, table.spec, row)
        for note in table.notes:
            _note(report, table.sheet_name or table.spec.title, note)
        table.notes.clear()
    if report.has_errors:
        return

    # Pass 2: apply under the agencies' locks, all or nothing.
    ctx.phase = "apply"
    try:
        with transaction.atomic():
            if ctx.locked_agencies:
                list(
                    Agency.objects.select_for_update(no_key=True)
                    .filter(pk__in=sorted(ctx.locked_agencies))
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
            _apply(ctx, kind, tables)
            if report.has_errors or ctx.dry_run:
                raise _Rollback
    except _Rollback:
        pass


def _chunks(ctx: ImportContext, table) -> Iterator[list]:
    """The parsed rows of a table, ``CHUNK`` at a time (kinds look natural keys up per chunk)."""
    batch = []
    for number, cells in table.data_rows():
        batch.append(ctx.parse(table, number, cells))
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _apply(ctx: ImportContext, kind: ImportKind, tables) -> None:
    """Each row through the services. Every service function is atomic (a savepoint), so a row it
    refuses leaves the transaction usable and the next rows are still checked for the report; a
    database error outside them ends pass 2 (the whole transaction is rolled back anyway)."""
    refused = 0
    for table in tables:
        for rows in _chunks(ctx, table):
            kind.prefetch(ctx, table.spec, rows)
            for row in rows:
                try:
                    kind.apply_row(ctx, table.spec, row)
                except (DomainError, RuleError) as exc:
                    ctx.service_error(row, exc)
                    refused += 1
                except IntegrityError:
                    ctx.error(row, "", _CONFLICT)
                    return
                if refused >= STOP_AFTER:
                    ctx.report.add(
                        "error",
                        sheet="",
                        row=None,
                        column="",
                        value="",
                        reason=f"已有{refused}行无法导入，其余行未再检查",
                    )
                    return
            try:
                with transaction.atomic():
                    kind.flush(ctx, table.spec)
            except IntegrityError:
                ctx.report.add("error", sheet="", row=None, column="", value="", reason=_CONFLICT)
                return
        table.notes.clear()
