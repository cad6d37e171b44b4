"""``/api/reports/…`` (reports as of a date: JSON, CSV, XLSX), publishing, and ``/api/report-snapshots/``.

Reports read what the user may read (``visible_to``): a supervisor or auditor sees the district,
an agency's staff their own agency. Enterprises have no reports (403). Publishing freezes a
report as an immutable snapshot (supervisors, auditors, administrators); a snapshot is shown
again byte for byte, and nothing updates or deletes it.
"""

from __future__ import annotations

import json

from django.http import HttpResponse, QueryDict
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.views import APIView

from ledger.api.base import ERRORS, ScopedReadOnlyViewSet
from ledger.api.exporting import CONTENT_TYPES, ENCODINGS, JsonOnlyNegotiation, choice_param, disposition
from ledger.errors import NotFound, PermissionDenied
from ledger.models import AccessLog, ReportSnapshot, Role
from ledger.reports import render
from ledger.reports.params import parse_params
from ledger.reports.registry import ReportContext, section, sections
from ledger.services.reports import report_publish

REPORT_ROLES = frozenset({Role.SUPERVISOR, Role.AUDITOR, Role.CREDIT_OFFICER, Role.ADMINISTRATOR, Role.AGENCY_STAFF})
PUBLISH_ROLES = frozenset({Role.SUPERVISOR, Role.AUDITOR, Role.ADMINISTRATOR})
FORMATS = ("json", "csv", "xlsx")

REPORT_PARAMS = [
    OpenApiParameter("as_of", OpenApiTypes.DATE, description="统计日期 YYYY-MM-DD，默认今天（北京时间）"),
    OpenApiParameter("stock_cutoff", OpenApiTypes.DATE, description="存量截止日期，默认见设置 LEDGER_STOCK_CUTOFF"),
    OpenApiParameter(
        "period_from", OpenApiTypes.DATE, description="统计期间起（按期办复率、付款表现），默认当年1月1日"
    ),
    OpenApiParameter("period_to", OpenApiTypes.DATE, description="统计期间止，默认当年12月31日"),
    OpenApiParameter("year", OpenApiTypes.INT, description="年度（仅 sme-disclosure），默认上一年度"),
    OpenApiParameter("format", OpenApiTypes.STR, enum=list(FORMATS), description="json（默认）、csv 或 xlsx"),
    OpenApiParameter("encoding", OpenApiTypes.STR, enum=list(ENCODINGS), description="CSV 编码"),
]
KIND = OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH, description="报表，见 /api/reports/")


class ReportColumnOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()


class ReportDocumentOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    params = serializers.DictField()
    columns = ReportColumnOutput(many=True)
    rows = serializers.ListField(
        child=serializers.DictField(), help_text="每行含各列的值及 links（指向对应的筛选列表）"
    )
    total = serializers.DictField(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())


class ReportSnapshotDocumentOutput(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    as_of = serializers.DateField()
    params = serializers.DictField()
    published_at = serializers.DateTimeField()
    published_by = serializers.CharField()
    report = ReportDocumentOutput()


class ReportIndexEntryOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    params = serializers.ListField(child=serializers.CharField())


class ReportIndexOutput(serializers.Serializer):
    sections = ReportIndexEntryOutput(many=True)


def _check_role(user, roles) -> None:
    if not (user.role in roles or user.is_superuser):
        raise PermissionDenied()


def _spec(kind: str):
    spec = section(kind)
    if spec is None:
        raise NotFound(f"没有名为“{kind}”的报表")
    return spec


def _json(body: bytes, status: int = 200, **headers) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="application/json")
    for key, value in headers.items():
        response[key] = value
    return response


def _file(headers, rows, *, fmt: str, encoding: str, filename: str) -> HttpResponse:
    if fmt == "csv":
        body = render.csv_bytes(headers, rows, encoding)
        content_type = CONTENT_TYPES["csv"].format(charset="GB18030" if encoding == "gb18030" else "utf-8")
    else:
        body = render.xlsx(headers, rows)
        content_type = CONTENT_TYPES["xlsx"]
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = disposition(f"{filename}.{fmt}")
    return response


class ReportIndexView(APIView):
    @extend_schema(operation_id="reports_index", responses={200: ReportIndexOutput, **ERRORS}, summary="可用的报表")
    def get(self, request):
        _check_role(request.user, REPORT_ROLES)
        body = {
            "sections": [
                {
                    "key": s.key,
                    "title": s.title,
                    "url": reverse("report", kwargs={"kind": s.key}),
                    "params": list(s.params),
                }
                for s in sections().values()
            ]
        }
        return _json(render.dumps(body))


