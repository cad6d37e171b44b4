"""Writes for agencies, unit groups, tenures, enterprises and users."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from ledger.errors import ValidationFailed
from ledger.models import Agency, Enterprise, EnterpriseScale, Role, Tenure, UnitGroup, User


def _check_agency_fields(
    *,
    legal_personality: bool,
    uscc: str | None,
    successor: Agency | None,
    succeeded_on: date | None,
    agency: Agency | None = None,
) -> None:
    if legal_personality and not uscc:
        raise ValidationFailed.field("uscc", "具有法人资格的单位必须填写统一社会信用代码", code="required")
    if (successor is None) != (succeeded_on is None):
        name = "succeeded_on" if successor else "successor"
        raise ValidationFailed.field(name, "承继单位与承继日期须同时填写", code="required")
    if agency is not None and successor is not None:
        seen = successor
        while seen is not None:
            if seen.pk == agency.pk:
                raise ValidationFailed.field("successor", "承继关系不能形成循环", code="cycle")
            seen = seen.successor


@transaction.atomic
def agency_create(*, actor: User, **fields) -> Agency:
    _check_agency_fields(
        legal_personality=fields.get("legal_personality", True),
        uscc=fields.get("uscc"),
        successor=fields.get("successor"),
        succeeded_on=fields.get("succeeded_on"),
    )
    return Agency.objects.create(**fields)


@transaction.atomic
def agency_update(*, actor: User, agency: Agency, **fields) -> Agency:
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    merged = {f: fields.get(f, getattr(agency, f)) for f in ("legal_personality", "uscc", "successor", "succeeded_on")}
    _check_agency_fields(agency=agency, **merged)
    if "uscc" in fields and fields["uscc"] != agency.uscc:
        # Demo codes come only from the seeds; a code an administrator enters is the real one,
        # and a live credit batch refuses codes still marked demo (credit/zwsx.py).
        agency.uscc_is_demo = False
    for name, value in fields.items():
        setattr(agency, name, value)
    agency.save()
    return agency


@transaction.atomic
def unit_group_save(*, actor: User, group: UnitGroup | None = None, name: str, members: list[Agency]) -> UnitGroup:
    if group is None:
        group = UnitGroup.objects.create(name=name)
    else:
        group.name = name
        group.save()
    group.members.set(members)
    return group


def _overlaps(agency: Agency, start_on: date, end_on: date | None, exclude_pk: int | None):
    qs = Tenure.objects.filter(agency=agency)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    # [a, b) and [c, d) overlap when a < d and c < b (open ends are infinite).
    if end_on is not None:
        qs = qs.filter(start_on__lt=end_on)
    return [t for t in qs if t.end_on is None or t.end_on > start_on]


@transaction.atomic
def tenure_save(
    *,
    actor: User,
    tenure: Tenure | None = None,
    agency: Agency,
    person: str,
    title: str,
    acting: bool,
    start_on: date,
    end_on: date | None,
) -> Tenure:
    """Principal tenures of one agency never overlap (SPEC §2); a gap is a vacancy.

    The agency row is locked so two concurrent writes cannot both pass the check; PostgreSQL
    also holds an exclusion constraint (migration) as the last line.
    """
    if end_on is not None and end_on <= start_on:
        raise ValidationFailed.field("end_on", "任职截止日须晚于起始日", code="invalid_range")
    Agency.objects.select_for_update().get(pk=agency.pk)
    clash = _overlaps(agency, start_on, end_on, tenure.pk if tenure else None)
    if clash:
        other = clash[0]
        raise ValidationFailed.field(
            "start_on",
            f"与{other.person}的任职期间（{other.start_on}起）重叠",
            code="tenure_overlap",
        )
    if tenure is None:
        tenure = Tenure(agency=agency)
    tenure.agency, tenure.person, tenure.title = agency, person, title
    tenure.acting, tenure.start_on, tenure.end_on = acting, start_on, end_on
    tenure.save()
    return tenure


@transaction.atomic
def enterprise_create(*, actor: User, scales: list[dict] | None = None, **fields) -> Enterprise:
    if Enterprise.objects.filter(uscc=fields["uscc"]).exists():
        raise ValidationFailed.field("uscc", "该统一社会信用代码已登记", code="duplicate")
    enterprise = Enterprise.objects.create(**fields)
    for s in scales or []:
        enterprise_scale_add(actor=actor, enterprise=enterprise, **s)
    return enterprise


@transaction.atomic
def enterprise_update(*, actor: User, enterprise: Enterprise, **fields) -> Enterprise:
    if "uscc" in fields and Enterprise.objects.filter(uscc=fields["uscc"]).exclude(pk=enterprise.pk).exists():
        raise ValidationFailed.field("uscc", "该统一社会信用代码已登记", code="duplicate")
    for name, value in fields.items():
        setattr(enterprise, name, value)
    enterprise.save()
    return enterprise


@transaction.atomic
def enterprise_scale_add(*, actor: User, enterprise: Enterprise, scale: str, valid_from: date) -> EnterpriseScale:
    if EnterpriseScale.objects.filter(enterprise=enterprise, valid_from=valid_from).exists():
        raise ValidationFailed.field("valid_from", "该日期已有规模记录", code="duplicate")
    return EnterpriseScale.objects.create(enterprise=enterprise, scale=scale, valid_from=valid_from)


def _check_binding(role: str, agency: Agency | None, enterprise: Enterprise | None) -> None:
    if role == Role.ENTERPRISE and (enterprise is None or agency is not None):
        raise ValidationFailed.field("enterprise", "企业用户须绑定且仅绑定一个企业", code="binding")
    if role == Role.AGENCY_STAFF and (agency is None or enterprise is not None):
        raise ValidationFailed.field("agency", "机关工作人员须绑定且仅绑定一个单位", code="binding")
    if role not in (Role.ENTERPRISE, Role.AGENCY_STAFF) and (agency is not None or enterprise is not None):
        raise ValidationFailed.field("role", "该角色不绑定单位或企业", code="binding")


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    role: str,
    agency: Agency | None = None,
    enterprise: Enterprise | None = None,
    email: str = "",
    full_name: str = "",
    is_demo: bool = False,
) -> User:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if User.objects.filter(username=username).exists():
        raise ValidationFailed.field("username", "用户名已存在", code="duplicate")
    _check_binding(role, agency, enterprise)
    user = User(
        username=username,
        role=role,
        agency=agency,
        enterprise=enterprise,
        email=email,
        first_name=full_name,
        is_demo=is_demo,
        is_staff=role != Role.ENTERPRISE,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(
            "密码不符合要求", code="weak_password", fields={"password": list(exc.messages)}
        ) from None
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, **fields) -> User:
    role = fields.get("role", user.role)
    agency = fields.get("agency", user.agency)
    enterprise = fields.get("enterprise", user.enterprise)
    _check_binding(role, agency, enterprise)
    for name, value in fields.items():
        setattr(user, name, value)
    user.is_staff = user.role != Role.ENTERPRISE
    user.save()
    return user
