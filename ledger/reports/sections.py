"""The core's report sections (registered from LedgerConfig.ready()). Each row links every figure
to the filtered list behind it, so a number can always be checked against its records."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from urllib.parse import quote_plus

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from ledger.models import Agency, DeliveryMode, Regime
from ledger.reports.registry import Column, ReportContext, Section, group_obligations, register_report_section
from ledger.selectors import oversight
from ledger.selectors.obligations import Status
from ledger.selectors.reports import (
    AGEING,
    Figures,
    TenureRates,
    arrears_by_month,
    obligation_totals,
    percent,
    policy_figures,
    publication_article,
    sme_disclosure,
    tenure_rates,
)

# Every status but 已撤销: what the reports count (see ledger/selectors/reports.py).
COUNTED_STATUSES = [Status.NOT_YET_DUE, Status.DUE, Status.OVERDUE, Status.PAID, Status.WRITTEN_OFF]


@lru_cache(maxsize=64)
def _reversed(name: str, urlconf, root_urlconf: str, prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


def _list_path(basename: str) -> str:
    """A list's path, reversed once per URL configuration and script prefix: a province's report
    makes tens of thousands of links (issue 9), each otherwise a reverse() of its own."""
    return _reversed(f"{basename}-list", get_urlconf(), settings.ROOT_URLCONF, get_script_prefix())


@lru_cache(maxsize=16384)
def _pair(key: str, value: str) -> str:
    """``key=value`` as ``urlencode`` writes it. A province's dashboard repeats the same few
    hundred pairs across 27,000 links (issue 9): quoting each once took 0.4 s of the page."""
    return f"{quote_plus(key)}={quote_plus(value)}"


def links_to(basename: str):
    """``link`` to one list, its path looked up once: a province's agency row makes a dozen links
    to the obligations, and each lookup reads the request's URL configuration and script prefix
    (thread-local, 23,000 times a dashboard)."""
    path = _list_path(basename)

    def to_list(**params) -> str:
        pairs = []
        for key, value in params.items():
            if value is None:
                continue
            for v in value if isinstance(value, list | tuple) else [value]:
                pairs.append(_pair(key, v.isoformat() if hasattr(v, "isoformat") else str(v)))
        return f"{path}?{'&'.join(pairs)}"

    return to_list


def link(basename: str, **params) -> str:
    """The list URL with these filters (lists repeat a parameter for several values)."""
    return links_to(basename)(**params)


def report_totals(ctx: ReportContext):
    """The obligations' figures per agency, per tenure and in total, computed once per context."""
    return ctx.cached("obligation_totals", lambda: obligation_totals(user=ctx.user, params=ctx.params))


def _agency_names(ids) -> dict[int, Agency]:
    return Agency.objects.in_bulk(list(ids))


def _agency_rows(per_agency: dict[int, Figures], agency_ids: list[int] | None = None) -> list[tuple[Agency, Figures]]:
    """(agency, figures) by agency id; with ``agency_ids``, only those, in that order (a page of a
    table sorted by one of its figures: a province has 2,000 agencies, issue 9)."""
    if agency_ids is not None:
        agencies = _agency_names(agency_ids)
        return [(agencies[a], per_agency[a]) for a in agency_ids]
    agencies = _agency_names(per_agency)
    return sorted(((agencies[a], f) for a, f in per_agency.items()), key=lambda pair: pair[0].pk)


# --- 按单位：给付义务、逾期、账龄、新官不理旧账 ------------------------------------------------------------
AGENCY_COLUMNS = [
    Column("agency", "单位"),
    Column("obligations", "给付义务（件）", "int"),
    Column("principal", "本金（元）", "money"),
    Column("outstanding", "未付本金（元）", "money"),
    Column("overdue_count", "逾期（件）", "int"),
    Column("overdue_amount", "逾期未付（元）", "money"),
    *[Column(f"ageing_{key}_count", f"{label}（件）", "int") for key, label, *_ in AGEING],
    *[Column(f"ageing_{key}", f"{label}（元）", "money") for key, label, *_ in AGEING],
    Column("legacy_count", "新官不理旧账（件）", "int"),
    Column("legacy_amount", "新官不理旧账未付（元）", "money"),
]