class ReportView(APIView):
    content_negotiation_class = JsonOnlyNegotiation

    @extend_schema(
        operation_id="reports_retrieve",
        parameters=[KIND, *REPORT_PARAMS],
        responses={
            200: ReportDocumentOutput,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, CONTENT_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY),
            **ERRORS,
        },
        summary="报表（按统计日期）：JSON、CSV 或 XLSX",
    )
    def get(self, request, kind: str):
        _check_role(request.user, REPORT_ROLES)
        spec = _spec(kind)
        params = parse_params(request.query_params, needs_year="year" in spec.params)
        fmt = choice_param(request.query_params, "format", FORMATS, "json")
        encoding = choice_param(request.query_params, "encoding", ENCODINGS, "utf-8")
        result = spec.fn(ReportContext(user=request.user, params=params))
        if fmt == "json":
            return _json(render.dumps(render.section_document(result, params)))
        headers, rows = render.table(result)
        AccessLog.objects.create(
            user=request.user,
            action="export",
            target=f"report:{kind}",
            detail={"filters": request.query_params.urlencode(), "format": fmt, "rows": len(rows)},
        )
        return _file(headers, rows, fmt=fmt, encoding=encoding, filename=f"{result.title}_{params.as_of.isoformat()}")


class ReportPublishView(APIView):
    @extend_schema(
        operation_id="reports_publish",
        parameters=[KIND, *REPORT_PARAMS[:5]],
        request=None,
        responses={201: ReportSnapshotDocumentOutput, **ERRORS},
        summary="发布报表：冻结为不可更改的快照",
    )
    def post(self, request, kind: str):
        _check_role(request.user, PUBLISH_ROLES)
        spec = _spec(kind)
        query = QueryDict(mutable=True)
        query.update(request.query_params)
        if isinstance(request.data, dict):
            for key, value in request.data.items():
                query[key] = str(value)
        params = parse_params(query, needs_year="year" in spec.params)
        snapshot = report_publish(actor=request.user, spec=spec, params=params)
        url = reverse("report-snapshot-detail", kwargs={"pk": snapshot.pk})
        return _json(snapshot.document.encode("utf-8"), 201, Location=url, **{"X-Content-SHA256": snapshot.sha256})


class ReportSnapshotOutput(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ReportSnapshot
        fields = ["id", "kind", "title", "params", "as_of", "created_at", "created_by", "sha256", "url"]

    def get_url(self, snapshot) -> str:
        return reverse("report-snapshot-detail", kwargs={"pk": snapshot.pk})


@extend_schema_view(
    list=extend_schema(responses={200: ReportSnapshotOutput(many=True), **ERRORS}, summary="已发布的报表快照"),
    retrieve=extend_schema(
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(FORMATS), description="json（原样）、csv 或 xlsx"),
            OpenApiParameter("encoding", OpenApiTypes.STR, enum=list(ENCODINGS)),
        ],
        responses={
            200: ReportSnapshotDocumentOutput,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, CONTENT_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY),
            **ERRORS,
        },
        summary="快照：发布时的原样内容（逐字节相同）",
    ),
)
class ReportSnapshotViewSet(ScopedReadOnlyViewSet):
    content_negotiation_class = JsonOnlyNegotiation  # ?format=csv|xlsx is the file format
    queryset = ReportSnapshot.objects.all()
    serializer_class = ReportSnapshotOutput
    filterset_fields = ["kind", "as_of"]
    ordering_fields = ["id", "as_of", "created_at"]
    ordering = ["-id"]

    def base_queryset(self):
        return ReportSnapshot.objects.select_related("created_by")

    def get_queryset(self):
        qs = super().get_queryset()
        return qs.defer("document") if self.action == "list" else qs

    def retrieve(self, request, *args, **kwargs):
        snapshot = self.get_object()
        fmt = choice_param(request.query_params, "format", FORMATS, "json")
        if fmt == "json":
            return _json(snapshot.document.encode("utf-8"), **{"X-Content-SHA256": snapshot.sha256})
        encoding = choice_param(request.query_params, "encoding", ENCODINGS, "utf-8")
        document = json.loads(snapshot.document)
        headers, rows = render.document_table(document["report"])
        return _file(
            headers, rows, fmt=fmt, encoding=encoding, filename=f"{snapshot.title}_{snapshot.as_of.isoformat()}"
        )
