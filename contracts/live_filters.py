"""The ledger's common filters on contracts (issue 6): agency with sub-agencies and merged ones,
region prefix, counterparty USCC, live states as of ``?as_of=`` and stock vs new. ContractFilter
(contracts/filters.py) takes them in as its base."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q

from ledger.filters import (
    AgencyFilter,
    DaysFilter,
    LedgerFilterSet,
    RegionCodeFilter,
    StrictBooleanFilter,
    UsccFilter,
    legacy_obligations,
    stock_filters,
)
from ledger.models import Obligation, RefusalReason, Regime
from ledger.selectors.live import days_overdue_q, overdue_q


class ContractLedgerFilters(LedgerFilterSet):
    stock_field = "signed_on"

    agency = AgencyFilter(field_name="agency")
    agency_exact = AgencyFilter(field_name="agency", children=False)
    region_code = RegionCodeFilter()
    uscc = UsccFilter(field_name="counterparty__uscc")
    overdue = StrictBooleanFilter(method="filter_overdue", label="有逾期未付的政府方付款（按统计日期）")
    legacy = StrictBooleanFilter(method="filter_legacy", label="有属新官不理旧账的付款（按统计日期）")
    violation = StrictBooleanFilter(method="filter_violation", label="有违规拒付理由")
    # Over the obligations of the contract's government payment milestones: one payment must meet
    # both bounds of a range (min and max are read together, not matched by different payments).
    days_overdue_min = DaysFilter(method="filter_days_overdue", label="有政府方付款逾期天数不少于")
    days_overdue_max = DaysFilter(method="filter_days_overdue", label="有政府方付款逾期天数不多于")
    due_from = django_filters.DateFilter(method="filter_due", label="有政府方付款到期日起")
    due_to = django_filters.DateFilter(method="filter_due", label="有政府方付款到期日止")
    regime = django_filters.MultipleChoiceFilter(
        method="filter_regime", choices=Regime.choices, label="有政府方付款适用该规则"
    )
    stock, stock_cutoff = stock_filters()

    def _payments(self):
        return Obligation.objects.filter(milestone__contract=OuterRef("pk"))

    def _by(self, qs, value, exists):
        if value is None:
            return qs
        return qs.filter(exists) if value else qs.filter(~exists)

    def filter_overdue(self, qs, name, value):
        return self._by(qs, value, Exists(self._payments().filter(overdue_q(self.as_of))))

    def filter_days_overdue(self, qs, name, value):
        if value is None:
            return qs
        data = self.form.cleaned_data
        if name == "days_overdue_max" and data.get("days_overdue_min") is not None:
            return qs  # applied with the minimum
        bounds = days_overdue_q(self.as_of, at_least=data.get("days_overdue_min"), at_most=data.get("days_overdue_max"))
        return qs.filter(Exists(self._payments().filter(overdue_q(self.as_of) & bounds)))

    def filter_due(self, qs, name, value):
        if value is None:
            return qs
        data = self.form.cleaned_data
        if name == "due_to" and data.get("due_from") is not None:
            return qs  # applied with the start of the window
        window = Q()
        if data.get("due_from") is not None:
            window &= Q(due_on__gte=data["due_from"])
        if data.get("due_to") is not None:
            window &= Q(due_on__lte=data["due_to"])
        return qs.filter(Exists(self._payments().filter(window)))

    def filter_regime(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(Exists(self._payments().filter(regime__in=value)))

    def filter_legacy(self, qs, name, value):
        cases = legacy_obligations(self.as_of, self.graph)
        return self._by(qs, value, Exists(self._payments().filter(pk__in=cases)))

    def filter_violation(self, qs, name, value):
        reasons = RefusalReason.objects.filter(
            obligation__milestone__contract=OuterRef("pk"), is_violation=True, given_on__lte=self.as_of
        )
        return self._by(qs, value, Exists(reasons))
