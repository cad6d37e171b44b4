"""Recommendations (检察建议 / 司法建议) and binding decisions (生效判决 / 裁定 / 行政复议决定).

Supervisors record what was served on an agency and rule on it; the recipient agency's staff
reply, object and report performance. Live states are computed as of ``?as_of=`` (default today).
"""

from __future__ import annotations

from datetime import date

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ledger.api.base import ERRORS, ScopedRelatedField, ScopedViewSet
from ledger.api.export_columns import DECISION_EXPORT, RECOMMENDATION_EXPORT
from ledger.api.exporting import ExportMixin
from ledger.api.fields import MoneyField
from ledger.api.parties import WriteViaServiceMixin, _schema
from ledger.errors import ValidationFailed
from ledger.filters import DecisionFilterSet, RecommendationFilterSet
from ledger.models import (
    Agency,
    Decision,
    DecisionKind,
    Enterprise,
    Escalation,
    ObjectionOutcome,
    Recommendation,
    RecommendationKind,
    RecommendationObjection,
    RecommendationReply,
    Rectification,
    Role,
)
from ledger.rules.recommendations import ReplyState
from ledger.selectors import oversight as sel
from ledger.selectors.calendar import current_calendar
from ledger.services import oversight as svc

SUPERVISOR = frozenset({Role.SUPERVISOR})
AGENCY_STAFF = frozenset({Role.AGENCY_STAFF})

AS_OF = OpenApiParameter("as_of", OpenApiTypes.DATE, description="计算状态的基准日（默认今日，北京时间）")
PERIOD = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="统计期间起（期限届满日，含；默认基准日当年1月1日）"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="统计期间止（含；默认基准日当年12月31日）"),
    AS_OF,
]


def _date_param(request, name: str, default: date) -> date:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed.field(name, "日期格式应为 YYYY-MM-DD", code="invalid_date") from None


def _period(request, as_of: date) -> tuple[date, date]:
    start = _date_param(request, "from", date(as_of.year, 1, 1))
    end = _date_param(request, "to", date(as_of.year, 12, 31))
    if start > end:
        raise ValidationFailed.field("from", "统计起始日期不能晚于截止日期", code="invalid_period")
    return start, end


def _action_input(view, request) -> dict:
    ser = view.get_serializer_class()(data=request.data, context=view.get_serializer_context())
    ser.is_valid(raise_exception=True)
    return dict(ser.validated_data)


def _choice_param(request, name: str, values) -> str | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if raw not in values:
        raise ValidationFailed.field(name, f"“{raw}”无效，应为：{'、'.join(values)}", code="invalid_choice")
    return raw


# --- recommendations: output ----------------------------------------------------------------
class RecommendationReplyOutput(serializers.ModelSerializer):
    replied_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RecommendationReply
        fields = ["replied_on", "summary", "evidence", "replied_by"]


class RecommendationObjectionOutput(serializers.ModelSerializer):
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = RecommendationObjection
        fields = [
            "id",
            "revision",
            "filed_on",
            "grounds",
            "outcome",
            "outcome_label",
            "ruled_on",
            "ruling_reasons",
            "served_before",
            "deadline_before",
            "revised_served_on",
            "revised_deadline",
        ]


class EscalationOutput(serializers.ModelSerializer):
    to_agency_name = serializers.CharField(source="to_agency.name", read_only=True, allow_null=True, default=None)
    on_time = serializers.SerializerMethodField()

    class Meta:
        model = Escalation
        fields = [
            "id",
            "revision",
            "deadline",
            "to_agency",
            "to_agency_name",
            "due_by",
            "created_on",
            "on_time",
            "note",
        ]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_on_time(self, obj) -> bool:
        return obj.created_on <= obj.due_by


class EscalationStatusOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=list(sel.EscalationStatus.labels))
    status_label = serializers.CharField()
    due_by = serializers.DateField(allow_null=True)
    escalation = EscalationOutput(allow_null=True)


