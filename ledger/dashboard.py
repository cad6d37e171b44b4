"""``/dashboard/`` — the supervisors' and auditors' page (SPEC §6), in Chinese.

It draws from the very report sections ``/api/reports/…`` serves (one computation, scoped to the
user), and every figure links to the filtered list behind it. Charts are drawn by Chart.js served
from the app's own static files (ledger/static/ledger/vendor/, no CDN); each chart also has a table
with the same numbers, so the page reads without JavaScript.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import numberformat
from django.utils.formats import get_format

from ledger.errors import ValidationFailed
from ledger.models import Role
from ledger.reports.params import parse_params
from ledger.reports.registry import ReportContext, section
from ledger.reports.render import EMPTY_RATE
from ledger.selectors.reports import AGEING

DASHBOARD_ROLES = frozenset({Role.SUPERVISOR, Role.AUDITOR})


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
    agencies = section("agencies").fn(ctx)
    stock = section("stock").fn(ctx)
    monthly = section("arrears-monthly").fn(ctx)
    replies = section("reply-rate").fn(ctx)
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
        "charts": charts,
        "empty_rate": EMPTY_RATE,
    }
    return render(request, "ledger/dashboard.html", context)
