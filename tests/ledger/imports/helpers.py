"""Builders for the import tests: real .xlsx files (openpyxl) and CSV bytes, made in the test."""

from __future__ import annotations

import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from ledger.imports.services import import_run
from ledger.models import Enterprise

OBLIGATION_HEADERS = [
    "台账编号",
    "债权企业",
    "统一社会信用代码",
    "事由",
    "金额（元）",
    "发生日期",
    "约定付款期限（日）",
]


def xlsx(
    sheets: dict[str, list[list]], *, title: str | None = None, hidden: dict[str, list[str]] | None = None
) -> bytes:
    """A workbook with one sheet per entry; ``title`` puts a merged title row above each header;
    ``hidden`` hides columns (by letter) of a sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        if title:
            ws.append([title])
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(r) for r in rows))
        for row in rows:
            ws.append(row)
        for letter in (hidden or {}).get(name, []):
            ws.column_dimensions[letter].hidden = True
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], *, encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join(str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def upload(data: bytes, name: str = "台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def run(actor, kind: str, data: bytes, name: str = "台账.xlsx", *, dry_run: bool = False, agency=None):
    return import_run(actor=actor, kind=kind, upload=upload(data, name), file_name=name, dry_run=dry_run, agency=agency)


def obligation_row(enterprise: Enterprise, ref: str = "JY-001", **over) -> list:
    values = {
        "ref": ref,
        "name": enterprise.name,
        "uscc": enterprise.uscc,
        "title": "道路养护服务费",
        "amount": "128,000.00",
        "arose": "2026-01-05",
        "term": 30,
    }
    values.update(over)
    return [
        values["ref"],
        values["name"],
        values["uscc"],
        values["title"],
        values["amount"],
        values["arose"],
        values["term"],
    ]


def problems(job) -> list[tuple]:
    """(row, column, reason) of every listed problem."""
    return [(p["row"], p["column"], p["reason"]) for p in job.report["problems"]]


def today_is(monkeypatch, day: date) -> None:
    monkeypatch.setattr("ledger.clock.today", lambda: day)
