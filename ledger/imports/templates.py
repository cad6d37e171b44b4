"""The downloadable template of a kind: its sheets with the Chinese headers and one example row,
and a 填写说明 sheet listing every column, whether it is required, its format and its variants."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import xlsxwriter

from ledger.imports.registry import Column, ImportKind

_TYPES = {
    "text": "文本",
    "code": "编号（文本）",
    "key": "编号（文本；全角、空格和括号写法不影响识别）",
    "money": "金额：元，最多2位小数（列名写“万元”则以万元计，最多6位小数）",
    "date": "日期：2026-01-05、2026/1/5、2026年1月5日 或 Excel 日期",
    "int": "正整数",
    "rate": "年利率（%），最多4位小数",
    "bool": "是 / 否",
    "choice": "选项",
    "uscc": "统一社会信用代码（18位）",
}


def _example(col: Column):
    value = col.example
    if col.type == "date" and isinstance(value, str) and value:
        return date.fromisoformat(value)
    if col.type == "money" and isinstance(value, str) and value:
        return Decimal(value)
    return value


def template_xlsx(kind: ImportKind) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    head_required = book.add_format(
        {"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True, "font_color": "#C00000"}
    )
    as_text = book.add_format({"num_format": "@"})
    as_date = book.add_format({"num_format": "yyyy-mm-dd"})
    as_money = book.add_format({"num_format": "#,##0.00"})
    for sheet in kind.sheets:
        ws = book.add_worksheet(sheet.title)
        for i, col in enumerate(sheet.columns):
            ws.write_string(0, i, col.label, head_required if col.required else head)
            ws.set_column(
                i, i, max(12, min(30, len(col.label) * 2 + 2)), as_text if col.type in ("code", "key", "uscc") else None
            )
            value = _example(col)
            if value in ("", None):
                continue
            if isinstance(value, date):
                ws.write_datetime(1, i, value, as_date)
            elif isinstance(value, Decimal):
                ws.write_number(1, i, value, as_money)
            elif isinstance(value, int):
                ws.write_number(1, i, value)
            else:
                ws.write_string(1, i, str(value))
        ws.freeze_panes(1, 0)

    ws = book.add_worksheet("填写说明")
    ws.write_row(0, 0, ["工作表", "列名", "必填", "格式", "说明", "也可写作"], head)
    for col_index, width in enumerate((12, 22, 6, 40, 50, 40)):
        ws.set_column(col_index, col_index, width)
    line = 1
    for sheet in kind.sheets:
        for col in sheet.columns:
            fmt = _TYPES[col.type]
            if col.type == "choice" and col.options:
                fmt = "选项：" + "、".join(dict.fromkeys(col.options.values()))
            ws.write_row(
                line,
                0,
                [sheet.title, col.label, "是" if col.required else "", fmt, col.help, "、".join(col.synonyms)],
            )
            line += 1
    line += 1
    ws.write_string(line, 0, "说明：表头可在第1至10行之间（上方可有合并的标题行）；空行和“合计”行自动跳过；")
    ws.write_string(line + 1, 0, "一行有错则整个文件都不导入；同一文件再次导入不会重复登记。")
    book.close()
    return buffer.getvalue()
