"""The ledger's common filters on contracts (issue 6): agency with sub-agencies and merged ones,
region prefix, counterparty USCC, live states as of ``?as_of=`` and stock vs new. ContractFilter
(contracts/filters.py) takes them in as its base."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from ledger.filters import (
    AgencyFilter,
    LedgerFilterSet,
    RegionCodeFilter,
    StrictBooleanFilter,
    UsccFilter,
    legacy_obligations,
    stock_filters,
)
from ledger.models import Obligation, RefusalReason
from ledger.selectors.live import overdue_q


class ContractLedgerFilters(LedgerFilterSet):
    stock_field = "signed_on"

    agency = AgencyFilter(field_name="agency")
    agency_exact = AgencyFilter(field_name="agency", children=False)
    region_code = RegionCodeFilter()
    uscc = UsccFilter(field_name="counterparty__uscc")
    overdue = StrictBooleanFilter(method="filter_overdue", label="有逾期未付的政府方付款（按统计日期）")
    legacy = StrictBooleanFilter(method="filter_legacy", label="有属新官不理旧账的付款（按统计日期）")
    violation = StrictBooleanFilter(method="filter_violation", label="有违规拒付理由")
    stock, stock_cutoff = stock_filters()

    def _payments(self):
        return Obligation.objects.filter(milestone__contract=OuterRef("pk"))

    def _by(self, qs, value, exists):
        if value is None:
            return qs
        return qs.filter(exists) if value else qs.filter(~exists)

    def filter_overdue(self, qs, name, value):
        return self._by(qs, value, Exists(self._payments().filter(overdue_q(self.as_of))))

    def filter_legacy(self, qs, name, value):
        cases = legacy_obligations(self.as_of, self.graph)
        return self._by(qs, value, Exists(self._payments().filter(pk__in=cases)))

    def filter_violation(self, qs, name, value):
        reasons = RefusalReason.objects.filter(
            obligation__milestone__contract=OuterRef("pk"), is_violation=True, given_on__lte=self.as_of
        )
        return self._by(qs, value, Exists(reasons))
