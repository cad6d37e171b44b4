"""`notifications`: a user's own in-app messages; list, read, mark read."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from ledger.api.base import ERRORS, ScopedReadOnlyViewSet
from ledger.models import Notification, Role
from ledger.services import status as svc

EVERYONE = frozenset(Role.values)


class NotificationOutput(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at", "read"]

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class MarkAllReadOutput(serializers.Serializer):
    marked = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="true：只看未读")],
        responses={200: NotificationOutput(many=True), **ERRORS},
        summary="我的通知",
    ),
    retrieve=extend_schema(responses={200: NotificationOutput, **ERRORS}, summary="通知详情"),
    read=extend_schema(request=None, responses={200: NotificationOutput, **ERRORS}, summary="标为已读"),
    read_all=extend_schema(request=None, responses={200: MarkAllReadOutput, **ERRORS}, summary="全部标为已读"),
)
class NotificationViewSet(ScopedReadOnlyViewSet):
    """Only the signed-in user's own notifications exist for them (anyone else's is a 404)."""

    queryset = Notification.objects.all()
    serializer_class = NotificationOutput
    action_roles = {"read": EVERYONE, "read_all": EVERYONE}
    # A notification is a message to one user, not a record of the ledger: it keeps no change
    # history (only read_at changes), so it has no history sub-resource (schemathesis found a 500).
    history = None
    filterset_fields = ["kind"]
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "list" and self.request.query_params.get("unread") in ("true", "1"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        n = svc.notification_mark_read(actor=request.user, notification=self.get_object())
        return Response(NotificationOutput(n).data)

    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": svc.notifications_mark_all_read(actor=request.user)})