class RecommendationOutput(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    recipient_name = serializers.CharField(source="recipient.name", read_only=True)
    rectification_label = serializers.CharField(source="get_rectification_display", read_only=True)
    reply = serializers.SerializerMethodField()
    objections = RecommendationObjectionOutput(many=True, read_only=True)
    escalations = EscalationOutput(many=True, read_only=True)
    as_of = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    state_label = serializers.SerializerMethodField()
    escalation_status = serializers.SerializerMethodField()

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "kind",
            "kind_label",
            "issuer",
            "doc_number",
            "title",
            "recipient",
            "recipient_name",
            "region_code",
            "served_on",
            "urgent",
            "stated_days",
            "stated_months",
            "deadline",
            "deadline_provisional",
            "deadline_rolled_from",
            "deadline_basis",
            "calendar_version",
            "revision",
            "status",
            "status_label",
            "replied_on",
            "reply",
            "objections",
            "rectification",
            "rectification_label",
            "verdict_on",
            "verdict_note",
            "escalations",
            "as_of",
            "state",
            "state_label",
            "escalation_status",
            "is_demo",
        ]

    def _as_of(self) -> date:
        return self.context["as_of"]

    @extend_schema_field(RecommendationReplyOutput(allow_null=True))
    def get_reply(self, obj):
        reply = getattr(obj, "reply", None) if obj.replied_on is not None else None
        return None if reply is None else RecommendationReplyOutput(reply).data

    @extend_schema_field(OpenApiTypes.DATE)
    def get_as_of(self, obj) -> date:
        return self._as_of()

    @extend_schema_field(serializers.ChoiceField(choices=[s.value for s in ReplyState]))
    def get_state(self, obj) -> str:
        return sel.live_state(obj, self._as_of()).value

    @extend_schema_field(OpenApiTypes.STR)
    def get_state_label(self, obj) -> str:
        return sel.REPLY_STATE_LABELS[sel.live_state(obj, self._as_of())]

    @extend_schema_field(EscalationStatusOutput)
    def get_escalation_status(self, obj):
        if "cal" not in self.context:
            self.context["cal"] = current_calendar()
        view = sel.escalation_view(obj, self._as_of(), self.context["cal"])
        return {
            "status": view.status,
            "status_label": sel.EscalationStatus.labels[view.status],
            "due_by": view.due_by,
            "escalation": None if view.escalation is None else EscalationOutput(view.escalation).data,
        }


# --- recommendations: input -----------------------------------------------------------------
class RecommendationInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RecommendationKind.choices)
    issuer = serializers.CharField(max_length=100)
    doc_number = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=300)
    recipient = ScopedRelatedField(queryset=Agency.objects.all())
    served_on = serializers.DateField()
    urgent = serializers.BooleanField(default=False)
    stated_days = serializers.IntegerField(min_value=1, max_value=3650, required=False, allow_null=True, default=None)
    stated_months = serializers.IntegerField(min_value=1, max_value=120, required=False, allow_null=True, default=None)


class RecommendationReplyInput(serializers.Serializer):
    replied_on = serializers.DateField()
    summary = serializers.CharField(max_length=5000)
    evidence = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class RecommendationObjectionInput(serializers.Serializer):
    filed_on = serializers.DateField()
    grounds = serializers.CharField(max_length=5000)


class RecommendationObjectionRulingInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[ObjectionOutcome.UPHELD, ObjectionOutcome.REJECTED])
    ruled_on = serializers.DateField()
    reasons = serializers.CharField(max_length=5000)
    revised_served_on = serializers.DateField(required=False, allow_null=True, default=None)
    stated_days = serializers.IntegerField(min_value=1, max_value=3650, required=False, allow_null=True, default=None)
    stated_months = serializers.IntegerField(min_value=1, max_value=120, required=False, allow_null=True, default=None)


class RecommendationVerdictInput(serializers.Serializer):
    rectification = serializers.ChoiceField(choices=Rectification.choices)
    verdict_on = serializers.DateField()
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ReplyRateRowOutput(serializers.Serializer):
    agency = serializers.IntegerField(allow_null=True)
    agency_name = serializers.CharField()
    due = serializers.IntegerField(help_text="期限届满日在统计期间内且不晚于基准日的建议数")
    on_time = serializers.IntegerField(help_text="其中在期限内书面回复的数")
    rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True, help_text="按期办复率；无分母时为null"
    )
    rate_display = serializers.CharField(help_text="百分比；无分母时为“—”")


