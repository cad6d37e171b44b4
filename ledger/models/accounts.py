"""Users and the six roles of SPEC §1."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    AGENCY_STAFF = "agency_staff", "机关工作人员"
    SUPERVISOR = "supervisor", "督查（区司法局）"
    AUDITOR = "auditor", "审计/监督"
    CREDIT_OFFICER = "credit_officer", "信用管理（区发改委）"
    ADMINISTRATOR = "administrator", "系统管理员"


# Roles that read everything (SPEC §1); the others are tenants.
GLOBAL_READ_ROLES = frozenset({Role.SUPERVISOR, Role.AUDITOR, Role.CREDIT_OFFICER, Role.ADMINISTRATOR})


class User(AbstractUser):
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        "ledger.Agency", verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    enterprise = models.ForeignKey(
        "ledger.Enterprise",
        verbose_name="所属企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    is_demo = models.BooleanField("演示账号", default=False)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="enterprise", enterprise__isnull=False, agency__isnull=True))
                | (Q(role="agency_staff", agency__isnull=False, enterprise__isnull=True))
                | (
                    Q(
                        role__in=["supervisor", "auditor", "credit_officer", "administrator"],
                        agency__isnull=True,
                        enterprise__isnull=True,
                    )
                ),
                name="user_role_binding",
                violation_error_message="企业用户须绑定一个企业，机关工作人员须绑定一个单位，其他角色不绑定",
            ),
        ]

    @property
    def reads_everything(self) -> bool:
        return self.role in GLOBAL_READ_ROLES


class ApiToken(models.Model):
    """An expiring API token (SPEC §4). Only the SHA-256 of the key is stored."""

    key_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"


class LoginFailure(models.Model):
    """Failed sign-ins, for the lockout (SPEC §4)."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "登录失败记录"


class AccessLog(models.Model):
    """Who signed in, viewed enterprise data or exported, and when (kept at least 6 months)."""

    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=40)
    target = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "访问日志"
        ordering = ["-at"]
