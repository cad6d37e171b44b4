"""Filters for contract lists and the OCDS bulk export (the same filters for both)."""

import django_filters

from contracts.live_filters import ContractLedgerFilters
from contracts.models import CONTRACT_TYPE_CHOICES, Contract, ContractStatus, Evidence, Milestone, TerminationReason
from ledger.filters import MoneyFilter, StrictBooleanFilter


class ContractFilter(ContractLedgerFilters):  # agency tree, region prefix, USCC, live states (issue 6)
    status = django_filters.MultipleChoiceFilter(choices=ContractStatus.choices)
    contract_type = django_filters.MultipleChoiceFilter(choices=CONTRACT_TYPE_CHOICES)
    termination_reason_code = django_filters.ChoiceFilter(choices=TerminationReason.choices)
    signed_from = django_filters.DateFilter(field_name="signed_on", lookup_expr="gte", label="签订日期起")
    signed_to = django_filters.DateFilter(field_name="signed_on", lookup_expr="lte", label="签订日期止")
    disputed = StrictBooleanFilter(field_name="disputed_since", lookup_expr="isnull", exclude=True, label="有争议")
    title = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="名称包含")
    amount_min = MoneyFilter(field_name="amount", lookup_expr="gte", label="金额不低于（元）")
    amount_max = MoneyFilter(field_name="amount", lookup_expr="lte", label="金额不高于（元）")

    class Meta:
        model = Contract
        fields = [
            "status",
            "contract_type",
            "agency",
            "counterparty",
            "region_code",
            "sme_declared",
            "is_demo",
            "termination_reason_code",
            "signed_from",
            "signed_to",
            "disputed",
            "title",
            "amount_min",
            "amount_max",
        ]


class MilestoneFilter(django_filters.FilterSet):
    class Meta:
        model = Milestone
        fields = ["contract", "side", "kind", "payment_basis"]


class EvidenceFilter(django_filters.FilterSet):
    class Meta:
        model = Evidence
        fields = ["contract", "amendment", "milestone", "content_type", "sha256"]