class ReplyRateOutput(serializers.Serializer):
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    as_of = serializers.DateField()
    overall = ReplyRateRowOutput()
    agencies = ReplyRateRowOutput(many=True)


def _reply_rate_row(agency, rate: sel.Rate) -> dict:
    return {
        "agency": None if agency is None else agency.pk,
        "agency_name": "全部" if agency is None else agency.name,
        "due": rate.due,
        "on_time": rate.done,
        "rate": rate.rate,
        "rate_display": rate.display,
    }


_STATE_PARAM = OpenApiParameter(
    "state", OpenApiTypes.STR, enum=[s.value for s in ReplyState], description="按基准日的办理状态筛选"
)
_ACTION = {
    "reply": (RecommendationReplyInput, "书面回复（被建议单位）", status.HTTP_201_CREATED),
    "object": (RecommendationObjectionInput, "提出异议（被建议单位）", status.HTTP_201_CREATED),
    "objection_ruling": (RecommendationObjectionRulingInput, "登记异议审查结果（督查）", status.HTTP_200_OK),
    "verdict": (RecommendationVerdictInput, "整改情况评定（督查）", status.HTTP_200_OK),
}


@_schema(
    RecommendationOutput,
    RecommendationInput,
    {
        "list": extend_schema(
            parameters=[AS_OF, _STATE_PARAM], responses={200: RecommendationOutput(many=True), **ERRORS}
        ),
        "retrieve": extend_schema(parameters=[AS_OF], responses={200: RecommendationOutput, **ERRORS}),
        **{
            name: extend_schema(request=ser, responses={code: RecommendationOutput, **ERRORS}, summary=summary)
            for name, (ser, summary, code) in _ACTION.items()
        },
        "reply_rate": extend_schema(
            parameters=PERIOD, responses={200: ReplyRateOutput, **ERRORS}, summary="按期办复率（R7），按单位及合计"
        ),
    },
)
class RecommendationViewSet(ExportMixin, WriteViaServiceMixin, ScopedViewSet):
    """检察建议、公益诉讼诉前检察建议、司法建议: served on an agency, replied, objected, assessed."""

    queryset = Recommendation.objects.all()
    input_serializer, output_serializer = RecommendationInput, RecommendationOutput
    http_method_names = ["get", "post", "head", "options"]  # corrections go through the objection ruling
    write_roles = SUPERVISOR
    action_roles = {
        "reply": AGENCY_STAFF,
        "object": AGENCY_STAFF,
        "objection_ruling": SUPERVISOR,
        "verdict": SUPERVISOR,
    }
    filterset_class = RecommendationFilterSet
    export_columns = RECOMMENDATION_EXPORT
    ordering_fields = ["id", "doc_number", "served_on", "deadline", "replied_on", "recipient", "kind", "status"]

    def base_queryset(self):
        return sel.recommendation_queryset()

    def get_queryset(self):
        if self.action == "list":
            state = _choice_param(self.request, "state", [s.value for s in ReplyState])
            return sel.recommendation_list(user=self.request.user, as_of=self.as_of(), state=state)
        return super().get_queryset()

    def get_serializer_class(self):
        if self.action in _ACTION:
            return _ACTION[self.action][0]
        return super().get_serializer_class()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["as_of"] = self.as_of()
        return context

    def perform_service_create(self, data):
        return svc.recommendation_record(actor=self.request.user, **data)

    def _fresh(self, pk):
        return self.get_queryset().get(pk=pk)

    def _act(self, request, service):
        rec = self.get_object()
        data = _action_input(self, request)
        service(actor=request.user, recommendation=rec, **data)
        return self._respond(self._fresh(rec.pk), _ACTION[self.action][2])

    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        return self._act(request, svc.recommendation_reply)

    @action(detail=True, methods=["post"])
    def object(self, request, pk=None):
        return self._act(request, svc.recommendation_object)

    @action(detail=True, methods=["post"], url_path="objection-ruling")
    def objection_ruling(self, request, pk=None):
        return self._act(request, svc.recommendation_rule_objection)

    @action(detail=True, methods=["post"])
    def verdict(self, request, pk=None):
        return self._act(request, svc.recommendation_give_verdict)

    @action(detail=False, methods=["get"], url_path="reply-rate")
    def reply_rate(self, request):
        as_of = self.as_of()
        start, end = _period(request, as_of)
        overall, rows = sel.reply_rates(user=request.user, period_start=start, period_end=end, as_of=as_of)
        body = {
            "period_from": start,
            "period_to": end,
            "as_of": as_of,
            "overall": _reply_rate_row(None, overall),
            "agencies": [_reply_rate_row(r.agency, r.rate) for r in rows],
        }
        return Response(ReplyRateOutput(body).data)


