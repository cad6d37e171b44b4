"""Claims (诉求) and 确权 requests: thin views — input serializer → service → output serializer.

Transitions are explicit actions (POST /api/claims/{id}/accept/ …). Another tenant's claim is a
404 before any role check can reveal it; a role that may not take a step gets 403; a step the
lifecycle does not allow from the current status gets 409.
"""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from ledger.api.base import ERRORS, ScopedRelatedField, ScopedViewSetMixin
from ledger.api.export_columns import CLAIM_EXPORT
from ledger.api.exporting import ExportMixin
from ledger.api.fields import MoneyField
from ledger.errors import NotFound, ValidationFailed
from ledger.filters import ClaimFilterSet
from ledger.models import (
    Agency,
    AllocationRule,
    Claim,
    ClaimEvidence,
    ClaimStatus,
    Confirmation,
    ConfirmationRequestStatus,
    Enterprise,
    Obligation,
    Regime,
    Role,
    Trigger,
)
from ledger.selectors import status as sel
from ledger.services import claims as svc
from ledger.services import confirmations as conf_svc

ENTERPRISE = frozenset({Role.ENTERPRISE})
SUPERVISOR = frozenset({Role.SUPERVISOR})
AGENCY = frozenset({Role.AGENCY_STAFF})
AS_OF = OpenApiParameter("as_of", OpenApiTypes.DATE, description="计算期限状态的日期（默认今天，北京时间）")


# --- output ---------------------------------------------------------------------------------
class StepClockOutput(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["not_started", "no_statutory_term", "on_time", "due_soon", "overdue", "done_on_time", "done_late"]
    )
    label = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    done_on = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    days_late = serializers.IntegerField(allow_null=True)
    article = serializers.CharField()


class ClaimClockOutput(serializers.Serializer):
    forward = StepClockOutput()
    result = StepClockOutput()
    result_cap_on = serializers.DateField(allow_null=True)
    late = serializers.BooleanField()


class ClaimEvidenceOutput(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="按内容识别的类型：pdf / jpg / png / xlsx / docx")

    class Meta:
        model = ClaimEvidence
        fields = ["id", "original_name", "kind", "content_type", "size", "sha256", "uploaded_at"]


class ClaimOutput(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    agency_name = serializers.CharField(source="agency.name")
    enterprise_name = serializers.CharField(source="enterprise.name")
    obligation_reference = serializers.CharField(source="obligation.reference", allow_null=True, default=None)
    evidence = ClaimEvidenceOutput(many=True)
    as_of = serializers.SerializerMethodField()
    clock = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "reference",
            "enterprise",
            "enterprise_name",
            "agency",
            "agency_name",
            "amount",
            "subject",
            "description",
            "contract_ref",
            "status",
            "status_label",
            "filed_on",
            "accepted_on",
            "forward_due_on",
            "forwarded_on",
            "result_due_on",
            "result_cap_on",
            "result_extended_to",
            "extension_basis",
            "extension_approved_on",
            "clock_provisional",
            "responded_on",
            "response_text",
            "decided_on",
            "rejection_reason",
            "withdrawn_on",
            "obligation",
            "obligation_reference",
            "evidence",
            "is_demo",
            "as_of",
            "clock",
        ]

    @extend_schema_field(OpenApiTypes.DATE)
    def get_as_of(self, obj):
        return self.context["as_of"].isoformat()

    @extend_schema_field(ClaimClockOutput)
    def get_clock(self, obj):
        return ClaimClockOutput(sel.claim_clock_dict(obj, self.context["as_of"])).data


