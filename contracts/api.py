"""HTTP for contracts: thin views — input serializer → service → output serializer.

Every transition is an explicit action (``POST /api/contracts/{id}/sign/`` …), never a PATCH of
the status. Live flags and milestone states are computed as of ``?as_of=`` (default today in
Asia/Shanghai).
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, Paginator
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from contracts import ocds as ocds_export
from contracts.filters import ContractFilter, EvidenceFilter, MilestoneFilter
from contracts.models import (
    CONTRACT_TYPE_CHOICES,
    Amendment,
    AmendmentRationale,
    Contract,
    ContractEvent,
    Evidence,
    LegalityReview,
    Milestone,
    MilestoneKind,
    MilestoneSide,
    PaymentBasis,
    ReviewResult,
    TerminationReason,
)
from contracts.ocds import OcdsJSONRenderer
from contracts.reports import CONTRACT_EXPORT
from contracts.selectors import (
    PageFacts,
    contract_list,
    contract_queryset,
    flags,
    milestone_queryset,
    milestone_state,
)
from contracts.services import amendments as amendment_svc
from contracts.services import evidence as evidence_svc
from contracts.services import lifecycle as svc
from contracts.services import milestones as milestone_svc
from contracts.services.milestones import TriggerEvent
from ledger.api.base import ERRORS, ErrorOutput, ScopedReadOnlyViewSet, ScopedRelatedField, ScopedViewSet
from ledger.api.exporting import ExportMixin, log_refusal, refusal_response
from ledger.api.fields import MoneyField
from ledger.errors import NotFound, ValidationFailed
from ledger.exports import ExportUsccRefused
from ledger.models import Agency, Enterprise, Role

STAFF = frozenset({Role.AGENCY_STAFF})
AS_OF = OpenApiParameter("as_of", OpenApiTypes.DATE, description="计算实时状态的日期（默认今天，北京时间）")


def code(help_text: str = "") -> serializers.CharField:
    """A choice code in an output: a plain string in the schema (the codes are documented on the
    input side), so that choice sets shared across apps under one field name ("status", "kind")
    do not collide in the OpenAPI components."""
    return serializers.CharField(read_only=True, help_text=help_text)


@extend_schema_field({"type": "string"})
class PlainChoiceField(serializers.ChoiceField):
    """A validated choice shown as a string (codes listed in help_text), for field names other
    apps use with other choice sets."""

    def __init__(self, *, choices, **kwargs):
        listed = "；".join(f"{value}={label}" for value, label in choices)
        kwargs["help_text"] = f"{kwargs.get('help_text', '')}取值：{listed}".strip()
        super().__init__(choices=choices, **kwargs)


class RateField(serializers.DecimalField):
    """Annual late-payment rate in percent, 4 places; floats refused (they are not exact)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 7)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, float | bool):
            raise serializers.ValidationError("利率须以字符串提交（不接受浮点数）", code="float_rate")
        value = super().to_internal_value(data)
        if value <= 0 or value > 100:
            raise serializers.ValidationError("年利率（%）须大于0且不超过100", code="invalid_rate")
        return value


# --- outputs --------------------------------------------------------------------------------
class PartyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    uscc = serializers.CharField(allow_null=True)


class PaymentTermCheckOutput(serializers.Serializer):
    regime = serializers.CharField(allow_null=True)
    regime_label = serializers.CharField()
    term_days_agreed = serializers.IntegerField(allow_null=True)
    term_days_applied = serializers.IntegerField(allow_null=True)
    capped = serializers.BooleanField(help_text="条例合同约定期限超过60日，按60日计（违规）")
    term_missing = serializers.BooleanField(help_text="条例合同未约定付款期限（合法，按30日，仅提示）")
    default_term_used = serializers.BooleanField()
    basis = serializers.CharField()


class LegacyFlagOutput(serializers.Serializer):
    flagged = serializers.BooleanField(help_text="新官不理旧账：签约后主要负责人更替，政府方节点逾期未履行满30日")
    handover_on = serializers.DateField(allow_null=True)
    days_since_handover = serializers.IntegerField(allow_null=True)
    principal_then = serializers.CharField(allow_null=True)
    principal_now = serializers.CharField(allow_null=True)