def _agency_figures(f: Figures, ctx: ReportContext, agency: Agency | None) -> dict:
    d = ctx.params.as_of
    obligations = links_to("obligation")
    base = {"agency_exact": agency.pk if agency else None, "as_of": d}
    row = {
        "agency": agency.name if agency else "合计",
        "obligations": f.obligations,
        "principal": f.principal,
        "outstanding": f.outstanding,
        "overdue_count": f.overdue_count,
        "overdue_amount": f.overdue_amount,
        "legacy_count": f.legacy_count,
        "legacy_amount": f.legacy_amount,
    }
    links = {
        "obligations": obligations(**base, arose_to=d, status=COUNTED_STATUSES),
        "overdue_count": obligations(**base, overdue="true"),
        "legacy_count": obligations(**base, legacy="true"),
    }
    links["principal"] = links["outstanding"] = links["obligations"]
    links["overdue_amount"] = links["overdue_count"]
    links["legacy_amount"] = links["legacy_count"]
    for key, _label, low, high in AGEING:
        row[f"ageing_{key}_count"] = f.ageing_count[key]
        row[f"ageing_{key}"] = f.ageing_amount[key]
        if key == "not_yet_due":
            url = obligations(**base, arose_to=d, status=[Status.NOT_YET_DUE, Status.DUE])
        else:
            url = obligations(**base, overdue="true", days_overdue_min=low, days_overdue_max=high)
        links[f"ageing_{key}_count"] = links[f"ageing_{key}"] = url
    if agency is not None:
        row["agency_id"] = agency.pk
    row["links"] = links
    return row


def agencies_section(ctx: ReportContext, agency_ids: list[int] | None = None) -> Section:
    totals = report_totals(ctx)
    rows = [_agency_figures(f, ctx, a) for a, f in _agency_rows(totals.per_agency, agency_ids)]
    return Section(
        "agencies",
        "按单位：给付义务、逾期账龄与新官不理旧账",
        AGENCY_COLUMNS,
        rows,
        _agency_figures(totals.total, ctx, None),
        notes=[
            "按统计日期计算；机构改革并入的单位，其债务计入承继单位（统计日期前已承继的）。",
            "已撤销的给付义务不计；依法核销的计入件数，未付本金为0。",
            "账龄：未到期（含当日到期）及逾期1–30天、31–90天、91–180天、181–365天、365天以上。",
        ],
    )


# --- 付款表现（英国付款实践报告口径）------------------------------------------------------------------
PRACTICE_COLUMNS = [
    Column("agency", "单位"),
    Column("paid_count", "期内付清（件）", "int"),
    Column("paid_amount", "期内付清本金（元）", "money"),
    Column("avg_days_to_pay", "平均付款天数", "days"),
    Column("within_30", "30天内付清占比（%）", "percent"),
    Column("days_31_60", "31–60天付清占比（%）", "percent"),
    Column("over_60", "60天以上付清占比（%）", "percent"),
    Column("paid_late_count", "逾期付清（件）", "int"),
    Column("share_paid_late", "逾期付款占比（%）", "percent"),
    Column("paid_late_amount", "逾期付清本金（元）", "money"),
]


def _practice(f: Figures, ctx: ReportContext, agency: Agency | None) -> dict:
    p = ctx.params
    return {
        "agency": agency.name if agency else "合计",
        "paid_count": f.paid_count,
        "paid_amount": f.paid_amount,
        "avg_days_to_pay": f.avg_days_to_pay,
        "within_30": percent(f.paid_within_30, f.paid_count),
        "days_31_60": percent(f.paid_31_60, f.paid_count),
        "over_60": percent(f.paid_over_60, f.paid_count),
        "paid_late_count": f.paid_late_count,
        "share_paid_late": f.share_paid_late,
        "paid_late_amount": f.paid_late_amount,
        **({"agency_id": agency.pk} if agency else {}),
        "links": {
            "paid_count": link(
                "obligation",
                agency_exact=agency.pk if agency else None,
                as_of=p.as_of,
                paid_from=p.period_from,
                paid_to=p.period_end,
            )
        },
    }


def payment_practices_section(ctx: ReportContext) -> Section:
    totals = report_totals(ctx)
    p = ctx.params
    return Section(
        "payment-practices",
        "付款表现（参照英国付款实践报告口径）",
        PRACTICE_COLUMNS,
        [_practice(f, ctx, a) for a, f in _agency_rows(totals.per_agency)],
        _practice(totals.total, ctx, None),
        notes=[
            f"统计期间{p.period_from.isoformat()}至{p.period_end.isoformat()}内本金付清的给付义务。",
            "付款天数自付款期限起算之日（交付、验收、结算确认、兑现受理或告知）至本金付清之日；"
            "逾期付款指付清日晚于到期日。",
        ],
    )


