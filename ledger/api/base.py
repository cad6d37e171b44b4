"""The building blocks every API view uses: role permissions, tenant scoping, history."""

from __future__ import annotations

from django.db import models
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ledger import clock
from ledger.errors import NotFound, PermissionDenied
from ledger.models import AccessLog, Role
from ledger.selectors.scoping import visible_to


class ErrorOutput(serializers.Serializer):
    """The error envelope (SPEC §4)."""

    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput}


_MAX_ID = 2**63 - 1  # the widest primary key either database stores (BigAutoField)


def path_id(value) -> int:
    """A numeric id from the URL path; anything that cannot name a row is a 404, not a 500
    (SQLite refuses integers beyond 64 bits instead of matching nothing)."""
    text = str(value)
    if not text.isdecimal() or not text.isascii() or int(text) > _MAX_ID:
        raise NotFound()
    return int(text)


class RolePermission(permissions.BasePermission):
    """Reads: any signed-in user (rows are scoped by the selectors). Writes: the view's roles.

    Object writes are checked after the object was looked up in the scoped queryset, so another
    tenant's object is a 404 before any 403 could reveal that it exists.
    """

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS or view.kwargs.get(getattr(view, "lookup_field", "pk")):
            return True
        return _role_allowed(request, view)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return _role_allowed(request, view)


def _role_allowed(request, view) -> bool:
    roles = getattr(view, "action_roles", {}).get(getattr(view, "action", None))
    if roles is None:
        roles = getattr(view, "write_roles", frozenset({Role.ADMINISTRATOR}))
    if request.user.role in roles or request.user.is_superuser:
        return True
    raise PermissionDenied()


class HistoryEntryOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    type = serializers.CharField()
    changes = serializers.ListField(
        child=inline_serializer(
            "HistoryChange",
            fields={
                "field": serializers.CharField(),
                "old": serializers.CharField(allow_null=True),
                "new": serializers.CharField(allow_null=True),
            },
        )
    )


_TYPE = {"+": "created", "~": "changed", "-": "deleted"}


def history_of(obj: models.Model) -> list[dict]:
    """Every change to a record: who, when, each field old → new (django-simple-history)."""
    records = list(obj.history.all().select_related("history_user").order_by("history_date", "history_id"))
    out = []
    previous = None
    for rec in records:
        if previous is None:
            changes = [
                {"field": f.name, "old": None, "new": _str(getattr(rec, f.attname))}
                for f in rec.instance_type._meta.concrete_fields
                if getattr(rec, f.attname, None) not in (None, "")
            ]
        else:
            delta = rec.diff_against(previous)
            changes = [{"field": c.field, "old": _str(c.old), "new": _str(c.new)} for c in delta.changes]
        out.append(
            {
                "at": rec.history_date,
                "user": rec.history_user.username if rec.history_user else None,
                "type": _TYPE.get(rec.history_type, rec.history_type),
                "changes": changes,
            }
        )
        previous = rec
    return out


def _str(value) -> str | None:
    return None if value is None else str(value)


class ScopedViewSetMixin:
    """get_queryset goes through the tenancy selector; `history` shows every change."""

    permission_classes = [RolePermission]
    write_roles: frozenset = frozenset({Role.ADMINISTRATOR})
    action_roles: dict = {}
    # Enterprise data: each read of one record goes to the access log (who, when, which record),
    # as a district expects of a system holding enterprises' commercial information.
    logs_views: bool = False

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            self.logs_views
            and getattr(self, "action", None) in ("retrieve", "history")
            and response.status_code == 200
            and request.user.is_authenticated
        ):
            lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
            AccessLog.objects.create(
                user=request.user,
                action="view",
                target=f"{self.queryset.model._meta.label_lower}:{lookup}",
                detail={"path": request.path, "action": self.action},
            )
        return response

    def base_queryset(self):
        return self.queryset.all()

    def get_queryset(self):
        return visible_to(self.request.user, self.base_queryset())

    @extend_schema(responses={200: HistoryEntryOutput(many=True), **ERRORS}, summary="变更历史", filters=False)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, *args, **kwargs):
        obj = self.get_object()
        return Response(HistoryEntryOutput(history_of(obj), many=True).data)

    def as_of(self):
        return clock.parse_as_of(self.request.query_params.get("as_of"))


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and update; deletion is not offered (records are kept for history)."""

    http_method_names = ["get", "post", "patch", "head", "options"]


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key the requesting user may see; anyone else's id reads as "does not exist"."""

    def get_queryset(self):
        qs = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return qs
        return visible_to(request.user, qs)
