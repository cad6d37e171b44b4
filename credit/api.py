"""HTTP for credit officers: dishonesty records (`credit/records`), export batches
(`credit/exports` + the zwsx-1 JSON Schema) and the publicity-window table.

Thin views: input serializer → service → output serializer. Reads are scoped by the tenancy
selector (credit/tenancies.py); every write is a credit officer's (the window table an
administrator's).
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from credit import zwsx
from credit.exporting import CREDIT_RECORD_EXPORT
from credit.models import (
    DishonestyKind,
    DishonestyRecord,
    ExportBatch,
    Operation,
    PublicityWindowRule,
    Severity,
)
from credit.selectors import (
    batch_queryset,
    flagged_records,
    performed_on,
    publication,
    record_queryset,
    repair_blockers,
)
from credit.services import exports as export_svc
from credit.services import records as svc
from credit.services import windows as window_svc
from ledger import clock
from ledger.api.base import ERRORS, ErrorOutput, ScopedRelatedField, ScopedViewSet, ScopedViewSetMixin
from ledger.api.exporting import ExportMixin
from ledger.api.fields import MoneyField, UsccField
from ledger.api.parties import WriteViaServiceMixin, _schema
from ledger.models import Agency, Enterprise, Role
from ledger.rules import uscc
from ledger.rules.errors import RuleError

CREDIT = frozenset({Role.CREDIT_OFFICER})
AS_OF = OpenApiParameter("as_of", OpenApiTypes.DATE, description="计算公示状态的日期，默认今天（Asia/Shanghai）")


# --- records: output ----------------------------------------------------------------------------
class CreditPublicationOutput(serializers.Serializer):
    as_of = serializers.DateField()
    code = serializers.CharField()
    label = serializers.CharField()
    published = serializers.BooleanField(help_text="截至该日是否在信用平台公示")
    flagged = serializers.BooleanField(help_text="最长公示期已届满但义务未履行，待信用管理员处理")
    performed_on = serializers.DateField(allow_null=True)
    repair_blockers = serializers.ListField(child=serializers.CharField())


class CreditRecordEventOutput(serializers.Serializer):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    on = serializers.DateField()
    reason = serializers.CharField()
    detail = serializers.DictField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    at = serializers.DateTimeField()


class CreditRecordExportOutput(serializers.Serializer):
    batch = serializers.IntegerField(source="batch_id")
    batch_sequence = serializers.IntegerField(source="batch.sequence")
    is_demo_batch = serializers.BooleanField(source="batch.is_demo")
    as_of = serializers.DateField(source="batch.as_of")
    operation = serializers.CharField()
    result = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=["pending", "accepted", "rejected"]))
    def get_result(self, row) -> str:
        result = getattr(row, "result", None)
        return "pending" if result is None else ("accepted" if result.accepted else "rejected")

    def get_reason(self, row) -> str:
        result = getattr(row, "result", None)
        return "" if result is None else result.reason


class CreditRecordOutput(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    rule_label = serializers.CharField(source="get_rule_display")
    kind_label = serializers.CharField(source="get_kind_display")
    source_type = serializers.SerializerMethodField()
    subject_category = serializers.SerializerMethodField()
    amount = MoneyField(allow_null=True)
    publication = serializers.SerializerMethodField()
    events = CreditRecordEventOutput(many=True)
    exports = CreditRecordExportOutput(many=True, source="export_rows")

    class Meta:
        model = DishonestyRecord
        fields = [
            "id",
            "number",
            "status",
            "status_label",
            "rule",
            "rule_label",
            "source_type",
            "source_id",
            "source_label",
            "region_code",
            "subject_agency",
            "subject_name",
            "subject_uscc",
            "subject_category",
            "kind",
            "kind_label",
            "facts",
            "basis",
            "amount",
            "counterparty",
            "counterparty_name",
            "counterparty_uscc",
            "remarks",
            "proposed_on",
            "verified_on",
            "rectification_ordered_on",
            "rectification_deadline",
            "determined_on",
            "determining_authority",
            "authority_name",
            "authority_uscc",
            "data_source",
            "data_source_name",
            "data_source_uscc",
            "severity",
            "published",
            "window_basis",
            "publicity_start",
            "publicity_min_end",
            "publicity_max_end",
            "performance_note",
            "commitment_on",
            "commitment_text",
            "closed_on",
            "closing_reason",
            "is_demo",
            "publication",
            "events",
            "exports",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_source_type(self, record) -> str | None:
        ct = record.source_type
        return None if ct is None else f"{ct.app_label}.{ct.model}"

    @extend_schema_field(serializers.ChoiceField(choices=list(zwsx.SUBJECT_KINDS)))
    def get_subject_category(self, record) -> str:
        """主体类别 as zwsx-1 exports it: from the code (GB 32100 category), else the agency's kind."""
        try:
            return uscc.category(record.subject_uscc)
        except RuleError:
            return record.subject_agency.kind

    @extend_schema_field(CreditPublicationOutput)
    def get_publication(self, record) -> dict:
        as_of = self.context["as_of"]
        performed = performed_on(record)
        pub = publication(record, as_of, performed)
        return {
            "as_of": as_of,
            "code": pub.code,
            "label": pub.label,
            "published": pub.published,
            "flagged": pub.flagged,
            "performed_on": performed,
            "repair_blockers": repair_blockers(record, as_of) if record.status == "determined" else [],
        }


