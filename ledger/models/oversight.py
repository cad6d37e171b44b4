"""Oversight: 检察建议 / 司法建议 served on agencies, and binding decisions (生效判决 / 裁定 / 行政复议决定).

Facts are stored — served date, the reply deadline as computed when the recommendation was served
or revised (with the calendar version used), the reply date, the performance date — and live states
(pending, replied on time / late, overdue unreplied; performed on time / late, overdue) are computed
as of a date by ledger/rules/recommendations.py and ledger/selectors/oversight.py.

Each lifecycle has one TextChoices and one transition table; ledger/services/oversight.py holds
the only functions that assign a status.
"""

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

MONEY = {"max_digits": 17, "decimal_places": 2}


# --- recommendations ---------------------------------------------------------------------
class RecommendationKind(models.TextChoices):
    # Values match ledger.rules.recommendations.RecommendationKind.
    PROCURATORIAL = "procuratorial", "检察建议"
    PUBLIC_INTEREST = "public_interest", "公益诉讼诉前检察建议"  # 行政诉讼法 art. 25 para 4
    JUDICIAL = "judicial", "司法建议"


class RecommendationStatus(models.TextChoices):
    SERVED = "served", "已送达待回复"  # the reply period runs
    OBJECTED = "objected", "异议审查中"  # the recipient objected; the period keeps running (a rejection lets it stand)
    REPLIED = "replied", "已书面回复"  # awaiting the supervisor's rectification verdict
    ASSESSED = "assessed", "已评定整改情况"  # final


RECOMMENDATION_TRANSITIONS: dict[str, frozenset[str]] = {
    RecommendationStatus.SERVED: frozenset({RecommendationStatus.OBJECTED, RecommendationStatus.REPLIED}),
    # Ruled: upheld → revised with a new served date; rejected → the deadline stands. Either way back to SERVED.
    RecommendationStatus.OBJECTED: frozenset({RecommendationStatus.SERVED}),
    RecommendationStatus.REPLIED: frozenset({RecommendationStatus.ASSESSED}),
    RecommendationStatus.ASSESSED: frozenset(),
}


class Rectification(models.TextChoices):
    FULLY = "fully", "已整改到位"
    PARTLY = "partly", "部分整改"
    NOT = "not", "未整改"


class Recommendation(models.Model):
    """检察建议 / 公益诉讼诉前检察建议 / 司法建议 served on an agency (SPEC R6)."""

    kind = models.CharField("建议类型", max_length=20, choices=RecommendationKind.choices)
    issuer = models.CharField("发出机关", max_length=100)  # e.g. 屯溪区人民检察院
    doc_number = models.CharField("文号", max_length=100)  # e.g. 屯检建〔2026〕3号, 屯法建〔2026〕1号
    title = models.CharField("事由", max_length=300)
    recipient = models.ForeignKey(
        "ledger.Agency", verbose_name="被建议单位", on_delete=models.PROTECT, related_name="recommendations"
    )
    region_code = models.CharField("行政区划代码", max_length=12)
    served_on = models.DateField("送达日期")
    urgent = models.BooleanField("紧急", default=False)
    # The reply period stated in the recommendation, in days or in months (never both); none → the default.
    stated_days = models.PositiveSmallIntegerField("载明回复期限（日）", null=True, blank=True)
    stated_months = models.PositiveSmallIntegerField("载明回复期限（月）", null=True, blank=True)
    # The deadline as computed when served or revised (R2 counting), and the calendar it was computed with.
    deadline = models.DateField("回复期限届满日")
    deadline_provisional = models.BooleanField("期限为暂定（超出官方日历数据）", default=False)
    deadline_rolled_from = models.DateField("顺延前的届满日", null=True, blank=True)
    deadline_basis = models.CharField("期限依据", max_length=300)
    calendar_version = models.CharField("日历版本", max_length=120)
    revision = models.PositiveSmallIntegerField("修订次数", default=0)  # +1 for each upheld objection
    status = models.CharField(
        "办理状态", max_length=12, choices=RecommendationStatus.choices, default=RecommendationStatus.SERVED
    )
    # A fact copied from the reply so live states and rates are cheap in SQL.
    replied_on = models.DateField("回复日期", null=True, blank=True)
    # Rectification verdict — supervisors only: a recipient never grades itself (SPEC §1).
    rectification = models.CharField("整改评定", max_length=8, choices=Rectification.choices, blank=True)
    verdict_on = models.DateField("评定日期", null=True, blank=True)
    verdict_note = models.TextField("评定意见", blank=True)
    verdict_by = models.ForeignKey(
        "ledger.User", verbose_name="评定人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey("ledger.User", verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    is_demo = models.BooleanField("演示数据", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "检察建议与司法建议"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["recipient", "deadline"], name="recommendation_agency_deadline"),
            models.Index(fields=["region_code", "deadline"], name="recommendation_region_deadline"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "doc_number"], name="recommendation_unique_doc_number"),
            models.CheckConstraint(
                condition=Q(stated_days__isnull=True) | Q(stated_months__isnull=True),
                name="recommendation_one_period_unit",
                violation_error_message="回复期限只能按日或按月之一载明",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=F("served_on")), name="recommendation_deadline_after_served"
            ),
            models.CheckConstraint(
                condition=Q(replied_on__isnull=True) | Q(replied_on__gte=F("served_on")),
                name="recommendation_reply_after_served",
            ),
            models.CheckConstraint(
                condition=(Q(status="assessed") & ~Q(rectification="") & Q(verdict_on__isnull=False))
                | (~Q(status="assessed") & Q(rectification="") & Q(verdict_on__isnull=True)),
                name="recommendation_verdict_iff_assessed",
            ),
            models.CheckConstraint(
                condition=(Q(status__in=["replied", "assessed"]) & Q(replied_on__isnull=False))
                | (Q(status__in=["served", "objected"]) & Q(replied_on__isnull=True)),
                name="recommendation_replied_on_iff_replied",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.doc_number} {self.title}"


