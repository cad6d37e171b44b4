"""Filters of the lists auditors use (SPEC §4; issue 6): django-filter FilterSets and the backend.

Every list filters the same way, and its export (``…/export/``) takes the very same parameters:

- ``agency`` — the agency, its sub-agencies and the agencies merged into it (机构改革: debts pass
  to the successor); ``agency_exact`` — the agency and those merged into it, not its sub-agencies
  (what a report's per-agency row counts);
- ``region_code`` — a prefix of the 行政区划代码 (``3410`` = the whole city);
- ``uscc`` — the enterprise's 统一社会信用代码, validated (R8) and normalised;
- live states as of ``?as_of=`` (default today): ``overdue``, ``days_overdue_min``/``_max``,
  ``legacy`` (R5 新官不理旧账), ``violation`` (R4: a refusal reason that is a violation);
- ``stock=true|false`` with ``stock_cutoff=YYYY-MM-DD`` (default ``settings.LEDGER_STOCK_CUTOFF``):
  存量 arisen before the cut-off, or 增量 on or after it;
- ranges: ``due_from``/``due_to``, ``amount_min``/``amount_max`` (money: 2 decimals, not negative)
  and a date range per list;
- ``regime``, ``outcome`` and ``sme_declared`` (SME creditors only) on obligations, and through the
  linked obligation on redemptions, claims and decisions; contracts answer the live filters, days
  overdue, due range and regime over their government payment milestones.

An invalid value is a 400 in the error envelope naming the parameter — never an empty or an
unfiltered list: booleans accept only true/false (django-filter's default would silently ignore
``overdue=yes``), and an unknown ``ordering`` field is refused too.
"""

from __future__ import annotations

import re
from datetime import date

import django_filters
from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter

from ledger import clock
from ledger.errors import ValidationFailed
from ledger.models import (
    Agency,
    Claim,
    ClaimStatus,
    Decision,
    DecisionKind,
    DecisionStatus,
    DeliveryMode,
    Obligation,
    Outcome,
    Recommendation,
    RecommendationKind,
    RecommendationStatus,
    Redemption,
    RedemptionStatus,
    RefusalReason,
    Regime,
    Source,
)
from ledger.rules import uscc as uscc_rules
from ledger.rules.errors import RuleError
from ledger.selectors.live import AgencyGraph, days_overdue_q, legacy_where_q, overdue_q
from ledger.selectors.obligations import Status, with_status

_TRUE = frozenset({"true", "1", "yes", "on", "是"})
_FALSE = frozenset({"false", "0", "no", "off", "否"})
_REGION = re.compile(r"^[0-9]{2,12}$")


# --- fields ---------------------------------------------------------------------------------
class StrictBooleanField(forms.Field):
    """true/false (also 1/0, yes/no, 是/否); anything else is an error, never "no filter"."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        raw = str(value).strip().lower()
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        raise forms.ValidationError(f"“{value}”无效，应为 true 或 false", code="invalid_boolean")


class RegionCodeField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value and not _REGION.match(value):
            raise forms.ValidationError("行政区划代码应为2至12位数字（按前缀匹配）", code="invalid_region_code")
        return value


class UsccFormField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return uscc_rules.validate(value)
        except RuleError as exc:
            raise forms.ValidationError(exc.detail, code=exc.code) from None


# --- filters --------------------------------------------------------------------------------
class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


MAX_DAYS = 36_500  # a hundred years: any larger count of days overdue is a typing error


class DaysFilter(django_filters.NumberFilter):
    """A whole number of days, 0 to MAX_DAYS."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_DAYS)
        super().__init__(*args, **kwargs)


class MoneyFilter(django_filters.NumberFilter):
    """An amount in yuan: at most 13 integer digits and 2 decimals (the ledger's money), not
    negative — a larger or finer number is a typing error, refused rather than compared."""

    field_class = forms.DecimalField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        super().__init__(*args, **kwargs)


