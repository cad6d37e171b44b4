"""Claims (诉求) of arrears and 确权 requests, with their evidence.

Facts are stored (the dates each step happened, the deadlines as computed when the step that
starts them was recorded, with the calendar version); live clock states (on time, due soon,
overdue) are computed as of a date by ledger/rules/claims.py.
"""

from collections.abc import Mapping

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from ledger.models.obligations import MONEY, new_reference


def new_claim_reference() -> str:
    return new_reference("CL")


def new_confirmation_reference() -> str:
    return new_reference("QR")


class ClaimStatus(models.TextChoices):
    FILED = "filed", "已登记"  # the enterprise registered it; not yet formally accepted
    ACCEPTED = "accepted", "已受理"  # formally accepted: 10 working days to forward (条例 (2025) art. 25)
    FORWARDED = "forwarded", "已转办"  # materials sent to the debtor agency: 30 days to a written result
    RESPONDED = "responded", "单位已答复"  # the debtor agency answered; the supervisor decides
    VERIFIED = "verified", "核实属实"  # the supervisor verified it into an obligation (source 'claim')
    REJECTED = "rejected", "不予支持"  # refused with a reason (before acceptance: 不予受理)
    WITHDRAWN = "withdrawn", "已撤回"  # the enterprise withdrew it


_S = ClaimStatus
# The one table of moves; ledger.lifecycles.assign_status is the only code that applies them.
CLAIM_TRANSITIONS: Mapping[str, frozenset[str]] = {
    _S.FILED: frozenset({_S.ACCEPTED, _S.REJECTED, _S.WITHDRAWN}),
    _S.ACCEPTED: frozenset({_S.FORWARDED, _S.WITHDRAWN}),
    _S.FORWARDED: frozenset({_S.RESPONDED, _S.VERIFIED, _S.REJECTED, _S.WITHDRAWN}),
    _S.RESPONDED: frozenset({_S.VERIFIED, _S.REJECTED, _S.WITHDRAWN}),
    _S.VERIFIED: frozenset(),
    _S.REJECTED: frozenset(),
    _S.WITHDRAWN: frozenset(),
}
CLAIM_OPEN = frozenset({_S.FILED, _S.ACCEPTED, _S.FORWARDED, _S.RESPONDED})


