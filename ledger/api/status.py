"""`status`: the enterprise's own view of everything owed to it (SPEC §4), its statement, and the
public lookup.

Who may call `GET /api/status/` and its statement: enterprise users only. Every other role gets
403 (`permission_denied`): the resource is "my enterprise's account", which no other role has —
agencies, supervisors and auditors read the same rows through /api/obligations/, /api/claims/ …
A 403 reveals nothing here, since no object is named in the request.

The public lookup needs no sign-in; it wants the USCC and the obligation's reference number
together, is throttled (scope `public_lookup`), logs every attempt in AccessLog and answers a
wrong pair exactly like a reference that does not exist (same status, same body).
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from ledger import clock
from ledger.api.base import ErrorOutput
from ledger.api.errors import envelope
from ledger.errors import DomainError, PermissionDenied, ValidationFailed
from ledger.models import AccessLog, Role
from ledger.rules import uscc as uscc_rules
from ledger.rules.errors import RuleError
from ledger.selectors import status as sel
from ledger.selectors.obligations import NO_INTEREST_NOTE, Status
from ledger.statements import PDF_CONTENT_TYPE, XLSX_CONTENT_TYPE, statement_pdf, statement_xlsx

AS_OF = OpenApiParameter("as_of", OpenApiTypes.DATE, description="截至日期（默认今天，北京时间）")
MONEY = {"max_digits": 17, "decimal_places": 2}


# --- output ---------------------------------------------------------------------------------
class StatusRowOutput(serializers.Serializer):
    kind = serializers.CharField(help_text="redemption / obligation / claim / confirmation")
    id = serializers.IntegerField()
    reference = serializers.CharField()
    agency = serializers.CharField(help_text="单位名称")
    title = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    due_provisional = serializers.BooleanField()
    amount = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(source="money.paid", allow_null=True, **MONEY)
    principal_outstanding = serializers.DecimalField(source="money.principal_outstanding", allow_null=True, **MONEY)
    interest_accrued = serializers.SerializerMethodField()
    interest_unpaid = serializers.SerializerMethodField()
    bears_interest = serializers.BooleanField(source="money.bears_interest")
    interest_basis = serializers.CharField(source="money.interest_basis")
    days_overdue = serializers.IntegerField(source="money.days_overdue", allow_null=True)
    obligation_id = serializers.IntegerField(allow_null=True)
    obligation_reference = serializers.CharField(allow_null=True)

    @extend_schema_field({"type": "string", "nullable": True, "example": NO_INTEREST_NOTE})
    def get_interest_accrued(self, row):
        return row.money.interest_text(row.money.interest_accrued)

    @extend_schema_field({"type": "string", "nullable": True, "example": "1510.00"})
    def get_interest_unpaid(self, row):
        return row.money.interest_text(row.money.interest_unpaid)


class StatusObligationOutput(StatusRowOutput):
    regime = serializers.CharField(source="extra.regime")
    regime_label = serializers.CharField(source="extra.regime_label")


class StatusRedemptionOutput(StatusRowOutput):
    delivery_mode = serializers.CharField(source="extra.delivery_mode")
    delivery_mode_label = serializers.CharField(source="extra.delivery_mode_label")


class StatusStepOutput(serializers.Serializer):
    state = serializers.CharField()
    label = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    done_on = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    days_late = serializers.IntegerField(allow_null=True)
    article = serializers.CharField()


class StatusClaimClockOutput(serializers.Serializer):
    forward = StatusStepOutput()
    result = StatusStepOutput()
    result_cap_on = serializers.DateField(allow_null=True)
    late = serializers.BooleanField()


class StatusClaimOutput(StatusRowOutput):
    filed_on = serializers.DateField(source="extra.filed_on")
    clock = StatusClaimClockOutput(source="extra.clock")


class StatusConfirmationOutput(StatusRowOutput):
    requested_on = serializers.DateField(source="extra.requested_on")
    confirmed_amount = serializers.DecimalField(source="extra.confirmed_amount", allow_null=True, **MONEY)
    clock = StatusStepOutput(source="extra.clock")


class StatusTotalsOutput(serializers.Serializer):
    obligations = serializers.IntegerField()
    overdue = serializers.IntegerField()
    principal = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    principal_outstanding = serializers.DecimalField(**MONEY)
    overdue_outstanding = serializers.DecimalField(**MONEY)
    interest_accrued = serializers.DecimalField(**MONEY)
    interest_unpaid = serializers.DecimalField(**MONEY)
    claims_open = serializers.IntegerField()
    claimed_open = serializers.DecimalField(**MONEY)
    confirmations_pending = serializers.IntegerField()


class StatusEnterpriseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    uscc = serializers.CharField()


class StatusOutput(serializers.Serializer):
    as_of = serializers.DateField()
    enterprise = StatusEnterpriseOutput()
    redemptions = StatusRedemptionOutput(many=True)
    obligations = StatusObligationOutput(many=True)
    claims = StatusClaimOutput(many=True)
    confirmations = StatusConfirmationOutput(many=True)
    totals = StatusTotalsOutput()
    unread_notifications = serializers.IntegerField()


def _enterprise_only(request) -> None:
    if request.user.role != Role.ENTERPRISE or request.user.enterprise_id is None:
        raise PermissionDenied("对账状态仅供企业用户查看本企业的数据；其他角色请使用给付义务、诉求等接口")


class StatusView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[AS_OF],
        responses={200: StatusOutput, 400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput},
        summary="本企业的政策兑现、给付义务、诉求和确权请求（截至某日）",
        description="仅企业用户；其他角色 403。合计只按给付义务计算（已核准的兑现、已核实的诉求经其给付义务计入）。",
    )
    def get(self, request):
        _enterprise_only(request)
        as_of = clock.parse_as_of(request.query_params.get("as_of"))
        st = sel.enterprise_status(user=request.user, as_of=as_of)
        data = {
            "as_of": st.as_of,
            "enterprise": st.enterprise,
            "redemptions": st.redemptions,
            "obligations": st.obligations,
            "claims": st.claims,
            "confirmations": st.confirmations,
            "totals": st.totals,
            "unread_notifications": sel.notifications_for(request.user).filter(read_at__isnull=True).count(),
        }
        return Response(StatusOutput(data).data)


# --- statement ------------------------------------------------------------------------------
class _JsonErrorsOnly(BaseContentNegotiation):
    """The statement's `format` parameter names the file type, not a DRF renderer: errors stay JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