# --- 存量清零与增量欠款 -----------------------------------------------------------------------------
STOCK_COLUMNS = [
    Column("agency", "单位"),
    Column("stock_count", "存量给付义务（件）", "int"),
    Column("stock_base", "存量底数（元）", "money"),
    Column("stock_outstanding", "存量尚未清偿（元）", "money"),
    Column("stock_cleared", "存量已清偿（元）", "money"),
    Column("clearance_rate", "存量清零进度（%）", "percent"),
    Column("stock_cleared_count", "存量已清零（件）", "int"),
    Column("stock_arrears", "存量逾期欠款（元）", "money"),
    Column("new_arrears", "增量逾期欠款（元）", "money"),
]


def _stock(f: Figures, ctx: ReportContext, agency: Agency | None) -> dict:
    p = ctx.params
    obligations = links_to("obligation")
    base = {"agency_exact": agency.pk if agency else None, "as_of": p.as_of, "stock_cutoff": p.stock_cutoff}
    stock_list = obligations(**base, stock="true", status=COUNTED_STATUSES)
    return {
        "agency": agency.name if agency else "合计",
        "stock_count": f.stock_count,
        "stock_base": f.stock_base,
        "stock_outstanding": f.stock_outstanding,
        "stock_cleared": f.stock_cleared,
        "clearance_rate": f.clearance_rate,
        "stock_cleared_count": f.stock_cleared_count,
        "stock_arrears": f.stock_arrears,
        "new_arrears": f.new_arrears,
        **({"agency_id": agency.pk} if agency else {}),
        "links": {
            "stock_count": stock_list,
            "stock_base": stock_list,
            "stock_outstanding": stock_list,
            "stock_arrears": obligations(**base, stock="true", overdue="true"),
            "new_arrears": obligations(**base, stock="false", overdue="true"),
        },
    }


def stock_section(ctx: ReportContext, agency_ids: list[int] | None = None) -> Section:
    totals = report_totals(ctx)
    p = ctx.params
    return Section(
        "stock",
        "存量清零与增量欠款",
        STOCK_COLUMNS,
        [_stock(f, ctx, a) for a, f in _agency_rows(totals.per_agency, agency_ids)],
        _stock(totals.total, ctx, None),
        notes=[
            f"存量：{p.stock_cutoff.isoformat()}前发生的给付义务；存量底数为截止日前一日终了时的未付本金。",
            "存量已清偿 = 存量底数 − 统计日期尚未清偿；依法核销的视为已清偿。逾期欠款按统计日期计算。",
        ],
    )


# --- 逐月逾期欠款 -------------------------------------------------------------------------------
MONTH_COLUMNS = [
    Column("month", "月份"),
    Column("on", "时点", "date"),
    Column("count", "逾期给付义务（件）", "int"),
    Column("total", "逾期欠款（元）", "money"),
    Column("stock", "其中存量（元）", "money"),
    Column("new", "其中增量（元）", "money"),
]


def arrears_monthly_section(ctx: ReportContext) -> Section:
    p = ctx.params
    series = ctx.cached("arrears_by_month", lambda: arrears_by_month(user=ctx.user, params=p))
    rows = [
        {
            "month": point.on.strftime("%Y-%m"),
            "on": point.on,
            "count": point.count,
            "total": point.total,
            "stock": point.stock,
            "new": point.new,
            "links": {
                "count": link("obligation", as_of=point.on, overdue="true"),
                "total": link("obligation", as_of=point.on, overdue="true"),
                "stock": link("obligation", as_of=point.on, overdue="true", stock="true", stock_cutoff=p.stock_cutoff),
                "new": link("obligation", as_of=point.on, overdue="true", stock="false", stock_cutoff=p.stock_cutoff),
            },
        }
        for point in series
    ]
    return Section(
        "arrears-monthly",
        "逐月逾期欠款（存量与增量）",
        MONTH_COLUMNS,
        rows,
        notes=["每月末（当月为统计日期）逾期未付的本金；按当时已知的付款记录计算。"],
    )