class RecommendationReply(models.Model):
    """The recipient's written reply (书面回复): date, what was done, and the supporting documents."""

    recommendation = models.OneToOneField(
        Recommendation, verbose_name="建议", on_delete=models.PROTECT, related_name="reply"
    )
    replied_on = models.DateField("回复日期")
    summary = models.TextField("回复及整改情况")
    # The documents relied on (文号 / 附件名称), one per line; the files themselves are kept by the agency.
    evidence = models.TextField("佐证材料", blank=True)
    replied_by = models.ForeignKey("ledger.User", verbose_name="回复人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "建议回复"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.recommendation} 回复 {self.replied_on}"


class ObjectionOutcome(models.TextChoices):
    PENDING = "pending", "审查中"
    UPHELD = "upheld", "异议成立（建议已修订）"
    REJECTED = "rejected", "异议不成立（期限不变）"


class RecommendationObjection(models.Model):
    """An objection by the recipient (《人民检察院检察建议工作规定》 (2019): the issuer re-examines).

    Upheld → the recommendation is revised with a new served date and a recomputed deadline; the
    deadline before and after are kept here (and in the recommendation's history). Rejected → the
    deadline stands.
    """

    recommendation = models.ForeignKey(
        Recommendation, verbose_name="建议", on_delete=models.PROTECT, related_name="objections"
    )
    revision = models.PositiveSmallIntegerField("针对的修订次数")  # one objection per revision
    filed_on = models.DateField("提出日期")
    grounds = models.TextField("异议理由")
    filed_by = models.ForeignKey("ledger.User", verbose_name="提出人", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(
        "审查结果", max_length=10, choices=ObjectionOutcome.choices, default=ObjectionOutcome.PENDING
    )
    ruled_on = models.DateField("审查日期", null=True, blank=True)
    ruling_reasons = models.TextField("审查理由", blank=True)
    ruled_by = models.ForeignKey(
        "ledger.User", verbose_name="审查登记人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline_before = models.DateField("原回复期限")
    served_before = models.DateField("原送达日期")
    revised_served_on = models.DateField("修订后送达日期", null=True, blank=True)
    revised_deadline = models.DateField("修订后回复期限", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "建议异议"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "revision"], name="objection_one_per_revision"),
            models.CheckConstraint(
                condition=(Q(outcome="pending") & Q(ruled_on__isnull=True))
                | (~Q(outcome="pending") & Q(ruled_on__isnull=False)),
                name="objection_ruled_on_iff_ruled",
            ),
            models.CheckConstraint(
                condition=(Q(outcome="upheld") & Q(revised_served_on__isnull=False) & Q(revised_deadline__isnull=False))
                | (~Q(outcome="upheld") & Q(revised_served_on__isnull=True) & Q(revised_deadline__isnull=True)),
                name="objection_revision_iff_upheld",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} 异议 {self.filed_on}"


class Escalation(models.Model):
    """An overdue unreplied recommendation reported to the recipient's superior (SPEC R6).

    Created by the daily run (services.oversight.escalations_create_due), within 5 working days
    after the deadline; one per revision of the recommendation, so reruns create nothing twice.
    """

    recommendation = models.ForeignKey(
        Recommendation, verbose_name="建议", on_delete=models.PROTECT, related_name="escalations"
    )
    revision = models.PositiveSmallIntegerField("建议修订次数")
    deadline = models.DateField("所逾回复期限")
    # The recipient's superior (Agency.parent); null when it has none (e.g. 区政府 itself).
    to_agency = models.ForeignKey(
        "ledger.Agency", verbose_name="报送上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_by = models.DateField("应报送日期（期限届满后5个工作日）")
    created_on = models.DateField("报送日期")
    note = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    is_demo = models.BooleanField("演示数据", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "逾期未回复督办"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "revision"], name="escalation_one_per_revision"),
            models.CheckConstraint(condition=Q(created_on__gt=F("deadline")), name="escalation_after_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} 督办 {self.created_on}"


# --- binding decisions ---------------------------------------------------------------------
class DecisionKind(models.TextChoices):
    JUDGMENT = "judgment", "生效判决"
    RULING = "ruling", "生效裁定"
    REVIEW_DECISION = "review_decision", "行政复议决定"

    @classmethod
    def court(cls) -> frozenset[str]:
        """Court documents count towards 执行率; review decisions towards 履行率."""
        return frozenset({cls.JUDGMENT, cls.RULING})


class DecisionStatus(models.TextChoices):
    PENDING = "pending", "待履行"
    REPORTED = "reported", "单位已报告履行，待督查确认"
    PERFORMED = "performed", "已履行（督查已确认）"  # final


DECISION_TRANSITIONS: dict[str, frozenset[str]] = {
    # Agency staff report performance; a supervisor confirms it (or records it directly).
    DecisionStatus.PENDING: frozenset({DecisionStatus.REPORTED, DecisionStatus.PERFORMED}),
    # A supervisor confirms the report, or sends it back with reasons.
    DecisionStatus.REPORTED: frozenset({DecisionStatus.PERFORMED, DecisionStatus.PENDING}),
    DecisionStatus.PERFORMED: frozenset(),
}


class Decision(models.Model):
    """A 生效判决 / 裁定 / 行政复议决定 binding an agency, with its performance deadline."""

    kind = models.CharField("文书类型", max_length=16, choices=DecisionKind.choices)
    case_number = models.CharField("案号", max_length=100)  # e.g. （2026）皖1002行初12号
    issued_by = models.CharField("作出机关（法院或复议机关）", max_length=100)
    agency = models.ForeignKey(
        "ledger.Agency", verbose_name="履行义务单位", on_delete=models.PROTECT, related_name="decisions"
    )
    region_code = models.CharField("行政区划代码", max_length=12)
    title = models.CharField("履行内容", max_length=300)
    effective_on = models.DateField("生效日期")
    performance_deadline = models.DateField("履行期限届满日")
    # Optional: a money decision (amount) in favour of an enterprise (creditor) creates an obligation.
    amount = models.DecimalField("给付金额（元）", null=True, blank=True, **MONEY)
    creditor = models.ForeignKey(
        "ledger.Enterprise",
        verbose_name="权利人企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    obligation = models.OneToOneField(
        "ledger.Obligation",
        verbose_name="给付义务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decision",
    )
    status = models.CharField("履行状态", max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.PENDING)
    reported_on = models.DateField("单位报告履行日期", null=True, blank=True)
    report_note = models.TextField("履行情况说明", blank=True)
    reported_by = models.ForeignKey(
        "ledger.User", verbose_name="报告人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    performed_on = models.DateField("履行完毕日期", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "ledger.User", verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirm_note = models.TextField("督查意见", blank=True)
    recorded_by = models.ForeignKey("ledger.User", verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    is_demo = models.BooleanField("演示数据", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "生效法律文书"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["agency", "performance_deadline"], name="decision_agency_deadline"),
            models.Index(fields=["region_code", "performance_deadline"], name="decision_region_deadline"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case_number", "agency"], name="decision_unique_case_agency"),
            models.CheckConstraint(
                condition=Q(performance_deadline__gte=F("effective_on")), name="decision_deadline_not_before_effective"
            ),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0), name="decision_amount_positive"),
            models.CheckConstraint(
                condition=(Q(status="performed") & Q(performed_on__isnull=False))
                | (~Q(status="performed") & Q(performed_on__isnull=True)),
                name="decision_performed_on_iff_performed",
            ),
            models.CheckConstraint(
                condition=~Q(status="reported") | Q(reported_on__isnull=False),
                name="decision_reported_has_date",
            ),
            models.CheckConstraint(
                condition=Q(performed_on__isnull=True) | Q(performed_on__gte=F("effective_on")),
                name="decision_performed_after_effective",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.title}"