# --- decisions --------------------------------------------------------------------------------
class DecisionOutput(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    creditor_name = serializers.CharField(source="creditor.name", read_only=True, allow_null=True, default=None)
    obligation_reference = serializers.CharField(
        source="obligation.reference", read_only=True, allow_null=True, default=None
    )
    as_of = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    state_label = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "kind",
            "kind_label",
            "case_number",
            "issued_by",
            "agency",
            "agency_name",
            "region_code",
            "title",
            "effective_on",
            "performance_deadline",
            "amount",
            "creditor",
            "creditor_name",
            "obligation",
            "obligation_reference",
            "status",
            "status_label",
            "reported_on",
            "report_note",
            "performed_on",
            "confirm_note",
            "as_of",
            "state",
            "state_label",
            "is_demo",
        ]

    @extend_schema_field(OpenApiTypes.DATE)
    def get_as_of(self, obj) -> date:
        return self.context["as_of"]

    @extend_schema_field(serializers.ChoiceField(choices=list(sel.PerformanceState.values)))
    def get_state(self, obj) -> str:
        return sel.decision_live_state(obj, self.context["as_of"])

    @extend_schema_field(OpenApiTypes.STR)
    def get_state_label(self, obj) -> str:
        return sel.PerformanceState.labels[sel.decision_live_state(obj, self.context["as_of"])]


class DecisionInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DecisionKind.choices)
    case_number = serializers.CharField(max_length=100)
    issued_by = serializers.CharField(max_length=100)
    agency = ScopedRelatedField(queryset=Agency.objects.all())
    title = serializers.CharField(max_length=300)
    effective_on = serializers.DateField()
    performance_deadline = serializers.DateField()
    amount = MoneyField(required=False, allow_null=True, default=None)
    creditor = ScopedRelatedField(queryset=Enterprise.objects.all(), required=False, allow_null=True, default=None)


class DecisionReportInput(serializers.Serializer):
    reported_on = serializers.DateField()
    note = serializers.CharField(max_length=5000)


class DecisionConfirmInput(serializers.Serializer):
    performed_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="默认：单位报告的履行日期；金钱给付为本金付清日期"
    )
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class DecisionRejectReportInput(serializers.Serializer):
    reasons = serializers.CharField(max_length=5000)


class DecisionRateOutput(serializers.Serializer):
    due = serializers.IntegerField(help_text="履行期限届满日在统计期间内且不晚于基准日的文书数")
    performed = serializers.IntegerField(help_text="其中至基准日已确认履行的数")
    performed_on_time = serializers.IntegerField(help_text="其中在履行期限内履行的数")
    rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    rate_display = serializers.CharField()
    on_time_rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    on_time_rate_display = serializers.CharField()


class DecisionRateRowOutput(serializers.Serializer):
    agency = serializers.IntegerField(allow_null=True)
    agency_name = serializers.CharField()
    execution = DecisionRateOutput(help_text="法院生效判决、裁定执行率")
    performance = DecisionRateOutput(help_text="行政复议决定履行率")
    all = DecisionRateOutput(help_text="全部生效法律文书")


class PerformanceRateOutput(serializers.Serializer):
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    as_of = serializers.DateField()
    overall = DecisionRateRowOutput()
    agencies = DecisionRateRowOutput(many=True)


def _decision_rate(r: sel.DecisionRates) -> dict:
    return {
        "due": r.due,
        "performed": r.performed,
        "performed_on_time": r.performed_on_time,
        "rate": r.rate,
        "rate_display": r.display,
        "on_time_rate": r.on_time_rate,
        "on_time_rate_display": r.on_time_display,
    }