# --- records: input -------------------------------------------------------------------------------
class CreditRecordCreateInput(serializers.Serializer):
    subject_agency = ScopedRelatedField(queryset=Agency.objects.all())
    kind = serializers.ChoiceField(choices=DishonestyKind.choices)
    facts = serializers.CharField(max_length=5000)
    source_label = serializers.CharField(max_length=300, help_text="线索来源，如失信被执行人名单、投诉编号")
    proposed_on = serializers.DateField(required=False)
    reason = serializers.CharField(max_length=2000)
    amount = MoneyField(required=False, allow_null=True)
    counterparty = ScopedRelatedField(queryset=Enterprise.objects.all(), required=False, allow_null=True)


class CreditStepInput(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="办理日期，默认今天")
    reason = serializers.CharField(max_length=2000)


class CreditRectificationInput(CreditStepInput):
    deadline = serializers.DateField()


class CreditDetermineInput(CreditStepInput):
    severity = serializers.ChoiceField(choices=Severity.choices)
    determining_authority = ScopedRelatedField(queryset=Agency.objects.all())
    basis = serializers.CharField(max_length=2000)
    data_source = ScopedRelatedField(queryset=Agency.objects.all(), required=False, allow_null=True)
    publish = serializers.BooleanField(required=False, allow_null=True, default=None)


class CreditPerformanceInput(serializers.Serializer):
    performed_on = serializers.DateField()
    note = serializers.CharField(max_length=2000)


class CreditCommitmentInput(serializers.Serializer):
    committed_on = serializers.DateField()
    text = serializers.CharField(max_length=5000)


class CreditRepairInput(CreditStepInput):
    on_behalf_of = ScopedRelatedField(
        queryset=Agency.objects.all(), help_text="以其名义修复的单位：须为本记录的认定单位（谁认定谁修复）"
    )


class CreditCorrectInput(serializers.Serializer):
    on = serializers.DateField(required=False)
    reason = serializers.CharField(max_length=2000)
    subject_name = serializers.CharField(max_length=200, required=False)
    subject_uscc = UsccField(required=False)
    facts = serializers.CharField(max_length=5000, required=False)
    basis = serializers.CharField(max_length=2000, required=False)
    amount = MoneyField(required=False, allow_null=True)
    counterparty_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    counterparty_uscc = UsccField(required=False, allow_blank=True)
    authority_name = serializers.CharField(max_length=200, required=False)
    authority_uscc = UsccField(required=False)
    data_source_name = serializers.CharField(max_length=200, required=False)
    data_source_uscc = UsccField(required=False)
    remarks = serializers.CharField(max_length=500, required=False, allow_blank=True)


class CreditProposeInput(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="按此日期适用规则，默认今天")


class CreditProposeOutput(serializers.Serializer):
    as_of = serializers.DateField()
    created = serializers.IntegerField()
    already_proposed = serializers.IntegerField()
    by_rule = serializers.DictField(child=serializers.IntegerField())
    records = CreditRecordOutput(many=True)


def _step_schema(input_, summary):
    return extend_schema(request=input_, responses={200: CreditRecordOutput, **ERRORS}, summary=summary)


