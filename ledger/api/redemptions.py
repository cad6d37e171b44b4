"""Policies (公共政策, public) and redemptions (政策兑现) with their lifecycle as explicit actions."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ledger.api.base import ERRORS, ScopedViewSet
from ledger.api.export_columns import REDEMPTION_EXPORT
from ledger.api.exporting import ExportMixin
from ledger.api.fields import MoneyField
from ledger.api.obligations import AS_OF
from ledger.errors import PermissionDenied
from ledger.filters import RedemptionFilterSet
from ledger.models import Agency, DeliveryMode, Enterprise, LedgerEntry, Outcome, Policy, Redemption, Role
from ledger.selectors.obligations import Status, obligation_state, status_of
from ledger.selectors.scoping import owns_agency
from ledger.services import redemptions as svc

STAFF = frozenset({Role.AGENCY_STAFF, Role.ADMINISTRATOR})


# --- policies -----------------------------------------------------------------------------
class PolicyOutput(serializers.ModelSerializer):
    issuing_agency_name = serializers.CharField(source="issuing_agency.name", read_only=True)
    delivery_mode_label = serializers.CharField(source="get_delivery_mode_display", read_only=True)

    class Meta:
        model = Policy
        fields = [
            "id",
            "doc_number",
            "title",
            "issuing_agency",
            "issuing_agency_name",
            "valid_from",
            "valid_to",
            "delivery_mode",
            "delivery_mode_label",
            "redemption_working_days",
            "region_code",
            "is_demo",
        ]


class PolicyInput(serializers.Serializer):
    doc_number = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=300)
    issuing_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True, default=None)
    delivery_mode = serializers.ChoiceField(choices=DeliveryMode.choices)
    redemption_working_days = serializers.IntegerField(min_value=1, max_value=365)


class PolicyUpdateInput(serializers.Serializer):
    doc_number = serializers.CharField(max_length=100, required=False)
    title = serializers.CharField(max_length=300, required=False)
    valid_from = serializers.DateField(required=False)
    valid_to = serializers.DateField(required=False, allow_null=True)
    delivery_mode = serializers.ChoiceField(choices=DeliveryMode.choices, required=False)
    redemption_working_days = serializers.IntegerField(min_value=1, max_value=365, required=False)


@extend_schema_view(
    list=extend_schema(responses={200: PolicyOutput(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: PolicyOutput, **ERRORS}),
    create=extend_schema(request=PolicyInput, responses={201: PolicyOutput, **ERRORS}),
    partial_update=extend_schema(request=PolicyUpdateInput, responses={200: PolicyOutput, **ERRORS}),
)
class PolicyViewSet(ScopedViewSet):
    """Published policies: anyone signed in reads them; staff write for their own agency."""

    queryset = Policy.objects.select_related("issuing_agency")
    write_roles = STAFF
    filterset_fields = ["issuing_agency", "delivery_mode", "region_code", "is_demo"]
    ordering_fields = ["id", "valid_from", "doc_number"]

    def get_serializer_class(self):
        return {"create": PolicyInput, "partial_update": PolicyUpdateInput}.get(self.action, PolicyOutput)

    def _own(self, agency_id):
        if not owns_agency(self.request.user, agency_id):
            raise PermissionDenied("只能管理本单位发布的政策")

    def create(self, request, *args, **kwargs):
        ser = PolicyInput(data=request.data)
        ser.is_valid(raise_exception=True)
        self._own(ser.validated_data["issuing_agency"].pk)
        policy = svc.policy_create(actor=request.user, **ser.validated_data)
        return Response(PolicyOutput(policy).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        policy = self.get_object()
        self._own(policy.issuing_agency_id)
        ser = PolicyUpdateInput(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        policy = svc.policy_update(actor=request.user, policy=policy, **ser.validated_data)
        return Response(PolicyOutput(policy).data)


# --- redemptions --------------------------------------------------------------------------
class RedemptionObligationOutput(serializers.Serializer):
    """The obligation approval created, as of ``?as_of=``: paid and closed are read from it."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=Status.choices)
    days_overdue = serializers.IntegerField()
    principal_outstanding = serializers.CharField()
    paid = serializers.BooleanField()
    paid_on = serializers.DateField(allow_null=True)
    paid_on_time = serializers.BooleanField(allow_null=True)
    closed = serializers.BooleanField()


