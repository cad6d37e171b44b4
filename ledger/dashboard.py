"""``/dashboard/`` — the supervisors' and auditors' page (SPEC §6), in Chinese.

It draws from the very report sections ``/api/reports/…`` serves (one computation, scoped to the
user), and every figure links to the filtered list behind it. Charts are drawn by Chart.js served
from the app's own static files (ledger/static/ledger/vendor/, no CDN); each chart also has a table
with the same numbers, so the page reads without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import numberformat
from django.utils.formats import get_format

from ledger.errors import ValidationFailed
from ledger.models import Role
from ledger.reports import sections
from ledger.reports.params import parse_params
from ledger.reports.registry import ReportContext, section
from ledger.reports.render import EMPTY_RATE
from ledger.selectors.reports import AGEING

DASHBOARD_ROLES = frozenset({Role.SUPERVISOR, Role.AUDITOR})

# The agency tables show this many agencies a page, the most in arrears first: a province has
# 2,000 agencies, and a page of all of them was 8.9 MB of HTML and most of the page's time
# (issue 9). The whole table is one click away as a report (CSV / XLSX).
PAGE_SIZE = 50


@dataclass(frozen=True)
class Pager:
    """One table's page: ``param`` is its query parameter (each table pages on its own)."""

    param: str
    number: int
    pages: int
    count: int
    order: str  # how the rows are sorted, as the page says it
    prev_url: str | None
    next_url: str | None
    report_url: str  # the whole table as a spreadsheet

    @property
    def first_row(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.count else 0

    @property
    def last_row(self) -> int:
        return min(self.number * PAGE_SIZE, self.count)


PAGE_PARAMS = ("ageing_page", "stock_page", "replies_page")


def _page(request, ids: list[int], param: str, order: str, report: str) -> tuple[list[int], Pager]:
    """The ids of ``param``'s page (1 unless the query says otherwise) and its pager; ``order``
    says how ``ids`` are sorted, ``report`` is the section of the whole table. A page that is not
    a whole number from 1 to the last is a 400 naming the parameter."""
    pages = max(1, -(-len(ids) // PAGE_SIZE))
    raw = request.GET.get(param)
    number = 1
    if raw not in (None, ""):
        try:
            number = int(raw)
        except ValueError:
            raise ValidationFailed.field(param, "页码应为正整数", code="invalid_page") from None
        if not 1 <= number <= pages:
            raise ValidationFailed.field(param, f"页码应在1至{pages}之间", code="invalid_page")

    def url(n: int) -> str:
        query = request.GET.copy()
        query[param] = str(n)
        return f"?{query.urlencode()}"

    report_query = request.GET.copy()
    for key in PAGE_PARAMS:
        report_query.pop(key, None)
    report_query["format"] = "xlsx"
    pager = Pager(
        param=param,
        number=number,
        pages=pages,
        count=len(ids),
        order=order,
        prev_url=url(number - 1) if number > 1 else None,
        next_url=url(number + 1) if number < pages else None,
        report_url=f"{reverse('report', kwargs={'kind': report})}?{report_query.urlencode()}",
    )
    return ids[(number - 1) * PAGE_SIZE : number * PAGE_SIZE], pager


def _num(value) -> str | None:
    """Decimal → its exact string (the chart plots it; the table shows it as is)."""
    return None if value is None else str(value)


def _localizer():
    """A number as ``{{ value }}`` shows it (``formats.localize``), the active language's formats
    read once: a province's page shows 100,000 figures, and the template looked the language up
    again for each (a third of the page's Python, issue 9)."""
    separator, grouping, thousands = (
        get_format(name) for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
    )

    def shown(value):
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            return value
        return numberformat.format(value, separator, None, grouping, thousands, use_l10n=True)

    return shown


def _shown_rows(rows, shown) -> list[dict]:
    """The rows with their numbers as text (``_localizer``); links and labels as they are."""
    return [{key: shown(value) for key, value in row.items()} for row in rows]


def _ageing(agencies) -> dict:
    rows = agencies.rows
    return {
        "labels": [r["agency"] for r in rows],
        "series": [
            {
                "key": key,
                "label": label,
                "values": [_num(r[f"ageing_{key}"]) for r in rows],
                "counts": [r[f"ageing_{key}_count"] for r in rows],
                "links": [r["links"][f"ageing_{key}"] for r in rows],
            }
            for key, label, *_ in AGEING
        ],
    }


def _monthly(monthly) -> dict:
    rows = monthly.rows
    return {
        "labels": [r["month"] for r in rows],
        "series": [
            {
                "key": key,
                "label": label,
                "values": [_num(r[key]) for r in rows],
                "links": [r["links"][key] for r in rows],
            }
            for key, label in (("stock", "存量逾期欠款"), ("new", "增量逾期欠款"))
        ],
    }


def _clearance(stock) -> dict:
    rows = stock.rows
    return {
        "labels": [r["agency"] for r in rows],
        "series": [
            {
                "key": "stock_cleared",
                "label": "存量已清偿",
                "values": [_num(r["stock_cleared"]) for r in rows],
                "links": [r["links"]["stock_count"] for r in rows],
            },
            {
                "key": "stock_outstanding",
                "label": "存量尚未清偿",
                "values": [_num(r["stock_outstanding"]) for r in rows],
                "links": [r["links"]["stock_outstanding"] for r in rows],
            },
        ],
        "rates": [_num(r["clearance_rate"]) if r["clearance_rate"] is not None else EMPTY_RATE for r in rows],
    }


def _rates(rows, *, label_key: str, value_key: str, link_key: str, title: str) -> dict:
    return {
        "labels": [r[label_key] for r in rows],
        "series": [
            {
                "key": value_key,
                "label": title,
                "values": [_num(r[value_key]) for r in rows],  # None: "—" (empty denominator)
                "links": [r["links"].get(link_key) for r in rows],
            }
        ],
    }


@login_required
def dashboard(request):
    user = request.user
    if not (user.role in DASHBOARD_ROLES or user.is_superuser):
        return render(request, "ledger/dashboard_forbidden.html", status=403)
    try:
        params = parse_params(request.GET)
    except ValidationFailed as exc:
        return render(request, "ledger/dashboard.html", {"error": exc.detail}, status=400)
    ctx = ReportContext(user=user, params=params)
    per_agency = sections.report_totals(ctx).per_agency
    _overall, reply_rows = sections.reply_rates(ctx)
    try:
        most_overdue = sorted(per_agency, key=lambda a: (-per_agency[a].overdue_amount, a))
        most_stock = sorted(per_agency, key=lambda a: (-per_agency[a].stock_outstanding, a))
        late_first = sorted(reply_rows, key=lambda r: (-(r.rate.due - r.rate.done), -r.rate.due, r.agency.pk))
        most_late = [r.agency.pk for r in late_first]
        ageing_ids, ageing_pager = _page(request, most_overdue, "ageing_page", "按逾期未付本金从高到低", "agencies")
        stock_ids, stock_pager = _page(request, most_stock, "stock_page", "按存量尚未清偿从高到低", "stock")
        reply_ids, replies_pager = _page(request, most_late, "replies_page", "按未按期回复件数从多到少", "reply-rate")
    except ValidationFailed as exc:
        return render(request, "ledger/dashboard.html", {"error": exc.detail}, status=400)
    agencies = sections.agencies_section(ctx, ageing_ids)
    stock = sections.stock_section(ctx, stock_ids)
    monthly = section("arrears-monthly").fn(ctx)
    replies = sections.reply_rate_section(ctx, reply_ids)
    policies = section("policies").fn(ctx)
    charts = {
        "ageing": _ageing(agencies),
        "monthly": _monthly(monthly),
        "clearance": _clearance(stock),
        "replies": _rates(replies.rows, label_key="agency", value_key="rate", link_key="due", title="按期办复率（%）"),
        "free_apply": _rates(
            policies.rows,
            label_key="doc_number",
            value_key="free_apply_share",
            link_key="free_apply",
            title="免申即享占比（%）",
        ),
    }
    shown = _localizer()
    ageing_rows = [
        {
            "row": row,
            "cells": [
                {
                    "value": row[f"ageing_{key}"],
                    "count": row[f"ageing_{key}_count"],
                    "link": row["links"][f"ageing_{key}"],
                }
                for key, *_ in AGEING
            ],
        }
        for row in _shown_rows([*agencies.rows, agencies.total], shown)
    ]
    context = {
        "params": params,
        "ageing_rows": ageing_rows,
        "ageing_labels": [label for _key, label, *_ in AGEING],
        "ageing_keys": [key for key, *_ in AGEING],
        "agencies": agencies,
        "stock_rows": _shown_rows(stock.rows, shown),
        "stock": stock,
        "monthly": monthly,
        "replies_rows": _shown_rows(replies.rows, shown),
        "replies": replies,
        "policies": policies,
        "ageing_pager": ageing_pager,
        "stock_pager": stock_pager,
        "replies_pager": replies_pager,
        "charts": charts,
        "empty_rate": EMPTY_RATE,
    }
    return render(request, "ledger/dashboard.html", context)
