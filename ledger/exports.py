"""Streaming CSV and XLSX writers shared by every export (lists, reports, credit batches).

- CSV is UTF-8 with a BOM (so Excel opens it in Chinese) or GB18030 on request, streamed row by
  row: memory stays bounded whatever the row count.
- XLSX uses xlsxwriter's constant_memory mode. A sheet holds at most 1,048,576 rows; an export
  beyond that continues on a further sheet with the header repeated — nothing is cut silently.
  The limit is a parameter so a test can prove the rollover with a small number.
- Money stays exact: a Decimal with at most 15 significant digits (all Excel can hold) is written
  as a number with a 0.00 format; a longer one is written as text rather than rounded.
- SPEC R8: a USCC leaves in an export only if it is valid. ``ExportUsccRefused`` is the refusal
  (409 ``export_invalid_uscc``) naming each invalid code and the records that carry it; the list
  exports (ledger/api/exporting.py) and the OCDS packages (contracts/ocds.py) raise it before a
  byte is written.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter

from ledger.errors import Conflict
from ledger.rules.uscc import UsccInvalid
from ledger.rules.uscc import validate as validate_uscc

EXCEL_MAX_ROWS = 1_048_576
YES, NO = "是", "否"  # how a boolean is written, in CSV and XLSX alike
ENCODINGS = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "gb18030": "gb18030"}


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(
    headers: Sequence[str], rows: Iterable[Sequence], *, encoding: str = "utf-8", text: bool = False
) -> Iterator[bytes]:
    """Encoded CSV lines: the BOM (UTF-8 only) and header first, then one chunk per ~500 rows.

    ``text``: every value is already the text to write, or None (what ``_cell_text`` would have
    made of it — ledger/selectors/asof_sql.py), so rows go to the C writer as they are."""
    codec = ENCODINGS[encoding.lower()]
    writer = csv.writer(_Echo())
    first = writer.writerow([_cell_text(h) for h in headers])
    yield first.encode(codec)  # utf-8-sig writes the BOM once, at the start of this first chunk
    body_codec = "utf-8" if codec == "utf-8-sig" else codec
    if text:  # the csv module writes None as an empty field, as _cell_text does
        out = io.StringIO()
        block = csv.writer(out)
        iterator = iter(rows)
        while True:
            out.seek(0)
            out.truncate()
            block.writerows(itertools.islice(iterator, 2000))
            if not out.tell():
                return
            yield out.getvalue().encode(body_codec)
    buffer: list[str] = []
    for row in rows:
        buffer.append(writer.writerow([_cell_text(v) for v in row]))
        if len(buffer) >= 500:
            yield "".join(buffer).encode(body_codec)
            buffer.clear()
    if buffer:
        yield "".join(buffer).encode(body_codec)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float):  # never expected: money is Decimal everywhere
        raise TypeError("float values are not exported; use Decimal")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def write_xlsx(
    target,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    sheet_name: str = "数据",
    sheet_row_limit: int = EXCEL_MAX_ROWS,
) -> dict:
    """Write rows to an .xlsx (a path or a binary file object). Returns {"rows", "sheets"}."""
    if sheet_row_limit < 2:
        raise ValueError("sheet_row_limit must leave room for the header and one row")
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
    money = workbook.add_format({"num_format": "0.00"})
    date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
    bold = workbook.add_format({"bold": True})
    sheets = 0
    sheet = None
    row_in_sheet = sheet_row_limit
    total = 0
    for row in rows:
        if row_in_sheet >= sheet_row_limit:
            sheets += 1
            sheet = workbook.add_worksheet(sheet_name if sheets == 1 else f"{sheet_name}（续{sheets - 1}）")
            sheet.write_row(0, 0, list(headers), bold)
            row_in_sheet = 1
        for col, value in enumerate(row):
            _write_cell(sheet, row_in_sheet, col, value, money, date_fmt)
        row_in_sheet += 1
        total += 1
    if sheets == 0:
        sheet = workbook.add_worksheet(sheet_name)
        sheet.write_row(0, 0, list(headers), bold)
        sheets = 1
    workbook.close()
    return {"rows": total, "sheets": sheets}


def _write_cell(sheet, r: int, c: int, value, money, date_fmt) -> None:
    if value is None:
        sheet.write_blank(r, c, None)
    elif isinstance(value, bool):
        sheet.write_string(r, c, YES if value else NO)
    elif isinstance(value, Decimal):
        digits = len(value.as_tuple().digits)
        if digits <= 15:
            sheet.write_number(r, c, value, money)  # exact: ≤ 15 significant digits survive a double
        else:
            sheet.write_string(r, c, str(value))
    elif isinstance(value, int):
        sheet.write_number(r, c, value)
    elif isinstance(value, float):
        raise TypeError("float values are not exported; use Decimal")
    elif isinstance(value, datetime):
        sheet.write_string(r, c, value.isoformat())
    elif isinstance(value, date):
        sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), date_fmt)  # noqa: DTZ001
    else:
        sheet.write_string(r, c, str(value))


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], **kwargs) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, headers, rows, **kwargs)
    return buffer.getvalue()


# --- SPEC R8: no invalid USCC leaves in an export ---------------------------------------------
EXPORT_INVALID_USCC = "export_invalid_uscc"
RECORDS_NAMED = 5  # records named per invalid code; the others are counted


def uscc_fault(value: str) -> str | None:
    """Why ``value`` may not leave in an export (None: it may). The file carries the value as
    stored, so it must be valid as it is: one that validates only once normalised is refused too."""
    try:
        normal = validate_uscc(value)
    except UsccInvalid as exc:
        return exc.detail
    if normal != value:
        return f"统一社会信用代码“{value}”未以规范形式存储（规范形式为“{normal}”）"
    return None


@dataclass
class UsccFinding:
    """One invalid code: why, in which columns, and the records (by their identifier) carrying it."""

    code: str
    fault: str
    columns: list[str] = field(default_factory=list)
    records: list[str] = field(default_factory=list)
    total: int = 0

    def carried_by(self, record: str) -> None:
        self.total += 1
        if len(self.records) < RECORDS_NAMED:
            self.records.append(record)

    def sentence(self, record_label: str) -> str:
        refs = "、".join(self.records) or "（无）"
        more = f"等共{self.total}条" if self.total > len(self.records) else f"，共{self.total}条"
        return f"{self.fault}（{'、'.join(self.columns)}；{record_label}：{refs}{more}）"


class UsccFindings:
    """Collects the faults of the codes an export would write. Only invalid codes are kept, so
    memory does not grow with the number of (distinct) valid codes read."""

    def __init__(self) -> None:
        self._invalid: dict[str, UsccFinding] = {}

    def check(self, value: str | None, column: str) -> None:
        if value is None or value == "":  # an empty cell carries no USCC (a unit without one)
            return
        finding = self._invalid.get(value)
        if finding is None:
            fault = uscc_fault(value)
            if fault is None:
                return
            finding = self._invalid[value] = UsccFinding(value, fault)
        if column not in finding.columns:
            finding.columns.append(column)

    @property
    def invalid(self) -> dict[str, UsccFinding]:
        return dict(sorted(self._invalid.items()))


class ExportUsccRefused(Conflict):
    """409: the rows asked for carry USCCs that fail R8, so nothing is exported.

    409, not 400: the request itself is well-formed; the stored data conflicts with R8 (it can only
    have got in past the entry checks, by a direct database change) and must be corrected first."""

    code = EXPORT_INVALID_USCC

    def __init__(self, findings: Iterable[UsccFinding], *, record_label: str):
        self.findings = list(findings)
        parts = "；".join(f.sentence(record_label) for f in self.findings)
        super().__init__(
            f"导出被拒绝，未生成任何文件：{len(self.findings)}个统一社会信用代码未通过校验（SPEC R8）——"
            f"{parts}。请先更正这些代码再导出。"
        )

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]