_FORMATS = {"xlsx": (XLSX_CONTENT_TYPE, statement_xlsx), "pdf": (PDF_CONTENT_TYPE, statement_pdf)}


class StatementView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    content_negotiation_class = _JsonErrorsOnly

    @extend_schema(
        parameters=[
            AS_OF,
            OpenApiParameter("format", OpenApiTypes.STR, enum=["pdf", "xlsx"], required=True, description="文件格式"),
        ],
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX 对账单"),
            (200, PDF_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="PDF 对账单"),
            400: ErrorOutput,
            401: ErrorOutput,
            403: ErrorOutput,
        },
        summary="下载对账单（截至某日，PDF 或 XLSX）",
    )
    def get(self, request):
        _enterprise_only(request)
        as_of = clock.parse_as_of(request.query_params.get("as_of"))
        fmt = request.query_params.get("format", "")
        if fmt not in _FORMATS:
            raise ValidationFailed.field("format", "文件格式应为 pdf 或 xlsx", code="invalid_choice")
        content_type, render = _FORMATS[fmt]
        st = sel.enterprise_status(user=request.user, as_of=as_of)
        body = render(st, generated_at=clock.now())
        AccessLog.objects.create(
            user=request.user,
            action="statement_export",
            target=st.enterprise.uscc,
            detail={"as_of": as_of.isoformat(), "format": fmt, "sha256": hashlib.sha256(body).hexdigest()},
        )
        response = HttpResponse(body, content_type=content_type)
        filename = f"statement-{st.enterprise.uscc}-{as_of.isoformat()}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# --- public lookup --------------------------------------------------------------------------
class PublicLookupOutput(serializers.Serializer):
    """Only the obligation's non-personal status figures."""

    as_of = serializers.DateField()
    reference = serializers.CharField()
    debtor_agency = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    principal = serializers.DecimalField(**MONEY)
    principal_paid = serializers.DecimalField(**MONEY)
    principal_outstanding = serializers.DecimalField(**MONEY)
    interest_accrued = serializers.CharField(help_text="金额字符串，或“无法定逾期利息”")
    interest_unpaid = serializers.CharField(help_text="金额字符串，或“无法定逾期利息”")
    days_overdue = serializers.IntegerField()


_NOT_FOUND = envelope("not_found", "未找到：统一社会信用代码与编号不匹配或不存在")


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


# Each attempt is logged even when the answer is an error, so this view commits its own log.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class PublicLookupView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public_lookup"

    @extend_schema(
        parameters=[
            OpenApiParameter("uscc", OpenApiTypes.STR, required=True, description="债权企业统一社会信用代码"),
            OpenApiParameter("reference", OpenApiTypes.STR, required=True, description="给付义务编号"),
            AS_OF,
        ],
        responses={200: PublicLookupOutput, 400: ErrorOutput, 404: ErrorOutput, 429: ErrorOutput},
        summary="公开查询：凭统一社会信用代码和编号查询一笔给付义务的状态（限流）",
        auth=[],
    )
    def get(self, request):
        raw_uscc = (request.query_params.get("uscc") or "").strip()
        reference = (request.query_params.get("reference") or "").strip().upper()
        detail = {"reference": reference[:40], "uscc": raw_uscc[:40], "ip": _client_ip(request)}
        try:
            answer, code = self._answer(request, raw_uscc, reference)
        except DomainError as exc:
            answer, code = envelope(exc.code, exc.detail, exc.fields), exc.status
        detail["status"] = code
        AccessLog.objects.create(user=None, action="public_lookup", target=reference[:300], detail=detail)
        return Response(answer, status=code)

    def _answer(self, request, raw_uscc: str, reference: str) -> tuple[dict, int]:
        if not raw_uscc:
            raise ValidationFailed.field("uscc", "须填写统一社会信用代码", code="required")
        if not reference:
            raise ValidationFailed.field("reference", "须填写给付义务编号", code="required")
        try:
            code = uscc_rules.validate(raw_uscc, field="uscc")
        except RuleError as exc:
            raise ValidationFailed.field("uscc", exc.detail, code=exc.code) from None
        as_of = clock.parse_as_of(request.query_params.get("as_of"))
        # One query for the pair: a wrong USCC and a missing reference take the same path.
        o = sel.obligation_queryset().filter(reference=reference, creditor__uscc=code).first()
        if o is None:
            return _NOT_FOUND, 404
        row = sel.obligation_row(o, as_of)
        m = row.money
        data = {
            "as_of": as_of,
            "reference": o.reference,
            "debtor_agency": o.debtor_agency.name,
            "due_on": o.due_on,
            "status": row.status,
            "status_label": Status.labels[row.status],
            "principal": o.principal,
            "principal_paid": m.paid,
            "principal_outstanding": m.principal_outstanding,
            "interest_accrued": m.interest_text(m.interest_accrued),
            "interest_unpaid": m.interest_text(m.interest_unpaid),
            "days_overdue": m.days_overdue,
        }
        return PublicLookupOutput(data).data, 200
