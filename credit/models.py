"""政务失信记录: dishonesty records of government bodies, their publicity, repair and export (SPEC R9, R10, §5).

Facts are stored — who proposed, verified, ordered rectification, determined, repaired (each step an
event with its actor, date and reason), the determination date and the publicity window computed from
the administrator's table at determination. Live states (being published as of a date, past the
maximum, flagged because the obligation is still unperformed at the maximum) are computed as of a
date by credit/selectors.py.

One TextChoices and one transition table for the record lifecycle; ``credit.services.records.
_assign_status`` is the only code that writes ``DishonestyRecord.status``.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from ledger.models.obligations import MONEY, new_reference

ZWSX_FORMAT = "zwsx-1"


def new_record_number() -> str:
    """记录编号: unguessable, stable, and the key the credit platform knows the record by."""
    return new_reference("ZWSX")


# --- publicity windows (SPEC R10) -------------------------------------------------------------
class Severity(models.TextChoices):
    # Values are the words of 信用修复管理办法 (NDRC 令第36号) and of zwsx-1's 失信等级 column.
    MINOR = "轻微", "轻微"
    GENERAL = "一般", "一般"
    SERIOUS = "严重", "严重"


class PublicityWindowRule(models.Model):
    """One row of the administrator's dated table of publicity windows, with its legal basis.

    The row in force for a record is the latest ``effective_from`` on or before its determination
    date (ledger.rules.publicity.window_for); seeded with NDRC 令第36号 from 2026-04-01.
    """

    severity = models.CharField("失信等级", max_length=4, choices=Severity.choices)
    published = models.BooleanField("默认公示")  # 轻微: in principle not published (令第36号)
    min_months = models.PositiveSmallIntegerField("最短公示期（月）")
    max_months = models.PositiveSmallIntegerField("最长公示期（月）")
    effective_from = models.DateField("适用于此日起认定的记录")
    basis = models.TextField("法律依据")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "失信信息公示期限规则"
        ordering = ["effective_from", "severity"]
        constraints = [
            models.UniqueConstraint(fields=["severity", "effective_from"], name="publicity_window_unique_from"),
            models.CheckConstraint(
                condition=Q(max_months__gt=0) & Q(min_months__lte=F("max_months")),
                name="publicity_window_min_within_max",
                violation_error_message="最短公示期不得长于最长公示期，最长公示期须大于0",
            ),
            models.CheckConstraint(condition=~Q(basis=""), name="publicity_window_has_basis"),
        ]

    def __str__(self) -> str:
        return f"{self.severity} {self.min_months}–{self.max_months}个月（{self.effective_from}起）"


# --- dishonesty records (SPEC R9) -----------------------------------------------------------------
class CandidateRule(models.TextChoices):
    """Where a candidate came from: the rules of SPEC R9 (credit/candidates.py), or a manual entry."""

    DECISION_UNPERFORMED = "decision_unperformed", "生效法律文书逾期未履行"
    CLAIM_ARREARS = "claim_arrears", "核实拖欠账款90日未清偿"
    CONTRACT_BREACH = "contract_breach", "政府方违约解除合同"
    REDEMPTION_UNPAID = "redemption_unpaid", "政策兑现逾期90日未支付"
    LEGACY_DEBT = "legacy_debt", "新官不理旧账"
    MANUAL = "manual", "人工登记"


class DishonestyKind(models.TextChoices):
    # zwsx-1 失信类型 (SPEC §5); the labels are what leaves in the export.
    COURT_DECISION = "court_decision", "拒不履行生效裁判"
    ARREARS = "arrears", "拖欠账款"
    BREACH = "breach", "违约毁约"
    POLICY = "policy", "政策承诺未兑现"
    LEGACY_DEBT = "legacy_debt", "新官不理旧账"


class RecordStatus(models.TextChoices):
    CANDIDATE = "candidate", "候选"  # proposed by a rule of R9 (or entered); nothing is published
    VERIFIED = "verified", "已核实"  # a credit officer verified the facts with the competent department
    RECTIFICATION_ORDERED = "rectification_ordered", "已责令整改"  # NDRC 2023 通知: rectify by a deadline
    RECTIFIED = "rectified", "已整改（不予记录）"  # closed: rectified, no dishonesty record
    DETERMINED = "determined", "已认定失信"  # determined by the authority; published per the window
    REPAIRED = "repaired", "已信用修复"  # 谁认定谁修复 (令第36号): publication ended early
    EXPIRED = "expired", "公示期满"  # a credit officer closed it at or after the maximum period
    REVOKED = "revoked", "已撤销认定"  # the determination was withdrawn (e.g. found wrong)
    DISMISSED = "dismissed", "不予认定"  # dropped before determination, with a reason


_S = RecordStatus
# The one table of moves (SPEC R9). Every move is a credit officer's explicit action with a reason.
RECORD_TRANSITIONS: Mapping[str, frozenset[str]] = {
    _S.CANDIDATE: frozenset({_S.VERIFIED, _S.DISMISSED}),
    _S.VERIFIED: frozenset({_S.RECTIFICATION_ORDERED, _S.DISMISSED}),
    _S.RECTIFICATION_ORDERED: frozenset({_S.RECTIFIED, _S.DETERMINED, _S.DISMISSED}),
    _S.RECTIFIED: frozenset(),
    _S.DETERMINED: frozenset({_S.REPAIRED, _S.EXPIRED, _S.REVOKED}),
    _S.REPAIRED: frozenset(),
    _S.EXPIRED: frozenset(),
    _S.REVOKED: frozenset(),
    _S.DISMISSED: frozenset(),
}
DETERMINED_OR_AFTER = frozenset({_S.DETERMINED, _S.REPAIRED, _S.EXPIRED, _S.REVOKED})
CLOSED_AFTER_DETERMINATION = frozenset({_S.REPAIRED, _S.EXPIRED, _S.REVOKED})


class DishonestyRecord(models.Model):
    """政务失信记录 of one government body: from candidate to determination, publication and repair.

    Names and codes are stored as they stand on the record (what was determined and published), so
    a later rename of an agency does not silently rewrite a published record; a credit officer
    corrects them explicitly (an event with a reason), which goes out as 变更 in the next batch.
    """

    number = models.CharField("记录编号", max_length=32, unique=True, default=new_record_number, editable=False)
    status = models.CharField("状态", max_length=24, choices=RecordStatus.choices, default=RecordStatus.CANDIDATE)
    rule = models.CharField("候选来源规则", max_length=24, choices=CandidateRule.choices)
    # The source (a decision, a claim, a contract, a redemption, an obligation…): a generic link,
    # so the core never needs to know about credit.
    source_type = models.ForeignKey(
        ContentType, verbose_name="来源类型", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField("来源编号", null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    source_label = models.CharField("来源说明", max_length=300)
    region_code = models.CharField("行政区划代码", max_length=12)
    # 失信主体
    subject_agency = models.ForeignKey(
        "ledger.Agency", verbose_name="失信主体", on_delete=models.PROTECT, related_name="dishonesty_records"
    )
    subject_name = models.CharField("失信主体名称", max_length=200)
    subject_uscc = models.CharField("失信主体统一社会信用代码", max_length=18, blank=True)
    kind = models.CharField("失信类型", max_length=16, choices=DishonestyKind.choices)
    facts = models.TextField("失信行为描述")
    basis = models.TextField("认定依据", blank=True)
    amount = models.DecimalField("涉及金额（元）", null=True, blank=True, **MONEY)
    counterparty = models.ForeignKey(
        "ledger.Enterprise", verbose_name="相对方", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counterparty_name = models.CharField("相对方名称", max_length=200, blank=True)
    counterparty_uscc = models.CharField("相对方统一社会信用代码", max_length=18, blank=True)
    remarks = models.CharField("备注", max_length=500, blank=True)
    # Step dates (the events hold actor and reason of each step).
    proposed_on = models.DateField("提出日期")
    verified_on = models.DateField("核实日期", null=True, blank=True)
    rectification_ordered_on = models.DateField("责令整改日期", null=True, blank=True)
    rectification_deadline = models.DateField("整改期限", null=True, blank=True)
    closed_on = models.DateField(
        "办结日期", null=True, blank=True
    )  # rectified / repaired / expired / revoked / dismissed
    closing_reason = models.TextField("办结理由", blank=True)
    # Determination (认定): who, when, how serious — and the window computed from the table then.
    determined_on = models.DateField("认定日期", null=True, blank=True)
    determining_authority = models.ForeignKey(
        "ledger.Agency", verbose_name="认定单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authority_name = models.CharField("认定单位名称", max_length=200, blank=True)
    authority_uscc = models.CharField("认定单位统一社会信用代码", max_length=18, blank=True)
    data_source = models.ForeignKey(
        "ledger.Agency", verbose_name="数据来源单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data_source_name = models.CharField("数据来源单位名称", max_length=200, blank=True)
    data_source_uscc = models.CharField("数据来源单位统一社会信用代码", max_length=18, blank=True)
    severity = models.CharField("失信等级", max_length=4, choices=Severity.choices, blank=True)
    published = models.BooleanField("公示", default=False)  # 轻微: only when found necessary (令第36号)
    window_rule = models.ForeignKey(
        PublicityWindowRule,
        verbose_name="适用的公示期限规则",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    window_basis = models.TextField("公示期限依据", blank=True)
    publicity_start = models.DateField("公示起始日期", null=True, blank=True)
    publicity_min_end = models.DateField("最短公示期届满日", null=True, blank=True)
    publicity_max_end = models.DateField("公示截止日期（最长公示期届满日）", null=True, blank=True)
    # Repair conditions (令第36号): the obligation performed, a public credit commitment (信用承诺).
    performed_on = models.DateField("义务履行完毕日期（信用管理员登记）", null=True, blank=True)
    performance_note = models.TextField("履行情况", blank=True)
    commitment_on = models.DateField("信用承诺日期", null=True, blank=True)
    commitment_text = models.TextField("信用承诺内容", blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "政务失信记录"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["subject_agency", "status"], name="credit_record_agency_status"),
            models.Index(fields=["region_code", "status"], name="credit_record_region_status"),
            models.Index(fields=["status", "publicity_max_end"], name="credit_record_status_maxend"),
        ]
        constraints = [
            # A rule proposes a source once: reruns never duplicate a candidate (SPEC R9).
            models.UniqueConstraint(
                fields=["rule", "source_type", "source_id"], name="credit_record_one_per_rule_source"
            ),
            models.CheckConstraint(
                condition=Q(rule="manual") | (Q(source_type__isnull=False) & Q(source_id__isnull=False)),
                name="credit_record_rule_has_source",
            ),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0), name="credit_record_amount_pos"),
            models.CheckConstraint(
                condition=~Q(status__in=sorted(DETERMINED_OR_AFTER))
                | (
                    Q(determined_on__isnull=False)
                    & Q(determining_authority__isnull=False)
                    & ~Q(severity="")
                    & Q(publicity_start__isnull=False)
                    & Q(publicity_min_end__isnull=False)
                    & Q(publicity_max_end__isnull=False)
                ),
                name="credit_record_determined_has_window",
            ),
            models.CheckConstraint(
                condition=~Q(status="rectification_ordered") | Q(rectification_deadline__isnull=False),
                name="credit_record_rectification_has_deadline",
            ),
            models.CheckConstraint(
                condition=Q(publicity_max_end__isnull=True) | Q(publicity_max_end__gte=F("publicity_min_end")),
                name="credit_record_window_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject_name}"


class RecordEvent(models.Model):
    """One step of a record (or a correction): who, on what date, why. Append-only."""

    record = models.ForeignKey(
        DishonestyRecord, verbose_name="失信记录", on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField("操作", max_length=24)
    from_status = models.CharField("原状态", max_length=24, choices=RecordStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=24, choices=RecordStatus.choices, blank=True)
    on = models.DateField("日期")
    reason = models.TextField("理由")
    detail = models.JSONField("详情", default=dict, blank=True)
    actor = models.ForeignKey(
        "ledger.User", verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("记录时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "失信记录办理过程"
        ordering = ["record_id", "id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="credit_event_has_reason")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.action} {self.on}"


# --- export batches (SPEC §5, zwsx-1) ---------------------------------------------------------
class Operation(models.TextChoices):
    ADD = "新增", "新增"
    CHANGE = "变更", "变更"
    WITHDRAW = "撤销", "撤销"  # repair, expiry and revocation


class ExportSequence(models.Model):
    """The counter of batch sequence numbers, one row per scope (live / demo).

    Batch creation locks this row first (select_for_update), so two requests at once are
    serialised: the second sees the first's rows and can neither repeat nor skip a record.
    """

    scope = models.CharField("范围", max_length=8, unique=True)  # 'live' | 'demo'
    last_sequence = models.PositiveIntegerField("最后批次号", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "导出批次序号"

    def __str__(self) -> str:
        return f"{self.scope} {self.last_sequence}"


class ExportBatch(models.Model):
    """A created batch: its four files are kept as bytes and never change (same bytes on every download).

    Bytes live in the database, not under MEDIA_ROOT: the app is stateless behind several workers
    (SPEC §8), and a database backup then holds exactly what was sent (docs/adr/0004).
    Demo batches (``is_demo``) hold demo records only, number from their own sequence and are
    never sent.
    """

    sequence = models.PositiveIntegerField("批次号")
    is_demo = models.BooleanField("演示批次（不报送）", default=False)
    format_version = models.CharField("格式版本", max_length=16, default=ZWSX_FORMAT)
    as_of = models.DateField("批次日期")
    row_count = models.PositiveIntegerField("行数")
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(
        "ledger.User", verbose_name="创建人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    csv_bytes = models.BinaryField("CSV 文件")
    xlsx_bytes = models.BinaryField("XLSX 文件")
    json_bytes = models.BinaryField("JSON 文件")
    manifest_bytes = models.BinaryField("清单文件")
    csv_sha256 = models.CharField("CSV SHA-256", max_length=64)
    xlsx_sha256 = models.CharField("XLSX SHA-256", max_length=64)
    json_sha256 = models.CharField("JSON SHA-256", max_length=64)
    manifest_sha256 = models.CharField("清单 SHA-256", max_length=64)
    history = HistoricalRecords(excluded_fields=["csv_bytes", "xlsx_bytes", "json_bytes", "manifest_bytes"])

    class Meta:
        verbose_name = verbose_name_plural = "失信记录导出批次"
        ordering = ["is_demo", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["is_demo", "sequence"], name="credit_batch_unique_sequence"),
            models.CheckConstraint(condition=Q(sequence__gt=0), name="credit_batch_sequence_positive"),
        ]

    def __str__(self) -> str:
        return f"{'演示' if self.is_demo else ''}批次{self.sequence}（{self.as_of}）"


class ExportRow(models.Model):
    """One row of a batch: which record, which operation, and exactly what was sent."""

    batch = models.ForeignKey(ExportBatch, verbose_name="批次", on_delete=models.PROTECT, related_name="rows")
    record = models.ForeignKey(
        DishonestyRecord, verbose_name="失信记录", on_delete=models.PROTECT, related_name="export_rows"
    )
    line = models.PositiveIntegerField("行号")
    operation = models.CharField("操作类型", max_length=2, choices=Operation.choices)
    fingerprint = models.CharField("内容指纹（SHA-256）", max_length=64)  # of the row without 操作类型
    data = models.JSONField("行内容")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "导出批次行"
        ordering = ["batch_id", "line"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "record"], name="credit_row_once_per_batch"),
            models.UniqueConstraint(fields=["batch", "line"], name="credit_row_unique_line"),
        ]

    def __str__(self) -> str:
        return f"{self.batch} #{self.line} {self.operation}"


class ExportReceipt(models.Model):
    """The credit platform's receipt for a batch: accepted and rejected rows, with reasons."""

    batch = models.OneToOneField(ExportBatch, verbose_name="批次", on_delete=models.PROTECT, related_name="receipt")
    received_on = models.DateField("回执日期")
    platform_reference = models.CharField("平台回执编号", max_length=100, blank=True)
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(
        "ledger.User", verbose_name="登记人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "平台回执"
        ordering = ["batch_id"]

    def __str__(self) -> str:
        return f"{self.batch} 回执 {self.received_on}"


class ExportReceiptLine(models.Model):
    receipt = models.ForeignKey(ExportReceipt, verbose_name="回执", on_delete=models.PROTECT, related_name="lines")
    row = models.OneToOneField(ExportRow, verbose_name="批次行", on_delete=models.PROTECT, related_name="result")
    accepted = models.BooleanField("已接收")
    reason = models.TextField("退回理由", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "平台回执明细"
        ordering = ["receipt_id", "row_id"]
        constraints = [
            models.CheckConstraint(condition=Q(accepted=True) | ~Q(reason=""), name="credit_rejection_has_reason"),
        ]
