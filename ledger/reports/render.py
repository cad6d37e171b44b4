"""A report section as JSON (the exact bytes a snapshot keeps), CSV or XLSX."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from ledger.exports import csv_chunks, xlsx_bytes
from ledger.reports.registry import Section
from ledger.selectors.oversight import EMPTY_RATE  # SPEC R7: a rate over an empty denominator
from ledger.selectors.reports import ReportParams


def _cell(value, kind: str):
    if kind == "percent" and value is None:
        return EMPTY_RATE
    return value


def section_document(section: Section, params: ReportParams) -> dict:
    """The JSON-ready report: parameters, columns, rows (with their links) and the total."""

    def row(r: dict) -> dict:
        out = {c.key: _cell(r.get(c.key), c.kind) for c in section.columns}
        for extra in ("agency_id", "policy_id", "tenure_id"):
            if extra in r:
                out[extra] = r[extra]
        out["links"] = r.get("links", {})
        return out

    return {
        "key": section.key,
        "title": section.title,
        "params": params.as_dict(),
        "columns": [{"key": c.key, "title": c.title, "kind": c.kind} for c in section.columns],
        "rows": [row(r) for r in section.rows],
        "total": None if section.total is None else row(section.total),
        "notes": section.notes,
    }


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(document: dict) -> bytes:
    """Canonical JSON bytes: the same document always gives the same bytes."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=_default).encode("utf-8")


def table(section: Section) -> tuple[list[str], list[list]]:
    headers = [c.title for c in section.columns]
    rows = [[_cell(r.get(c.key), c.kind) for c in section.columns] for r in section.rows]
    if section.total is not None:
        rows.append([_cell(section.total.get(c.key), c.kind) for c in section.columns])
    return headers, rows


def document_table(document: dict) -> tuple[list[str], list[list]]:
    """The same table from a stored (published) document."""
    columns = document["columns"]
    headers = [c["title"] for c in columns]
    rows = [[r.get(c["key"]) for c in columns] for r in document["rows"]]
    if document.get("total"):
        rows.append([document["total"].get(c["key"]) for c in columns])
    return headers, rows


def csv_bytes(headers, rows, encoding: str = "utf-8") -> bytes:
    return b"".join(csv_chunks(headers, rows, encoding=encoding))


def xlsx(headers, rows) -> bytes:
    return xlsx_bytes(headers, rows, sheet_name="报表")
