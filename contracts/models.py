"""政府合同协议: contracts over their whole life (SPEC §2; action plan task 15).

Facts are stored — what was agreed, when each step happened and who took it, what each
amendment changed, when a milestone's trigger occurred. Live states (a milestone met / not met
as of a date, the R5 legacy-debt flag, the 60-day cap) are computed as of a date by
contracts/selectors.py from these facts and the rules in ledger/rules.

The lifecycle has one TextChoices, one transition table (``TRANSITIONS``) and one function that
assigns the status (``contracts.services.lifecycle.contract_transition``); see
docs/adr/0003-contract-lifecycle.md.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from ledger.rules.regimes import ContractType

MONEY = {"max_digits": 17, "decimal_places": 2}  # as ledger.models.obligations.MONEY
RATE = {"max_digits": 7, "decimal_places": 4}  # annual %, as Obligation.agreed_annual_rate

CONTRACT_TYPE_CHOICES = ContractType.choices  # codes shared with the regime rule (R1)


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "草拟"  # being drafted by the agency; editable
    LEGALITY_REVIEW = "legality_review", "合法性审查中"  # submitted for 合法性审查; frozen
    SIGNED = "signed", "已签订"  # signed after a passed review; changes only by amendment
    FILED = "filed", "已备案"  # 备案 with the supervising body
    PERFORMING = "performing", "履行中"  # performance under way; milestones are triggered
    COMPLETED = "completed", "履行完毕"  # final: every government payment milestone paid
    TERMINATED = "terminated", "已终止"  # final: ended early (or abandoned before signing), with a reason code


# The one table of allowed moves: from → the statuses it may go to. Nothing else assigns a status.
TRANSITIONS: dict[str, frozenset[str]] = {
    ContractStatus.DRAFT: frozenset({ContractStatus.LEGALITY_REVIEW, ContractStatus.TERMINATED}),
    ContractStatus.LEGALITY_REVIEW: frozenset({ContractStatus.DRAFT, ContractStatus.SIGNED, ContractStatus.TERMINATED}),
    ContractStatus.SIGNED: frozenset({ContractStatus.FILED, ContractStatus.TERMINATED}),
    ContractStatus.FILED: frozenset({ContractStatus.PERFORMING, ContractStatus.TERMINATED}),
    ContractStatus.PERFORMING: frozenset({ContractStatus.COMPLETED, ContractStatus.TERMINATED}),
    ContractStatus.COMPLETED: frozenset(),
    ContractStatus.TERMINATED: frozenset(),
}
# States in which the contract binds both sides: amendments and disputes are possible.
BINDING_STATES = frozenset({ContractStatus.SIGNED, ContractStatus.FILED, ContractStatus.PERFORMING})
UNSIGNED_STATES = frozenset({ContractStatus.DRAFT, ContractStatus.LEGALITY_REVIEW})
# The date field each target status stamps.
STATUS_DATE_FIELD = {
    ContractStatus.SIGNED: "signed_on",
    ContractStatus.FILED: "filed_on",
    ContractStatus.PERFORMING: "performing_on",
    ContractStatus.COMPLETED: "completed_on",
    ContractStatus.TERMINATED: "terminated_on",
}


class TerminationReason(models.TextChoices):
    # 优化营商环境条例 art. 31: a government may not break a contract because of 换届、机构调整、
    # 责任人更替; a breach by the government side feeds dishonesty candidates (SPEC R9).
    GOVERNMENT_BREACH = "government_breach", "政府方违约"
    ENTERPRISE_BREACH = "enterprise_breach", "企业方违约"
    MUTUAL_AGREEMENT = "mutual_agreement", "协商一致解除"
    PUBLIC_INTEREST = "public_interest", "因公共利益需要依法解除（应予补偿）"
    FORCE_MAJEURE = "force_majeure", "不可抗力"
    LAW_OR_POLICY_CHANGE = "law_or_policy_change", "法律政策调整"
    NOT_CONCLUDED = "not_concluded", "未能签订（签订前终止）"
    OTHER = "other", "其他"


class Contract(models.Model):
    """政府合同协议 between an agency (the buyer / government side) and an enterprise."""

    number = models.CharField("合同编号", max_length=60, blank=True)
    title = models.CharField("合同名称", max_length=300)
    description = models.TextField("合同摘要", blank=True)
    contract_type = models.CharField("合同类型", max_length=32, choices=CONTRACT_TYPE_CHOICES)
    agency = models.ForeignKey(
        "ledger.Agency", verbose_name="政府方（机关单位）", on_delete=models.PROTECT, related_name="contracts"
    )
    counterparty = models.ForeignKey(
        "ledger.Enterprise", verbose_name="相对方（企业）", on_delete=models.PROTECT, related_name="contracts"
    )
    region_code = models.CharField("行政区划代码", max_length=12)
    amount = models.DecimalField("合同金额（元）", **MONEY)
    period_start = models.DateField("履行期限起", null=True, blank=True)
    period_end = models.DateField("履行期限止", null=True, blank=True)
    # Payment term in days from the trigger (条例 2025 art. 9: at most 60 days for an SME purchase).
    payment_term_days = models.PositiveIntegerField("约定付款期限（日）", null=True, blank=True)
    # Agreed inspection/acceptance period in days from delivery (条例 2025 art. 10).
    acceptance_period_days = models.PositiveIntegerField("约定验收期限（日）", null=True, blank=True)
    # SME status is the one declared when the contract is signed (条例 art. 3).
    sme_declared = models.BooleanField("签约时声明为中小企业", default=False)
    agreed_late_rate = models.DecimalField("约定逾期利率（年，%）", null=True, blank=True, **RATE)
    status = models.CharField("状态", max_length=16, choices=ContractStatus.choices, default=ContractStatus.DRAFT)
    review_round = models.PositiveSmallIntegerField("合法性审查轮次", default=0)
    signed_on = models.DateField("签订日期", null=True, blank=True)
    filed_on = models.DateField("备案日期", null=True, blank=True)
    performing_on = models.DateField("开始履行日期", null=True, blank=True)
    completed_on = models.DateField("履行完毕日期", null=True, blank=True)
    terminated_on = models.DateField("终止日期", null=True, blank=True)
    termination_reason_code = models.CharField("终止原因", max_length=24, choices=TerminationReason.choices, blank=True)
    termination_reason = models.TextField("终止说明", blank=True)
    # Disputed is a side flag, not a status (docs/adr/0003): the lifecycle position stays.
    disputed_since = models.DateField("争议发生日期", null=True, blank=True)
    dispute_reason = models.TextField("争议说明", blank=True)
    version = models.PositiveSmallIntegerField("版本（变更次数）", default=0)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "政府合同协议"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["agency", "status"], name="contract_agency_status"),
            models.Index(fields=["region_code", "status"], name="contract_region_status"),
            models.Index(fields=["counterparty", "status"], name="contract_counterparty_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="contract_amount_positive"),
            models.CheckConstraint(
                condition=Q(payment_term_days__isnull=True) | Q(payment_term_days__gt=0),
                name="contract_payment_term_positive",
            ),
            models.CheckConstraint(
                condition=Q(acceptance_period_days__isnull=True) | Q(acceptance_period_days__gt=0),
                name="contract_acceptance_period_positive",
            ),
            models.CheckConstraint(
                condition=Q(agreed_late_rate__isnull=True) | Q(agreed_late_rate__gt=0),
                name="contract_late_rate_positive",
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="contract_period_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "legality_review", "terminated"]) | Q(signed_on__isnull=False),
                name="contract_signed_has_date",
                violation_error_message="已签订的合同须有签订日期",
            ),
            models.CheckConstraint(
                condition=~Q(status="terminated") | (Q(terminated_on__isnull=False) & ~Q(termination_reason_code="")),
                name="contract_terminated_has_reason",
                violation_error_message="终止的合同须有终止日期和原因",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_disputed(self) -> bool:
        return self.disputed_since is not None


class ReviewResult(models.TextChoices):
    PASSED = "passed", "通过"
    FAILED = "failed", "不予通过（退回修改）"


class LegalityReview(models.Model):
    """合法性审查: who reviewed, their opinion and the result. Signing needs a passed one."""

    contract = models.ForeignKey(Contract, verbose_name="合同", on_delete=models.PROTECT, related_name="reviews")
    round = models.PositiveSmallIntegerField("审查轮次")
    reviewer = models.CharField("审查人（机构）", max_length=100)
    opinion = models.TextField("审查意见")
    result = models.CharField("审查结论", max_length=8, choices=ReviewResult.choices)
    reviewed_on = models.DateField("审查日期")
    recorded_by = models.ForeignKey("ledger.User", verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "合法性审查"
        ordering = ["contract_id", "round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "round"], name="review_one_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} 第{self.round}轮审查：{self.get_result_display()}"


class AmendmentRationale(models.TextChoices):
    PRICE_ADJUSTMENT = "price_adjustment", "价款调整"
    SCOPE_CHANGE = "scope_change", "内容或范围变更"
    TIME_EXTENSION = "time_extension", "履行期限变更"
    PAYMENT_TERMS = "payment_terms", "付款条件变更"
    LAW_OR_POLICY_CHANGE = "law_or_policy_change", "法律政策调整"
    PUBLIC_INTEREST = "public_interest", "因公共利益需要依法变更"
    FORCE_MAJEURE = "force_majeure", "不可抗力"
    ERROR_CORRECTION = "error_correction", "更正错误"
    OTHER = "other", "其他"


# What an amendment may change (field → how it is parsed). SME status is fixed at signing
# (条例 art. 3), the parties by a new contract: neither is amendable.
AMENDABLE_FIELDS = (
    "title",
    "description",
    "amount",
    "period_start",
    "period_end",
    "payment_term_days",
    "acceptance_period_days",
    "agreed_late_rate",
)


class Amendment(models.Model):
    """变更: a signed change with a rationale; ``changes`` holds each field's old and new value."""

    contract = models.ForeignKey(Contract, verbose_name="合同", on_delete=models.PROTECT, related_name="amendments")
    number = models.PositiveSmallIntegerField("变更序号")
    rationale_code = models.CharField("变更原因类别", max_length=24, choices=AmendmentRationale.choices)
    rationale = models.TextField("变更理由")
    signed_on = models.DateField("变更签订日期")
    # {"amount": {"old": "1000000.00", "new": "1200000.00"}, ...} — values as strings / ints / null.
    changes = models.JSONField("变更内容")
    recorded_by = models.ForeignKey("ledger.User", verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "合同变更"
        ordering = ["contract_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="amendment_unique_number"),
            models.CheckConstraint(condition=Q(number__gt=0), name="amendment_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} 第{self.number}次变更"


class MilestoneSide(models.TextChoices):
    GOVERNMENT = "government", "政府方"
    ENTERPRISE = "enterprise", "企业方"


class MilestoneKind(models.TextChoices):
    PAYMENT = "payment", "付款"
    DELIVERY = "delivery", "交付（货物、工程、服务）"
    APPROVAL = "approval", "审批、许可或交地等"
    FINANCING = "financing", "投融资"
    REPORTING = "reporting", "报告"
    OTHER = "other", "其他"


class PaymentBasis(models.TextChoices):
    """What the payment term of a government payment milestone runs from (条例 2025 arts. 9–10)."""

    DELIVERY = "delivery", "自交付之日起算"
    ACCEPTANCE = "acceptance", "以验收合格为付款条件"
    SETTLEMENT = "settlement", "按进度或定期结算，自结算确认之日起算"


class Milestone(models.Model):
    """A milestone on either side. A government payment milestone produces its ledger obligation
    when its trigger is recorded (the foreign key points down, from the milestone to the ledger)."""

    contract = models.ForeignKey(Contract, verbose_name="合同", on_delete=models.PROTECT, related_name="milestones")
    side = models.CharField("履行方", max_length=12, choices=MilestoneSide.choices)
    kind = models.CharField("类型", max_length=12, choices=MilestoneKind.choices)
    title = models.CharField("节点名称", max_length=200)
    description = models.TextField("说明", blank=True)
    due_on = models.DateField("约定完成日期", null=True, blank=True)
    amount = models.DecimalField("付款金额（元）", null=True, blank=True, **MONEY)
    # 条例 art. 2 looks at what is bought: a milestone for goods/works/services brings the 条例 in.
    goods_works_services = models.BooleanField("为货物、工程、服务付款", default=False)
    payment_basis = models.CharField("付款起算条件", max_length=12, choices=PaymentBasis.choices, blank=True)
    # Trigger facts, recorded as they happen.
    delivered_on = models.DateField("交付日期", null=True, blank=True)
    accepted_on = models.DateField("验收合格日期", null=True, blank=True)
    settlement_confirmed_on = models.DateField("结算确认日期", null=True, blank=True)
    # Performance facts of milestones other than government payments.
    met_on = models.DateField("完成日期", null=True, blank=True)
    partly_met_on = models.DateField("部分完成日期", null=True, blank=True)
    progress_note = models.TextField("履行情况说明", blank=True)
    obligation = models.OneToOneField(
        "ledger.Obligation",
        verbose_name="给付义务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="milestone",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "合同履行节点"
        ordering = ["contract_id", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="milestone_amount_positive"
            ),
            models.CheckConstraint(
                condition=~(Q(side="government") & Q(kind="payment"))
                | (Q(amount__isnull=False) & ~Q(payment_basis="")),
                name="milestone_government_payment_complete",
                violation_error_message="政府方付款节点须有金额和付款起算条件",
            ),
            models.CheckConstraint(
                condition=Q(obligation__isnull=True) | (Q(side="government") & Q(kind="payment")),
                name="milestone_obligation_only_for_payments",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract}：{self.title}"

    @property
    def is_government_payment(self) -> bool:
        return self.side == MilestoneSide.GOVERNMENT and self.kind == MilestoneKind.PAYMENT


def evidence_path(instance: Evidence, filename: str) -> str:
    # Content-addressed: the same bytes are stored once, under their SHA-256.
    ext = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(instance.content_type)
    ext = ext or {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    }.get(instance.content_type, "bin")
    return f"evidence/contracts/{instance.sha256[:2]}/{instance.sha256}.{ext}"


class Evidence(models.Model):
    """An evidence file on a contract, one of its amendments or one of its milestones."""

    contract = models.ForeignKey(Contract, verbose_name="合同", on_delete=models.PROTECT, related_name="evidence")
    amendment = models.ForeignKey(
        Amendment, verbose_name="变更", null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    milestone = models.ForeignKey(
        Milestone, verbose_name="履行节点", null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    title = models.CharField("标题", max_length=200)
    file = models.FileField("文件", upload_to=evidence_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    uploaded_by = models.ForeignKey("ledger.User", verbose_name="上传人", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "合同证据材料"
        ordering = ["contract_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amendment__isnull=True) | Q(milestone__isnull=True),
                name="evidence_one_owner",
                violation_error_message="证据材料只能附于合同、一次变更或一个节点之一",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="evidence_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title


class EventKind(models.TextChoices):
    TRANSITION = "transition", "状态变更"
    REVIEW = "review", "合法性审查"
    AMENDMENT = "amendment", "合同变更"
    DISPUTE_OPENED = "dispute_opened", "发生争议"
    DISPUTE_CLOSED = "dispute_closed", "争议解决"
    MILESTONE = "milestone", "履行节点事项"
    EVIDENCE = "evidence", "上传证据材料"


class ContractEvent(models.Model):
    """Append-only log of every explicit action on a contract: who, on what date, why."""

    contract = models.ForeignKey(Contract, verbose_name="合同", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("事项", max_length=16, choices=EventKind.choices)
    from_status = models.CharField("原状态", max_length=16, choices=ContractStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=ContractStatus.choices, blank=True)
    on = models.DateField("日期")
    reason_code = models.CharField("原因类别", max_length=24, blank=True)
    reason = models.TextField("理由或说明", blank=True)
    actor = models.ForeignKey("ledger.User", verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("记录时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "合同操作记录"
        ordering = ["contract_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.contract} {self.get_kind_display()} {self.on}"