class ContractFlagsOutput(serializers.Serializer):
    as_of = serializers.DateField()
    payment_term = PaymentTermCheckOutput()
    legacy_debt = LegacyFlagOutput()
    disputed = serializers.BooleanField()


def _party(obj) -> dict:
    return {"id": obj.pk, "name": obj.name, "uscc": obj.uscc}


class ContractOutput(serializers.ModelSerializer):
    ocid = serializers.SerializerMethodField()
    contract_type = code("合同类型代码（与 ledger.rules.regimes.ContractType 相同）")
    status = code("draft、legality_review、signed、filed、performing、completed、terminated")
    termination_reason_code = code()
    agency = serializers.SerializerMethodField()
    counterparty = serializers.SerializerMethodField()
    contract_type_label = serializers.CharField(source="get_contract_type_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    disputed = serializers.BooleanField(source="is_disputed", read_only=True)
    flags = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id",
            "ocid",
            "number",
            "title",
            "description",
            "contract_type",
            "contract_type_label",
            "agency",
            "counterparty",
            "region_code",
            "amount",
            "period_start",
            "period_end",
            "payment_term_days",
            "acceptance_period_days",
            "sme_declared",
            "agreed_late_rate",
            "status",
            "status_label",
            "review_round",
            "signed_on",
            "filed_on",
            "performing_on",
            "completed_on",
            "terminated_on",
            "termination_reason_code",
            "termination_reason",
            "disputed",
            "disputed_since",
            "dispute_reason",
            "version",
            "is_demo",
            "created_at",
            "updated_at",
            "flags",
        ]

    def get_ocid(self, obj) -> str:
        return ocds_export.ocid(obj)

    @extend_schema_field(PartyOutput)
    def get_agency(self, obj):
        return _party(obj.agency)

    @extend_schema_field(PartyOutput)
    def get_counterparty(self, obj):
        return _party(obj.counterparty)

    @extend_schema_field(ContractFlagsOutput)
    def get_flags(self, obj):
        return ContractFlagsOutput(flags(obj, self.context["facts"])).data


class ObligationBriefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    regime = serializers.CharField()
    principal = serializers.DecimalField(max_digits=17, decimal_places=2)
    trigger = serializers.CharField()
    trigger_on = serializers.DateField()
    due_on = serializers.DateField()
    due_basis = serializers.CharField()
    term_capped = serializers.BooleanField()
    term_missing = serializers.BooleanField()


class MilestoneStateOutput(serializers.Serializer):
    as_of = serializers.DateField()
    status = code("not_triggered、scheduled、met、partly_met、not_met")
    label = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    met_on = serializers.DateField(allow_null=True)
    principal_paid = serializers.DecimalField(max_digits=17, decimal_places=2, allow_null=True)
    principal_outstanding = serializers.DecimalField(max_digits=17, decimal_places=2, allow_null=True)


class ContractMilestoneOutput(serializers.ModelSerializer):
    side = code("government、enterprise")
    kind = code("payment、delivery、approval、financing、reporting、other")
    payment_basis = code("delivery、acceptance、settlement（仅政府方付款节点）")
    obligation = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = [
            "id",
            "contract",
            "side",
            "kind",
            "title",
            "description",
            "due_on",
            "amount",
            "goods_works_services",
            "payment_basis",
            "delivered_on",
            "accepted_on",
            "settlement_confirmed_on",
            "met_on",
            "partly_met_on",
            "progress_note",
            "obligation",
            "state",
        ]

    @extend_schema_field(ObligationBriefOutput(allow_null=True))
    def get_obligation(self, obj):
        return None if obj.obligation is None else ObligationBriefOutput(obj.obligation).data

    @extend_schema_field(MilestoneStateOutput)
    def get_state(self, obj):
        as_of = self.context["as_of"]
        s = milestone_state(obj, as_of)
        return MilestoneStateOutput(
            {
                "as_of": as_of,
                "status": s.status,
                "label": s.label,
                "due_on": s.due_on,
                "met_on": s.met_on,
                "principal_paid": s.principal_paid,
                "principal_outstanding": s.principal_outstanding,
            }
        ).data


