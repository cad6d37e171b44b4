"""Obligations (给付义务) with live figures as of a date, their payments, refusal reasons, disputes,
closure, and the creditor's confirmation of each payment (对账确认)."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ledger.api.base import ERRORS, ScopedViewSet, ScopedViewSetMixin, path_id
from ledger.api.export_columns import OBLIGATION_EXPORT
from ledger.api.exporting import ExportMixin
from ledger.api.fields import MoneyField
from ledger.errors import NotFound, PermissionDenied, ValidationFailed
from ledger.filters import ObligationFilterSet
from ledger.models import (
    Agency,
    AllocationRule,
    Enterprise,
    EntryKind,
    LedgerEntry,
    Obligation,
    Outcome,
    RefusalReason,
    Regime,
    Role,
    Source,
    Trigger,
)
from ledger.rules.violations import Reason
from ledger.selectors import obligations as sel
from ledger.selectors.scoping import owns_agency
from ledger.services import obligations as svc

STAFF = frozenset({Role.AGENCY_STAFF, Role.ADMINISTRATOR})
ENTERPRISE = frozenset({Role.ENTERPRISE})

AS_OF = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, OpenApiParameter.QUERY, description="统计日期 YYYY-MM-DD，默认今天（北京时间）"
)


# --- output -------------------------------------------------------------------------------
class ObligationInterestOutput(serializers.Serializer):
    accrued = serializers.CharField()
    paid = serializers.CharField()
    waived = serializers.CharField()
    unpaid = serializers.CharField()
    daily_rate = serializers.CharField()


class ObligationPrincipalTenureOutput(serializers.Serializer):
    agency = serializers.IntegerField()
    person = serializers.CharField()
    title = serializers.CharField()
    acting = serializers.BooleanField()
    start_on = serializers.DateField()
    end_on = serializers.DateField(allow_null=True)


class ObligationLegacyOutput(serializers.Serializer):
    """新官不理旧账 (SPEC R5)."""

    handover_on = serializers.DateField()
    days_since_handover = serializers.IntegerField()
    principal_then = ObligationPrincipalTenureOutput(allow_null=True)
    principal_now = ObligationPrincipalTenureOutput(allow_null=True)
    on_time_ratio_before = serializers.CharField(allow_null=True, required=False)
    on_time_ratio_after = serializers.CharField(allow_null=True, required=False)


class RefusalReasonOutput(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RefusalReason
        fields = [
            "id",
            "code",
            "given_on",
            "text",
            "contract_silent",
            "is_violation",
            "article",
            "label",
            "recorded_by",
        ]


def _fig(name, field):
    field.source = f"_figures.{name}"
    field.read_only = True
    return field


class ObligationOutput(serializers.ModelSerializer):
    debtor_agency_name = serializers.CharField(source="debtor_agency.name", read_only=True)
    creditor_name = serializers.CharField(source="creditor.name", read_only=True)
    creditor_uscc = serializers.CharField(source="creditor.uscc", read_only=True)
    regime_label = serializers.CharField(source="get_regime_display", read_only=True)
    refusal_reasons = RefusalReasonOutput(many=True, read_only=True)
    # Live figures as of ?as_of= (never stored).
    as_of = serializers.DateField(source="_figures.as_of", read_only=True)
    status = serializers.ChoiceField(choices=sel.Status.choices, source="_figures.status", read_only=True)
    status_label = serializers.CharField(source="_figures.status_label", read_only=True)
    days_overdue = serializers.IntegerField(source="_figures.days_overdue", read_only=True)
    principal_paid = serializers.CharField(source="_figures.principal_paid", read_only=True)
    principal_outstanding = serializers.CharField(source="_figures.principal_outstanding", read_only=True)
    disputed_outstanding = serializers.CharField(source="_figures.disputed_outstanding", read_only=True)
    undisputed_outstanding = serializers.CharField(source="_figures.undisputed_outstanding", read_only=True)
    fully_paid_on = serializers.DateField(source="_figures.fully_paid_on", read_only=True, allow_null=True)
    interest = ObligationInterestOutput(source="_figures.interest", read_only=True, allow_null=True)
    interest_note = serializers.CharField(source="_figures.interest_note", read_only=True, allow_null=True)
    interest_basis = serializers.CharField(source="_figures.interest_basis", read_only=True)
    legacy_debt = serializers.BooleanField(source="_figures.legacy_debt", read_only=True)
    legacy = ObligationLegacyOutput(source="_figures.legacy", read_only=True, allow_null=True)

    class Meta:
        model = Obligation
        fields = [
            "id",
            "reference",
            "debtor_agency",
            "debtor_agency_name",
            "creditor",
            "creditor_name",
            "creditor_uscc",
            "region_code",
            "source",
            "title",
            "principal",
            "arose_on",
            "trigger",
            "trigger_on",
            "regime",
            "regime_label",
            "contract_type",
            "sme_declared",
            "signed_on",
            "agreed_term_days",
            "agreed_annual_rate",
            "lpr_at_signing",
            "due_on",
            "due_provisional",
            "calendar_version",
            "due_basis",
            "due_override_basis",
            "term_capped",
            "term_missing",
            "default_term_used",
            "allocation_rule",
            "allocation_basis",
            "disputed_amount",
            "dispute_note",
            "outcome",
            "outcome_on",
            "outcome_basis",
            "is_demo",
            "refusal_reasons",
            "as_of",
            "status",
            "status_label",
            "days_overdue",
            "principal_paid",
            "principal_outstanding",
            "disputed_outstanding",
            "undisputed_outstanding",
            "fully_paid_on",
            "interest",
            "interest_note",
            "interest_basis",
            "legacy_debt",
            "legacy",
        ]


class LedgerEntryOutput(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reversed_by = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "obligation",
            "kind",
            "on",
            "amount",
            "allocation",
            "basis",
            "note",
            "reverses",
            "reversed_by",
            "recorded_by",
            "recorded_at",
            "confirmation",
            "confirmation_note",
            "confirmed_at",
        ]

    def get_reversed_by(self, entry) -> int | None:
        reversal = getattr(entry, "reversed_by", None)
        return None if reversal is None else reversal.pk


# --- input --------------------------------------------------------------------------------
class ObligationCreateInput(serializers.Serializer):
    debtor_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    creditor = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    source = serializers.ChoiceField(choices=Source.choices)
    title = serializers.CharField(max_length=300)
    principal = MoneyField()
    arose_on = serializers.DateField()
    trigger = serializers.ChoiceField(choices=Trigger.choices)
    trigger_on = serializers.DateField()
    contract_type = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)
    sme_declared = serializers.BooleanField(default=False)
    signed_on = serializers.DateField(required=False, allow_null=True, default=None)
    goods_works_services = serializers.BooleanField(default=False)
    agreed_term_days = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    agreed_annual_rate = serializers.DecimalField(
        max_digits=7, decimal_places=4, min_value=0, max_value=100, required=False, allow_null=True, default=None
    )
    working_days = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    decision_deadline = serializers.DateField(required=False, allow_null=True, default=None)
    underlying_regime = serializers.ChoiceField(choices=Regime.choices, required=False, allow_null=True, default=None)
    allocation_rule = serializers.ChoiceField(choices=AllocationRule.choices, default=AllocationRule.DEFAULT)
    allocation_basis = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    due_override = serializers.DateField(required=False, allow_null=True, default=None)
    due_override_basis = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class PaymentInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    on = serializers.DateField()
    amount = MoneyField(required=False, allow_null=True, default=None)
    allocation = serializers.ChoiceField(choices=AllocationRule.choices, required=False, allow_null=True, default=None)
    basis = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    reverses = serializers.IntegerField(required=False, allow_null=True, default=None)


class RefusalReasonInput(serializers.Serializer):
    code = serializers.ChoiceField(choices=Reason.choices)
    given_on = serializers.DateField()
    text = serializers.CharField(max_length=5000)
    contract_silent = serializers.BooleanField(default=True)
    legal_basis = serializers.BooleanField(default=False)


class DisputeInput(serializers.Serializer):
    disputed_amount = MoneyField(positive=False)
    note = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)


class CloseInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[(Outcome.WRITTEN_OFF, "依法核销"), (Outcome.CANCELLED, "已撤销")])
    on = serializers.DateField()
    basis = serializers.CharField(max_length=300)


class ConfirmInput(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class ObjectInput(serializers.Serializer):
    note = serializers.CharField(max_length=300)


# --- filters ------------------------------------------------------------------------------
class ObligationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=sel.Status.choices, field_name="status_as_of", label="状态（按统计日期）"
    )
    due_from = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_to = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = Obligation
        fields = ["debtor_agency", "creditor", "regime", "source", "outcome", "reference", "is_demo", "region_code"]


# --- views --------------------------------------------------------------------------------
def _valid(serializer_class, request, **kw):
    ser = serializer_class(data=request.data, **kw)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


_REFUSALS = Prefetch("refusal_reasons", RefusalReason.objects.select_related("recorded_by"))


@extend_schema_view(
    list=extend_schema(parameters=[AS_OF], responses={200: ObligationOutput(many=True), **ERRORS}),
    retrieve=extend_schema(parameters=[AS_OF], responses={200: ObligationOutput, **ERRORS}),
    create=extend_schema(request=ObligationCreateInput, responses={201: ObligationOutput, **ERRORS}),
)
class ObligationViewSet(ExportMixin, ScopedViewSet):
    """What an agency owes an enterprise, with every live figure as of ``?as_of=``."""

    logs_views = True

    queryset = Obligation.objects.all()
    http_method_names = ["get", "post", "head", "options"]
    write_roles = STAFF
    filterset_class = ObligationFilterSet  # ledger/filters.py (issue 6)
    export_columns = OBLIGATION_EXPORT
    ordering_fields = ["id", "reference", "due_on", "arose_on", "principal", "debtor_agency", "creditor", "regime"]
    ordering = ["id"]

    def base_queryset(self):
        return sel.obligation_queryset().prefetch_related(_REFUSALS)

    def get_queryset(self):
        return sel.with_status(super().get_queryset(), self.as_of())

    def get_serializer_class(self):
        return ObligationCreateInput if self.action == "create" else ObligationOutput

    def _with_figures(self, obligations, *, ratios=False):
        as_of = self.as_of()
        facts = sel.LegacyFacts.load({o.debtor_agency_id for o in obligations})
        for o in obligations:
            o._figures = sel.figures(o, as_of, facts, ratios=ratios)
        return obligations

    def _own(self, obligation):
        """Agency staff write only for their own agency (and agencies merged into it)."""
        if not owns_agency(self.request.user, obligation.debtor_agency_id):
            raise PermissionDenied("只能为本单位的给付义务登记")

    def _detail(self, obligation, code=status.HTTP_200_OK):
        obligation = self.get_queryset().get(pk=obligation.pk)
        self._with_figures([obligation], ratios=True)
        return Response(ObligationOutput(obligation, context=self.get_serializer_context()).data, status=code)

    def list(self, request, *args, **kwargs):
        as_of = self.as_of()
        # A page reads the state stored beside each row's last entry, not its entries (issue 9);
        # a row whose state was never stored has its entries walked (one query for the page).
        queryset = self.filter_queryset(self.get_queryset()).prefetch_related(None).prefetch_related(_REFUSALS)
        queryset = sel.with_stored_state(queryset, as_of)
        page = self.paginate_queryset(queryset)
        rows = sel.with_entries_where_unstored(list(page if page is not None else queryset), as_of)
        rows = self._with_figures(rows)
        data = ObligationOutput(rows, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        obligation = self.get_object()
        self._with_figures([obligation], ratios=True)
        return Response(ObligationOutput(obligation, context=self.get_serializer_context()).data)

    def create(self, request, *args, **kwargs):
        data = _valid(ObligationCreateInput, request)
        if not owns_agency(request.user, data["debtor_agency"].pk):
            raise PermissionDenied("只能为本单位登记给付义务")
        obligation = svc.obligation_create(actor=request.user, **data)
        return self._detail(obligation, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"], parameters=[AS_OF], responses={200: LedgerEntryOutput(many=True), **ERRORS}, summary="付款记录"
    )
    @extend_schema(
        methods=["POST"],
        request=PaymentInput,
        responses={201: LedgerEntryOutput, **ERRORS},
        summary="记录付款、利息支付、利息减免或冲正",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def payments(self, request, pk=None):
        obligation = self.get_object()
        if request.method == "GET":
            entries = (
                obligation.entries.filter(on__lte=self.as_of())
                .select_related("recorded_by", "reversed_by")
                .order_by("on", "id")
            )
            return Response(LedgerEntryOutput(entries, many=True).data)
        self._own(obligation)
        data = _valid(PaymentInput, request)
        reverses = None
        if data["reverses"] is not None:
            reverses = LedgerEntry.objects.filter(pk=data["reverses"], obligation=obligation).first()
            if reverses is None:
                raise ValidationFailed.field("reverses", "被冲正的记录不存在", code="not_found")
        data["reverses"] = reverses
        entry = svc.payment_record(actor=request.user, obligation=obligation, **data)
        return Response(LedgerEntryOutput(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RefusalReasonInput, responses={201: RefusalReasonOutput, **ERRORS}, summary="登记拒付理由")
    @action(detail=True, methods=["post"], url_path="refusal-reasons")
    def refusal_reasons(self, request, pk=None):
        obligation = self.get_object()
        self._own(obligation)
        data = _valid(RefusalReasonInput, request)
        reason = svc.refusal_reason_record(actor=request.user, obligation=obligation, **data)
        return Response(RefusalReasonOutput(reason).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DisputeInput, responses={200: ObligationOutput, **ERRORS}, summary="登记有争议部分")
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        obligation = self.get_object()
        self._own(obligation)
        data = _valid(DisputeInput, request)
        svc.obligation_dispute(actor=request.user, obligation=obligation, **data)
        return self._detail(obligation)

    @extend_schema(request=CloseInput, responses={200: ObligationOutput, **ERRORS}, summary="核销或撤销")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        obligation = self.get_object()
        self._own(obligation)
        data = _valid(CloseInput, request)
        svc.obligation_close(actor=request.user, obligation=obligation, **data)
        return self._detail(obligation)


_ENTRY_PATH = [
    OpenApiParameter("obligation_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="给付义务ID"),
    OpenApiParameter("entry_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="付款记录ID"),
]


@extend_schema_view(
    confirm=extend_schema(
        parameters=_ENTRY_PATH, request=ConfirmInput, responses={200: LedgerEntryOutput, **ERRORS}, summary="企业确认"
    ),
    object=extend_schema(
        parameters=_ENTRY_PATH, request=ObjectInput, responses={200: LedgerEntryOutput, **ERRORS}, summary="企业异议"
    ),
)
class ObligationPaymentViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """``/api/obligations/{id}/payments/{entry_id}/confirm|object/``: only the creditor enterprise's
    users act; anyone else's payment does not exist for them (404)."""

    queryset = LedgerEntry.objects.all()
    lookup_url_kwarg = "entry_pk"
    lookup_value_regex = "[0-9]+"
    http_method_names = ["post", "options"]
    action_roles = {"confirm": ENTERPRISE, "object": ENTERPRISE}
    serializer_class = LedgerEntryOutput
    history = None  # an entry's history is read through its obligation's payments

    def base_queryset(self):
        return LedgerEntry.objects.filter(obligation_id=path_id(self.kwargs["obligation_pk"])).select_related(
            "obligation"
        )

    def _act(self, request, *, objection: bool, input_class):
        entry = self.get_object()
        if entry.obligation.creditor_id != request.user.enterprise_id:
            raise NotFound()
        data = _valid(input_class, request)
        entry = svc.payment_confirm(
            actor=request.user, obligation=entry.obligation, entry_id=entry.pk, objection=objection, **data
        )
        return Response(LedgerEntryOutput(entry).data)

    @action(detail=True, methods=["post"])
    def confirm(self, request, obligation_pk=None, entry_pk=None):
        return self._act(request, objection=False, input_class=ConfirmInput)

    @action(detail=True, methods=["post"])
    def object(self, request, obligation_pk=None, entry_pk=None):
        return self._act(request, objection=True, input_class=ObjectInput)
