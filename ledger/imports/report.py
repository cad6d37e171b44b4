"""The import report: every problem by sheet, row, column, value and reason (Chinese), and what
was — or in a dry run would be — created or changed. Stored on the job as JSON, downloadable as
XLSX. Long lists are capped (the counts stay exact) so a 100,000-row file keeps a bounded report.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import xlsxwriter

SEVERITY = {"error": "错误", "warning": "提示", "info": "说明"}
ACTION = {"create": "新增", "update": "更新", "unchanged": "无变化"}
MAX_PROBLEMS = 5000  # listed problems; the count is always exact
MAX_CHANGES = 2000  # listed creations and updates


@dataclass
class Report:
    problems: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)  # warnings and explanations
    changes: list[dict] = field(default_factory=list)
    problem_count: int = 0
    warning_count: int = 0
    change_count: int = 0
    sheets: dict[str, dict] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return self.problem_count > 0

    def add(self, severity: str, *, sheet: str, row: int | None, column: str, value: str, reason: str) -> None:
        item = {"severity": severity, "sheet": sheet, "row": row, "column": column, "value": value, "reason": reason}
        if severity == "error":
            self.problem_count += 1
            if len(self.problems) < MAX_PROBLEMS:
                self.problems.append(item)
        else:
            self.warning_count += severity == "warning"
            if len(self.notes) < MAX_PROBLEMS:
                self.notes.append(item)

    def sheet(self, key: str, name: str, title: str) -> dict:
        return self.sheets.setdefault(
            key, {"name": name, "title": title, "rows": 0, "create": 0, "update": 0, "unchanged": 0}
        )

    def change(self, action: str, *, sheet_key: str, sheet: str, row: int, record: str, detail: str) -> None:
        self.sheets[sheet_key][action] += 1
        if action == "unchanged":
            return
        self.change_count += 1
        if len(self.changes) < MAX_CHANGES:
            self.changes.append({"action": action, "sheet": sheet, "row": row, "record": record, "detail": detail})

    def totals(self) -> dict[str, int]:
        out = {"rows": 0, "create": 0, "update": 0, "unchanged": 0}
        for s in self.sheets.values():
            for k in out:
                out[k] += s[k]
        return out

    def as_json(self) -> dict:
        return {
            "problems": self.problems,
            "problems_not_listed": self.problem_count - len(self.problems),
            "notes": self.notes,
            "changes": self.changes,
            "changes_not_listed": self.change_count - len(self.changes),
            "sheets": list(self.sheets.values()),
        }


def summary_line(job) -> str:
    """One sentence for people: what happened to the file."""
    if job.status == "rejected":
        return f"发现{job.problem_count}处问题，未导入任何数据。请按报告更正后重新上传。"
    verb = "将" if job.dry_run else "已"
    return (
        f"共{job.rows_total}行：{verb}新增{job.rows_created}条、{verb}更新{job.rows_updated}条、"
        f"无变化{job.rows_unchanged}条" + ("（试导入，未写入）。" if job.dry_run else "。")
    )


def report_xlsx(job) -> bytes:
    """The job's report as an XLSX workbook: 概况, 问题清单, 导入结果."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    report = job.report or {}

    ws = book.add_worksheet("概况")
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 70)
    rows = [
        ("导入类别", job.kind),
        ("文件名", job.file_name),
        ("文件SHA-256", job.file_sha256),
        ("试导入", "是" if job.dry_run else "否"),
        ("单位", str(job.agency) if job.agency_id else "（按各行所填单位）"),
        ("导入人", job.created_by.username),
        ("开始时间", job.created_at.isoformat(timespec="seconds")),
        ("结果", job.get_status_display()),
        ("说明", summary_line(job)),
        ("数据行数", job.rows_total),
        ("新增", job.rows_created),
        ("更新", job.rows_updated),
        ("无变化", job.rows_unchanged),
        ("问题数", job.problem_count),
    ]
    for i, (k, val) in enumerate(rows):
        ws.write_string(i, 0, k, bold)
        if isinstance(val, int):
            ws.write_number(i, 1, val)
        else:
            ws.write_string(i, 1, str(val), wrap)
    line = len(rows) + 1
    ws.write_row(line, 0, ["工作表", "表头行", "数据行", "新增", "更新", "无变化"], bold)
    for j, s in enumerate(report.get("sheets", []), start=line + 1):
        ws.write_row(
            j,
            0,
            [s["name"] or s["title"], s.get("header_row", ""), s["rows"], s["create"], s["update"], s["unchanged"]],
        )

    ws = book.add_worksheet("问题清单")
    headers = ["级别", "工作表", "行号", "列", "单元格内容", "问题说明"]
    ws.write_row(0, 0, headers, bold)
    for col, width in enumerate((6, 14, 8, 24, 30, 80)):
        ws.set_column(col, col, width)
    items = report.get("problems", []) + report.get("notes", [])
    for i, p in enumerate(items, start=1):
        ws.write_string(i, 0, SEVERITY.get(p["severity"], p["severity"]))
        ws.write_string(i, 1, p["sheet"] or "")
        if p["row"] is not None:
            ws.write_number(i, 2, p["row"])
        ws.write_string(i, 3, p["column"] or "")
        ws.write_string(i, 4, p["value"] or "")
        ws.write_string(i, 5, p["reason"], wrap)
    more = report.get("problems_not_listed", 0)
    if more:
        ws.write_string(len(items) + 1, 5, f"另有{more}处问题未列出（仅列出前{len(report['problems'])}处）")

    ws = book.add_worksheet("导入结果")
    ws.write_row(0, 0, ["操作", "工作表", "行号", "记录", "说明"], bold)
    for col, width in enumerate((8, 14, 8, 26, 80)):
        ws.set_column(col, col, width)
    for i, c in enumerate(report.get("changes", []), start=1):
        action = ACTION.get(c["action"], c["action"])
        ws.write_string(i, 0, ("将" if job.dry_run else "") + action)
        ws.write_string(i, 1, c["sheet"] or "")
        ws.write_number(i, 2, c["row"])
        ws.write_string(i, 3, c["record"] or "")
        ws.write_string(i, 4, c["detail"] or "", wrap)
    more = report.get("changes_not_listed", 0)
    if more:
        ws.write_string(len(report.get("changes", [])) + 1, 4, f"另有{more}条新增或更新未列出")
    book.close()
    return buffer.getvalue()
