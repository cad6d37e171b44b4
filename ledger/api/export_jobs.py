"""``/api/export-jobs/`` (a user's background exports) and ``/api/saved-filters/`` (their saved filters).

Both are their owner's alone: anyone else's row does not exist for them (404).
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ledger.api.base import ERRORS, ScopedReadOnlyViewSet, ScopedViewSetMixin
from ledger.api.exporting import ExportJobOutput, export_resources, job_download, validate_query
from ledger.models import ExportJob, Role, SavedFilter
from ledger.services import exports as svc

EVERY_ROLE = frozenset(Role.values)


@extend_schema_view(
    list=extend_schema(responses={200: ExportJobOutput(many=True), **ERRORS}, summary="我的导出任务"),
    retrieve=extend_schema(responses={200: ExportJobOutput, **ERRORS}, summary="导出任务状态"),
    download=extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY), **ERRORS},
        summary="下载已完成的导出文件（仅申请人）",
    ),
)
class ExportJobViewSet(ScopedReadOnlyViewSet):
    queryset = ExportJob.objects.all()
    serializer_class = ExportJobOutput
    filterset_fields = ["status", "resource", "format"]
    ordering_fields = ["id", "created_at", "finished_at"]
    ordering = ["-id"]

    def base_queryset(self):
        return ExportJob.objects.select_related("user")

    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        return job_download(self.get_object())


# --- saved filters ------------------------------------------------------------------------------
class SavedFilterOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    export_url = serializers.SerializerMethodField()

    class Meta:
        model = SavedFilter
        fields = ["id", "name", "resource", "query", "url", "export_url", "created_at", "updated_at"]

    def _with_query(self, path: str, saved: SavedFilter) -> str:
        return f"{path}?{saved.query}" if saved.query else path

    def get_url(self, saved) -> str:
        return self._with_query(reverse(f"{saved.resource}-list"), saved)

    def get_export_url(self, saved) -> str:
        return self._with_query(reverse(f"{saved.resource}-export"), saved)


class SavedFilterInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    resource = serializers.CharField(max_length=40, help_text="列表：obligation、redemption、contract、claim…")
    query = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")

    def validate_resource(self, value):
        if value not in export_resources():
            allowed = "、".join(sorted(export_resources()))
            raise serializers.ValidationError(f"“{value}”不是可筛选的列表，可选：{allowed}")
        return value

    def validate_query(self, value):
        return value.lstrip("?")


class SavedFilterUpdateInput(SavedFilterInput):
    name = serializers.CharField(max_length=100, required=False)
    resource = serializers.CharField(max_length=40, required=False)
    query = serializers.CharField(max_length=2000, allow_blank=True, required=False)


@extend_schema_view(
    list=extend_schema(responses={200: SavedFilterOutput(many=True), **ERRORS}, summary="我保存的筛选条件"),
    retrieve=extend_schema(responses={200: SavedFilterOutput, **ERRORS}),
    create=extend_schema(request=SavedFilterInput, responses={201: SavedFilterOutput, **ERRORS}),
    partial_update=extend_schema(request=SavedFilterUpdateInput, responses={200: SavedFilterOutput, **ERRORS}),
    destroy=extend_schema(responses={204: None, **ERRORS}),
)
class SavedFilterViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A user's own named filters for a list; the query is checked by the list's own filters."""

    queryset = SavedFilter.objects.all()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    write_roles = EVERY_ROLE  # auditors write nothing but saved filters and exports (SPEC §1)
    filterset_fields = ["resource"]
    ordering_fields = ["id", "name", "resource", "updated_at"]
    ordering = ["resource", "name"]

    def get_serializer_class(self):
        return {"create": SavedFilterInput, "partial_update": SavedFilterUpdateInput}.get(
            self.action, SavedFilterOutput
        )

    def create(self, request, *args, **kwargs):
        ser = SavedFilterInput(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        validate_query(data["resource"], request.user, data["query"])
        saved = svc.saved_filter_create(actor=request.user, **data)
        return Response(SavedFilterOutput(saved).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        saved = self.get_object()
        ser = SavedFilterUpdateInput(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        validate_query(data.get("resource", saved.resource), request.user, data.get("query", saved.query))
        saved = svc.saved_filter_update(actor=request.user, saved=saved, **data)
        return Response(SavedFilterOutput(saved).data)

    def destroy(self, request, *args, **kwargs):
        svc.saved_filter_delete(actor=request.user, saved=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