class ContractAmendmentOutput(serializers.ModelSerializer):
    rationale_code = code()
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    changes = serializers.DictField(child=serializers.DictField())

    class Meta:
        model = Amendment
        fields = ["id", "number", "rationale_code", "rationale", "signed_on", "changes", "recorded_by", "created_at"]


class LegalityReviewOutput(serializers.ModelSerializer):
    result = code("passed、failed")

    class Meta:
        model = LegalityReview
        fields = ["id", "round", "reviewer", "opinion", "result", "reviewed_on", "created_at"]


class ContractEventOutput(serializers.ModelSerializer):
    kind = code("transition、review、amendment、dispute_opened、dispute_closed、milestone、evidence")
    from_status = code()
    to_status = code()
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ContractEvent
        fields = ["id", "kind", "from_status", "to_status", "on", "reason_code", "reason", "actor", "at"]


class ContractEvidenceOutput(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "contract",
            "amendment",
            "milestone",
            "title",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
        ]


class ContractDetailOutput(ContractOutput):
    milestones = ContractMilestoneOutput(many=True, read_only=True)
    amendments = ContractAmendmentOutput(many=True, read_only=True)
    reviews = LegalityReviewOutput(many=True, read_only=True)
    evidence = ContractEvidenceOutput(many=True, read_only=True)

    class Meta(ContractOutput.Meta):
        fields = [*ContractOutput.Meta.fields, "milestones", "amendments", "reviews", "evidence"]


# --- inputs ---------------------------------------------------------------------------------
class ContractCreateInput(serializers.Serializer):
    number = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, default="", allow_blank=True)
    contract_type = serializers.ChoiceField(choices=CONTRACT_TYPE_CHOICES)
    agency = ScopedRelatedField(queryset=Agency.objects.all(), required=False, help_text="默认为本人所在单位")
    counterparty = ScopedRelatedField(queryset=Enterprise.objects.all())
    amount = MoneyField()
    period_start = serializers.DateField(required=False, allow_null=True, default=None)
    period_end = serializers.DateField(required=False, allow_null=True, default=None)
    payment_term_days = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    acceptance_period_days = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    sme_declared = serializers.BooleanField(
        required=False, default=False, help_text="签约时企业声明为中小企业（条例第三条）"
    )
    agreed_late_rate = RateField(required=False, allow_null=True, default=None, help_text="约定逾期利率（年，%）")


class ContractUpdateInput(serializers.Serializer):
    number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    contract_type = serializers.ChoiceField(choices=CONTRACT_TYPE_CHOICES, required=False)
    counterparty = ScopedRelatedField(queryset=Enterprise.objects.all(), required=False)
    amount = MoneyField(required=False)
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    payment_term_days = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    acceptance_period_days = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    sme_declared = serializers.BooleanField(required=False)
    agreed_late_rate = RateField(required=False, allow_null=True)


class ContractStepInput(serializers.Serializer):
    on = serializers.DateField()
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class ContractReturnInput(serializers.Serializer):
    on = serializers.DateField()
    reason = serializers.CharField(help_text="退回修改的理由")


class ContractSignInput(serializers.Serializer):
    signed_on = serializers.DateField()
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class ContractFileInput(serializers.Serializer):
    filed_on = serializers.DateField(help_text="备案日期")
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class ContractTerminateInput(serializers.Serializer):
    on = serializers.DateField()
    reason_code = serializers.ChoiceField(choices=TerminationReason.choices)
    reason = serializers.CharField()


class ContractReviewInput(serializers.Serializer):
    reviewer = serializers.CharField(max_length=100)
    opinion = serializers.CharField()
    result = PlainChoiceField(choices=ReviewResult.choices)
    reviewed_on = serializers.DateField()


class ContractDisputeInput(serializers.Serializer):
    on = serializers.DateField()
    reason = serializers.CharField()


