"""One error envelope for the whole API: {"code", "detail"} plus "fields" when fields are at fault."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from ledger.errors import DomainError
from ledger.rules.errors import RuleError

logger = logging.getLogger(__name__)

_DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "parse_error",
}


def envelope(code: str, detail: str, fields: dict | None = None) -> dict:
    body = {"code": code, "detail": detail}
    if fields:
        body["fields"] = fields
    return body


def _flatten(detail) -> dict:
    """DRF's nested ValidationError detail → {"field": ["message", …]} with dotted names for nesting."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list):
            if all(not isinstance(v, (dict, list)) for v in value):
                out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
            else:
                for i, sub in enumerate(value):
                    walk(f"{prefix}.{i}" if prefix else str(i), sub)
        else:
            out.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return out


def _summary(fields: dict) -> str:
    parts = [f"{name}：{'；'.join(msgs)}" for name, msgs in fields.items()]
    return "输入有误：" + "；".join(parts) if parts else "输入有误"


def exception_handler(exc, context):
    # A view that manages its own transactions (sign-in records failures that must persist)
    # is not rolled back here.
    if not getattr(context.get("view"), "manages_own_transactions", False):
        set_rollback()
    if isinstance(exc, DomainError):
        return Response(envelope(exc.code, exc.detail, exc.fields), status=exc.status)
    if isinstance(exc, RuleError):
        field = getattr(exc, "field", None)
        fields = {field: [exc.detail]} if field else None
        return Response(envelope(exc.code, exc.detail, fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        return Response(envelope("not_found", "未找到"), status=404)
    if isinstance(exc, DjangoPermissionDenied):
        return Response(envelope("permission_denied", "无权执行此操作"), status=403)
    if isinstance(exc, DjangoValidationError):
        fields = _flatten(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})
        return Response(envelope("invalid", _summary(fields), fields), status=400)
    if isinstance(exc, IntegrityError):
        # A database constraint caught what the service did not: still the client's input.
        logger.warning("integrity error answered as 409: %s", exc)
        return Response(envelope("conflict", "与现有数据冲突，未作任何修改"), status=409)
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        return Response(envelope("invalid", _summary(fields), fields), status=400)
    if isinstance(exc, exceptions.APIException):
        code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
        headers = {}
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            headers["WWW-Authenticate"] = 'Token realm="api"'
        return Response(envelope(code, str(exc.detail)), status=exc.status_code, headers=headers)
    # Unknown errors stay 500 and never echo internals; Django logs the traceback.
    return None