# --- 按主要负责人任期 --------------------------------------------------------------------------------
TENURE_COLUMNS = [
    Column("agency", "单位"),
    Column("person", "主要负责人"),
    Column("title", "职务"),
    Column("acting", "主持工作（代理）"),
    Column("start_on", "任职起始日", "date"),
    Column("end_on", "任职截止日（不含）", "date"),
    Column("obligations", "任期内发生的给付义务（件）", "int"),
    Column("principal", "本金（元）", "money"),
    Column("outstanding", "未付本金（元）", "money"),
    Column("overdue_count", "逾期（件）", "int"),
    Column("overdue_amount", "逾期未付（元）", "money"),
    *[Column(f"ageing_{key}", f"{label}（元）", "money") for key, label, *_ in AGEING],
    Column("paid_count", "期内付清（件）", "int"),
    Column("avg_days_to_pay", "平均付款天数", "days"),
    Column("share_paid_late", "逾期付款占比（%）", "percent"),
    Column("stock_arrears", "存量逾期欠款（元）", "money"),
    Column("new_arrears", "增量逾期欠款（元）", "money"),
    Column("legacy_count", "成为新官不理旧账（件）", "int"),
    Column("legacy_amount", "新官不理旧账未付（元）", "money"),
    # attributed by deadline (due date), not by arising: see tenure_rates
    Column("reply_due", "期限届满的建议（件）", "int"),
    Column("reply_on_time", "按期回复（件）", "int"),
    Column("reply_rate", "按期办复率（%）", "percent"),
    Column("decision_due", "履行期限届满的生效文书（件）", "int"),
    Column("decision_performed", "已履行（件）", "int"),
    Column("decision_rate", "生效文书履行率（%）", "percent"),
    Column("decision_on_time", "按期履行（件）", "int"),
    Column("decision_on_time_rate", "按期履行率（%）", "percent"),
    Column("redemption_decided", "兑现期限届满或已兑现（件）", "int"),
    Column("redemption_on_time", "按时兑现（件）", "int"),
    Column("redemption_on_time_rate", "按时兑现率（%）", "percent"),
]


def _tenure_rates(r: TenureRates) -> dict:
    return {
        "reply_due": r.replies.due,
        "reply_on_time": r.replies.done,
        "reply_rate": _as_percent(r.replies.rate),
        "decision_due": r.decisions.due,
        "decision_performed": r.decisions.performed,
        "decision_rate": _as_percent(r.decisions.rate),
        "decision_on_time": r.decisions.performed_on_time,
        "decision_on_time_rate": _as_percent(r.decisions.on_time_rate),
        "redemption_decided": r.redemptions_decided,
        "redemption_on_time": r.redemptions_on_time,
        "redemption_on_time_rate": r.redemption_on_time_rate,
    }


def _deadline_links(agency: Agency, window: dict) -> dict:
    """The recommendations and decisions whose deadline fell in the tenure and the period."""
    if window["due_from"] > window["due_to"]:
        return {}
    url = {kind: link(kind, agency_exact=agency.pk, **window) for kind in ("recommendation", "decision")}
    return {
        "reply_due": url["recommendation"],
        "reply_on_time": url["recommendation"],
        "decision_due": url["decision"],
    }