@extend_schema_view(
    list=extend_schema(
        responses={200: CreditRecordOutput(many=True), **ERRORS},
        parameters=[AS_OF, OpenApiParameter("flagged", OpenApiTypes.BOOL, description="只看届满未履行待处理的记录")],
    ),
    retrieve=extend_schema(responses={200: CreditRecordOutput, **ERRORS}, parameters=[AS_OF]),
    create=extend_schema(request=CreditRecordCreateInput, responses={201: CreditRecordOutput, **ERRORS}),
    propose=extend_schema(
        request=CreditProposeInput, responses={200: CreditProposeOutput, **ERRORS}, summary="按规则提出候选"
    ),
    verify=_step_schema(CreditStepInput, "核实"),
    order_rectification=_step_schema(CreditRectificationInput, "责令整改"),
    mark_rectified=_step_schema(CreditStepInput, "已整改（不予记录）"),
    determine=_step_schema(CreditDetermineInput, "认定失信"),
    performance=_step_schema(CreditPerformanceInput, "登记义务履行"),
    commitment=_step_schema(CreditCommitmentInput, "登记信用承诺"),
    repair=_step_schema(CreditRepairInput, "信用修复（谁认定谁修复）"),
    expire=_step_schema(CreditStepInput, "公示期满办结"),
    revoke=_step_schema(CreditStepInput, "撤销认定"),
    dismiss=_step_schema(CreditStepInput, "不予认定"),
    correct=_step_schema(CreditCorrectInput, "更正记录内容"),
)
class CreditRecordViewSet(
    ExportMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = record_queryset()
    serializer_class = CreditRecordOutput
    http_method_names = ["get", "post", "head", "options"]
    write_roles = CREDIT
    filterset_fields = ["status", "rule", "kind", "severity", "subject_agency", "is_demo", "published"]
    export_columns = CREDIT_RECORD_EXPORT  # GET /api/credit/records/export/ (issue 6)
    ordering_fields = ["id", "proposed_on", "determined_on", "publicity_max_end"]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "list" and self.request.query_params.get("flagged") in ("1", "true", "True"):
            qs = qs.filter(pk__in=[r.pk for r in flagged_records(self.as_of())])
        return qs

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "as_of": self.as_of()}

    def _input(self, serializer_class):
        ser = serializer_class(data=self.request.data, context=self.get_serializer_context())
        ser.is_valid(raise_exception=True)
        return dict(ser.validated_data)

    def _respond(self, record, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=record.pk)
        return Response(CreditRecordOutput(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        data = self._input(CreditRecordCreateInput)
        data.setdefault("proposed_on", clock.today())
        record = svc.record_create_manual(actor=request.user, **data)
        return self._respond(record, status.HTTP_201_CREATED)

    @action(detail=False, methods=["post"])
    def propose(self, request):
        data = self._input(CreditProposeInput)
        result = svc.candidates_propose(actor=request.user, as_of=data.get("date") or clock.today())
        created = list(self.get_queryset().filter(pk__in=[r.pk for r in result.created]))
        body = {
            "as_of": result.as_of,
            "created": len(result.created),
            "already_proposed": result.already_proposed,
            "by_rule": result.by_rule,
            "records": CreditRecordOutput(created, many=True, context=self.get_serializer_context()).data,
        }
        return Response(body)

    def _step(self, fn, serializer_class, **extra):
        record = self.get_object()
        data = self._input(serializer_class)
        if "on" in serializer_class().fields:
            data["on"] = data.get("on") or clock.today()
        return self._respond(fn(actor=self.request.user, record=record, **data, **extra))

    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._step(svc.record_verify, CreditStepInput)

    @action(detail=True, methods=["post"], url_path="order-rectification")
    def order_rectification(self, request, pk=None):
        return self._step(svc.record_order_rectification, CreditRectificationInput)

    @action(detail=True, methods=["post"], url_path="rectified")
    def mark_rectified(self, request, pk=None):
        return self._step(svc.record_mark_rectified, CreditStepInput)

    @action(detail=True, methods=["post"])
    def determine(self, request, pk=None):
        return self._step(svc.record_determine, CreditDetermineInput)

    @action(detail=True, methods=["post"])
    def performance(self, request, pk=None):
        return self._step(svc.record_performance_record, CreditPerformanceInput)

    @action(detail=True, methods=["post"])
    def commitment(self, request, pk=None):
        return self._step(svc.record_commitment_record, CreditCommitmentInput)

    @action(detail=True, methods=["post"])
    def repair(self, request, pk=None):
        return self._step(svc.record_repair, CreditRepairInput)

    @action(detail=True, methods=["post"])
    def expire(self, request, pk=None):
        return self._step(svc.record_expire, CreditStepInput)

    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._step(svc.record_revoke, CreditStepInput)

    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        return self._step(svc.record_dismiss, CreditStepInput)

    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        record = self.get_object()
        data = self._input(CreditCorrectInput)
        on = data.pop("on", None) or clock.today()
        reason = data.pop("reason")
        return self._respond(svc.record_correct(actor=request.user, record=record, on=on, reason=reason, changes=data))


# --- export batches --------------------------------------------------------------------------------
FILE_KINDS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
    "manifest": "application/json; charset=utf-8",
}


class CreditExportFileOutput(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    sha256 = serializers.CharField()
    url = serializers.CharField()


class CreditReceiptSummaryOutput(serializers.Serializer):
    received_on = serializers.DateField()
    platform_reference = serializers.CharField()
    note = serializers.CharField()
    recorded_by = serializers.CharField(source="recorded_by.username", allow_null=True, default=None)
    recorded_at = serializers.DateTimeField()


class CreditExportOutput(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    operations = serializers.SerializerMethodField()
    rejected = serializers.IntegerField(source="rejected_count", read_only=True)
    files = serializers.SerializerMethodField()
    receipt = serializers.SerializerMethodField()

    class Meta:
        model = ExportBatch
        fields = [
            "id",
            "sequence",
            "is_demo",
            "format_version",
            "as_of",
            "row_count",
            "created_at",
            "created_by",
            "operations",
            "rejected",
            "files",
            "receipt",
        ]

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_operations(self, batch) -> dict:
        return {
            str(Operation.ADD): batch.add_count,
            str(Operation.CHANGE): batch.change_count,
            str(Operation.WITHDRAW): batch.withdraw_count,
        }

    @extend_schema_field(CreditExportFileOutput(many=True))
    def get_files(self, batch) -> list[dict]:
        return [
            {
                "kind": kind,
                "name": zwsx.file_name(kind, sequence=batch.sequence, demo=batch.is_demo),
                "sha256": getattr(batch, f"{kind}_sha256"),
                "url": f"/api/credit/exports/{batch.pk}/files/{kind}/",
            }
            for kind in FILE_KINDS
        ]

    @extend_schema_field(CreditReceiptSummaryOutput(allow_null=True))
    def get_receipt(self, batch) -> dict | None:
        receipt = getattr(batch, "receipt", None)
        return None if receipt is None else CreditReceiptSummaryOutput(receipt).data


class CreditExportRowOutput(serializers.Serializer):
    line = serializers.IntegerField()
    record = serializers.IntegerField(source="record_id")
    record_number = serializers.CharField(source="record.number")
    operation = serializers.CharField()
    result = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=["pending", "accepted", "rejected"]))
    def get_result(self, row) -> str:
        result = getattr(row, "result", None)
        return "pending" if result is None else ("accepted" if result.accepted else "rejected")

    def get_reason(self, row) -> str:
        result = getattr(row, "result", None)
        return "" if result is None else result.reason


class CreditExportDetailOutput(CreditExportOutput):
    rows = serializers.SerializerMethodField()

    class Meta(CreditExportOutput.Meta):
        fields = [*CreditExportOutput.Meta.fields, "rows"]

    @extend_schema_field(CreditExportRowOutput(many=True))
    def get_rows(self, batch) -> list[dict]:
        rows = batch.rows.select_related("record", "result").order_by("line")
        return CreditExportRowOutput(rows, many=True).data


class CreditExportCreateInput(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text="批次日期（计算公示期满等），默认今天")


class CreditReceiptRejectionInput(serializers.Serializer):
    record_number = serializers.CharField(max_length=32)
    reason = serializers.CharField(max_length=2000)


class CreditReceiptInput(serializers.Serializer):
    received_on = serializers.DateField()
    platform_reference = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    accepted = serializers.ListField(child=serializers.CharField(max_length=32), required=False, default=list)
    rejected = CreditReceiptRejectionInput(many=True, required=False, default=list)


def _file_schema(kind: str):
    media = FILE_KINDS[kind].split(";")[0]
    # The JSON file and the manifest are JSON documents (the file's shape: /api/credit/exports/schema/).
    body = OpenApiTypes.OBJECT if media == "application/json" else OpenApiTypes.BINARY
    return extend_schema(
        responses={(200, media): body, (404, "application/json"): ErrorOutput},
        summary=f"下载批次{kind}文件（每次下载字节相同）",
    )


@extend_schema_view(
    list=extend_schema(responses={200: CreditExportOutput(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: CreditExportDetailOutput, **ERRORS}),
    create=extend_schema(
        request=CreditExportCreateInput,
        responses={201: CreditExportDetailOutput, **ERRORS},
        summary="生成下一批次（有任何一行未通过校验则不生成、不占用批次号，400 列出记录与字段）",
    ),
    file_csv=_file_schema("csv"),
    file_xlsx=_file_schema("xlsx"),
    file_json=_file_schema("json"),
    file_manifest=_file_schema("manifest"),
    receipt=extend_schema(
        request=CreditReceiptInput, responses={201: CreditExportDetailOutput, **ERRORS}, summary="登记平台回执"
    ),
    json_schema=extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="zwsx-1 JSON Schema"),
)
class CreditExportViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    # Operation counts per batch; the aggregate drops Meta.ordering, hence the explicit order.
    queryset = (
        batch_queryset()
        .annotate(
            add_count=Count("rows", filter=Q(rows__operation=Operation.ADD), distinct=True),
            change_count=Count("rows", filter=Q(rows__operation=Operation.CHANGE), distinct=True),
            withdraw_count=Count("rows", filter=Q(rows__operation=Operation.WITHDRAW), distinct=True),
            rejected_count=Count("receipt__lines", filter=Q(receipt__lines__accepted=False), distinct=True),
        )
        .order_by("is_demo", "sequence")
    )
    http_method_names = ["get", "post", "head", "options"]
    write_roles = CREDIT
    filterset_fields = ["is_demo", "as_of"]
    ordering_fields = ["id", "sequence", "as_of"]

    def get_serializer_class(self):
        return CreditExportDetailOutput if self.action == "retrieve" else CreditExportOutput

    def _respond(self, batch, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=batch.pk)
        return Response(CreditExportDetailOutput(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        ser = CreditExportCreateInput(data=request.data)
        ser.is_valid(raise_exception=True)
        batch = export_svc.export_batch_create(
            actor=request.user, as_of=ser.validated_data.get("as_of") or clock.today()
        )
        return self._respond(batch, status.HTTP_201_CREATED)

    def _download(self, kind: str) -> HttpResponse:
        batch = self.get_object()
        data = ExportBatch.objects.values_list(f"{kind}_bytes", flat=True).get(pk=batch.pk)
        response = HttpResponse(bytes(data), content_type=FILE_KINDS[kind])
        name = zwsx.file_name(kind, sequence=batch.sequence, demo=batch.is_demo)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["X-Content-SHA256"] = getattr(batch, f"{kind}_sha256")
        return response

    @action(detail=True, methods=["get"], url_path="files/csv")
    def file_csv(self, request, pk=None):
        return self._download("csv")

    @action(detail=True, methods=["get"], url_path="files/xlsx")
    def file_xlsx(self, request, pk=None):
        return self._download("xlsx")

    @action(detail=True, methods=["get"], url_path="files/json")
    def file_json(self, request, pk=None):
        return self._download("json")

    @action(detail=True, methods=["get"], url_path="files/manifest")
    def file_manifest(self, request, pk=None):
        return self._download("manifest")

    @action(detail=True, methods=["post"])
    def receipt(self, request, pk=None):
        batch = self.get_object()
        ser = CreditReceiptInput(data=request.data)
        ser.is_valid(raise_exception=True)
        export_svc.export_receipt_record(actor=request.user, batch=batch, **ser.validated_data)
        return self._respond(batch, status.HTTP_201_CREATED)

    @action(detail=False, methods=["get"], url_path="schema")
    def json_schema(self, request):  # not "schema": that name is the view's OpenAPI schema object
        return Response(zwsx.load_schema())


# --- the publicity-window table (administrators) ---------------------------------------------------
class CreditPublicityWindowOutput(serializers.ModelSerializer):
    class Meta:
        model = PublicityWindowRule
        fields = ["id", "severity", "published", "min_months", "max_months", "effective_from", "basis"]


class CreditPublicityWindowInput(serializers.Serializer):
    severity = serializers.ChoiceField(choices=Severity.choices)
    published = serializers.BooleanField()
    min_months = serializers.IntegerField(min_value=0, max_value=120)
    max_months = serializers.IntegerField(min_value=1, max_value=120)
    effective_from = serializers.DateField()
    basis = serializers.CharField(max_length=2000)


@_schema(CreditPublicityWindowOutput, CreditPublicityWindowInput)
class CreditPublicityWindowViewSet(WriteViaServiceMixin, ScopedViewSet):
    queryset = PublicityWindowRule.objects.all()
    input_serializer, output_serializer = CreditPublicityWindowInput, CreditPublicityWindowOutput
    write_roles = frozenset({Role.ADMINISTRATOR})
    filterset_fields = ["severity"]
    ordering_fields = ["effective_from", "severity"]

    def perform_service_create(self, data):
        return window_svc.publicity_window_save(actor=self.request.user, **data)

    def perform_service_update(self, obj, data):
        fields = ("severity", "published", "min_months", "max_months", "effective_from", "basis")
        merged = {f: data.get(f, getattr(obj, f)) for f in fields}
        return window_svc.publicity_window_save(actor=self.request.user, window=obj, **merged)
