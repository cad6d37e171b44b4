"""Agencies, unit groups, tenures, enterprises, users, plan tasks and reference data."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ledger.api.base import ERRORS, ScopedReadOnlyViewSet, ScopedRelatedField, ScopedViewSet
from ledger.api.fields import UsccField
from ledger.models import (
    Agency,
    AgencyKind,
    CalendarOverride,
    Enterprise,
    EnterpriseScale,
    LprRate,
    Ownership,
    PlanTask,
    PlanTaskProgress,
    Role,
    Scale,
    Tenure,
    UnitGroup,
    User,
)
from ledger.services import parties as svc
from ledger.services import plan as plan_svc
from ledger.services import reference as ref_svc

ADMIN = frozenset({Role.ADMINISTRATOR})


# --- agencies ---------------------------------------------------------------------------
class AgencyOutput(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = [
            "id",
            "name",
            "short_code",
            "uscc",
            "uscc_is_demo",
            "kind",
            "parent",
            "region_code",
            "legal_personality",
            "successor",
            "succeeded_on",
            "is_demo",
        ]


class AgencyInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    short_code = serializers.SlugField(max_length=40)
    uscc = UsccField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=AgencyKind.choices)
    parent = ScopedRelatedField(queryset=Agency.objects.all(), required=False, allow_null=True)
    region_code = serializers.RegexField(r"^\d{6}(\d{3}|\d{6})?$", max_length=12)
    legal_personality = serializers.BooleanField(default=True)
    successor = ScopedRelatedField(queryset=Agency.objects.all(), required=False, allow_null=True)
    succeeded_on = serializers.DateField(required=False, allow_null=True)

    def validate_name(self, value):
        qs = Agency.objects.filter(name=value)
        if self.instance is not None:
            qs = qs.exclude(pk=self.instance.pk)
        if qs.exists():
            raise serializers.ValidationError("名称已存在", code="duplicate")
        return value

    def validate_short_code(self, value):
        qs = Agency.objects.filter(short_code=value)
        if self.instance is not None:
            qs = qs.exclude(pk=self.instance.pk)
        if qs.exists():
            raise serializers.ValidationError("简码已存在", code="duplicate")
        return value


class WriteViaServiceMixin:
    """Thin views: input serializer → service → output serializer."""

    input_serializer = None
    output_serializer = None

    def get_serializer_class(self):
        if self.action in ("create", "partial_update", "update"):
            return self.input_serializer
        return self.output_serializer

    def _respond(self, obj, code=status.HTTP_200_OK):
        return Response(self.output_serializer(obj, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        data = self._valid(request)
        return self._respond(self.perform_service_create(data), status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()
        data = self._valid(request, instance=obj, partial=True)
        return self._respond(self.perform_service_update(obj, data))

    def _valid(self, request, instance=None, partial=False):
        ser = self.input_serializer(
            instance=instance, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        ser.is_valid(raise_exception=True)
        return ser.validated_data


def _schema(output, input_=None, extra=None):
    """Request, response and error shapes for a write-via-service viewset."""
    kw = {
        "list": extend_schema(responses={200: output(many=True), **ERRORS}),
        "retrieve": extend_schema(responses={200: output, **ERRORS}),
    }
    if input_ is not None:
        kw["create"] = extend_schema(request=input_, responses={201: output, **ERRORS})
        kw["partial_update"] = extend_schema(request=input_, responses={200: output, **ERRORS})
    kw.update(extra or {})
    return extend_schema_view(**kw)


@_schema(AgencyOutput, AgencyInput)
class AgencyViewSet(WriteViaServiceMixin, ScopedViewSet):
    queryset = Agency.objects.all()
    input_serializer, output_serializer = AgencyInput, AgencyOutput
    write_roles = ADMIN
    filterset_fields = ["kind", "region_code", "parent", "legal_personality", "is_demo"]
    ordering_fields = ["id", "name", "region_code"]

    def perform_service_create(self, data):
        return svc.agency_create(actor=self.request.user, **data)

    def perform_service_update(self, obj, data):
        return svc.agency_update(actor=self.request.user, agency=obj, **data)


# --- unit groups ------------------------------------------------------------------------
class UnitGroupOutput(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = UnitGroup
        fields = ["id", "name", "members"]


class UnitGroupInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    members = ScopedRelatedField(queryset=Agency.objects.all(), many=True)


@_schema(UnitGroupOutput, UnitGroupInput)
class UnitGroupViewSet(WriteViaServiceMixin, ScopedViewSet):
    queryset = UnitGroup.objects.prefetch_related("members")
    input_serializer, output_serializer = UnitGroupInput, UnitGroupOutput
    write_roles = ADMIN
    ordering_fields = ["id", "name"]

    def perform_service_create(self, data):
        return svc.unit_group_save(actor=self.request.user, **data)

    def perform_service_update(self, obj, data):
        return svc.unit_group_save(
            actor=self.request.user,
            group=obj,
            name=data.get("name", obj.name),
            members=data.get("members", list(obj.members.all())),
        )


# --- tenures ----------------------------------------------------------------------------
class TenureOutput(serializers.ModelSerializer):
    class Meta:
        model = Tenure
        fields = ["id", "agency", "person", "title", "acting", "start_on", "end_on"]


class TenureInput(serializers.Serializer):
    agency = ScopedRelatedField(queryset=Agency.objects.all())
    person = serializers.CharField(max_length=50)
    title = serializers.CharField(max_length=50)
    acting = serializers.BooleanField(default=False)
    start_on = serializers.DateField()
    end_on = serializers.DateField(required=False, allow_null=True)


@_schema(TenureOutput, TenureInput)
class TenureViewSet(WriteViaServiceMixin, ScopedViewSet):
    """Personnel facts: recorded by administrators only — a debtor never records its own tenures."""

    queryset = Tenure.objects.all()
    input_serializer, output_serializer = TenureInput, TenureOutput
    write_roles = ADMIN
    filterset_fields = ["agency", "acting"]
    ordering_fields = ["id", "start_on"]

    def perform_service_create(self, data):
        return svc.tenure_save(actor=self.request.user, end_on=data.pop("end_on", None), **data)

    def perform_service_update(self, obj, data):
        merged = {
            f: data.get(f, getattr(obj, f)) for f in ("agency", "person", "title", "acting", "start_on", "end_on")
        }
        return svc.tenure_save(actor=self.request.user, tenure=obj, **merged)


# --- enterprises ------------------------------------------------------------------------
class EnterpriseScaleOutput(serializers.ModelSerializer):
    class Meta:
        model = EnterpriseScale
        fields = ["scale", "valid_from"]


class EnterpriseOutput(serializers.ModelSerializer):
    scales = EnterpriseScaleOutput(many=True, read_only=True)

    class Meta:
        model = Enterprise
        fields = ["id", "name", "uscc", "ownership", "region_code", "is_demo", "scales"]


class EnterpriseScaleInput(serializers.Serializer):
    scale = serializers.ChoiceField(choices=Scale.choices)
    valid_from = serializers.DateField()


class EnterpriseInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    uscc = UsccField()
    ownership = serializers.ChoiceField(choices=Ownership.choices, default=Ownership.PRIVATE)
    region_code = serializers.RegexField(r"^\d{6}(\d{3}|\d{6})?$", max_length=12)
    scales = EnterpriseScaleInput(many=True, required=False)


@_schema(
    EnterpriseOutput,
    EnterpriseInput,
    {"add_scale": extend_schema(request=EnterpriseScaleInput, responses={201: EnterpriseOutput, **ERRORS})},
)
class EnterpriseViewSet(WriteViaServiceMixin, ScopedViewSet):
    logs_views = True
    queryset = Enterprise.objects.prefetch_related(Prefetch("scales", EnterpriseScale.objects.order_by("valid_from")))
    input_serializer, output_serializer = EnterpriseInput, EnterpriseOutput
    write_roles = ADMIN
    filterset_fields = ["ownership", "region_code", "uscc", "is_demo"]
    ordering_fields = ["id", "name"]

    def perform_service_create(self, data):
        return svc.enterprise_create(actor=self.request.user, **data)

    def perform_service_update(self, obj, data):
        data.pop("scales", None)
        return svc.enterprise_update(actor=self.request.user, enterprise=obj, **data)

    @action(detail=True, methods=["post"], url_path="scales")
    def add_scale(self, request, pk=None):
        enterprise = self.get_object()
        ser = EnterpriseScaleInput(data=request.data)
        ser.is_valid(raise_exception=True)
        svc.enterprise_scale_add(actor=request.user, enterprise=enterprise, **ser.validated_data)
        return self._respond(self.get_queryset().get(pk=enterprise.pk), status.HTTP_201_CREATED)


# --- users ------------------------------------------------------------------------------
class UserOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "email", "role", "agency", "enterprise", "is_active", "is_demo"]


class UserInput(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+$", max_length=150)
    password = serializers.CharField(write_only=True, max_length=128)
    full_name = serializers.CharField(max_length=150, required=False, default="")
    email = serializers.EmailField(required=False, default="")
    role = serializers.ChoiceField(choices=Role.choices)
    agency = ScopedRelatedField(queryset=Agency.objects.all(), required=False, allow_null=True, default=None)
    enterprise = ScopedRelatedField(queryset=Enterprise.objects.all(), required=False, allow_null=True, default=None)


class UserUpdateInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    agency = ScopedRelatedField(queryset=Agency.objects.all(), required=False, allow_null=True)
    enterprise = ScopedRelatedField(queryset=Enterprise.objects.all(), required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)
    email = serializers.EmailField(required=False)


@_schema(
    UserOutput,
    UserInput,
    {
        "partial_update": extend_schema(request=UserUpdateInput, responses={200: UserOutput, **ERRORS}),
        "me": extend_schema(responses={200: UserOutput}),
    },
)
class UserViewSet(WriteViaServiceMixin, ScopedViewSet):
    queryset = User.objects.all().order_by("id")
    input_serializer, output_serializer = UserInput, UserOutput
    write_roles = ADMIN
    filterset_fields = ["role", "agency", "enterprise", "is_active"]
    ordering_fields = ["id", "username"]

    def get_serializer_class(self):
        if self.action == "partial_update":
            return UserUpdateInput
        return super().get_serializer_class()

    def perform_service_create(self, data):
        return svc.user_create(actor=self.request.user, **data)

    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()
        ser = UserUpdateInput(data=request.data, partial=True, context=self.get_serializer_context())
        ser.is_valid(raise_exception=True)
        return self._respond(svc.user_update(actor=request.user, user=obj, **ser.validated_data))

    @action(detail=False, methods=["get"])
    def me(self, request):
        return self._respond(request.user)


# --- plan tasks -------------------------------------------------------------------------
class PlanTaskProgressOutput(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PlanTaskProgress
        fields = ["id", "reported_on", "percent_done", "summary", "recorded_by"]


class PlanTaskOutput(serializers.ModelSerializer):
    progress = PlanTaskProgressOutput(many=True, read_only=True)

    class Meta:
        model = PlanTask
        fields = [
            "id",
            "plan",
            "number",
            "section",
            "title",
            "body",
            "deadline_text",
            "responsible_agencies",
            "responsible_groups",
            "cooperating_agencies",
            "cooperating_groups",
            "progress",
        ]


class PlanTaskProgressInput(serializers.Serializer):
    reported_on = serializers.DateField()
    percent_done = serializers.IntegerField(min_value=0, max_value=100)
    summary = serializers.CharField(max_length=5000)


@_schema(
    PlanTaskOutput,
    extra={
        "record_progress": extend_schema(request=PlanTaskProgressInput, responses={201: PlanTaskOutput, **ERRORS}),
    },
)
class PlanTaskViewSet(ScopedReadOnlyViewSet):
    """Tasks come from the seeds (manage.py load_seeds); supervisors record progress."""

    queryset = PlanTask.objects.prefetch_related(
        "responsible_agencies",
        "responsible_groups",
        "cooperating_agencies",
        "cooperating_groups",
        Prefetch("progress", PlanTaskProgress.objects.select_related("recorded_by")),
    )
    output_serializer = PlanTaskOutput
    action_roles = {"record_progress": frozenset({Role.SUPERVISOR})}
    filterset_fields = ["plan", "number"]
    ordering_fields = ["number"]

    def get_serializer_class(self):
        return PlanTaskProgressInput if self.action == "record_progress" else PlanTaskOutput

    @action(detail=True, methods=["post"], url_path="progress")
    def record_progress(self, request, pk=None):
        task = self.get_object()
        ser = PlanTaskProgressInput(data=request.data)
        ser.is_valid(raise_exception=True)
        plan_svc.plan_progress_record(actor=request.user, task=task, **ser.validated_data)
        fresh = self.get_queryset().get(pk=task.pk)
        return Response(PlanTaskOutput(fresh, context=self.get_serializer_context()).data, status.HTTP_201_CREATED)


# --- reference data ---------------------------------------------------------------------
class CalendarOverrideOutput(serializers.ModelSerializer):
    class Meta:
        model = CalendarOverride
        fields = ["id", "day", "is_workday", "basis"]


class CalendarOverrideInput(serializers.Serializer):
    day = serializers.DateField()
    is_workday = serializers.BooleanField()
    basis = serializers.CharField(max_length=300)


@_schema(CalendarOverrideOutput, CalendarOverrideInput)
class CalendarOverrideViewSet(WriteViaServiceMixin, ScopedViewSet):
    queryset = CalendarOverride.objects.all()
    input_serializer, output_serializer = CalendarOverrideInput, CalendarOverrideOutput
    write_roles = ADMIN
    ordering_fields = ["day"]

    def perform_service_create(self, data):
        return ref_svc.calendar_override_save(actor=self.request.user, **data)

    def perform_service_update(self, obj, data):
        merged = {f: data.get(f, getattr(obj, f)) for f in ("day", "is_workday", "basis")}
        return ref_svc.calendar_override_save(actor=self.request.user, override=obj, **merged)


class LprRateOutput(serializers.ModelSerializer):
    class Meta:
        model = LprRate
        fields = ["id", "effective_from", "one_year", "basis"]


class LprRateInput(serializers.Serializer):
    effective_from = serializers.DateField()
    one_year = serializers.DecimalField(max_digits=6, decimal_places=3, min_value=0)
    basis = serializers.CharField(max_length=300)

    def validate_one_year(self, value):
        if value <= 0:
            raise serializers.ValidationError("利率须大于0", code="not_positive")
        return value


@_schema(LprRateOutput, LprRateInput)
class LprRateViewSet(WriteViaServiceMixin, ScopedViewSet):
    queryset = LprRate.objects.all()
    input_serializer, output_serializer = LprRateInput, LprRateOutput
    write_roles = ADMIN
    ordering_fields = ["effective_from"]

    def perform_service_create(self, data):
        return ref_svc.lpr_rate_save(actor=self.request.user, **data)

    def perform_service_update(self, obj, data):
        merged = {f: data.get(f, getattr(obj, f)) for f in ("effective_from", "one_year", "basis")}
        return ref_svc.lpr_rate_save(actor=self.request.user, rate=obj, **merged)