class RedemptionOutput(serializers.ModelSerializer):
    policy_title = serializers.CharField(source="policy.title", read_only=True)
    policy_doc_number = serializers.CharField(source="policy.doc_number", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    obligation = serializers.SerializerMethodField()

    class Meta:
        model = Redemption
        fields = [
            "id",
            "reference",
            "policy",
            "policy_title",
            "policy_doc_number",
            "agency",
            "enterprise",
            "enterprise_name",
            "region_code",
            "amount",
            "status",
            "status_label",
            "applied_on",
            "accepted_on",
            "eligible_on",
            "notified_on",
            "approved_on",
            "rejected_on",
            "reject_reason",
            "obligation",
            "is_demo",
        ]

    @extend_schema_field(RedemptionObligationOutput(allow_null=True))
    def get_obligation(self, redemption) -> dict | None:
        o = redemption.obligation
        if o is None:
            return None
        as_of = self.context["as_of"]
        state = obligation_state(o, as_of)
        st = status_of(o, state, as_of)
        paid_on = state.fully_paid_on
        return {
            "id": o.pk,
            "reference": o.reference,
            "due_on": o.due_on,
            "status": st,
            "days_overdue": state.days_overdue,
            "principal_outstanding": f"{state.principal_outstanding:.2f}",
            "paid": paid_on is not None,
            "paid_on": paid_on,
            "paid_on_time": None if paid_on is None else paid_on <= o.due_on,
            "closed": o.outcome in (Outcome.WRITTEN_OFF, Outcome.CANCELLED) and o.outcome_on <= as_of,
        }


class RedemptionCreateInput(serializers.Serializer):
    policy = serializers.PrimaryKeyRelatedField(queryset=Policy.objects.all())
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True, default=None
    )
    amount = MoneyField()
    on = serializers.DateField(required=False, allow_null=True, default=None)


class RedemptionStepInput(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, default=None)


class RedemptionRejectInput(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=5000)


def _step_schema(input_, summary):
    return extend_schema(request=input_, responses={200: RedemptionOutput, **ERRORS}, summary=summary)


@extend_schema_view(
    list=extend_schema(parameters=[AS_OF], responses={200: RedemptionOutput(many=True), **ERRORS}),
    retrieve=extend_schema(parameters=[AS_OF], responses={200: RedemptionOutput, **ERRORS}),
    create=extend_schema(request=RedemptionCreateInput, responses={201: RedemptionOutput, **ERRORS}),
    accept=_step_schema(RedemptionStepInput, "受理"),
    notify=_step_schema(RedemptionStepInput, "免申即享告知"),
    approve=_step_schema(RedemptionStepInput, "核准（生成给付义务）"),
    reject=_step_schema(RedemptionRejectInput, "不予兑现"),
)
class RedemptionViewSet(ExportMixin, ScopedViewSet):
    """政策兑现: create (an application, or 免申即享 eligibility), then accept / notify / approve / reject."""

    logs_views = True

    queryset = Redemption.objects.all()
    http_method_names = ["get", "post", "head", "options"]
    write_roles = STAFF
    filterset_class = RedemptionFilterSet  # ledger/filters.py (issue 6)
    export_columns = REDEMPTION_EXPORT
    ordering_fields = ["id", "reference", "applied_on", "eligible_on", "approved_on", "amount", "policy", "agency"]

    def base_queryset(self):
        return Redemption.objects.select_related("policy", "enterprise", "obligation").prefetch_related(
            Prefetch("obligation__entries", LedgerEntry.objects.order_by("on", "id"))
        )

    def get_serializer_class(self):
        return RedemptionCreateInput if self.action == "create" else RedemptionOutput

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "as_of": self.as_of()}

    def _respond(self, redemption, code=status.HTTP_200_OK):
        redemption = self.get_queryset().get(pk=redemption.pk)
        return Response(RedemptionOutput(redemption, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        ser = RedemptionCreateInput(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        agency = data["agency"] or data["policy"].issuing_agency
        if not owns_agency(request.user, agency.pk):
            raise PermissionDenied("只能为本单位登记政策兑现")
        redemption = svc.redemption_create(actor=request.user, **{**data, "agency": agency})
        return self._respond(redemption, status.HTTP_201_CREATED)

    def _step(self, request, fn, input_class=RedemptionStepInput):
        redemption = self.get_object()
        if not owns_agency(request.user, redemption.agency_id):
            raise PermissionDenied("只能办理本单位的政策兑现")
        ser = input_class(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._respond(fn(actor=request.user, redemption=redemption, **ser.validated_data))

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._step(request, svc.redemption_accept)

    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        return self._step(request, svc.redemption_notify)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._step(request, svc.redemption_approve)

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._step(request, svc.redemption_reject, RedemptionRejectInput)
