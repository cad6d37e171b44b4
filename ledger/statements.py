"""The statement (对账单) of what is owed to an enterprise as of a date, as XLSX or PDF (SPEC §6).

Built from the same ``EnterpriseStatus`` the API and the page show. Money is exact: in XLSX a
number is written only when its decimal digits survive the spreadsheet's binary number (15
significant digits), formatted to 2 places; anything longer is written as text. Interest reads
"无法定逾期利息" where none is borne, never 0.00. The PDF uses reportlab's built-in CID font
STSong-Light, so Chinese renders without any font file.
"""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import xlsxwriter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ledger.clock import CHINA
from ledger.selectors.status import EnterpriseStatus, Row

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"
CID_FONT = "STSong-Light"
_EXACT_DIGITS = 15  # an IEEE double keeps every decimal of up to 15 significant digits

OBLIGATION_HEADERS = [
    "编号",
    "债务单位",
    "事由",
    "适用规则",
    "到期日",
    "本金（元）",
    "已付本金（元）",
    "尚欠本金（元）",
    "逾期利息（元）",
    "未付利息（元）",
    "逾期天数",
    "状态",
]
REDEMPTION_HEADERS = ["编号", "兑现单位", "政策", "兑现金额（元）", "兑现期限", "逾期天数", "状态", "对应给付义务"]
CLAIM_HEADERS = ["编号", "被反映单位", "事由", "主张金额（元）", "登记日期", "当前期限", "状态", "对应给付义务"]
CONFIRMATION_HEADERS = [
    "编号",
    "被请求单位",
    "事由",
    "请求金额（元）",
    "请求日期",
    "确权期限",
    "确认金额（元）",
    "状态",
]
TOTAL_LABELS = [
    ("obligations", "给付义务（笔）"),
    ("overdue", "其中逾期（笔）"),
    ("principal", "本金合计（元）"),
    ("paid", "已付本金合计（元）"),
    ("principal_outstanding", "尚欠本金合计（元）"),
    ("overdue_outstanding", "其中逾期本金（元）"),
    ("interest_accrued", "逾期利息合计（元）"),
    ("interest_unpaid", "未付利息合计（元）"),
    ("claims_open", "办理中的诉求（件）"),
    ("claimed_open", "办理中诉求主张金额（元）"),
    ("confirmations_pending", "待确权请求（件）"),
]