def tenures_section(ctx: ReportContext) -> Section:
    totals = report_totals(ctx)
    p = ctx.params
    rates = ctx.cached("tenure_rates", lambda: tenure_rates(user=ctx.user, params=p))
    tenures = {**totals.tenures, **rates.tenures}
    keys = list(totals.per_tenure) + [key for key in rates.per_tenure if key not in totals.per_tenure]
    agency_ids = {t.agency_id for t in tenures.values()} | {key[1] for key in keys if key[0] == "vacant"}
    agencies = _agency_names(agency_ids)
    no_rates = TenureRates(
        replies=oversight.rate_of([], period_start=p.period_from, period_end=p.period_to, as_of=p.as_of),
        decisions=oversight.decision_rates_of([], period_start=p.period_from, period_end=p.period_to, as_of=p.as_of),
    )
    rows = []
    for key in keys:
        f = totals.per_tenure.get(key) or Figures()
        r = rates.per_tenure.get(key, no_rates)
        deadlines = {}
        if key[0] == "tenure":
            t = tenures[key[1]]
            agency = agencies[t.agency_id]
            who = {
                "person": t.person,
                "title": t.title,
                "acting": t.acting,
                "start_on": t.start_on,
                "end_on": t.end_on,
                "tenure_id": t.pk,
            }
            last_day = (t.end_on - timedelta(days=1)) if t.end_on else p.as_of
            arising = {"arose_from": t.start_on, "arose_to": last_day}
            deadlines = _deadline_links(
                agency,
                {"as_of": p.as_of, "due_from": max(t.start_on, p.period_from), "due_to": min(last_day, p.period_end)},
            )
        else:
            agency = agencies[key[1]]
            who = {"person": "（空缺）", "title": "", "acting": False, "start_on": None, "end_on": None}
            arising = {}
        rows.append(
            {
                "agency": agency.name,
                **who,
                "obligations": f.obligations,
                "principal": f.principal,
                "outstanding": f.outstanding,
                "overdue_count": f.overdue_count,
                "overdue_amount": f.overdue_amount,
                **{f"ageing_{key}": f.ageing_amount[key] for key, *_ in AGEING},
                "paid_count": f.paid_count,
                "avg_days_to_pay": f.avg_days_to_pay,
                "share_paid_late": f.share_paid_late,
                "stock_arrears": f.stock_arrears,
                "new_arrears": f.new_arrears,
                "legacy_count": f.legacy_count,
                "legacy_amount": f.legacy_amount,
                **_tenure_rates(r),
                "agency_id": agency.pk,
                "links": (
                    {
                        "obligations": link(
                            "obligation", agency_exact=agency.pk, as_of=p.as_of, status=COUNTED_STATUSES, **arising
                        ),
                        "legacy_count": link(
                            "obligation", agency_exact=agency.pk, as_of=p.as_of, legacy="true", **arising
                        ),
                        **deadlines,
                    }
                    if arising
                    else {}
                ),
            }
        )
    rows.sort(key=lambda r: (r["agency_id"], r["start_on"] or p.as_of))
    return Section(
        "tenures",
        "按主要负责人任期（给付义务发生时、办复履行兑现期限届满时在任者）",
        TENURE_COLUMNS,
        rows,
        notes=[
            "给付义务计入其发生之日（按机构改革承继关系）在任的主要负责人；无人在任的计入“空缺”。",
            "按期办复率、生效文书履行率与按期履行率、按时兑现率：建议、生效文书、政策兑现事项计入其回复期限、"
            "履行期限、兑现到期日当日（按机构改革承继关系）收文或负有给付义务的单位在任的主要负责人；"
            "无人在任的计入“空缺”。",
            f"建议与生效文书：期限在{p.period_from.isoformat()}至{p.period_end.isoformat()}内的；"
            "兑现：已付清，或到期未付清的（同政策兑现报表）。分母为0时显示“—”。",
        ],
    )


# --- 按期办复率（R7）与生效法律文书履行率 ---------------------------------------------------------------
REPLY_COLUMNS = [
    Column("agency", "单位"),
    Column("due", "期内到期（件）", "int"),
    Column("on_time", "按期回复（件）", "int"),
    Column("rate", "按期办复率（%）", "percent"),
]


def _rate_row(agency: Agency | None, rate, ctx: ReportContext) -> dict:
    p = ctx.params
    base = {"agency_exact": agency.pk if agency else None, "as_of": p.as_of}
    return {
        "agency": agency.name if agency else "合计",
        "due": rate.due,
        "on_time": rate.done,
        "rate": _as_percent(rate.rate),
        **({"agency_id": agency.pk} if agency else {}),
        "links": {
            "due": link("recommendation", **base, due_from=p.period_from, due_to=p.period_end),
            "on_time": link("recommendation", **base, due_from=p.period_from, due_to=p.period_end),
        },
    }


def reply_rates(ctx: ReportContext):
    """(overall, per-agency rates) of R7, computed once per context."""
    p = ctx.params
    return ctx.cached(
        "reply_rates",
        lambda: oversight.reply_rates(user=ctx.user, period_start=p.period_from, period_end=p.period_to, as_of=p.as_of),
    )