class ContractAmendmentInput(serializers.Serializer):
    rationale_code = serializers.ChoiceField(choices=AmendmentRationale.choices)
    rationale = serializers.CharField()
    signed_on = serializers.DateField()
    changes = serializers.DictField(
        help_text='变更的字段及新值，如 {"amount": "1200000.00", "payment_term_days": 45}；'
        "可变更：title、description、amount、period_start、period_end、payment_term_days、"
        "acceptance_period_days、agreed_late_rate"
    )


class ContractMilestoneInput(serializers.Serializer):
    side = serializers.ChoiceField(choices=MilestoneSide.choices)
    kind = PlainChoiceField(choices=MilestoneKind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, default="", allow_blank=True)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    amount = MoneyField(required=False, allow_null=True, default=None)
    goods_works_services = serializers.BooleanField(required=False, default=False)
    payment_basis = serializers.ChoiceField(choices=PaymentBasis.choices, required=False, default="", allow_blank=True)


class MilestoneTriggerInput(serializers.Serializer):
    event = serializers.ChoiceField(choices=TriggerEvent.choices)
    on = serializers.DateField()


class MilestoneMetInput(serializers.Serializer):
    on = serializers.DateField()
    partly = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, default="", allow_blank=True)


class ContractEvidenceInput(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    title = serializers.CharField(max_length=200)
    amendment = ScopedRelatedField(queryset=Amendment.objects.all(), required=False, allow_null=True)
    milestone = ScopedRelatedField(queryset=Milestone.objects.all(), required=False, allow_null=True)


def _valid(serializer_class, request, context):
    ser = serializer_class(data=request.data, context=context)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


def _detail(response_code=200):
    return {response_code: ContractDetailOutput, **ERRORS}


# --- contracts ------------------------------------------------------------------------------
@extend_schema(tags=["contracts"])
class ContractViewSet(ExportMixin, ScopedViewSet):
    """政府合同协议. Writes: the agency's own staff; legality review also the supervisor."""

    logs_views = True

    queryset = Contract.objects.all()
    write_roles = STAFF
    action_roles = {"review": frozenset({Role.AGENCY_STAFF, Role.SUPERVISOR})}
    filterset_class = ContractFilter
    export_columns = CONTRACT_EXPORT
    ordering_fields = ["id", "number", "signed_on", "amount", "status", "created_at", "agency", "counterparty"]
    ordering = ["id"]

    def base_queryset(self):
        return contract_queryset(full=self.action not in ("list",))

    def get_serializer_class(self):
        return {
            "create": ContractCreateInput,
            "partial_update": ContractUpdateInput,
            "list": ContractOutput,
        }.get(self.action, ContractDetailOutput)

    def _context(self, contracts) -> dict:
        as_of = self.as_of()
        return {**self.get_serializer_context(), "as_of": as_of, "facts": PageFacts.load(contracts, as_of)}

    def _respond(self, contract: Contract, code=status.HTTP_200_OK) -> Response:
        contract = visible_or_404(self.request.user, contract.pk, full=True)
        return Response(ContractDetailOutput(contract, context=self._context([contract])).data, status=code)

    @extend_schema(parameters=[AS_OF], responses={200: ContractOutput(many=True), **ERRORS})
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ContractOutput(page, many=True, context=self._context(page)).data)

    @extend_schema(parameters=[AS_OF], responses=_detail())
    def retrieve(self, request, *args, **kwargs):
        contract = self.get_object()
        return Response(ContractDetailOutput(contract, context=self._context([contract])).data)

    @extend_schema(request=ContractCreateInput, responses=_detail(201))
    def create(self, request, *args, **kwargs):
        data = _valid(ContractCreateInput, request, self.get_serializer_context())
        agency = data.pop("agency", None) or request.user.agency
        if agency is None:
            raise ValidationFailed.field("agency", "须指定合同所属单位", code="required")
        contract = svc.contract_create(actor=request.user, agency=agency, **data)
        return self._respond(contract, status.HTTP_201_CREATED)

    @extend_schema(request=ContractUpdateInput, responses=_detail())
    def partial_update(self, request, *args, **kwargs):
        contract = self.get_object()
        data = _valid(ContractUpdateInput, request, self.get_serializer_context())
        return self._respond(svc.contract_update(actor=request.user, contract=contract, **data))

    # --- lifecycle actions ---
    @extend_schema(request=ContractStepInput, responses=_detail(), summary="提交合法性审查")
    @action(detail=True, methods=["post"], url_path="submit-review")
    def submit_review(self, request, pk=None):
        contract = self.get_object()
        data = _valid(ContractStepInput, request, {})
        return self._respond(svc.contract_submit_for_review(actor=request.user, contract=contract, **data))

    @extend_schema(request=ContractReviewInput, responses=_detail(201), summary="记录合法性审查结论")
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        contract = self.get_object()
        data = _valid(ContractReviewInput, request, {})
        svc.contract_review_record(actor=request.user, contract=contract, **data)
        return self._respond(contract, status.HTTP_201_CREATED)

    @extend_schema(request=ContractReturnInput, responses=_detail(), summary="退回修改（回到草拟）")
    @action(detail=True, methods=["post"], url_path="return-to-draft")
    def return_to_draft(self, request, pk=None):
        contract = self.get_object()
        data = _valid(ContractReturnInput, request, {})
        return self._respond(svc.contract_return_to_draft(actor=request.user, contract=contract, **data))

    @extend_schema(request=ContractSignInput, responses=_detail(), summary="签订")
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        contract = self.get_object()
        data = _valid(ContractSignInput, request, {})
        return self._respond(svc.contract_sign(actor=request.user, contract=contract, **data))

    @extend_schema(request=ContractFileInput, responses=_detail(), summary="备案")
    @action(detail=True, methods=["post"], url_path="file", url_name="file")
    def record_filing(self, request, pk=None):
        contract = self.get_object()
        data = _valid(ContractFileInput, request, {})
        return self._respond(svc.contract_file(actor=request.user, contract=contract, **data))

    @extend_schema(request=ContractStepInput, responses=_detail(), summary="开始履行")
    @action(detail=True, methods=["post"], url_path="start-performance")
    def start_performance(self, request, pk=None):
        contract = self.get_object()
        data = _valid(ContractStepInput, request, {})
        return self._respond(svc.contract_start_performance(actor=request.user, contract=contract, **data))

    @extend_schema(request=ContractStepInput, responses=_detail(), summary="确认履行完毕")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        contract = self.get_object()
        data = _valid(ContractStepInput, request, {})
        return self._respond(svc.contract_complete(actor=request.user, contract=contract, **data))

    @extend_schema(request=ContractTerminateInput, responses=_detail(), summary="终止（须有原因代码）")
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        contract = self.get_object()
        data = _valid(ContractTerminateInput, request, {})
        return self._respond(svc.contract_terminate(actor=request.user, contract=contract, **data))

    @extend_schema(request=ContractDisputeInput, responses=_detail(), summary="发生争议（争议标记）")
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        contract = self.get_object()
        data = _valid(ContractDisputeInput, request, {})
        return self._respond(svc.contract_dispute_open(actor=request.user, contract=contract, **data))

    @extend_schema(request=ContractDisputeInput, responses=_detail(), summary="争议解决（取消争议标记）")
    @action(detail=True, methods=["post"], url_path="resolve-dispute")
    def resolve_dispute(self, request, pk=None):
        contract = self.get_object()
        data = _valid(ContractDisputeInput, request, {})
        return self._respond(svc.contract_dispute_close(actor=request.user, contract=contract, **data))

    # --- sub-resources ---
    @extend_schema(methods=["GET"], responses={200: ContractAmendmentOutput(many=True), **ERRORS}, summary="变更列表")
    @extend_schema(
        methods=["POST"],
        request=ContractAmendmentInput,
        responses={201: ContractAmendmentOutput, **ERRORS},
        summary="记录变更",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def amendments(self, request, pk=None):
        contract = self.get_object()
        if request.method == "GET":
            return Response(ContractAmendmentOutput(contract.amendments.all(), many=True).data)
        data = _valid(ContractAmendmentInput, request, {})
        amendment = amendment_svc.amendment_create(actor=request.user, contract=contract, **data)
        return Response(ContractAmendmentOutput(amendment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        parameters=[AS_OF],
        responses={200: ContractMilestoneOutput(many=True), **ERRORS},
        summary="履行节点列表",
    )
    @extend_schema(
        methods=["POST"],
        request=ContractMilestoneInput,
        responses={201: ContractMilestoneOutput, **ERRORS},
        summary="增加履行节点",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def milestones(self, request, pk=None):
        contract = self.get_object()
        context = {"as_of": self.as_of()}
        if request.method == "GET":
            return Response(ContractMilestoneOutput(contract.milestones.all(), many=True, context=context).data)
        data = _valid(ContractMilestoneInput, request, {})
        milestone = milestone_svc.milestone_create(actor=request.user, contract=contract, **data)
        return Response(ContractMilestoneOutput(milestone, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"], responses={200: ContractEvidenceOutput(many=True), **ERRORS}, summary="证据材料列表"
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": ContractEvidenceInput},
        responses={201: ContractEvidenceOutput, **ERRORS},
        summary="上传证据材料（PDF、PNG、JPEG、docx、xlsx）",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        pagination_class=None,
        filter_backends=[],
    )
    def evidence(self, request, pk=None):
        contract = self.get_object()
        if request.method == "GET":
            return Response(ContractEvidenceOutput(contract.evidence.all(), many=True).data)
        data = _valid(ContractEvidenceInput, request, {})
        amendment, milestone = data.get("amendment"), data.get("milestone")
        evidence = evidence_svc.evidence_add(
            actor=request.user,
            contract=contract,
            upload=data["file"],
            title=data["title"],
            amendment=amendment,
            milestone=milestone,
        )
        return Response(ContractEvidenceOutput(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: ContractEventOutput(many=True), **ERRORS}, summary="操作记录（谁、何日、何理由）")
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, pk=None):
        contract = self.get_object()
        return Response(ContractEventOutput(contract.events.all(), many=True).data)

    # --- OCDS ---
    @extend_schema(
        parameters=[AS_OF],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="OCDS 1.1.5 release package"),
            404: ErrorOutput,
            409: ErrorOutput,  # export_invalid_uscc: a party's USCC fails R8
        },
        summary="OCDS 1.1.5 发布包（单个合同）",
        operation_id="contracts_ocds_package",
    )
    @action(detail=True, methods=["get"], renderer_classes=[OcdsJSONRenderer])
    def ocds(self, request, pk=None):
        contract = self.get_object()
        try:
            package = ocds_export.release_package([contract], as_of=self.as_of(), uri=request.build_absolute_uri())
        except ExportUsccRefused as exc:
            return _ocds_refused(request, exc, f"contract-ocds:{contract.pk}")
        return Response(package)

    @extend_schema(
        parameters=[
            AS_OF,
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="每页合同数（默认50，最多500）"),
        ],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="OCDS 1.1.5 release package"), **ERRORS},
        summary="OCDS 1.1.5 发布包（批量，与列表相同的筛选条件；下一页见 Link 响应头）",
        operation_id="contracts_ocds_bulk",
    )
    @action(detail=False, methods=["get"], url_path="ocds", url_name="ocds-bulk", renderer_classes=[OcdsJSONRenderer])
    def ocds_bulk(self, request):
        qs = self.filter_queryset(contract_list(user=request.user, full=True))
        size = _int_param(request, "page_size", 50, upper=500)
        number = _int_param(request, "page", 1)
        try:
            page = Paginator(qs, size).page(number)
        except EmptyPage:
            raise NotFound("没有符合条件的合同，无可导出的发布包", code="no_contracts") from None
        try:
            package = ocds_export.release_package(
                page.object_list, as_of=self.as_of(), uri=request.build_absolute_uri()
            )
        except ExportUsccRefused as exc:
            return _ocds_refused(request, exc, "contract-ocds")
        if not package["releases"]:
            raise NotFound("没有符合条件的合同，无可导出的发布包", code="no_contracts")
        headers = {}
        if page.has_next():
            params = request.query_params.copy()
            params["page"] = page.next_page_number()
            headers["Link"] = f'<{request.build_absolute_uri(request.path)}?{params.urlencode()}>; rel="next"'
        return Response(package, headers=headers)


