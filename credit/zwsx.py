"""Format ``zwsx-1``: the columns, the row checks and the four files of a batch (SPEC §5).

No national field list for 政务失信 records is published, so zwsx-1 is ours, versioned, with a
JSON Schema (credit/schemas/zwsx-1.schema.json); a platform's own list would become another
profile. Pure functions: rows in (dicts of column → text), bytes out; no ORM.

Every value is text: dates ``YYYY-MM-DD``, 万元 with exactly 6 decimals (1 分 = 0.000001 万元, so
the amount is exact), an absent optional value is the empty string. CSV, XLSX and JSON carry the
same rows; the manifest gives the format version, batch sequence, row count and each file's SHA-256.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from ledger.rules import uscc
from ledger.rules.errors import RuleError

FORMAT = "zwsx-1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "zwsx-1.schema.json"

# SPEC §5, in this order.
COLUMNS: tuple[str, ...] = (
    "记录编号",
    "操作类型",
    "失信主体名称",
    "失信主体统一社会信用代码",
    "主体类别",
    "失信类型",
    "失信行为描述",
    "认定依据",
    "认定单位",
    "认定单位统一社会信用代码",
    "认定日期",
    "失信等级",
    "涉及金额（万元）",
    "相对方名称",
    "相对方统一社会信用代码",
    "公示起始日期",
    "公示截止日期",
    "信用修复状态",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
)
OPERATIONS = ("新增", "变更", "撤销")
SUBJECT_KINDS = ("机关", "事业单位", "群团组织", "其他")
DISHONESTY_KINDS = ("拒不履行生效裁判", "拖欠账款", "违约毁约", "政策承诺未兑现", "新官不理旧账")
SEVERITIES = ("轻微", "一般", "严重")
REPAIR_STATES = ("未修复", "已修复")

REQUIRED = frozenset(COLUMNS) - {"涉及金额（万元）", "相对方名称", "相对方统一社会信用代码", "备注"}
_USCC_COLUMNS = ("失信主体统一社会信用代码", "认定单位统一社会信用代码", "数据来源单位统一社会信用代码")
_DATE_COLUMNS = ("认定日期", "公示起始日期", "公示截止日期")
_ENUMS = {
    "操作类型": OPERATIONS,
    "主体类别": SUBJECT_KINDS,
    "失信类型": DISHONESTY_KINDS,
    "失信等级": SEVERITIES,
    "信用修复状态": REPAIR_STATES,
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Codes the seeds mint for agencies whose real code is not known yet (seeds/loader.py
# demo_agency_uscc, ledger/demo/parties.py): the organisation part starts with "DEM", which keeps
# them apart from real codes. They pass GB 32100, so R8 alone would let a fabricated code reach the
# credit platform; a live batch refuses them (SPEC §5: demo data never leaves).
_MINTED_DEMO = re.compile(r"[0-9A-Y]{2}[0-9]{6}DEM")
_WAN = re.compile(r"(0|[1-9][0-9]{0,10})\.[0-9]{6}")


def is_demo_code(code: str, demo_codes: Collection[str] = ()) -> bool:
    """A USCC that is demo data: one of ``demo_codes`` (agencies marked 信用代码为演示数据) or minted
    by the seeds."""
    return code in demo_codes or _MINTED_DEMO.match(code) is not None


def check_row(row: dict[str, str], *, live: bool = False, demo_codes: Collection[str] = ()) -> dict[str, str]:
    """The faults of one row, column → message (Chinese); empty = the row may leave.

    ``live``: the row goes to the credit platform, so no USCC in it may be a demo code.
    """
    faults: dict[str, str] = {}
    for column in COLUMNS:
        value = row.get(column)
        if not isinstance(value, str):
            faults[column] = "缺少该列或值不是文本"
        elif column in REQUIRED and not value.strip():
            faults[column] = "必填项为空"
    for column, allowed in _ENUMS.items():
        if column not in faults and row[column] not in allowed:
            faults[column] = f"取值“{row[column]}”无效，应为{'、'.join(allowed)}之一"
    for column in _USCC_COLUMNS:
        if column not in faults:
            _check_uscc(row, column, faults)
    if row.get("相对方统一社会信用代码") or row.get("相对方名称"):
        if not (row.get("相对方名称") or "").strip():
            faults["相对方名称"] = "填写了相对方统一社会信用代码，相对方名称不能为空"
        elif not row.get("相对方统一社会信用代码"):
            faults["相对方统一社会信用代码"] = "填写了相对方名称，相对方统一社会信用代码不能为空"
        else:
            _check_uscc(row, "相对方统一社会信用代码", faults)
    if "主体类别" not in faults and "失信主体统一社会信用代码" not in faults:
        expected = uscc.category(row["失信主体统一社会信用代码"])
        if row["主体类别"] != expected:
            faults["主体类别"] = f"主体类别“{row['主体类别']}”与统一社会信用代码所示的“{expected}”不符"
    for column in _DATE_COLUMNS:
        if column not in faults:
            value = row[column]
            try:
                if not _DATE.fullmatch(value):
                    raise ValueError
                date.fromisoformat(value)
            except ValueError:
                faults[column] = f"日期“{value}”应为有效的 YYYY-MM-DD"
    if "公示起始日期" not in faults and "公示截止日期" not in faults and row["公示截止日期"] < row["公示起始日期"]:
        faults["公示截止日期"] = "公示截止日期早于公示起始日期"
    if "失信主体统一社会信用代码" in faults:
        faults.pop("主体类别", None)  # derived from the code: report the code only
    if live:
        for column in (*_USCC_COLUMNS, "相对方统一社会信用代码"):
            value = row.get(column)
            if column not in faults and value and is_demo_code(value, demo_codes):
                faults[column] = f"统一社会信用代码“{value}”是演示代码，不得报送信用平台；请录入真实代码后更正本记录"
    amount = row.get("涉及金额（万元）")
    if isinstance(amount, str) and amount and not _WAN.fullmatch(amount):
        faults["涉及金额（万元）"] = f"金额“{amount}”应以万元计、保留6位小数（精确到分）"
    return faults


def _check_uscc(row: dict[str, str], column: str, faults: dict[str, str]) -> None:
    """SPEC R8: every USCC leaving in an export is validated, and must already be normalised."""
    value = row[column]
    try:
        normalised = uscc.validate(value, field=column)
    except RuleError as exc:
        faults[column] = exc.detail
        return
    if normalised != value:
        faults[column] = f"统一社会信用代码“{value}”未规范化（应为“{normalised}”）"


def fingerprint(row: dict[str, str]) -> str:
    """SHA-256 of the row's content without 操作类型: equal fingerprints = nothing changed."""
    content = {c: row[c] for c in COLUMNS if c != "操作类型"}
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class BatchFiles:
    csv: bytes
    xlsx: bytes
    json: bytes
    manifest: bytes

    def digests(self) -> dict[str, str]:
        return {kind: sha256(getattr(self, kind)) for kind in ("csv", "xlsx", "json", "manifest")}