def reply_rate_section(ctx: ReportContext, agency_ids: list[int] | None = None) -> Section:
    overall, rows = reply_rates(ctx)
    if agency_ids is not None:  # a page, in that order
        by_agency = {r.agency.pk: r for r in rows}
        rows = [by_agency[a] for a in agency_ids]
    return Section(
        "reply-rate",
        "检察建议、司法建议按期办复率",
        REPLY_COLUMNS,
        [_rate_row(r.agency, r.rate, ctx) for r in rows],
        _rate_row(None, overall, ctx),
        notes=["按期办复率 = 期内到期且不晚于统计日期的建议中，在期限内回复的件数 ÷ 件数；分母为0时显示“—”。"],
    )


DECISION_COLUMNS = [
    Column("agency", "单位"),
    Column("court_due", "生效判决裁定到期（件）", "int"),
    Column("court_performed", "已执行（件）", "int"),
    Column("execution_rate", "执行率（%）", "percent"),
    Column("review_due", "行政复议决定到期（件）", "int"),
    Column("review_performed", "已履行（件）", "int"),
    Column("performance_rate", "履行率（%）", "percent"),
    Column("all_due", "合计到期（件）", "int"),
    Column("on_time", "按期履行（件）", "int"),
    Column("on_time_rate", "按期履行率（%）", "percent"),
]


