"""Report parameters from a query string; a bad one is a 400 naming it."""

from __future__ import annotations

from datetime import date

from ledger import clock
from ledger.errors import ValidationFailed
from ledger.filters import default_stock_cutoff
from ledger.selectors.reports import ReportParams

EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)  # what a report can count month by month


def _in_range(name: str, value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValidationFailed.field(
            name, f"日期应在{EARLIEST.isoformat()}至{LATEST.isoformat()}之间", code="date_out_of_range"
        )
    return value


def _date(query, name: str, default: date) -> date:
    raw = query.get(name)
    if raw in (None, ""):
        return default
    try:
        return _in_range(name, date.fromisoformat(raw))
    except ValueError:
        raise ValidationFailed.field(name, "日期格式应为 YYYY-MM-DD", code="invalid_date") from None


def parse_params(query, *, needs_year: bool = False) -> ReportParams:
    as_of = _in_range("as_of", clock.parse_as_of(query.get("as_of")))
    cutoff = _date(query, "stock_cutoff", default_stock_cutoff() or date(as_of.year, 1, 1))
    if cutoff > as_of:
        raise ValidationFailed.field("stock_cutoff", "存量截止日期不能晚于统计日期 as_of", code="invalid_period")
    period_from = _date(query, "period_from", date(as_of.year, 1, 1))
    period_to = _date(query, "period_to", date(as_of.year, 12, 31))
    if period_from > period_to:
        raise ValidationFailed.field("period_from", "统计期间起始日期不能晚于截止日期", code="invalid_period")
    year = None
    if needs_year:
        raw = query.get("year")
        latest = clock.today().year - 1
        if raw in (None, ""):
            year = latest
        else:
            try:
                year = int(raw)
            except ValueError:
                raise ValidationFailed.field("year", "年度应为四位数字，如 2025", code="invalid_year") from None
            # The 条例 took effect on 2020-09-01; a year not yet ended has no 31 December to report.
            if not 2020 <= year <= latest:
                raise ValidationFailed.field(
                    "year", f"年度应在2020至{latest}之间（须为已结束的年度）", code="invalid_year"
                )
    return ReportParams(as_of=as_of, stock_cutoff=cutoff, period_from=period_from, period_to=period_to, year=year)