class RegionCodeFilter(django_filters.CharFilter):
    field_class = RegionCodeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("field_name", "region_code")
        kwargs.setdefault("lookup_expr", "startswith")
        kwargs.setdefault("label", "行政区划代码（前缀）")
        super().__init__(*args, **kwargs)


class UsccFilter(django_filters.CharFilter):
    field_class = UsccFormField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "企业统一社会信用代码")
        super().__init__(*args, **kwargs)


class AgencyChoiceField(django_filters.fields.ModelChoiceField):
    """An agency id; one that is not a database id at all (``abc``, 10**30) is invalid, not a 500."""

    def to_python(self, value):
        if value not in self.empty_values and not (str(value).isdigit() and 0 < int(value) < 2**63):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class AgencyFilter(django_filters.ModelChoiceFilter):
    field_class = AgencyChoiceField

    """An agency with the agencies merged into it (on or before ``as_of``) and, with
    ``children``, its sub-agencies — transitively."""

    def __init__(self, *args, children: bool = True, **kwargs):
        self.children = children
        kwargs.setdefault("queryset", Agency.objects.all())
        kwargs.setdefault("label", "单位（含下属单位及并入单位）" if children else "单位（含并入单位，不含下属单位）")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        ids = self.parent.graph.family(value.pk, as_of=self.parent.as_of, children=self.children)
        return qs.filter(**{f"{self.field_name}__in": sorted(ids)})


def _statuses(labels: dict) -> list[tuple[str, str]]:
    return list(labels.items())


# --- the base FilterSet -------------------------------------------------------------------------
class LedgerFilterSet(django_filters.FilterSet):
    """Strict booleans for every model BooleanField; the as-of date, the agency graph and the
    stock cut-off shared by the filters of one request."""

    FILTER_DEFAULTS = {**FILTER_FOR_DBFIELD_DEFAULTS, models.BooleanField: {"filter_class": StrictBooleanFilter}}

    # The date a row "arose" for stock (存量) vs new (增量); None: the list has no stock filter.
    stock_field: str | None = None

    @cached_property
    def as_of(self) -> date:
        return clock.parse_as_of(self.data.get("as_of"))

    @cached_property
    def graph(self) -> AgencyGraph:
        return AgencyGraph.load()

    def stock_cutoff(self) -> date:
        cutoff = self.form.cleaned_data.get("stock_cutoff") if "stock_cutoff" in self.filters else None
        if cutoff is None:
            cutoff = default_stock_cutoff()
        if cutoff is None:
            raise ValidationFailed.field(
                "stock_cutoff", "按存量/增量筛选须给出存量截止日期 stock_cutoff", code="required"
            )
        return cutoff

    # -- methods shared by the lists --
    def filter_stock(self, qs, name, value):
        if value is None:
            return qs
        cutoff = self.stock_cutoff()
        lookup = {f"{self.stock_field}__lt": cutoff}
        return qs.filter(**lookup) if value else qs.exclude(**lookup).filter(**{f"{self.stock_field}__isnull": False})

    def filter_nothing(self, qs, name, value):
        """A parameter read by another filter (``stock_cutoff``)."""
        return qs


def default_stock_cutoff() -> date | None:
    raw = getattr(settings, "LEDGER_STOCK_CUTOFF", None)
    if not raw:
        return None
    return raw if isinstance(raw, date) else date.fromisoformat(str(raw))


def stock_filters():
    return (
        StrictBooleanFilter(method="filter_stock", label="存量（true：截止日前发生）或增量（false）"),
        django_filters.DateFilter(method="filter_nothing", label="存量截止日期（默认见设置 LEDGER_STOCK_CUTOFF）"),
    )


# --- obligations ---------------------------------------------------------------------------------
def violation_exists(obligation_ref: str = "pk", as_of: date | None = None) -> Exists:
    """R4: a refusal or delay reason recorded as a violation (on or before ``as_of``)."""
    reasons = RefusalReason.objects.filter(obligation_id=OuterRef(obligation_ref), is_violation=True)
    if as_of is not None:
        reasons = reasons.filter(given_on__lte=as_of)
    return Exists(reasons)