def _as_percent(rate: Decimal | None) -> Decimal | None:
    """A ratio from the oversight selectors (0.8333) as a percentage (83.33)."""
    return None if rate is None else (rate * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _decision_row(r, ctx: ReportContext) -> dict:
    p = ctx.params
    agency = r.agency
    return {
        "agency": agency.name if agency else "合计",
        "court_due": r.execution.due,
        "court_performed": r.execution.performed,
        "execution_rate": _as_percent(r.execution.rate),
        "review_due": r.performance.due,
        "review_performed": r.performance.performed,
        "performance_rate": _as_percent(r.performance.rate),
        "all_due": r.all.due,
        "on_time": r.all.performed_on_time,
        "on_time_rate": _as_percent(r.all.on_time_rate),
        **({"agency_id": agency.pk} if agency else {}),
        "links": {
            "all_due": link(
                "decision",
                agency_exact=agency.pk if agency else None,
                as_of=p.as_of,
                due_from=p.period_from,
                due_to=p.period_end,
            )
        },
    }


def decision_rate_section(ctx: ReportContext) -> Section:
    p = ctx.params
    overall, rows = oversight.performance_rates(
        user=ctx.user, period_start=p.period_from, period_end=p.period_to, as_of=p.as_of
    )
    return Section(
        "decision-rate",
        "法院生效判决执行率、行政复议决定履行率",
        DECISION_COLUMNS,
        [_decision_row(r, ctx) for r in rows],
        _decision_row(overall, ctx),
        notes=["期内到期且不晚于统计日期的文书；分母为0时显示“—”。"],
    )


# --- 政策兑现（按政策）---------------------------------------------------------------------------
POLICY_COLUMNS = [
    Column("doc_number", "文号"),
    Column("title", "政策名称"),
    Column("delivery_mode", "兑现方式"),
    Column("redemptions", "兑现事项（件）", "int"),
    Column("amount", "兑现金额（元）", "money"),
    Column("free_apply", "免申即享（件）", "int"),
    Column("free_apply_share", "免申即享占比（%）", "percent"),
    Column("approved", "已核准（件）", "int"),
    Column("decided", "应兑现（件）", "int"),
    Column("on_time", "按时兑现（件）", "int"),
    Column("on_time_rate", "按时兑现率（%）", "percent"),
    Column("overdue", "逾期未兑现（件）", "int"),
]


def _policy_row(policy, f, ctx: ReportContext) -> dict:
    d = ctx.params.as_of
    pid = policy.pk if policy else None
    return {
        "doc_number": policy.doc_number if policy else "合计",
        "title": policy.title if policy else "",
        "delivery_mode": DeliveryMode(policy.delivery_mode).label if policy else "",
        "redemptions": f.redemptions,
        "amount": f.amount,
        "free_apply": f.free_apply,
        "free_apply_share": f.free_apply_share,
        "approved": f.approved,
        "decided": f.decided,
        "on_time": f.on_time,
        "on_time_rate": f.on_time_rate,
        "overdue": f.overdue,
        **({"policy_id": pid} if policy else {}),
        # what the report counts: redemptions arisen (applied, or found eligible) by as_of
        "links": {
            "redemptions": link("redemption", policy=pid, as_of=d, arose_to=d),
            "free_apply": link("redemption", policy=pid, as_of=d, arose_to=d, free_apply="true"),
            "overdue": link("redemption", policy=pid, as_of=d, arose_to=d, overdue="true"),
        },
    }


def policies_section(ctx: ReportContext) -> Section:
    policies, per_policy, total = ctx.cached(
        "policy_figures", lambda: policy_figures(user=ctx.user, as_of=ctx.params.as_of)
    )
    rows = [_policy_row(policies[pid], f, ctx) for pid, f in sorted(per_policy.items())]
    return Section(
        "policies",
        "政策兑现：按时兑现率与免申即享占比（按政策）",
        POLICY_COLUMNS,
        rows,
        _policy_row(None, total, ctx),
        notes=[
            "免申即享：单位依数据认定企业符合条件、企业无需申请的兑现事项。",
            "应兑现：已付清，或到期未付清的；按时兑现：在兑现时限（到期日）内付清。",
        ],
    )


# --- 条例 (2025) art. 18 / art. 22: the yearly disclosure ----------------------------------------------
DISCLOSURE_COLUMNS = [
    Column("agency", "单位"),
    Column("agency_uscc", "统一社会信用代码"),
    Column("contracts", "逾期尚未支付中小企业款项的合同（个）", "int"),
    Column("obligations", "逾期付款事项（笔）", "int"),
    Column("overdue_amount", "逾期尚未支付金额（元）", "money"),
]


def sme_disclosure_section(ctx: ReportContext) -> Section:
    year = ctx.params.year
    year_end, _graph, per_agency = sme_disclosure(user=ctx.user, year=year, grouper=group_obligations)
    agencies = _agency_names(per_agency)
    rows = []
    contracts = obligations = 0
    amount = sum((f.overdue_amount for f in per_agency.values()), start=Decimal("0.00"))
    for agency_id, f in sorted(per_agency.items()):
        a = agencies[agency_id]
        contracts += len(f.contracts)
        obligations += f.obligations
        rows.append(
            {
                "agency": a.name,
                "agency_uscc": a.uscc or "",
                "contracts": len(f.contracts),
                "obligations": f.obligations,
                "overdue_amount": f.overdue_amount,
                "agency_id": a.pk,
                "links": {
                    "obligations": link(
                        "obligation",
                        agency_exact=a.pk,
                        as_of=year_end,
                        regime=Regime.SME_PROCUREMENT,
                        overdue="true",
                    )
                },
            }
        )
    total = {
        "agency": "合计",
        "agency_uscc": "",
        "contracts": contracts,
        "obligations": obligations,
        "overdue_amount": amount,
        "links": {"obligations": link("obligation", as_of=year_end, regime=Regime.SME_PROCUREMENT, overdue="true")},
    }
    return Section(
        "sme-disclosure",
        f"{year}年度逾期尚未支付中小企业款项的合同数量和金额",
        DISCLOSURE_COLUMNS,
        rows,
        total,
        notes=[
            f"依据{publication_article(year)}：机关、事业单位应于{year + 1}年3月31日前"
            "公开上一年度逾期尚未支付中小企业款项的合同数量、金额，并向本级人民政府报告。",
            f"截至{year_end.isoformat()}：适用《保障中小企业款项支付条例》的给付义务中到期未付清的；"
            "同一合同的多笔付款计为一个合同。",
        ],
    )


def register() -> None:
    register_report_section("agencies", "按单位：给付义务、逾期账龄与新官不理旧账", agencies_section)
    register_report_section("payment-practices", "付款表现（参照英国付款实践报告口径）", payment_practices_section)
    register_report_section("stock", "存量清零与增量欠款", stock_section)
    register_report_section("arrears-monthly", "逐月逾期欠款（存量与增量）", arrears_monthly_section)
    register_report_section("tenures", "按主要负责人任期", tenures_section)
    register_report_section("reply-rate", "检察建议、司法建议按期办复率", reply_rate_section)
    register_report_section("decision-rate", "法院生效判决执行率、行政复议决定履行率", decision_rate_section)
    register_report_section("policies", "政策兑现：按时兑现率与免申即享占比", policies_section)
    register_report_section(
        "sme-disclosure", "年度逾期尚未支付中小企业款项信息（条例第十八条）", sme_disclosure_section, params=("year",)
    )