class ConfirmationOutput(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    agency_name = serializers.CharField(source="agency.name")
    enterprise_name = serializers.CharField(source="enterprise.name")
    obligation_reference = serializers.CharField(source="obligation.reference", allow_null=True, default=None)
    as_of = serializers.SerializerMethodField()
    clock = serializers.SerializerMethodField()

    class Meta:
        model = Confirmation
        fields = [
            "id",
            "reference",
            "enterprise",
            "enterprise_name",
            "agency",
            "agency_name",
            "amount",
            "subject",
            "contract_ref",
            "purpose",
            "status",
            "status_label",
            "requested_on",
            "due_on",
            "due_provisional",
            "answered_on",
            "confirmed_amount",
            "obligation",
            "obligation_reference",
            "refusal_reason",
            "withdrawn_on",
            "is_demo",
            "as_of",
            "clock",
        ]

    @extend_schema_field(OpenApiTypes.DATE)
    def get_as_of(self, obj):
        return self.context["as_of"].isoformat()

    @extend_schema_field(StepClockOutput)
    def get_clock(self, obj):
        return StepClockOutput(sel._step_dict(sel.confirmation_clock(obj, self.context["as_of"]))).data


# --- input ----------------------------------------------------------------------------------
class ClaimFileInput(serializers.Serializer):
    agency = ScopedRelatedField(queryset=Agency.objects.all(), help_text="被反映欠款的单位")
    amount = MoneyField(help_text="主张金额（元，字符串，两位小数）")
    subject = serializers.CharField(max_length=svc.SUBJECT_MAX, help_text="欠款事由")
    description = serializers.CharField(max_length=svc.TEXT_MAX, required=False, allow_blank=True, default="")
    contract_ref = serializers.CharField(max_length=svc.REF_MAX, required=False, allow_blank=True, default="")
    enterprise = ScopedRelatedField(
        queryset=Enterprise.objects.all(), required=False, allow_null=True, help_text="只能是本企业（可省略）"
    )
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        required=False,
        max_length=20,
        help_text="证据文件：PDF、JPG、PNG、XLSX、DOCX（按内容识别），每个不超过上限",
    )


class ClaimEvidenceInput(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class StepInput(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="该步骤发生日期（默认今天）")


class ClaimRespondInput(StepInput):
    text = serializers.CharField(max_length=svc.TEXT_MAX)


class ClaimExtendInput(StepInput):
    extended_to = serializers.DateField(help_text="延长后的办理期限（自收到材料之日起最长90日）")
    basis = serializers.CharField(max_length=svc.SUBJECT_MAX, help_text="批准文件或审批记录")


class ReasonInput(StepInput):
    reason = serializers.CharField(max_length=svc.TEXT_MAX)


class ClaimRejectInput(ReasonInput):
    pass


class ClaimVerifyInput(StepInput):
    principal = MoneyField(required=False, help_text="核实金额（默认主张金额，不得超过）")
    title = serializers.CharField(max_length=300, required=False)
    arose_on = serializers.DateField()
    trigger = serializers.ChoiceField(choices=Trigger.choices)
    trigger_on = serializers.DateField()
    underlying_regime = serializers.ChoiceField(choices=Regime.choices, help_text="所涉债务的适用规则（SPEC R1）")
    contract_type = serializers.CharField(max_length=32, required=False, allow_blank=True)
    sme_declared = serializers.BooleanField(required=False)
    signed_on = serializers.DateField(required=False, allow_null=True)
    goods_works_services = serializers.BooleanField(required=False)
    agreed_term_days = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    agreed_annual_rate = serializers.DecimalField(max_digits=7, decimal_places=4, required=False, allow_null=True)
    working_days = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    decision_deadline = serializers.DateField(required=False, allow_null=True)
    allocation_rule = serializers.ChoiceField(choices=AllocationRule.choices, required=False)
    allocation_basis = serializers.CharField(max_length=300, required=False, allow_blank=True)
    due_override = serializers.DateField(required=False, allow_null=True)
    due_override_basis = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ConfirmationRequestInput(serializers.Serializer):
    agency = ScopedRelatedField(queryset=Agency.objects.all(), help_text="被请求确权的单位")
    amount = MoneyField(help_text="请求确认的应收账款金额（元）")
    subject = serializers.CharField(max_length=svc.SUBJECT_MAX)
    contract_ref = serializers.CharField(max_length=svc.REF_MAX, required=False, allow_blank=True, default="")
    purpose = serializers.CharField(max_length=svc.SUBJECT_MAX, required=False, allow_blank=True, default="")
    enterprise = ScopedRelatedField(queryset=Enterprise.objects.all(), required=False, allow_null=True)


class ConfirmationConfirmInput(StepInput):
    amount = MoneyField(required=False, help_text="确认金额（默认请求金额，不得超过）")
    obligation = ScopedRelatedField(queryset=Obligation.objects.all(), required=False, allow_null=True)


class ConfirmationRefuseInput(ReasonInput):
    pass


# --- views ----------------------------------------------------------------------------------
def _valid(serializer_class, request, context):
    ser = serializer_class(data=request.data, context=context)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


class _StatusViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "head", "options"]
    output_serializer: type[serializers.Serializer]

    def get_serializer_context(self):
        ctx = super().get_serializer_context()
        ctx["as_of"] = self.as_of()
        return ctx

    def get_serializer_class(self):
        return self.output_serializer

    def _respond(self, obj, code=status.HTTP_200_OK):
        obj = self.base_queryset().get(pk=obj.pk)
        return Response(self.output_serializer(obj, context=self.get_serializer_context()).data, status=code)