def _yuan(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _date(value) -> str:
    return "" if value is None else value.isoformat()


def _interest(row: Row, value: Decimal | None) -> str | Decimal | None:
    text = row.money.interest_text(value)
    if text is None:
        return None
    return value if row.money.bears_interest else text


def obligation_cells(row: Row) -> list:
    m = row.money
    return [
        row.reference,
        row.agency,
        row.title,
        row.extra.get("regime_label", ""),
        row.due_on,
        row.amount,
        m.paid,
        m.principal_outstanding,
        _interest(row, m.interest_accrued),
        _interest(row, m.interest_unpaid),
        m.days_overdue,
        row.status_label,
    ]


def redemption_cells(row: Row) -> list:
    return [
        row.reference,
        row.agency,
        row.title,
        row.amount,
        row.due_on,
        row.money.days_overdue,
        row.status_label,
        row.obligation_reference or "",
    ]


def claim_cells(row: Row) -> list:
    return [
        row.reference,
        row.agency,
        row.title,
        row.amount,
        row.extra.get("filed_on"),
        row.due_on,
        row.status_label,
        row.obligation_reference or "",
    ]


def confirmation_cells(row: Row) -> list:
    return [
        row.reference,
        row.agency,
        row.title,
        row.amount,
        row.extra.get("requested_on"),
        row.due_on,
        row.extra.get("confirmed_amount"),
        row.status_label,
    ]


SECTIONS = [
    # (sheet / section title, headers, rows attribute, cells)
    ("给付义务", OBLIGATION_HEADERS, "obligations", obligation_cells),
    ("政策兑现", REDEMPTION_HEADERS, "redemptions", redemption_cells),
    ("诉求", CLAIM_HEADERS, "claims", claim_cells),
    ("确权请求", CONFIRMATION_HEADERS, "confirmations", confirmation_cells),
]


def _title(status: EnterpriseStatus) -> str:
    return f"{status.enterprise.name} 对账单（截至{status.as_of.isoformat()}）"


def _generated(generated_at: datetime) -> str:
    return generated_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


# --- XLSX ----------------------------------------------------------------------------------
def _exact_number(value: Decimal) -> bool:
    return len(value.as_tuple().digits) <= _EXACT_DIGITS


def statement_xlsx(status: EnterpriseStatus, *, generated_at: datetime) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"title": _title(status), "subject": "对账单", "author": "履约践诺台账"})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1, "text_wrap": True})
    money = wb.add_format({"num_format": "#,##0.00"})

    def put(ws, r, c, value):
        if value is None:
            ws.write_blank(r, c, None)
        elif isinstance(value, Decimal):
            if _exact_number(value):
                ws.write_number(r, c, float(value), money)
            else:
                ws.write_string(r, c, f"{value:.2f}")
        elif hasattr(value, "isoformat") and not isinstance(value, datetime):
            ws.write_string(r, c, value.isoformat())
        elif isinstance(value, bool):
            ws.write_string(r, c, "是" if value else "否")
        elif isinstance(value, int):
            ws.write_number(r, c, value)
        else:
            ws.write_string(r, c, str(value))

    summary = wb.add_worksheet("汇总")
    summary.set_column(0, 0, 28)
    summary.set_column(1, 1, 22)
    summary.write_string(0, 0, _title(status), bold)
    summary.write_string(1, 0, "企业名称")
    summary.write_string(1, 1, status.enterprise.name)
    summary.write_string(2, 0, "统一社会信用代码")
    summary.write_string(2, 1, status.enterprise.uscc)
    summary.write_string(3, 0, "截至日期")
    summary.write_string(3, 1, status.as_of.isoformat())
    summary.write_string(4, 0, "生成时间")
    summary.write_string(4, 1, _generated(generated_at))
    for i, (attr, label) in enumerate(TOTAL_LABELS, start=6):
        summary.write_string(i, 0, label)
        put(summary, i, 1, getattr(status.totals, attr))
    note_row = 6 + len(TOTAL_LABELS) + 1
    summary.write_string(
        note_row, 0, "说明：合计按给付义务计算；已核准的政策兑现、已核实的诉求通过其给付义务计入，不重复计算。"
    )
    summary.write_string(note_row + 1, 0, "“无法定逾期利息”表示该笔款项依法不计逾期利息（非0.00）。")

    for title, headers, attr, cells in SECTIONS:
        ws = wb.add_worksheet(title)
        for c, h in enumerate(headers):
            ws.write_string(0, c, h, head)
            ws.set_column(c, c, 24 if h in ("事由", "政策", "债务单位") else 16)
        for r, row in enumerate(getattr(status, attr), start=1):
            for c, value in enumerate(cells(row)):
                put(ws, r, c, value)
        ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


# --- PDF -----------------------------------------------------------------------------------
_font_registered = False


def _font() -> str:
    global _font_registered
    if not _font_registered:
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
        _font_registered = True
    return CID_FONT


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return _yuan(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


_WIDE = {"事由": 2.4, "政策": 2.4, "债务单位": 1.6, "兑现单位": 1.6, "被反映单位": 1.6, "被请求单位": 1.6, "编号": 1.7}


def _widths(headers: list[str], total: float) -> list[float]:
    weights = [_WIDE.get(h, 1.0) for h in headers]
    return [total * w / sum(weights) for w in weights]


def statement_pdf(status: EnterpriseStatus, *, generated_at: datetime) -> bytes:
    font = _font()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_title(status),
        author="履约践诺台账",
        subject="对账单",
    )
    h1 = ParagraphStyle("h1", fontName=font, fontSize=15, leading=20, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9.5)

    story = [
        Paragraph(_title(status), h1),
        Paragraph(
            f"统一社会信用代码：{status.enterprise.uscc}　截至日期：{status.as_of.isoformat()}"
            f"　生成时间：{_generated(generated_at)}",
            body,
        ),
        Spacer(1, 4 * mm),
        Paragraph("汇总", h2),
    ]
    totals = [[label, _text(getattr(status.totals, attr))] for attr, label in TOTAL_LABELS]
    table = Table(totals, colWidths=[60 * mm, 45 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    story.append(table)
    story.append(
        Paragraph(
            "合计按给付义务计算；已核准的政策兑现、已核实的诉求通过其给付义务计入，不重复计算。"
            "“无法定逾期利息”表示该笔款项依法不计逾期利息。",
            body,
        )
    )
    for title, headers, attr, cells in SECTIONS:
        rows = getattr(status, attr)
        story.append(Paragraph(f"{title}（{len(rows)}）", h2))
        if not rows:
            story.append(Paragraph("无", body))
            continue
        data = [[Paragraph(h, cell) for h in headers]]
        data += [[Paragraph(_text(v), cell) for v in cells(row)] for row in rows]
        t = Table(data, colWidths=_widths(headers, doc.width), repeatRows=1, hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(t)
    doc.build(story)
    return buf.getvalue()
