"""Parties: agencies (机关/单位), unit groups, principal tenures, enterprises."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class AgencyKind(models.TextChoices):
    # GB 32100 category codes: 11 机关, 12 事业单位, 13 群团, 19 其他
    ORGAN = "机关", "机关"
    INSTITUTION = "事业单位", "事业单位"
    MASS_ORGANISATION = "群团组织", "群团组织"
    OTHER = "其他", "其他"


class Agency(models.Model):
    name = models.CharField("名称", max_length=100, unique=True)
    short_code = models.SlugField("简码", max_length=40, unique=True)
    # Nullable only for units without legal personality (e.g. 法宣办).
    uscc = models.CharField("统一社会信用代码", max_length=18, null=True, blank=True, unique=True)
    uscc_is_demo = models.BooleanField("信用代码为演示数据", default=False)
    kind = models.CharField("类别", max_length=8, choices=AgencyKind.choices, default=AgencyKind.ORGAN)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    region_code = models.CharField("行政区划代码", max_length=12, db_index=True)
    legal_personality = models.BooleanField("具有法人资格", default=True)
    # 机构改革: debts pass to the successor from this date.
    successor = models.ForeignKey(
        "self", verbose_name="承继单位", null=True, blank=True, on_delete=models.PROTECT, related_name="predecessors"
    )
    succeeded_on = models.DateField("承继日期", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "机关单位"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(legal_personality=False) | Q(uscc__isnull=False),
                name="agency_legal_person_has_uscc",
                violation_error_message="具有法人资格的单位必须有统一社会信用代码",
            ),
            models.CheckConstraint(
                condition=Q(successor__isnull=True, succeeded_on__isnull=True)
                | Q(successor__isnull=False, succeeded_on__isnull=False),
                name="agency_successor_has_date",
                violation_error_message="承继单位与承继日期须同时填写",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UnitGroup(models.Model):
    """A collective named in documents (区政府各部门, 各镇人民政府…): expands to its members, never an agency."""

    name = models.CharField("名称", max_length=100, unique=True)
    members = models.ManyToManyField(Agency, verbose_name="成员单位", related_name="unit_groups", blank=True)
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        verbose_name = verbose_name_plural = "单位集合"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Tenure(models.Model):
    """主要负责人任职: [start_on, end_on), end open = current. Never overlapping within an agency."""

    agency = models.ForeignKey(Agency, verbose_name="单位", on_delete=models.PROTECT, related_name="tenures")
    person = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=50)
    acting = models.BooleanField("主持工作（代理）", default=False)
    start_on = models.DateField("任职起始日")
    end_on = models.DateField("任职截止日（不含）", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "主要负责人任职"
        ordering = ["agency_id", "start_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gt=models.F("start_on")),
                name="tenure_end_after_start",
                violation_error_message="任职截止日须晚于起始日",
            ),
        ]
        # The no-overlap exclusion constraint exists on PostgreSQL only (migration 0002).

    def __str__(self) -> str:
        return f"{self.agency} {self.title} {self.person}"


class Ownership(models.TextChoices):
    PRIVATE = "民营", "民营"
    STATE = "国有", "国有"
    FOREIGN = "外资", "外资"
    OTHER = "其他", "其他"


class Scale(models.TextChoices):
    LARGE = "大型", "大型"
    MEDIUM = "中型", "中型"
    SMALL = "小型", "小型"
    MICRO = "微型", "微型"


class Enterprise(models.Model):
    name = models.CharField("名称", max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    ownership = models.CharField("所有制", max_length=4, choices=Ownership.choices, default=Ownership.PRIVATE)
    region_code = models.CharField("行政区划代码", max_length=12, db_index=True)
    is_demo = models.BooleanField("演示数据", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "企业"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class EnterpriseScale(models.Model):
    """Scale history. The SME status that matters in law is the one declared on a contract (条例 art. 3)."""

    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="scales")
    scale = models.CharField("规模", max_length=4, choices=Scale.choices)
    valid_from = models.DateField("起始日期")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "企业规模"
        ordering = ["enterprise_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "valid_from"], name="enterprise_scale_unique_from"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.scale} ({self.valid_from})"
