"""The obligation ledger: policies, redemptions, obligations and their append-only entries.

Facts are stored (dates, amounts, the due date as computed when the trigger was recorded, the
calendar version used, who held office when the obligation arose); live states (overdue, days
overdue, interest, legacy-debt flag) are computed as of a date by ledger/rules and the selectors.
"""

import secrets
from datetime import date

from django.db import models
from django.db.models import Case, F, Q, Value, When
from simple_history.models import HistoricalRecords

MONEY = {"max_digits": 17, "decimal_places": 2}  # parse_amount admits 13 integer digits; the rest is room for sums
_REF_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_reference(prefix: str) -> str:
    """An unguessable reference number: 16 random characters (80 bits) after a readable prefix."""
    return prefix + "-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(16))


def new_obligation_reference() -> str:
    return new_reference("OB")


def new_redemption_reference() -> str:
    return new_reference("RD")


class DeliveryMode(models.TextChoices):
    FREE_APPLY = "free_apply", "免申即享"
    INSTANT = "instant", "即申即享"
    ON_APPLICATION = "on_application", "依申请"


class Policy(models.Model):
    """公共政策: a published policy with a promised redemption time limit."""

    doc_number = models.CharField("文号", max_length=100)
    title = models.CharField("标题", max_length=300)
    issuing_agency = models.ForeignKey(
        "ledger.Agency", verbose_name="发文单位", on_delete=models.PROTECT, related_name="policies"
    )
    valid_from = models.DateField("有效期起")
    valid_to = models.DateField("有效期止", null=True, blank=True)
    delivery_mode = models.CharField("兑现方式", max_length=20, choices=DeliveryMode.choices)
    redemption_working_days = models.PositiveSmallIntegerField("兑现时限（工作日）")
    region_code = models.CharField("行政区划代码", max_length=12, db_index=True)
    is_demo = models.BooleanField("演示数据", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "公共政策"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["doc_number", "issuing_agency"], name="policy_unique_doc_number"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="policy_valid_range"
            ),
            models.CheckConstraint(condition=Q(redemption_working_days__gt=0), name="policy_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_number} {self.title}"


class RedemptionStatus(models.TextChoices):
    APPLIED = "applied", "已申请"  # 依申请 / 即申即享: the enterprise applied
    ACCEPTED = "accepted", "已受理"  # the clock starts here (兑现时限 counts from acceptance)
    ELIGIBLE = "eligible", "符合条件"  # 免申即享: the agency found the enterprise eligible from its data
    NOTIFIED = "notified", "已告知"  # 免申即享: the clock starts at notification
    APPROVED = "approved", "已核准"  # creates the obligation; paid/closed are read from it
    REJECTED = "rejected", "不予兑现"  # with a reason


class Redemption(models.Model):
    """政策兑现: one enterprise's benefit under one policy."""

    reference = models.CharField("编号", max_length=24, unique=True, default=new_redemption_reference, editable=False)
    policy = models.ForeignKey(Policy, verbose_name="政策", on_delete=models.PROTECT, related_name="redemptions")
    agency = models.ForeignKey(
        "ledger.Agency", verbose_name="兑现单位", on_delete=models.PROTECT, related_name="redemptions"
    )
    enterprise = models.ForeignKey(
        "ledger.Enterprise", verbose_name="企业", on_delete=models.PROTECT, related_name="redemptions"
    )
    region_code = models.CharField("行政区划代码", max_length=12, db_index=True)
    amount = models.DecimalField("兑现金额（元）", **MONEY)
    status = models.CharField("状态", max_length=12, choices=RedemptionStatus.choices)
    applied_on = models.DateField("申请日期", null=True, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    eligible_on = models.DateField("认定符合条件日期", null=True, blank=True)
    notified_on = models.DateField("告知日期", null=True, blank=True)
    approved_on = models.DateField("核准日期", null=True, blank=True)
    rejected_on = models.DateField("不予兑现日期", null=True, blank=True)
    reject_reason = models.TextField("不予兑现理由", blank=True)
    obligation = models.OneToOneField(
        "ledger.Obligation",
        verbose_name="给付义务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="redemption",
    )
    is_demo = models.BooleanField("演示数据", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "政策兑现"
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="redemption_amount_positive")]

    def __str__(self) -> str:
        return self.reference


class Source(models.TextChoices):
    MILESTONE = "milestone", "合同付款节点"
    REDEMPTION = "redemption", "政策兑现"
    DECISION = "decision", "生效法律文书"
    CLAIM = "claim", "核实的诉求"
    OTHER = "other", "其他"


class Regime(models.TextChoices):
    SME_PROCUREMENT = "sme_procurement", "保障中小企业款项支付条例"
    CONTRACT = "contract", "合同约定"
    REDEMPTION = "redemption", "政策兑现时限"
    COURT_DECISION = "court_decision", "生效法律文书"


class Trigger(models.TextChoices):
    DELIVERY = "delivery", "交付"
    ACCEPTANCE = "acceptance", "验收通过"
    LATE_ACCEPTANCE = "late_acceptance", "验收期满（逾期验收）"
    SETTLEMENT_CONFIRMED = "settlement_confirmed", "结算确认"
    REDEMPTION_ACCEPTED = "redemption_accepted", "兑现受理"
    REDEMPTION_NOTIFIED = "redemption_notified", "免申即享告知"
    DECISION = "decision", "法律文书生效"
    OTHER = "other", "其他"


class AllocationRule(models.TextChoices):
    # 民法典 art. 561 (interest before principal); for court decisions 法释〔2014〕8号 art. 4 puts
    # the judgment debt first — ledger/rules/interest.py applies the default of each regime.
    DEFAULT = "default", "法定顺序"
    PRINCIPAL_FIRST = "principal_first", "先本后息（有约定或指定）"
    INTEREST_FIRST = "interest_first", "先息后本（有约定）"


class Outcome(models.TextChoices):
    OPEN = "open", "履行中"
    PAID = "paid", "已付清"
    WRITTEN_OFF = "written_off", "依法核销"
    CANCELLED = "cancelled", "已撤销"


CLOSING_OUTCOMES = (Outcome.WRITTEN_OFF, Outcome.CANCELLED)
OPEN_FOREVER = date(9999, 12, 31)  # open_until of an obligation still open


class Obligation(models.Model):
    """给付义务 — what an agency owes an enterprise, and by when."""

    reference = models.CharField("编号", max_length=24, unique=True, default=new_obligation_reference, editable=False)
    debtor_agency = models.ForeignKey(
        "ledger.Agency", verbose_name="债务单位", on_delete=models.PROTECT, related_name="obligations"
    )
    creditor = models.ForeignKey(
        "ledger.Enterprise", verbose_name="债权企业", on_delete=models.PROTECT, related_name="obligations"
    )
    # The agency's own number in its spreadsheet ledger (台账编号): the natural key of an import.
    external_ref = models.CharField("台账编号", max_length=60, null=True, blank=True)
    region_code = models.CharField("行政区划代码", max_length=12)
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    title = models.CharField("事由", max_length=300)
    principal = models.DecimalField("本金（元）", **MONEY)
    arose_on = models.DateField("发生日期")
    trigger = models.CharField("起算事由", max_length=24, choices=Trigger.choices)
    trigger_on = models.DateField("起算日期")
    regime = models.CharField("适用规则", max_length=16, choices=Regime.choices)
    # Contract facts the regime and the rate depend on (条例 art. 3: SME status declared at signing).
    contract_type = models.CharField("合同类型", max_length=32, blank=True)
    sme_declared = models.BooleanField("签约时声明为中小企业", default=False)
    signed_on = models.DateField("签约日期", null=True, blank=True)
    agreed_term_days = models.PositiveIntegerField("约定付款期限（日）", null=True, blank=True)
    agreed_annual_rate = models.DecimalField(
        "约定逾期利率（年，%）", max_digits=7, decimal_places=4, null=True, blank=True
    )
    lpr_at_signing = models.DecimalField("签约时1年期LPR（%）", max_digits=6, decimal_places=3, null=True, blank=True)
    # The due date as computed when the trigger was recorded, and how.
    due_on = models.DateField("到期日")
    due_provisional = models.BooleanField("到期日为暂定（超出官方日历数据）", default=False)
    calendar_version = models.CharField("日历版本", max_length=120)
    due_basis = models.CharField("到期日依据", max_length=300)
    due_override_basis = models.CharField("到期日人工调整的法律依据", max_length=300, blank=True)
    term_capped = models.BooleanField("约定期限超过60日被限定", default=False)
    term_missing = models.BooleanField("未约定付款期限", default=False)
    default_term_used = models.BooleanField("适用本区默认30日", default=False)
    allocation_rule = models.CharField(
        "清偿抵充顺序", max_length=16, choices=AllocationRule.choices, default=AllocationRule.DEFAULT
    )
    allocation_basis = models.CharField("抵充约定或指定依据", max_length=300, blank=True)
    disputed_amount = models.DecimalField("有争议金额（元）", default=0, **MONEY)
    dispute_note = models.TextField("争议说明", blank=True)
    outcome = models.CharField("最终结果", max_length=12, choices=Outcome.choices, default=Outcome.OPEN)
    outcome_on = models.DateField("结果日期", null=True, blank=True)
    outcome_basis = models.CharField("结果依据", max_length=300, blank=True)
    # Running totals kept by the payment service under a row lock (facts that make SQL cheap).
    principal_paid = models.DecimalField("已付本金（元）", default=0, **MONEY)
    fully_paid_on = models.DateField("本金付清日期", null=True, blank=True)
    # The first day the obligation is no longer open — paid off, or written off or cancelled —
    # kept by the database itself from the three facts above (OPEN_FOREVER while open). Overdue as
    # of D is then two ranges, ``open_until > D`` and ``due_on < D``, which one index answers
    # (issue 9: the auditors' counts at a million obligations). live.overdue_q reads it.
    open_until = models.GeneratedField(
        expression=Case(
            When(
                Q(outcome__in=CLOSING_OUTCOMES, outcome_on__isnull=False)
                & (Q(fully_paid_on__isnull=True) | Q(outcome_on__lt=F("fully_paid_on"))),
                then=F("outcome_on"),
            ),
            When(fully_paid_on__isnull=False, then=F("fully_paid_on")),
            default=Value(OPEN_FOREVER),
        ),
        output_field=models.DateField(),
        db_persist=True,
        verbose_name="未了结截至",
    )
    # The principal tenure of the debtor in force on arose_on (R5), following successors.
    tenure_at_arising = models.ForeignKey(
        "ledger.Tenure",
        verbose_name="发生时主要负责人任职",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    # open_until is derived by the database, not a fact anyone changes: no history of its own.
    history = HistoricalRecords(excluded_fields=["open_until"])

    class Meta:
        verbose_name = verbose_name_plural = "给付义务"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["debtor_agency", "due_on"], name="obligation_agency_due"),
            models.Index(fields=["region_code", "due_on"], name="obligation_region_due"),
            models.Index(fields=["creditor", "due_on"], name="obligation_creditor_due"),
            # The auditors' counts (issue 9): overdue as of D is open_until > D and due_on < D, the
            # obligations still open (about half) read from this index alone, with the debtor and
            # the arising day a legacy-debt filter looks up in its R5 segments (INCLUDE: PostgreSQL).
            models.Index(
                fields=["open_until", "due_on"], include=["debtor_agency", "arose_on"], name="obligation_open_due"
            ),
            # Days-overdue ranges of a past date: a range of due_on, filtered on open_until.
            models.Index(fields=["due_on"], include=["open_until"], name="obligation_due_open"),
            # The report totals and month ends read every obligation of the population (arisen by
            # the date): these columns alone, from an index a quarter the table's size (issue 9:
            # the dashboard's statements 15–30 % faster at a million obligations, measured).
            models.Index(
                fields=["arose_on"],
                include=[
                    "id", "debtor_agency", "principal", "principal_paid", "fully_paid_on", "trigger_on", "due_on",
                    "outcome", "outcome_on", "open_until",
                ],
                name="obligation_arose_totals",
            ),  # fmt: skip
            # SME-declared obligations are about a quarter of all: counted from this small index.
            models.Index(fields=["sme_declared"], condition=Q(sme_declared=True), name="obligation_sme"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="obligation_principal_positive"),
            models.CheckConstraint(
                condition=Q(principal_paid__gte=0) & Q(principal_paid__lte=F("principal")),
                name="obligation_paid_within_principal",
                violation_error_message="已付本金不得超过本金",
            ),
            models.CheckConstraint(
                condition=Q(disputed_amount__gte=0) & Q(disputed_amount__lte=F("principal")),
                name="obligation_disputed_within_principal",
            ),
            models.CheckConstraint(condition=Q(due_on__gte=F("arose_on")), name="obligation_due_not_before_arising"),
            models.UniqueConstraint(
                fields=["debtor_agency", "external_ref"],
                condition=Q(external_ref__isnull=False),
                name="obligation_unique_external_ref",
                violation_error_message="该单位已有同一台账编号的给付义务",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class EntryKind(models.TextChoices):
    PAYMENT = "payment", "付款"
    INTEREST_PAYMENT = "interest_payment", "支付利息"
    INTEREST_WAIVER = "interest_waiver", "免除利息"
    REVERSAL = "reversal", "冲正"


class ConfirmationStatus(models.TextChoices):
    PENDING = "pending", "待企业确认"
    CONFIRMED = "confirmed", "企业已确认"
    OBJECTED = "objected", "企业有异议"


AFTER_FIELDS = [
    "after_principal_outstanding",
    "after_balance_days",
    "after_interest_paid",
    "after_interest_waived",
    "after_fully_paid_on",
]


class LedgerEntry(models.Model):
    """Append-only: a correction is a reversing entry of its own (kind=reversal, reverses=…)."""

    obligation = models.ForeignKey(
        Obligation, verbose_name="给付义务", on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField("类型", max_length=20, choices=EntryKind.choices)
    on = models.DateField("日期")
    amount = models.DecimalField("金额（元）", **MONEY)
    # The allocation applied to a payment (民法典 art. 561 unless an agreement or designation,
    # recorded in ``basis``); blank for other kinds.
    allocation = models.CharField("清偿抵充顺序", max_length=16, choices=AllocationRule.choices, blank=True)
    reverses = models.OneToOneField(
        "self", verbose_name="冲正的记录", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    note = models.CharField("说明", max_length=300, blank=True)
    basis = models.CharField("依据", max_length=300, blank=True)
    recorded_by = models.ForeignKey("ledger.User", verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    confirmation = models.CharField(
        "企业对账", max_length=12, choices=ConfirmationStatus.choices, default=ConfirmationStatus.PENDING
    )
    confirmation_note = models.CharField("企业意见", max_length=300, blank=True)
    confirmed_at = models.DateTimeField("企业确认时间", null=True, blank=True)
    # The obligation's running state just after this entry (rules.interest.entry_states), kept by
    # the payment service with every write to the obligation's entries or to the facts they are
    # computed from. The state as of any date is then the last entry's state on or before it plus
    # outstanding × the days after it: how PostgreSQL computes the as-of columns of a million rows
    # without reading their entries (ledger/selectors/asof_sql.py, issue 9). Null until computed.
    after_principal_outstanding = models.DecimalField("记录后未付本金（元）", null=True, blank=True, **MONEY)
    # Σ outstanding × days overdue through max(due date, this entry's date); up to 13 integer
    # digits of principal times 7 of days.
    after_balance_days = models.DecimalField(
        "记录后累计逾期本金日积数", max_digits=24, decimal_places=2, null=True, blank=True
    )
    after_interest_paid = models.DecimalField("记录后已付利息（元）", null=True, blank=True, **MONEY)
    after_interest_waived = models.DecimalField("记录后已减免利息（元）", null=True, blank=True, **MONEY)
    after_fully_paid_on = models.DateField("记录后本金付清日期", null=True, blank=True)
    # Derived, not facts: kept out of the entry's history (written with update(), no history row).
    history = HistoricalRecords(excluded_fields=AFTER_FIELDS)

    class Meta:
        verbose_name = verbose_name_plural = "付款与利息记录"
        ordering = ["obligation_id", "on", "id"]
        indexes = [
            # The last entry on or before a date, per obligation (the as-of columns in SQL).
            models.Index(fields=["obligation", "on", "id"], name="entry_obligation_on"),
            # The obligations with an entry after a date: the others' state as of that date is
            # their running totals (reports summed in SQL, ledger/selectors/report_sql.py).
            models.Index(fields=["on", "obligation"], name="entry_on"),
            # Entries whose state is not yet stored: the SQL path is refused while any exists.
            models.Index(
                fields=["id"], condition=Q(after_principal_outstanding__isnull=True), name="entry_state_missing"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="entry_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False) | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="entry_reversal_names_its_entry",
            ),
        ]


class RefusalReason(models.Model):
    """A reason an agency gave for refusing or delaying payment (R4: some are violations)."""

    obligation = models.ForeignKey(
        Obligation, verbose_name="给付义务", on_delete=models.PROTECT, related_name="refusal_reasons"
    )
    code = models.CharField("理由类别", max_length=40)
    given_on = models.DateField("提出日期")
    text = models.TextField("理由原文")
    contract_silent = models.BooleanField("合同对此未作约定", default=True)
    is_violation = models.BooleanField("属违规理由", default=False)
    article = models.CharField("条款", max_length=100, blank=True)
    label = models.CharField("规范表述", max_length=200, blank=True)
    recorded_by = models.ForeignKey("ledger.User", verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "拒付或迟延理由"
        ordering = ["obligation_id", "given_on", "id"]