def _ocds_refused(request, exc: ExportUsccRefused, resource: str) -> Response:
    """R8 refusal of an OCDS package: 409 envelope, nothing written, the refusal in the export log
    (answered, not raised, so the request's rollback does not take the log entry with it)."""
    query = request.query_params.urlencode()
    log_refusal(exc, user=request.user, resource=resource, query=query, fmt="json", encoding="utf-8")
    return refusal_response(exc)


def _int_param(request, name: str, default: int, *, upper: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValidationFailed.field(name, "须为正整数", code="invalid")
    return min(int(raw), upper) if upper else int(raw)


def visible_or_404(user, pk: int, *, full: bool) -> Contract:
    contract = contract_list(user=user, full=full).filter(pk=pk).first()
    if contract is None:
        raise NotFound()
    return contract


# --- milestones -----------------------------------------------------------------------------
@extend_schema(tags=["contracts"])
class ContractMilestoneViewSet(ScopedReadOnlyViewSet):
    """Milestones of contracts; triggers of government payments and completion of the others."""

    queryset = Milestone.objects.all()
    serializer_class = ContractMilestoneOutput
    write_roles = STAFF
    filterset_class = MilestoneFilter
    ordering_fields = ["id", "due_on"]
    ordering = ["id"]

    def base_queryset(self):
        return milestone_queryset()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "as_of": self.as_of()}

    @extend_schema(parameters=[AS_OF], responses={200: ContractMilestoneOutput(many=True), **ERRORS})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[AS_OF], responses={200: ContractMilestoneOutput, **ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    def _respond(self, milestone: Milestone) -> Response:
        fresh = milestone_queryset().get(pk=milestone.pk)
        return Response(ContractMilestoneOutput(fresh, context=self.get_serializer_context()).data)

    @extend_schema(
        request=MilestoneTriggerInput,
        responses={200: ContractMilestoneOutput, **ERRORS},
        summary="记录付款起算事件（交付、验收、验收逾期、结算确认）；触发时生成给付义务",
    )
    @action(detail=True, methods=["post"])
    def trigger(self, request, pk=None):
        milestone = self.get_object()
        data = _valid(MilestoneTriggerInput, request, {})
        return self._respond(milestone_svc.milestone_record_trigger(actor=request.user, milestone=milestone, **data))

    @extend_schema(
        request=MilestoneMetInput, responses={200: ContractMilestoneOutput, **ERRORS}, summary="记录节点完成或部分完成"
    )
    @action(detail=True, methods=["post"])
    def met(self, request, pk=None):
        milestone = self.get_object()
        data = _valid(MilestoneMetInput, request, {})
        return self._respond(milestone_svc.milestone_record_met(actor=request.user, milestone=milestone, **data))


# --- evidence -------------------------------------------------------------------------------
@extend_schema(tags=["contracts"])
class ContractEvidenceViewSet(ScopedReadOnlyViewSet):
    queryset = Evidence.objects.all()
    serializer_class = ContractEvidenceOutput
    filterset_class = EvidenceFilter
    ordering_fields = ["id", "uploaded_at"]
    ordering = ["id"]

    def base_queryset(self):
        return Evidence.objects.select_related("uploaded_by")

    @extend_schema(responses={200: ContractEvidenceOutput(many=True), **ERRORS})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: ContractEvidenceOutput, **ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        responses={
            **{(200, media): OpenApiTypes.BINARY for media in evidence_svc.EXTENSIONS},
            404: ErrorOutput,
        },
        summary="下载证据文件",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        evidence = self.get_object()
        try:
            handle = evidence.file.open("rb")
        except FileNotFoundError:
            raise NotFound("文件不存在（存储中已缺失）", code="file_missing") from None
        return FileResponse(
            handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
        )
