"""Reading uploaded sheets: .xlsx (openpyxl, read-only, cached values) and .csv (UTF-8 with or
without BOM, else GB18030), streamed row by row so memory stays bounded however long the file.

The reader finds the header row among the first rows (title rows merged above it are skipped),
maps each header to a column of the kind through the synonym table, notes hidden and unknown
columns, and yields the data rows, skipping empty rows and 合计 lines.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.xml.functions import iterparse

from ledger.imports import values as v
from ledger.imports.registry import Column, SheetSpec, money_base

HEADER_SCAN_ROWS = 10  # the header is looked for among the first rows
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_TOTAL_WORDS = {"合计", "总计", "小计", "累计", "合计金额"}
_FOOTNOTE = re.compile(r"(制表|填表|填报|审核|复核|负责人|联系人|联系电话|说明|注|备注)[^:：]{0,6}[:：]")


class FileUnreadable(Exception):
    """The file is not a sheet we can read; ``reason`` is shown to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Header:
    index: int  # 0-based position in the row
    letter: str  # column letter (xlsx) or number (csv), as the user sees it
    text: str  # the header as written
    column: Column | None = None
    wan: bool = False  # a money column in 万元
    hidden: bool = False


@dataclass
class Note:
    """A finding about the file rather than one cell: shown in the report."""

    severity: str  # "error" | "warning" | "info"
    row: int | None
    column: str
    value: str
    reason: str


@dataclass
class Table:
    spec: SheetSpec
    sheet_name: str
    header_row: int
    headers: list[Header]
    notes: list[Note] = field(default_factory=list)
    source: Source | None = None
    epoch_1904: bool = False

    def header_for(self, key: str) -> Header | None:
        for h in self.headers:
            if h.column is not None and h.column.key == key:
                return h
        return None

    def has(self, key: str) -> bool:
        return self.header_for(key) is not None

    def data_rows(self) -> Iterator[tuple[int, dict[str, tuple[v.Cell, Header]]]]:
        """(row number, {column key: (cell, header)}) for each row below the header that holds
        data. Re-iterable: each call reads the file again (pass 1 validates, pass 2 writes)."""
        mapped = [h for h in self.headers if h.column is not None]
        required = [h for h in mapped if h.column.required]
        for number, cells in self.source.rows(self.sheet_name):
            if number <= self.header_row:
                continue
            if all(v.is_blank(c) for c in cells):
                continue  # empty rows, trailing ones included
            filled = [c for c in cells if not v.is_blank(c)]
            first = filled[0]
            if isinstance(first, str) and v.header_key(first) in _TOTAL_WORDS:
                continue  # a 合计 line under the data
            row = {h.column.key: (cells[h.index] if h.index < len(cells) else "", h) for h in mapped}
            footnote = isinstance(first, str) and _FOOTNOTE.match(v.fold(first)) is not None and len(filled) <= 3
            empty = len(filled) <= 2 and required and all(v.is_blank(row[h.column.key][0]) for h in required)
            if footnote or empty:
                # 制表人 / 审核人 / 说明 lines below the table, or a line with no data in any required column
                self.notes.append(Note("info", number, "", _show(first), "表格下方的说明行，已跳过"))
                continue
            yield number, row