class Claim(models.Model):
    """诉求: an enterprise reports that an agency owes it money; the supervisor decides."""

    reference = models.CharField("编号", max_length=24, unique=True, default=new_claim_reference, editable=False)
    enterprise = models.ForeignKey(
        "ledger.Enterprise", verbose_name="诉求企业", on_delete=models.PROTECT, related_name="claims"
    )
    agency = models.ForeignKey(
        "ledger.Agency", verbose_name="被诉单位", on_delete=models.PROTECT, related_name="claims"
    )
    region_code = models.CharField("行政区划代码", max_length=12)
    amount = models.DecimalField("主张金额（元）", **MONEY)
    subject = models.CharField("事由", max_length=300)
    description = models.TextField("情况说明", blank=True)
    contract_ref = models.CharField("合同或文件编号", max_length=100, blank=True)
    status = models.CharField("状态", max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.FILED)
    filed_on = models.DateField("登记日期")
    filed_by = models.ForeignKey("ledger.User", verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    # 条例 (2025) art. 25 deadlines, as computed when acceptance / forwarding was recorded.
    forward_due_on = models.DateField("转办期限", null=True, blank=True)
    forwarded_on = models.DateField("转办日期（单位收到材料）", null=True, blank=True)
    result_due_on = models.DateField("办理期限", null=True, blank=True)
    result_cap_on = models.DateField("延长最长至", null=True, blank=True)
    clock_provisional = models.BooleanField("期限为暂定（超出官方日历数据）", default=False)
    calendar_version = models.CharField("日历版本", max_length=120, blank=True)
    result_extended_to = models.DateField("经批准延长至", null=True, blank=True)
    extension_basis = models.CharField("延期批准依据", max_length=300, blank=True)
    extension_approved_on = models.DateField("延期批准日期", null=True, blank=True)
    extension_approved_by = models.ForeignKey(
        "ledger.User", verbose_name="延期批准人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_on = models.DateField("单位答复日期", null=True, blank=True)
    response_text = models.TextField("单位答复", blank=True)
    responded_by = models.ForeignKey(
        "ledger.User", verbose_name="答复人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField("处理结果日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        "ledger.User", verbose_name="核实人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rejection_reason = models.TextField("不予支持理由", blank=True)
    withdrawn_on = models.DateField("撤回日期", null=True, blank=True)
    obligation = models.OneToOneField(
        "ledger.Obligation",
        verbose_name="核实形成的给付义务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claim",
    )
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "诉求"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["agency", "status"], name="claim_agency_status"),
            models.Index(fields=["enterprise", "filed_on"], name="claim_enterprise_filed"),
            models.Index(fields=["region_code", "filed_on"], name="claim_region_filed"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="claim_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="verified") | Q(obligation__isnull=False),
                name="claim_verified_has_obligation",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""), name="claim_rejected_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(accepted_on__gte=F("filed_on")),
                name="claim_accepted_after_filing",
            ),
            models.CheckConstraint(
                condition=Q(forwarded_on__isnull=True) | Q(forwarded_on__gte=F("accepted_on")),
                name="claim_forwarded_after_acceptance",
            ),
            models.CheckConstraint(
                condition=Q(result_extended_to__isnull=True) | Q(result_extended_to__lte=F("result_cap_on")),
                name="claim_extension_within_cap",
                violation_error_message="延长后最长不超过90日（条例（2025）第二十五条）",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def result_last_day(self):
        """The result term in force: the approved extension, else the 30-day term."""
        return self.result_extended_to or self.result_due_on


class EvidenceKind(models.TextChoices):
    PDF = "pdf", "PDF"
    JPG = "jpg", "JPEG 图片"
    PNG = "png", "PNG 图片"
    XLSX = "xlsx", "Excel 表格"
    DOCX = "docx", "Word 文档"


class ClaimEvidence(models.Model):
    """A file supporting a claim. Stored under its SHA-256 (content-addressed, never overwritten)."""

    claim = models.ForeignKey(Claim, verbose_name="诉求", on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField("文件", max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    kind = models.CharField("文件类型", max_length=8, choices=EvidenceKind.choices)
    content_type = models.CharField("内容类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey("ledger.User", verbose_name="上传人", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "诉求证据"
        ordering = ["claim_id", "id"]
        constraints = [models.CheckConstraint(condition=Q(size__gt=0), name="claim_evidence_not_empty")]

    def __str__(self) -> str:
        return self.original_name


class ConfirmationRequestStatus(models.TextChoices):
    PENDING = "pending", "待确权"  # the enterprise asked; 30 days run from the request
    CONFIRMED = "confirmed", "已确权"  # the agency confirmed the receivable (an amount)
    REFUSED = "refused", "不予确权"  # the agency refused, with a reason
    WITHDRAWN = "withdrawn", "已撤回"  # the enterprise withdrew the request


_C = ConfirmationRequestStatus
CONFIRMATION_REQUEST_TRANSITIONS: Mapping[str, frozenset[str]] = {
    _C.PENDING: frozenset({_C.CONFIRMED, _C.REFUSED, _C.WITHDRAWN}),
    _C.CONFIRMED: frozenset(),
    _C.REFUSED: frozenset(),
    _C.WITHDRAWN: frozenset(),
}


class Confirmation(models.Model):
    """确权请求: an SME asks an agency to confirm a receivable for financing (条例 (2025) art. 16
    para 2; 2020 art. 14). The agency must confirm within 30 days of the request."""

    reference = models.CharField("编号", max_length=24, unique=True, default=new_confirmation_reference, editable=False)
    enterprise = models.ForeignKey(
        "ledger.Enterprise", verbose_name="申请企业", on_delete=models.PROTECT, related_name="confirmations"
    )
    agency = models.ForeignKey(
        "ledger.Agency", verbose_name="被请求单位", on_delete=models.PROTECT, related_name="confirmations"
    )
    region_code = models.CharField("行政区划代码", max_length=12)
    amount = models.DecimalField("请求确认金额（元）", **MONEY)
    subject = models.CharField("应收账款事由", max_length=300)
    contract_ref = models.CharField("合同或文件编号", max_length=100, blank=True)
    purpose = models.CharField("融资用途说明", max_length=300, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=ConfirmationRequestStatus.choices, default=ConfirmationRequestStatus.PENDING
    )
    requested_on = models.DateField("请求日期")
    requested_by = models.ForeignKey("ledger.User", verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField("确权期限", null=True, blank=True)
    due_provisional = models.BooleanField("期限为暂定（超出官方日历数据）", default=False)
    calendar_version = models.CharField("日历版本", max_length=120, blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    answered_by = models.ForeignKey(
        "ledger.User", verbose_name="答复人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_amount = models.DecimalField("确认金额（元）", null=True, blank=True, **MONEY)
    obligation = models.ForeignKey(
        "ledger.Obligation",
        verbose_name="对应给付义务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="confirmations",
    )
    refusal_reason = models.TextField("不予确权理由", blank=True)
    withdrawn_on = models.DateField("撤回日期", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "确权请求"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["agency", "status"], name="confirmation_agency_status"),
            models.Index(fields=["enterprise", "requested_on"], name="confirmation_enterprise_req"),
            models.Index(fields=["region_code", "requested_on"], name="confirmation_region_req"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="confirmation_amount_positive"),
            models.CheckConstraint(
                condition=Q(confirmed_amount__isnull=True)
                | (Q(confirmed_amount__gt=0) & Q(confirmed_amount__lte=F("amount"))),
                name="confirmation_confirmed_within_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_amount__isnull=False),
                name="confirmation_confirmed_has_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""), name="confirmation_refused_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=F("requested_on")),
                name="confirmation_answered_after_request",
            ),
        ]

    def __str__(self) -> str:
        return self.reference