def _action(input_, output, summary):
    return extend_schema(request=input_, responses={200: output, **ERRORS}, summary=summary)


@extend_schema_view(
    list=extend_schema(parameters=[AS_OF], responses={200: ClaimOutput(many=True), **ERRORS}, summary="诉求列表"),
    retrieve=extend_schema(parameters=[AS_OF], responses={200: ClaimOutput, **ERRORS}, summary="诉求详情"),
    create=extend_schema(
        request={"multipart/form-data": ClaimFileInput, "application/json": ClaimFileInput},
        responses={201: ClaimOutput, **ERRORS},
        summary="企业登记诉求（可附证据文件）",
    ),
    add_evidence=extend_schema(
        request={"multipart/form-data": ClaimEvidenceInput},
        responses={201: ClaimOutput, **ERRORS},
        summary="上传证据",
    ),
    evidence_file=extend_schema(
        parameters=[OpenApiParameter("evidence", OpenApiTypes.INT, required=True, description="证据编号")],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY), **ERRORS},
        summary="下载证据文件",
    ),
    accept=_action(StepInput, ClaimOutput, "督查部门正式受理"),
    forward=_action(StepInput, ClaimOutput, "转办被反映单位（单位收到材料）"),
    respond=_action(ClaimRespondInput, ClaimOutput, "被反映单位答复"),
    extend=_action(ClaimExtendInput, ClaimOutput, "经批准延长办理期限（最长90日）"),
    verify=_action(ClaimVerifyInput, ClaimOutput, "督查部门核实属实，登记为给付义务"),
    reject=_action(ClaimRejectInput, ClaimOutput, "督查部门不予支持（说明理由）"),
    withdraw=_action(StepInput, ClaimOutput, "企业撤回诉求"),
)
class ClaimViewSet(ExportMixin, _StatusViewSet):
    """诉求. The debtor agency responds but never decides: accept, forward, extend, verify and reject
    are the supervisor's (SPEC §1)."""

    logs_views = True

    queryset = Claim.objects.all()
    output_serializer = ClaimOutput
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    write_roles = ENTERPRISE
    action_roles = {
        "add_evidence": frozenset({Role.ENTERPRISE, Role.AGENCY_STAFF}),
        "accept": SUPERVISOR,
        "forward": SUPERVISOR,
        "extend": SUPERVISOR,
        "verify": SUPERVISOR,
        "reject": SUPERVISOR,
        "respond": AGENCY,
        "withdraw": ENTERPRISE,
    }
    filterset_class = ClaimFilterSet  # ledger/filters.py (issue 6)
    export_columns = CLAIM_EXPORT
    ordering_fields = ["id", "reference", "filed_on", "accepted_on", "amount", "agency", "enterprise", "status"]

    def base_queryset(self):
        return sel.claim_queryset()

    def create(self, request, *args, **kwargs):
        data = _valid(ClaimFileInput, request, self.get_serializer_context())
        claim = svc.claim_file(actor=request.user, **data)
        return self._respond(claim, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="evidence")
    def add_evidence(self, request, pk=None):
        claim = self.get_object()
        data = _valid(ClaimEvidenceInput, request, self.get_serializer_context())
        svc.claim_evidence_add(actor=request.user, claim=claim, upload=data["file"])
        return self._respond(claim, status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"], url_path="evidence-file")
    def evidence_file(self, request, pk=None):
        claim = self.get_object()
        raw = request.query_params.get("evidence", "")
        if not raw.isdigit():
            raise ValidationFailed.field("evidence", "须指明证据编号", code="required")
        evidence = claim.evidence.filter(pk=int(raw)).first()
        if evidence is None:
            raise NotFound()
        response = FileResponse(
            evidence.file.open("rb"),
            as_attachment=True,
            filename=evidence.original_name,
            content_type=evidence.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def _step(self, request, input_, fn, **extra):
        claim = self.get_object()
        data = _valid(input_, request, self.get_serializer_context())
        return self._respond(fn(actor=request.user, claim=claim, **data, **extra))

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._step(request, StepInput, svc.claim_accept)

    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        return self._step(request, StepInput, svc.claim_forward)

    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        return self._step(request, ClaimRespondInput, svc.claim_respond)

    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        return self._step(request, ClaimExtendInput, svc.claim_extend)

    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._step(request, ClaimVerifyInput, svc.claim_verify)

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._step(request, ClaimRejectInput, svc.claim_reject)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._step(request, StepInput, svc.claim_withdraw)


@extend_schema_view(
    list=extend_schema(
        parameters=[AS_OF], responses={200: ConfirmationOutput(many=True), **ERRORS}, summary="确权请求列表"
    ),
    retrieve=extend_schema(parameters=[AS_OF], responses={200: ConfirmationOutput, **ERRORS}, summary="确权请求详情"),
    create=extend_schema(
        request=ConfirmationRequestInput, responses={201: ConfirmationOutput, **ERRORS}, summary="企业提出确权请求"
    ),
    confirm=_action(ConfirmationConfirmInput, ConfirmationOutput, "被请求单位确认应收账款"),
    refuse=_action(ConfirmationRefuseInput, ConfirmationOutput, "被请求单位不予确权（说明理由）"),
    withdraw=_action(StepInput, ConfirmationOutput, "企业撤回确权请求"),
)
class ConfirmationViewSet(_StatusViewSet):
    """确权请求 (条例 (2025) art. 16 para 2; 2020 art. 14): answered within 30 days of the request."""

    logs_views = True

    queryset = Confirmation.objects.all()
    output_serializer = ConfirmationOutput
    write_roles = ENTERPRISE
    action_roles = {"confirm": AGENCY, "refuse": AGENCY, "withdraw": ENTERPRISE}
    filterset_fields = ["status", "agency", "enterprise", "is_demo"]
    ordering_fields = ["id", "requested_on", "due_on", "amount"]

    def base_queryset(self):
        return sel.confirmation_queryset()

    def create(self, request, *args, **kwargs):
        data = _valid(ConfirmationRequestInput, request, self.get_serializer_context())
        c = conf_svc.confirmation_request(actor=request.user, **data)
        return self._respond(c, status.HTTP_201_CREATED)

    def _step(self, request, input_, fn):
        c = self.get_object()
        data = _valid(input_, request, self.get_serializer_context())
        return self._respond(fn(actor=request.user, confirmation=c, **data))

    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._step(request, ConfirmationConfirmInput, conf_svc.confirmation_confirm)

    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return self._step(request, ConfirmationRefuseInput, conf_svc.confirmation_refuse)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._step(request, StepInput, conf_svc.confirmation_withdraw)


__all__ = ["ClaimStatus", "ClaimViewSet", "ConfirmationRequestStatus", "ConfirmationViewSet"]