def _decision_rate_row(row: sel.AgencyDecisionRates) -> dict:
    return {
        "agency": None if row.agency is None else row.agency.pk,
        "agency_name": "全部" if row.agency is None else row.agency.name,
        "execution": _decision_rate(row.execution),
        "performance": _decision_rate(row.performance),
        "all": _decision_rate(row.all),
    }


_DECISION_STATE_PARAM = OpenApiParameter(
    "state", OpenApiTypes.STR, enum=list(sel.PerformanceState.values), description="按基准日的履行状态筛选"
)
_DECISION_ACTION = {
    "report_performance": (DecisionReportInput, "报告履行情况（履行义务单位）"),
    "confirm_performance": (DecisionConfirmInput, "确认履行完毕（督查）"),
    "reject_report": (DecisionRejectReportInput, "退回履行报告（督查）"),
}


@_schema(
    DecisionOutput,
    DecisionInput,
    {
        "list": extend_schema(
            parameters=[AS_OF, _DECISION_STATE_PARAM], responses={200: DecisionOutput(many=True), **ERRORS}
        ),
        "retrieve": extend_schema(parameters=[AS_OF], responses={200: DecisionOutput, **ERRORS}),
        **{
            name: extend_schema(request=ser, responses={200: DecisionOutput, **ERRORS}, summary=summary)
            for name, (ser, summary) in _DECISION_ACTION.items()
        },
        "performance_rate": extend_schema(
            parameters=PERIOD,
            responses={200: PerformanceRateOutput, **ERRORS},
            summary="生效判决执行率、行政复议决定履行率，按单位及合计",
        ),
    },
)
class DecisionViewSet(ExportMixin, WriteViaServiceMixin, ScopedViewSet):
    """生效判决 / 裁定 / 行政复议决定 binding an agency; a money decision creates an obligation."""

    queryset = Decision.objects.all()
    input_serializer, output_serializer = DecisionInput, DecisionOutput
    http_method_names = ["get", "post", "head", "options"]
    write_roles = SUPERVISOR
    action_roles = {
        "report_performance": AGENCY_STAFF,
        "confirm_performance": SUPERVISOR,
        "reject_report": SUPERVISOR,
    }
    filterset_class = DecisionFilterSet
    export_columns = DECISION_EXPORT
    ordering_fields = ["id", "case_number", "effective_on", "performance_deadline", "performed_on", "amount", "agency"]

    def base_queryset(self):
        return sel.decision_queryset()

    def get_queryset(self):
        if self.action == "list":
            state = _choice_param(self.request, "state", list(sel.PerformanceState.values))
            return sel.decision_list(user=self.request.user, as_of=self.as_of(), state=state)
        return super().get_queryset()

    def get_serializer_class(self):
        if self.action in _DECISION_ACTION:
            return _DECISION_ACTION[self.action][0]
        return super().get_serializer_class()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["as_of"] = self.as_of()
        return context

    def perform_service_create(self, data):
        return svc.decision_record(actor=self.request.user, **data)

    def _act(self, request, service):
        decision = self.get_object()
        data = _action_input(self, request)
        service(actor=request.user, decision=decision, **data)
        return self._respond(self.get_queryset().get(pk=decision.pk))

    @action(detail=True, methods=["post"], url_path="report-performance")
    def report_performance(self, request, pk=None):
        return self._act(request, svc.decision_report_performance)

    @action(detail=True, methods=["post"], url_path="confirm-performance")
    def confirm_performance(self, request, pk=None):
        return self._act(request, svc.decision_confirm_performance)

    @action(detail=True, methods=["post"], url_path="reject-report")
    def reject_report(self, request, pk=None):
        return self._act(request, svc.decision_reject_report)

    @action(detail=False, methods=["get"], url_path="performance-rate")
    def performance_rate(self, request):
        as_of = self.as_of()
        start, end = _period(request, as_of)
        overall, rows = sel.performance_rates(user=request.user, period_start=start, period_end=end, as_of=as_of)
        body = {
            "period_from": start,
            "period_to": end,
            "as_of": as_of,
            "overall": _decision_rate_row(overall),
            "agencies": [_decision_rate_row(r) for r in rows],
        }
        return Response(PerformanceRateOutput(body).data)
