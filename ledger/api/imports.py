"""`imports`: upload an agency's spreadsheet ledger (台账), read the report, download templates.

POST a multipart upload (file, kind, dry_run, agency) → 201 with the job when every row was
valid (imported, or validated in a dry run), or 400 ``import_rejected`` with the job and its
problems when any row was not (nothing written). The report downloads as XLSX from
``/api/imports/{id}/report/``; ``/api/imports/templates/{kind}/`` gives each kind's template.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from ledger.api.base import ERRORS, ErrorOutput, ScopedRelatedField, ScopedViewSetMixin
from ledger.errors import NotFound
from ledger.imports.registry import get_kind, kind_choices
from ledger.imports.report import report_xlsx, summary_line
from ledger.imports.services import import_run
from ledger.imports.templates import template_xlsx
from ledger.models import Agency, ImportJob, ImportStatus, Role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORTERS = frozenset({Role.AGENCY_STAFF, Role.ADMINISTRATOR})


class ImportProblemOutput(serializers.Serializer):
    severity = serializers.ChoiceField(choices=[("error", "错误"), ("warning", "提示"), ("info", "说明")])
    sheet = serializers.CharField(allow_blank=True)
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_blank=True)
    value = serializers.CharField(allow_blank=True)
    reason = serializers.CharField()


class ImportChangeOutput(serializers.Serializer):
    action = serializers.ChoiceField(choices=[("create", "新增"), ("update", "更新")])
    sheet = serializers.CharField(allow_blank=True)
    row = serializers.IntegerField()
    record = serializers.CharField(allow_blank=True)
    detail = serializers.CharField(allow_blank=True)


class ImportSheetOutput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    title = serializers.CharField()
    header_row = serializers.IntegerField(required=False)
    rows = serializers.IntegerField()
    create = serializers.IntegerField()
    update = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ImportReportOutput(serializers.Serializer):
    problems = ImportProblemOutput(many=True)
    problems_not_listed = serializers.IntegerField()
    notes = ImportProblemOutput(many=True)
    changes = ImportChangeOutput(many=True)
    changes_not_listed = serializers.IntegerField()
    sheets = ImportSheetOutput(many=True)


class ImportJobListOutput(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    summary = serializers.SerializerMethodField()
    report_url = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "kind_label",
            "file_name",
            "file_sha256",
            "file_size",
            "dry_run",
            "agency",
            "region_code",
            "created_by",
            "created_at",
            "finished_at",
            "status",
            "status_label",
            "summary",
            "rows_total",
            "rows_created",
            "rows_updated",
            "rows_unchanged",
            "problem_count",
            "warning_count",
            "report_url",
        ]

    def get_kind_label(self, job) -> str:
        kind = get_kind(job.kind)
        return kind.label if kind else job.kind

    def get_summary(self, job) -> str:
        return summary_line(job)

    def get_report_url(self, job) -> str:
        return f"/api/imports/{job.pk}/report/"


class ImportJobOutput(ImportJobListOutput):
    report = ImportReportOutput(read_only=True)

    class Meta(ImportJobListOutput.Meta):
        fields = [*ImportJobListOutput.Meta.fields, "report"]


class ImportRejectedOutput(serializers.Serializer):
    """400: the error envelope; for a file with problems (``import_rejected``) also the recorded
    job and its report. A request that is not an import at all (no file, unknown kind) has no job."""

    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
    job = ImportJobOutput(required=False)


class ImportUploadInput(serializers.Serializer):
    file = serializers.FileField(help_text=".xlsx 或 .csv（UTF-8，可带 BOM；或 GB18030）")
    kind = serializers.ChoiceField(choices=[], help_text="导入类别：obligations、payments、redemptions、contracts…")
    dry_run = serializers.BooleanField(default=False, help_text="试导入：只检查并列出将新增或更新的记录，不写入")
    agency = ScopedRelatedField(
        queryset=Agency.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="导入所属单位：机关工作人员默认为本单位；管理员可不填（各行自填单位）",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _problem_lines(job: ImportJob, limit: int = 20) -> list[str]:
    lines = []
    for p in job.report.get("problems", [])[:limit]:
        where = "".join(
            part
            for part in (
                f"{p['sheet']} " if p["sheet"] else "",
                f"第{p['row']}行 " if p["row"] is not None else "",
                f"{p['column']} " if p["column"] else "",
            )
        )
        lines.append(f"{where}{p['reason']}".strip())
    if job.problem_count > limit:
        lines.append(f"……共{job.problem_count}处问题，详见导入报告")
    return lines


_BINARY = {(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY), 404: ErrorOutput}


@extend_schema_view(
    list=extend_schema(responses={200: ImportJobListOutput(many=True), **ERRORS}, summary="导入记录"),
    retrieve=extend_schema(responses={200: ImportJobOutput, **ERRORS}, summary="导入记录详情（含报告）"),
    create=extend_schema(
        request={"multipart/form-data": ImportUploadInput},
        responses={201: ImportJobOutput, 400: ImportRejectedOutput, **{k: v for k, v in ERRORS.items() if k != 400}},
        summary="上传台账（.xlsx/.csv）导入或试导入",
    ),
    report=extend_schema(responses=_BINARY, summary="下载导入报告（XLSX）"),
    templates=extend_schema(
        parameters=[OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH, description="导入类别")],
        responses=_BINARY,
        summary="下载导入模板（XLSX，中文表头和一行示例）",
    ),
)
class ImportJobViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """台账导入. Agency staff import for their own agency only; administrators for any."""

    queryset = ImportJob.objects.select_related("agency", "created_by")
    parser_classes = [MultiPartParser, FormParser]
    write_roles = IMPORTERS
    filterset_fields = ["kind", "status", "dry_run", "agency"]
    ordering_fields = ["id", "created_at"]
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return ImportUploadInput
        return ImportJobOutput if self.action == "retrieve" else ImportJobListOutput

    def create(self, request, *args, **kwargs):
        ser = ImportUploadInput(data=request.data, context=self.get_serializer_context())
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        upload = data["file"]
        job = import_run(
            actor=request.user,
            kind=data["kind"],
            upload=upload,
            file_name=upload.name,
            dry_run=data["dry_run"],
            agency=data["agency"],
        )
        out = ImportJobOutput(job, context=self.get_serializer_context()).data
        if job.status == ImportStatus.REJECTED:
            # A returned (not raised) 400: the request's transaction commits the job and its
            # report, while the import itself wrote nothing.
            body = {"code": "import_rejected", "detail": summary_line(job), "fields": {"file": _problem_lines(job)}}
            return Response({**body, "job": out}, status=status.HTTP_400_BAD_REQUEST)
        return Response(out, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        job = self.get_object()
        return _xlsx_response(report_xlsx(job), f"import-report-{job.pk}.xlsx")

    @action(detail=False, methods=["get"], url_path=r"templates/(?P<kind>[a-z0-9_-]+)")
    def templates(self, request, kind=None):
        spec = get_kind(kind)
        if spec is None:
            raise NotFound("没有该导入类别")
        return _xlsx_response(template_xlsx(spec), f"template-{spec.key}.xlsx")