def file_name(kind: str, *, sequence: int, demo: bool) -> str:
    ext = {"csv": "csv", "xlsx": "xlsx", "json": "json", "manifest": "manifest.json"}[kind]
    return f"{FORMAT}-{'demo-' if demo else ''}{sequence:06d}.{ext}"


def render_csv(rows: Sequence[dict[str, str]]) -> bytes:
    """UTF-8 with BOM (Excel on Chinese Windows opens it correctly), CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def render_xlsx(rows: Sequence[dict[str, str]], *, created: datetime) -> bytes:
    """Every cell is a text cell, so dates and 6-decimal amounts read exactly as in the CSV.

    The workbook's creation time is the batch's, which makes the bytes reproducible.
    """
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    workbook.set_properties({"title": FORMAT, "created": created.replace(tzinfo=None)})
    sheet = workbook.add_worksheet(FORMAT)
    bold = workbook.add_format({"bold": True})
    for col, name in enumerate(COLUMNS):
        sheet.write_string(0, col, name, bold)
    for r, row in enumerate(rows, start=1):
        for col, name in enumerate(COLUMNS):
            sheet.write_string(r, col, row[name])
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def render_json(rows: Sequence[dict[str, str]], *, sequence: int, as_of: date, demo: bool) -> bytes:
    document = {
        "format": FORMAT,
        "batch_sequence": sequence,
        "as_of": as_of.isoformat(),
        "demo": demo,
        "row_count": len(rows),
        "rows": [{c: row[c] for c in COLUMNS} for row in rows],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render_manifest(
    *, sequence: int, as_of: date, demo: bool, created: datetime, row_count: int, files: dict[str, bytes]
) -> bytes:
    document = {
        "format": FORMAT,
        "format_version": FORMAT,
        "batch_sequence": sequence,
        "as_of": as_of.isoformat(),
        "created_at": created.isoformat(),
        "demo": demo,
        "row_count": row_count,
        "columns": list(COLUMNS),
        "files": [
            {
                "kind": kind,
                "name": file_name(kind, sequence=sequence, demo=demo),
                "bytes": len(data),
                "sha256": sha256(data),
            }
            for kind, data in files.items()
        ],
    }
    if demo:
        document["note"] = "演示批次：仅含演示数据，不得报送信用平台"
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render(rows: Sequence[dict[str, str]], *, sequence: int, as_of: date, demo: bool, created: datetime) -> BatchFiles:
    csv_bytes = render_csv(rows)
    xlsx_bytes = render_xlsx(rows, created=created)
    json_bytes = render_json(rows, sequence=sequence, as_of=as_of, demo=demo)
    manifest = render_manifest(
        sequence=sequence,
        as_of=as_of,
        demo=demo,
        created=created,
        row_count=len(rows),
        files={"csv": csv_bytes, "xlsx": xlsx_bytes, "json": json_bytes},
    )
    return BatchFiles(csv=csv_bytes, xlsx=xlsx_bytes, json=json_bytes, manifest=manifest)


def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