def legacy_obligations(as_of: date, graph: AgencyGraph | None = None):
    """Ids of the obligations that are 新官不理旧账 cases as of ``as_of`` (a subquery)."""
    return Obligation.objects.filter(legacy_where_q(as_of, graph)).values("pk")


class ObligationFilterSet(LedgerFilterSet):
    stock_field = "arose_on"

    agency = AgencyFilter(field_name="debtor_agency")
    agency_exact = AgencyFilter(field_name="debtor_agency", children=False)
    region_code = RegionCodeFilter()
    uscc = UsccFilter(field_name="creditor__uscc")
    source = django_filters.MultipleChoiceFilter(choices=Source.choices, label="来源")
    regime = django_filters.MultipleChoiceFilter(choices=Regime.choices, label="适用规则")
    outcome = django_filters.MultipleChoiceFilter(choices=Outcome.choices, label="最终结果")
    status = django_filters.MultipleChoiceFilter(
        choices=_statuses(Status.labels), field_name="status_as_of", label="状态（按统计日期）"
    )
    overdue = StrictBooleanFilter(method="filter_overdue", label="按统计日期逾期")
    days_overdue_min = DaysFilter(method="filter_days_overdue", label="逾期天数不少于")
    days_overdue_max = DaysFilter(method="filter_days_overdue", label="逾期天数不多于")
    due_from = django_filters.DateFilter(field_name="due_on", lookup_expr="gte", label="到期日起")
    due_to = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label="到期日止")
    arose_from = django_filters.DateFilter(field_name="arose_on", lookup_expr="gte", label="发生日期起")
    arose_to = django_filters.DateFilter(field_name="arose_on", lookup_expr="lte", label="发生日期止")
    paid_from = django_filters.DateFilter(field_name="fully_paid_on", lookup_expr="gte", label="本金付清日期起")
    paid_to = django_filters.DateFilter(field_name="fully_paid_on", lookup_expr="lte", label="本金付清日期止")
    amount_min = MoneyFilter(field_name="principal", lookup_expr="gte", label="本金不低于（元）")
    amount_max = MoneyFilter(field_name="principal", lookup_expr="lte", label="本金不高于（元）")
    legacy = StrictBooleanFilter(method="filter_legacy", label="新官不理旧账（按统计日期）")
    violation = StrictBooleanFilter(method="filter_violation", label="有违规拒付理由")
    stock, stock_cutoff = stock_filters()

    class Meta:
        model = Obligation
        fields = ["debtor_agency", "creditor", "reference", "is_demo", "sme_declared"]

    def filter_queryset(self, queryset):
        if "status_as_of" not in queryset.query.annotations:
            queryset = with_status(queryset, self.as_of)
        return super().filter_queryset(queryset)

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        # A plain predicate on stored columns, not the status CASE: PostgreSQL can use an index and
        # estimate its rows (issue 9). overdue_q is with_status's OVERDUE branch (test_live_sql.py).
        return qs.filter(overdue_q(self.as_of)) if value else qs.exclude(overdue_q(self.as_of))

    def filter_days_overdue(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(overdue_q(self.as_of) & _days_bound(self.as_of, name, value))

    def filter_legacy(self, qs, name, value):
        if value is None:
            return qs
        # A WHERE predicate, not the flag's CASE: on PostgreSQL one binary search of each row in
        # the debtors' R5 segments (live._InSegments; issue 9: 3.4 s -> 0.1 s for a province),
        # only the agency filter's debtors' when there is one. The same answer (test_live_sql.py).
        cases = legacy_where_q(self.as_of, self.graph, self._debtor_reach())
        return qs.filter(cases) if value else qs.exclude(cases)

    def _debtor_reach(self) -> set[int] | None:
        """The debtor agencies the list's agency filters keep to (None: every agency)."""
        data = self.form.cleaned_data
        reach = None
        for name, children in (("agency", True), ("agency_exact", False)):
            if data.get(name):
                ids = self.graph.family(data[name].pk, as_of=self.as_of, children=children)
                reach = ids if reach is None else reach & ids
        if data.get("debtor_agency"):
            reach = {data["debtor_agency"].pk} if reach is None else reach & {data["debtor_agency"].pk}
        return reach

    def filter_violation(self, qs, name, value):
        if value is None:
            return qs
        exists = violation_exists("pk", self.as_of)
        return qs.filter(exists) if value else qs.filter(~exists)


def _days_bound(as_of: date, name: str, value: int, field: str = "due_on") -> Q:
    if name.endswith("_min"):
        return days_overdue_q(as_of, at_least=value, field=field)
    return days_overdue_q(as_of, at_most=value, field=field)


# --- filters over a linked obligation (redemptions, claims, decisions) -----------------------------
class LinkedObligationFilters(LedgerFilterSet):
    """overdue / days overdue / legacy / violation / due range read through ``obligation``."""

    overdue = StrictBooleanFilter(method="filter_obligation_overdue", label="对应给付义务按统计日期逾期")
    days_overdue_min = DaysFilter(method="filter_obligation_days", label="逾期天数不少于")
    days_overdue_max = DaysFilter(method="filter_obligation_days", label="逾期天数不多于")
    due_from = django_filters.DateFilter(field_name="obligation__due_on", lookup_expr="gte", label="到期日起")
    due_to = django_filters.DateFilter(field_name="obligation__due_on", lookup_expr="lte", label="到期日止")
    legacy = StrictBooleanFilter(method="filter_obligation_legacy", label="新官不理旧账（按统计日期）")
    violation = StrictBooleanFilter(method="filter_obligation_violation", label="有违规拒付理由")
    regime = django_filters.MultipleChoiceFilter(
        field_name="obligation__regime", choices=Regime.choices, label="对应给付义务的适用规则"
    )
    outcome = django_filters.MultipleChoiceFilter(
        field_name="obligation__outcome", choices=Outcome.choices, label="对应给付义务的最终结果"
    )
    sme_declared = StrictBooleanFilter(
        field_name="obligation__sme_declared", label="债权企业签约时声明为中小企业（对应给付义务）"
    )

    def filter_obligation_overdue(self, qs, name, value):
        if value is None:
            return qs
        q = overdue_q(self.as_of, "obligation__")
        return qs.filter(q) if value else qs.exclude(q)

    def filter_obligation_days(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(
            overdue_q(self.as_of, "obligation__") & _days_bound(self.as_of, name, value, "obligation__due_on")
        )

    def filter_obligation_legacy(self, qs, name, value):
        if value is None:
            return qs
        cases = legacy_obligations(self.as_of, self.graph)
        return qs.filter(obligation__in=cases) if value else qs.exclude(obligation__in=cases)

    def filter_obligation_violation(self, qs, name, value):
        if value is None:
            return qs
        exists = violation_exists("obligation_id", self.as_of)
        return qs.filter(exists) if value else qs.filter(~exists)


class RedemptionFilterSet(LinkedObligationFilters):
    stock_field = "_arose_on"

    agency = AgencyFilter(field_name="agency")
    agency_exact = AgencyFilter(field_name="agency", children=False)
    region_code = RegionCodeFilter()
    uscc = UsccFilter(field_name="enterprise__uscc")
    status = django_filters.MultipleChoiceFilter(choices=RedemptionStatus.choices, label="状态")
    delivery_mode = django_filters.MultipleChoiceFilter(
        field_name="policy__delivery_mode", choices=DeliveryMode.choices, label="兑现方式"
    )
    free_apply = StrictBooleanFilter(
        field_name="eligible_on", lookup_expr="isnull", exclude=True, label="免申即享（无需申请）"
    )
    amount_min = MoneyFilter(field_name="amount", lookup_expr="gte", label="兑现金额不低于（元）")
    amount_max = MoneyFilter(field_name="amount", lookup_expr="lte", label="兑现金额不高于（元）")
    arose_from = django_filters.DateFilter(method="filter_arose", label="申请或认定符合条件日期起")
    arose_to = django_filters.DateFilter(method="filter_arose", label="申请或认定符合条件日期止")
    stock, stock_cutoff = stock_filters()

    class Meta:
        model = Redemption
        fields = ["policy", "enterprise", "is_demo"]

    @staticmethod
    def _with_arose(qs):
        # A redemption arises with the application, or (免申即享) with the finding of eligibility.
        if "_arose_on" in qs.query.annotations:
            return qs
        return qs.annotate(_arose_on=Coalesce("applied_on", "eligible_on"))

    def filter_stock(self, qs, name, value):
        if value is None:
            return qs
        return super().filter_stock(self._with_arose(qs), name, value)

    def filter_arose(self, qs, name, value):
        if value is None:
            return qs
        lookup = "_arose_on__gte" if name == "arose_from" else "_arose_on__lte"
        return self._with_arose(qs).filter(**{lookup: value})


class ClaimFilterSet(LinkedObligationFilters):
    stock_field = "filed_on"

    agency = AgencyFilter(field_name="agency")
    agency_exact = AgencyFilter(field_name="agency", children=False)
    region_code = RegionCodeFilter()
    uscc = UsccFilter(field_name="enterprise__uscc")
    status = django_filters.MultipleChoiceFilter(choices=ClaimStatus.choices, label="状态")
    amount_min = MoneyFilter(field_name="amount", lookup_expr="gte", label="主张金额不低于（元）")
    amount_max = MoneyFilter(field_name="amount", lookup_expr="lte", label="主张金额不高于（元）")
    filed_from = django_filters.DateFilter(field_name="filed_on", lookup_expr="gte", label="登记日期起")
    filed_to = django_filters.DateFilter(field_name="filed_on", lookup_expr="lte", label="登记日期止")
    # For a claim, "overdue" is its handling clock (条例 (2025) art. 25); the verified debt's
    # own lateness is ``obligation_overdue``.
    overdue = StrictBooleanFilter(method="filter_handling_overdue", label="办理超期（条例第二十五条，按统计日期）")
    obligation_overdue = StrictBooleanFilter(method="filter_obligation_overdue", label="核实形成的给付义务逾期")
    stock, stock_cutoff = stock_filters()

    class Meta:
        model = Claim
        fields = ["enterprise", "is_demo"]

    def filter_handling_overdue(self, qs, name, value):
        if value is None:
            return qs
        q = claim_handling_overdue_q(self.as_of)
        return qs.filter(q) if value else qs.exclude(q)


def claim_handling_overdue_q(as_of: date) -> Q:
    """The SQL twin of ``selectors.status.claim_clock``: the forwarding or the result step is
    running past its last day as of ``as_of`` (steps recorded later have not happened yet)."""
    not_ended = (Q(decided_on__isnull=True) | Q(decided_on__gt=as_of)) & (
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=as_of)
    )
    not_forwarded = Q(forwarded_on__isnull=True) | Q(forwarded_on__gt=as_of)
    forwarding_late = Q(accepted_on__lte=as_of, forward_due_on__lt=as_of) & not_forwarded
    extended = Q(extension_approved_on__lte=as_of, result_extended_to__isnull=False)
    result_late = Q(forwarded_on__lte=as_of) & (
        (extended & Q(result_extended_to__lt=as_of)) | (~extended & Q(result_due_on__lt=as_of))
    )
    return not_ended & (forwarding_late | result_late)


# --- recommendations and decisions --------------------------------------------------------------
class _DeadlineFilters(LedgerFilterSet):
    """Overdue = deadline passed and not done by ``as_of`` (R6's OVERDUE_UNREPLIED in SQL)."""

    deadline_field = "deadline"
    done_field = "replied_on"

    def _overdue(self) -> Q:
        d, done = self.deadline_field, self.done_field
        return Q(**{f"{d}__lt": self.as_of}) & (Q(**{f"{done}__isnull": True}) | Q(**{f"{done}__gt": self.as_of}))

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(self._overdue()) if value else qs.exclude(self._overdue())

    def filter_days_overdue(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(self._overdue() & _days_bound(self.as_of, name, value, self.deadline_field))


class RecommendationFilterSet(_DeadlineFilters):
    stock_field = "served_on"

    agency = AgencyFilter(field_name="recipient")
    agency_exact = AgencyFilter(field_name="recipient", children=False)
    region_code = RegionCodeFilter()
    kind = django_filters.MultipleChoiceFilter(choices=RecommendationKind.choices, label="建议类型")
    status = django_filters.MultipleChoiceFilter(choices=RecommendationStatus.choices, label="办理状态")
    overdue = StrictBooleanFilter(method="filter_overdue", label="逾期未回复（按统计日期）")
    days_overdue_min = DaysFilter(method="filter_days_overdue", label="逾期天数不少于")
    days_overdue_max = DaysFilter(method="filter_days_overdue", label="逾期天数不多于")
    due_from = django_filters.DateFilter(field_name="deadline", lookup_expr="gte", label="回复期限起")
    due_to = django_filters.DateFilter(field_name="deadline", lookup_expr="lte", label="回复期限止")
    served_from = django_filters.DateFilter(field_name="served_on", lookup_expr="gte", label="送达日期起")
    served_to = django_filters.DateFilter(field_name="served_on", lookup_expr="lte", label="送达日期止")
    stock, stock_cutoff = stock_filters()

    class Meta:
        model = Recommendation
        fields = ["recipient", "urgent", "rectification", "is_demo"]


class DecisionFilterSet(_DeadlineFilters, LinkedObligationFilters):
    stock_field = "effective_on"
    deadline_field = "performance_deadline"
    done_field = "performed_on"

    agency = AgencyFilter(field_name="agency")
    agency_exact = AgencyFilter(field_name="agency", children=False)
    region_code = RegionCodeFilter()
    uscc = UsccFilter(field_name="creditor__uscc")
    kind = django_filters.MultipleChoiceFilter(choices=DecisionKind.choices, label="文书类型")
    status = django_filters.MultipleChoiceFilter(choices=DecisionStatus.choices, label="履行状态")
    overdue = StrictBooleanFilter(method="filter_overdue", label="逾期未履行（按统计日期）")
    days_overdue_min = DaysFilter(method="filter_days_overdue", label="逾期天数不少于")
    days_overdue_max = DaysFilter(method="filter_days_overdue", label="逾期天数不多于")
    due_from = django_filters.DateFilter(field_name="performance_deadline", lookup_expr="gte", label="履行期限起")
    due_to = django_filters.DateFilter(field_name="performance_deadline", lookup_expr="lte", label="履行期限止")
    amount_min = MoneyFilter(field_name="amount", lookup_expr="gte", label="金额不低于（元）")
    amount_max = MoneyFilter(field_name="amount", lookup_expr="lte", label="金额不高于（元）")
    stock, stock_cutoff = stock_filters()

    class Meta:
        model = Decision
        fields = ["creditor", "is_demo"]


# --- the backends -----------------------------------------------------------------------------
def _errors(form_errors) -> dict[str, list[str]]:
    return {name: [str(m) for m in messages] for name, messages in form_errors.items()}


class LedgerFilterBackend(DjangoFilterBackend):
    """django-filter, with every invalid parameter a 400 in the envelope naming it."""

    filterset_base = LedgerFilterSet

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            fields = _errors(filterset.errors)
            summary = "；".join(f"{name}：{'；'.join(msgs)}" for name, msgs in fields.items())
            raise ValidationFailed(f"筛选条件有误：{summary}", code="invalid_filter", fields=fields)
        return filterset.qs


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=`` on the list's main columns; an unknown column is a 400, not ignored."""

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw:
            fields = [f.strip() for f in raw.split(",") if f.strip()]
            valid = {name for name, _ in self.get_valid_fields(queryset, view, {"request": request})}
            bad = [f for f in fields if f.lstrip("-") not in valid]
            if bad:
                raise ValidationFailed.field(
                    self.ordering_param,
                    f"不能按“{'、'.join(bad)}”排序，可选：{'、'.join(sorted(valid))}",
                    code="invalid_ordering",
                )
        return super().get_ordering(request, queryset, view)