def _show(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# --- sources ------------------------------------------------------------------------------
class Source:
    """An opened upload: ``sheets()`` lists its sheets, ``rows(name)`` streams one of them."""

    kind = ""

    def sheets(self) -> list[str]:
        raise NotImplementedError

    def rows(self, sheet: str) -> Iterator[tuple[int, list[v.Cell]]]:
        raise NotImplementedError

    def hidden_columns(self, sheet: str) -> set[int]:
        return set()

    def epoch_1904(self) -> bool:
        return False

    def close(self) -> None:
        pass


class XlsxSource(Source):
    kind = "xlsx"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = open(path, "rb")  # noqa: SIM115 (closed in close())
        try:
            self.wb = load_workbook(self._file, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            self._file.close()
            raise FileUnreadable(f"无法作为 .xlsx 文件读取（{type(exc).__name__}）") from None

    def sheets(self) -> list[str]:
        return list(self.wb.sheetnames)

    def rows(self, sheet: str) -> Iterator[tuple[int, list[v.Cell]]]:
        ws = self.wb[sheet]
        # The <dimension> some writers store is wrong; read what is there instead.
        ws.reset_dimensions()
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            yield number, [v.from_cell(c) for c in values]

    def hidden_columns(self, sheet: str) -> set[int]:
        """0-based indexes of hidden columns, from the sheet's <cols> (read-only mode skips it)."""
        ws = self.wb[sheet]
        hidden: set[int] = set()
        with ws._get_source() as src:  # the worksheet XML; <cols> precedes <sheetData>
            for _event, elem in iterparse(src, events=("start",)):
                if elem.tag == f"{_MAIN_NS}col" and elem.get("hidden") in ("1", "true"):
                    hidden.update(range(int(elem.get("min")) - 1, int(elem.get("max"))))
                elif elem.tag == f"{_MAIN_NS}sheetData":
                    break
        return hidden

    def epoch_1904(self) -> bool:
        return self.wb.epoch.year == 1904

    def close(self) -> None:
        self.wb.close()
        self._file.close()


class CsvSource(Source):
    kind = "csv"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.encoding = detect_encoding(path)
        with open(path, encoding=self.encoding, newline="") as f:
            sample = f.read(65536)
        first = next((line for line in sample.splitlines() if line.strip()), "")
        self.delimiter = "\t" if first.count("\t") > first.count(",") else ","

    def sheets(self) -> list[str]:
        return [""]

    def rows(self, sheet: str) -> Iterator[tuple[int, list[v.Cell]]]:
        with open(self.path, encoding=self.encoding, newline="") as f:
            reader = csv.reader(f, delimiter=self.delimiter)
            try:
                yield from enumerate(reader, start=1)
            except csv.Error as exc:
                raise FileUnreadable(f"CSV 格式错误（第{reader.line_num}行）：{exc}") from None


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as f:
                for chunk in iter(lambda f=f: f.read(1 << 20), b""):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileUnreadable("无法识别文件编码：CSV 须为 UTF-8（可带 BOM）或 GB18030/GBK")


def open_source(path: Path, file_name: str) -> Source:
    with open(path, "rb") as f:
        magic = f.read(8)
    name = file_name.lower()
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileUnreadable("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再上传")
    if magic.startswith(b"PK\x03\x04"):
        if not name.endswith((".xlsx", ".xlsm")):
            raise FileUnreadable("压缩格式的文件只接受 .xlsx")
        return XlsxSource(path)
    if name.endswith((".csv", ".txt")):
        return CsvSource(path)
    if name.endswith((".xlsx", ".xlsm")):
        raise FileUnreadable("文件扩展名为 .xlsx，但内容不是 Excel 文件")
    raise FileUnreadable("只接受 .xlsx 或 .csv 文件")


# --- headers ------------------------------------------------------------------------------
def _match(spec: SheetSpec, text: str) -> tuple[Column | None, bool]:
    key = v.header_key(text)
    if not key:
        return None, False
    for col in spec.columns:
        if col.type == "money":
            base, wan = money_base(key)
            if base in col.names():
                return col, wan
        elif key in col.names():
            return col, False
    return None, False


def find_sheet(source: Source, spec: SheetSpec, *, main: bool) -> str | None:
    """The sheet of the file that holds ``spec``: by name, else (for the main sheet) the first."""
    names = source.sheets()
    for name in names:
        if v.header_key(name) in spec.names():
            return name
    if main:
        return names[0] if names else None
    return None


def read_table(source: Source, spec: SheetSpec, sheet_name: str) -> Table:
    """Locate the header row and map the columns. File-level problems go into ``table.notes``."""
    first_rows: list[tuple[int, list[v.Cell]]] = []
    for number, cells in source.rows(sheet_name):
        first_rows.append((number, cells))
        if len(first_rows) >= HEADER_SCAN_ROWS:
            break
    best, best_score = None, 1
    for number, cells in first_rows:
        score = len({c.key for c in (_match(spec, x)[0] for x in cells if isinstance(x, str)) if c is not None})
        if score > best_score:
            best, best_score = (number, cells), score
    where = f"工作表“{sheet_name}”" if sheet_name else "文件"
    if best is None:
        labels = "、".join(c.label for c in spec.columns if c.required)
        table = Table(spec, sheet_name, 0, [], source=source)
        table.notes.append(
            Note("error", None, "", "", f"{where}的前{HEADER_SCAN_ROWS}行中找不到表头（应含：{labels}）")
        )
        return table

    header_row, cells = best
    hidden = source.hidden_columns(sheet_name)
    table = Table(spec, sheet_name, header_row, [], source=source, epoch_1904=source.epoch_1904())
    if header_row > 1:
        skipped = "第1行" if header_row == 2 else f"第1–{header_row - 1}行"
        table.notes.append(Note("info", 1, "", "", f"表头在第{header_row}行；{skipped}为标题等说明，已跳过"))
    seen: dict[str, Header] = {}
    for index, raw in enumerate(cells):
        text = v.from_cell(raw) if not isinstance(raw, str) else raw
        text = text.isoformat() if hasattr(text, "isoformat") else text
        if not text.strip():
            continue
        letter = get_column_letter(index + 1) if source.kind == "xlsx" else f"第{index + 1}列"
        column, wan = _match(spec, text)
        header = Header(index, letter, text.strip(), column, wan, index in hidden)
        if column is not None and column.key in seen:
            first = seen[column.key]
            table.notes.append(
                Note(
                    "error",
                    header_row,
                    f"{letter}（{header.text}）",
                    header.text,
                    f"与{first.letter}列“{first.text}”是同一项（{column.label}），只能保留一列",
                )
            )
            continue
        if column is None:
            table.notes.append(
                Note("warning", header_row, f"{letter}（{header.text}）", header.text, "未识别的列，已忽略")
            )
        else:
            seen[column.key] = header
        if header.hidden:
            table.notes.append(
                Note("info", header_row, f"{letter}（{header.text}）", header.text, "隐藏列，已与其他列一样读取")
            )
        table.headers.append(header)
    for col in spec.columns:
        if col.required and col.key not in seen:
            table.notes.append(Note("error", header_row, col.label, "", f"缺少必填列“{col.label}”{_variants(col)}"))
    return table


def _variants(col: Column) -> str:
    if not col.synonyms:
        return ""
    return f"（也可写作：{'、'.join(col.synonyms[:4])}）"
