"""Obligations (给付义务) with their payments, from an agency's 台账.

Natural keys: an obligation is its agency's 台账编号 (``Obligation.external_ref``, unique per
debtor agency); a payment row names its obligation by 台账编号 (or the ledger's own OB-… number)
and is the same payment as an entry of the same kind, date and amount — each such entry in the
ledger answers for one such row, so importing a file again records nothing twice.

What an import may change on an obligation already recorded is what a service changes: the
disputed part (``obligation_dispute``) and new payments (``payment_record``). The facts the due
date and the money state rest on (principal, dates, terms, creditor…) are recorded once; a
sheet that differs there is refused with the old and the new value, so nothing drifts silently.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.db import connection

from ledger import clock
from ledger.imports.context import ImportContext, Row, display
from ledger.imports.registry import Column, ImportKind, SheetSpec, agency_column, uscc_column
from ledger.models import AllocationRule, EntryKind, LedgerEntry, Obligation, Source, Trigger
from ledger.rules.regimes import ContractType
from ledger.services.obligations import obligation_create, obligation_dispute, payment_record

_SOURCES = {Source.OTHER: "其他", Source.DECISION: "生效法律文书"}
_TRIGGERS = {
    Trigger.DELIVERY: "交付",
    Trigger.ACCEPTANCE: "验收通过",
    Trigger.LATE_ACCEPTANCE: "验收期满（逾期验收）",
    Trigger.SETTLEMENT_CONFIRMED: "结算确认",
    Trigger.DECISION: "法律文书生效",
    Trigger.OTHER: "其他",
}
_TRIGGER_ALIASES = {"验收": Trigger.ACCEPTANCE, "验收合格": Trigger.ACCEPTANCE, "结算": Trigger.SETTLEMENT_CONFIRMED}
_ALLOCATIONS = dict(AllocationRule.choices)
_ENTRY_KINDS = {
    EntryKind.PAYMENT: "付款",
    EntryKind.INTEREST_PAYMENT: "支付利息",
    EntryKind.INTEREST_WAIVER: "免除利息",
}
_ENTRY_ALIASES = {"支付": EntryKind.PAYMENT, "还款": EntryKind.PAYMENT, "付息": EntryKind.INTEREST_PAYMENT}

OBLIGATIONS = SheetSpec(
    key="obligations",
    title="给付义务",
    synonyms=("义务", "台账", "欠款台账", "给付义务台账", "欠款明细"),
    columns=(
        Column(
            "external_ref",
            "台账编号",
            "key",
            required=True,
            synonyms=("编号", "义务编号", "台账序号", "单位编号", "登记编号", "外部编号"),
            max_length=60,
            example="JY-2026-001",
            help="本单位台账中的编号，同一单位内不得重复；再次导入时据此识别同一笔义务",
        ),
        agency_column("债务单位", "付款单位", "欠款单位", "债务人", example="区交运局"),
        Column(
            "creditor_name",
            "债权企业",
            synonyms=("企业名称", "债权人", "收款单位", "收款企业", "企业", "供应商"),
            max_length=200,
            example="示例建设有限公司",
            help="仅作核对，以统一社会信用代码为准",
        ),
        uscc_column("creditor_uscc"),
        Column(
            "title",
            "事由",
            required=True,
            synonyms=("欠款事由", "项目名称", "款项内容", "摘要", "事项", "款项名称"),
            example="道路养护服务费（2025年第四季度）",
        ),
        Column(
            "principal",
            "金额（元）",
            "money",
            required=True,
            synonyms=("金额", "本金", "应付金额", "欠款金额", "应付款金额", "欠款本金"),
            example=Decimal("128000.00"),
            help="元，最多两位小数；也可用“金额（万元）”列，最多六位小数，精确换算，不作四舍五入",
        ),
        Column(
            "arose_on",
            "发生日期",
            "date",
            required=True,
            synonyms=("形成日期", "欠款日期", "发生时间", "债务形成日期", "欠款形成日期"),
            example="2026-01-05",
        ),
        Column(
            "trigger",
            "起算事由",
            "choice",
            synonyms=("起算条件", "付款起算条件", "付款期限起算事由"),
            options=_TRIGGERS,
            aliases=_TRIGGER_ALIASES,
            example="交付",
            help="不填：生效法律文书为“法律文书生效”，其他为“交付”",
            service_field="trigger",
        ),
        Column(
            "trigger_on",
            "起算日期",
            "date",
            synonyms=("付款起算日期", "付款期限起算日"),
            example="2026-01-05",
            help="不填则同发生日期",
        ),
        Column(
            "source",
            "来源",
            "choice",
            synonyms=("义务来源", "债务来源"),
            options=_SOURCES,
            example="其他",
            help="其他 或 生效法律文书",
        ),
        Column(
            "contract_type",
            "合同类型",
            "choice",
            options=ContractType.labels,
            aliases={"政府投资": ContractType.GOVERNMENT_INVESTMENT, "工程": ContractType.GOVERNMENT_INVESTMENT},
            example="政府采购",
        ),
        Column("signed_on", "签约日期", "date", synonyms=("合同签订日期", "签订日期"), example="2025-10-10"),
        Column(
            "sme_declared",
            "签约时声明为中小企业",
            "bool",
            synonyms=("中小企业", "是否中小企业", "中小企业声明", "声明为中小企业"),
            example="是",
        ),
        Column(
            "goods_works_services",
            "货物工程服务",
            "bool",
            synonyms=("是否货物工程服务", "采购货物工程服务", "货物工程服务款"),
            example="是",
            help="为采购货物、工程、服务付款（《保障中小企业款项支付条例》第二条）",
        ),
        Column(
            "agreed_term_days",
            "约定付款期限（日）",
            "int",
            synonyms=("约定付款期限", "付款期限", "付款期限天", "约定付款期限天"),
            example=30,
        ),
        Column(
            "agreed_annual_rate",
            "约定逾期利率（年，%）",
            "rate",
            synonyms=("约定逾期利率", "逾期利率", "约定利率", "逾期利率年"),
            example="",
        ),
        Column(
            "decision_deadline",
            "履行期限",
            "date",
            synonyms=("判决履行期限", "文书履行期限", "履行期限届满日"),
            example="",
            help="来源为生效法律文书时必填",
        ),
        Column("due_override", "调整后到期日", "date", synonyms=("到期日调整",), example=""),
        Column(
            "due_override_basis",
            "到期日调整依据",
            synonyms=("调整依据",),
            example="",
            help="填写调整后到期日时必填：法律依据",
        ),
        Column(
            "allocation_rule",
            "清偿抵充顺序",
            "choice",
            synonyms=("抵充顺序",),
            options=_ALLOCATIONS,
            aliases={"先本后息": AllocationRule.PRINCIPAL_FIRST, "先息后本": AllocationRule.INTEREST_FIRST},
            example="",
            help="不填为法定顺序（民法典第五百六十一条）",
        ),
        Column("allocation_basis", "抵充依据", synonyms=("抵充约定依据",), example=""),
        Column(
            "disputed_amount",
            "争议金额（元）",
            "money",
            synonyms=("争议金额", "有争议金额"),
            allow_zero=True,
            example="",
        ),
        Column("dispute_note", "争议说明", synonyms=("争议内容", "争议情况"), max_length=5000, example=""),
    ),
)

PAYMENTS = SheetSpec(
    key="payments",
    title="付款记录",
    synonyms=("付款", "付款明细", "支付记录", "还款记录", "付款情况"),
    required=False,
    columns=(
        Column(
            "external_ref",
            "台账编号",
            "key",
            required=True,
            synonyms=("编号", "义务编号", "台账序号", "单位编号", "登记编号", "外部编号"),
            max_length=60,
            example="JY-2026-001",
            help="所付义务的台账编号（或系统编号 OB-…）",
        ),
        agency_column("债务单位", "付款单位", "欠款单位", "债务人", example="区交运局"),
        Column(
            "entry_kind",
            "类型",
            "choice",
            synonyms=("付款类型", "记录类型"),
            options=_ENTRY_KINDS,
            aliases=_ENTRY_ALIASES,
            example="付款",
            help="付款、支付利息 或 免除利息；不填为付款",
            service_field="kind",
        ),
        Column(
            "on",
            "付款日期",
            "date",
            required=True,
            synonyms=("日期", "支付日期", "还款日期", "付款时间"),
            example="2026-02-10",
            service_field="on",
        ),
        Column(
            "amount",
            "金额（元）",
            "money",
            required=True,
            synonyms=("金额", "付款金额", "支付金额", "还款金额"),
            example=Decimal("50000.00"),
            service_field="amount",
        ),
        Column(
            "allocation",
            "清偿抵充顺序",
            "choice",
            synonyms=("抵充顺序",),
            options=_ALLOCATIONS,
            aliases={"先本后息": AllocationRule.PRINCIPAL_FIRST, "先息后本": AllocationRule.INTEREST_FIRST},
            example="",
            help="不填则按该义务的约定",
        ),
        Column("basis", "依据", synonyms=("抵充依据", "减免依据"), example=""),
        Column("note", "说明", synonyms=("备注", "付款说明"), example="第一笔"),
    ),
)

# Facts recorded once: (model field, column, how the sheet's value is derived).
_FACTS = (
    ("title", "title"),
    ("principal", "principal"),
    ("arose_on", "arose_on"),
    ("trigger", "trigger"),
    ("trigger_on", "trigger_on"),
    ("source", "source"),
    ("contract_type", "contract_type"),
    ("signed_on", "signed_on"),
    ("sme_declared", "sme_declared"),
    ("agreed_term_days", "agreed_term_days"),
    ("agreed_annual_rate", "agreed_annual_rate"),
    ("allocation_rule", "allocation_rule"),
    ("allocation_basis", "allocation_basis"),
)


def find_obligation(ctx: ImportContext, agency_id: int, ref: str) -> Obligation | None:
    """By the agency's 台账编号, else by the ledger's own reference number (OB-…); from the
    chunk's prefetch when the ref was in it."""
    cache = ctx.state.get("existing", {})
    if ref in ctx.state.get("prefetched", ()):
        return cache.get((agency_id, ref))
    found = Obligation.objects.filter(debtor_agency_id=agency_id, external_ref=ref).first()
    if found is None and ref.startswith("OB-"):
        found = Obligation.objects.filter(debtor_agency_id=agency_id, reference=ref).first()
    return found


def prefetch_obligations(ctx: ImportContext, rows: list[Row]) -> None:
    """The obligations a chunk of rows names, in two queries instead of one or two per row."""
    refs = {row.get("external_ref") for row in rows if row.get("external_ref")}
    existing: dict[tuple[int, str], Obligation] = {}
    for obligation in Obligation.objects.filter(external_ref__in=refs):
        existing[(obligation.debtor_agency_id, obligation.external_ref)] = obligation
    system = [ref for ref in refs if ref.startswith("OB-")]
    for obligation in Obligation.objects.filter(reference__in=system):
        existing.setdefault((obligation.debtor_agency_id, obligation.reference), obligation)
    ctx.state["existing"], ctx.state["prefetched"] = existing, refs


def _sheet_value(row: Row, key: str):
    """The value the sheet gives for a fact, with the defaults the import applies when blank."""
    value = row.get(key)
    if key == "source":
        return value or Source.OTHER
    if key == "trigger":
        return value or (Trigger.DECISION if row.get("source") == Source.DECISION else Trigger.DELIVERY)
    if key == "trigger_on":
        return value or row.get("arose_on")
    if key in ("title", "contract_type", "allocation_basis"):
        return value or ""
    if key == "allocation_rule":
        return value or AllocationRule.DEFAULT
    if key == "sme_declared":
        return bool(value)
    return value


def _differences(row: Row, obligation: Obligation, creditor_id: int | None) -> list[tuple[str, str, str]]:
    """(column, recorded, in the sheet) for each recorded fact the sheet states differently."""
    out = []
    if creditor_id is not None and obligation.creditor_id != creditor_id:
        out.append(("creditor_uscc", obligation.creditor.uscc, row.get("creditor_uscc")))
    for field, key in _FACTS:
        if not row.has_column(key):
            continue  # a fact the sheet does not state is not compared
        old, new = getattr(obligation, field), _sheet_value(row, key)
        if old != new:
            out.append((key, display(old), display(new)))
    override = row.get("due_override")
    if override is not None and (override != obligation.due_on or not obligation.due_override_basis):
        out.append(("due_override", display(obligation.due_on), display(override)))
    return out


def _dispute_change(row: Row, obligation: Obligation) -> tuple[Decimal, str] | None:
    if not row.has_column("disputed_amount"):
        return None
    amount = row.get("disputed_amount", Decimal("0.00"))
    note = row.get("dispute_note", "") if row.has_column("dispute_note") else obligation.dispute_note
    if amount == obligation.disputed_amount and (note or "") == (obligation.dispute_note or ""):
        return None
    return amount, note


class ObligationRows:
    """Checks and applies rows of the obligations sheet and of the payments sheet."""

    # --- obligations -------------------------------------------------------------------------
    def check_obligation(self, ctx: ImportContext, row: Row) -> None:
        agency = ctx.resolve_agency(row)
        creditor = ctx.resolve_enterprise(row, "creditor_uscc", "creditor_name")
        ref = row.get("external_ref")
        if agency is None or ref is None:
            return
        ctx.touch(agency)
        ctx.claim_key("obligation", (agency.pk, ref), row, "external_ref")
        source = row.get("source") or Source.OTHER
        if source == Source.DECISION and row.get("decision_deadline") is None:
            ctx.error(
                row,
                "decision_deadline" if row.has_column("decision_deadline") else "source",
                "来源为生效法律文书时须填写履行期限",
            )
        if row.get("due_override") is not None and not row.get("due_override_basis"):
            ctx.error(row, "due_override", "填写调整后到期日时须同时填写到期日调整依据（法律依据）")
        if row.get("allocation_rule") not in (None, AllocationRule.DEFAULT) and not row.get("allocation_basis"):
            ctx.error(row, "allocation_rule", "约定或指定的清偿抵充顺序须填写抵充依据（民法典第五百六十一条）")
        principal, disputed = row.get("principal"), row.get("disputed_amount")
        if principal is not None and disputed is not None and disputed > principal:
            ctx.error(row, "disputed_amount", f"争议金额{disputed}元超过本金{principal}元")
        if disputed and not row.get("dispute_note"):
            ctx.error(
                row,
                "dispute_note" if row.has_column("dispute_note") else "disputed_amount",
                "有争议金额时须填写争议说明",
            )
        if not row.ok or creditor is None:
            return
        existing = find_obligation(ctx, agency.pk, ref)
        if existing is not None:
            self._refuse_changed_facts(ctx, row, existing, creditor.pk)

    def _refuse_changed_facts(self, ctx: ImportContext, row: Row, obligation: Obligation, creditor_id: int) -> bool:
        diffs = _differences(row, obligation, creditor_id)
        for key, old, new in diffs:
            label = row.table.spec.column(key).label
            ctx.error(
                row,
                key,
                f"台账编号{obligation.external_ref or obligation.reference}的给付义务（{obligation.reference}）已登记，"
                f"其“{label}”为{old}，表中为{new}：到期日和金额所依据的事实登记后不能通过导入修改，"
                "如确有错误请联系管理员更正",
            )
        return bool(diffs)

    def apply_obligation(self, ctx: ImportContext, row: Row) -> None:
        agency = ctx.resolve_agency(row)
        creditor = ctx.resolve_enterprise(row, "creditor_uscc", "creditor_name")
        ref = row.get("external_ref")
        existing = find_obligation(ctx, agency.pk, ref)
        if existing is None:
            obligation = obligation_create(
                actor=ctx.actor,
                debtor_agency=agency,
                creditor=creditor,
                source=_sheet_value(row, "source"),
                title=row.get("title"),
                principal=row.get("principal"),
                arose_on=row.get("arose_on"),
                trigger=_sheet_value(row, "trigger"),
                trigger_on=_sheet_value(row, "trigger_on"),
                contract_type=row.get("contract_type", ""),
                sme_declared=bool(row.get("sme_declared")),
                signed_on=row.get("signed_on"),
                goods_works_services=bool(row.get("goods_works_services")),
                agreed_term_days=row.get("agreed_term_days"),
                agreed_annual_rate=row.get("agreed_annual_rate"),
                decision_deadline=row.get("decision_deadline"),
                allocation_rule=_sheet_value(row, "allocation_rule"),
                allocation_basis=row.get("allocation_basis", ""),
                due_override=row.get("due_override"),
                due_override_basis=row.get("due_override_basis", ""),
            )
            # The natural key is the import's own fact, written for the chunk at once (flush).
            ctx.state.setdefault("pending_refs", {})[obligation.pk] = ref
            if row.get("disputed_amount"):
                obligation_dispute(
                    actor=ctx.actor,
                    obligation=obligation,
                    disputed_amount=row.get("disputed_amount"),
                    note=row.get("dispute_note", ""),
                )
            ctx.created(row, obligation.reference, f"台账编号{ref}，到期日{obligation.due_on.isoformat()}")
            return
        if self._refuse_changed_facts(ctx, row, existing, creditor.pk):
            return
        dispute = _dispute_change(row, existing)
        if dispute is None:
            ctx.unchanged(row, existing.reference)
            return
        old = existing.disputed_amount
        obligation_dispute(actor=ctx.actor, obligation=existing, disputed_amount=dispute[0], note=dispute[1])
        ctx.updated(row, existing.reference, [f"争议金额：{old} → {dispute[0]}"])

    # --- payments ------------------------------------------------------------------------
    def _payment_obligation(self, ctx: ImportContext, row: Row) -> Obligation | None:
        agency = ctx.resolve_agency(row)
        ref = row.get("external_ref")
        if agency is None or ref is None:
            return None
        # Obligations created earlier in this import are found too: their 台账编号 is written
        # at the end of each chunk, before the payments sheet is read.
        return find_obligation(ctx, agency.pk, ref)

    def check_payment(self, ctx: ImportContext, row: Row) -> None:
        agency = ctx.resolve_agency(row)
        ref = row.get("external_ref")
        if agency is None or ref is None:
            return
        ctx.touch(agency)
        on = row.get("on")
        if on is not None and on > clock.today():
            ctx.error(row, "on", f"付款日期{on.isoformat()}晚于今天，不能预先记录")
        if row.get("allocation") not in (None, AllocationRule.DEFAULT) and not row.get("basis"):
            ctx.error(row, "allocation", "约定或指定的清偿抵充顺序须填写依据")
        if row.get("entry_kind") == EntryKind.INTEREST_WAIVER and not row.get("basis"):
            ctx.error(row, "basis" if row.has_column("basis") else "entry_kind", "免除利息须填写依据")
        if ctx.has_key("obligation", (agency.pk, ref)):
            return  # the obligation is in this file
        if find_obligation(ctx, agency.pk, ref) is None:
            ctx.error(row, "external_ref", f"找不到台账编号为{ref}的给付义务（{agency.name}）：须先导入该义务")

    def apply_payment(self, ctx: ImportContext, row: Row) -> None:
        obligation = self._payment_obligation(ctx, row)
        if obligation is None:
            agency = ctx.resolve_agency(row)
            ctx.error(row, "external_ref", f"找不到台账编号为{row.get('external_ref')}的给付义务（{agency.name}）")
            return
        kind = row.get("entry_kind") or EntryKind.PAYMENT
        key = (obligation.pk, kind, row.get("on"), row.get("amount"))
        seen: Counter = ctx.state.setdefault("payments_seen", Counter())
        recorded: dict = ctx.state.setdefault("payments_recorded", {})
        if key not in recorded:
            # Entries of this kind, date and amount already in the ledger (reversed ones too: a
            # payment someone reversed is not brought back by an old sheet).
            recorded[key] = LedgerEntry.objects.filter(
                obligation=obligation, kind=kind, on=row.get("on"), amount=row.get("amount")
            ).count()
        seen[key] += 1
        ref = obligation.external_ref or obligation.reference
        label = f"{ref} {_ENTRY_KINDS[kind]} {row.get('on').isoformat()} {row.get('amount')}元"
        if seen[key] <= recorded[key]:
            ctx.unchanged(row, label)
            return
        payment_record(
            actor=ctx.actor,
            obligation=obligation,
            kind=kind,
            on=row.get("on"),
            amount=row.get("amount"),
            allocation=row.get("allocation"),
            basis=row.get("basis", ""),
            note=row.get("note", ""),
        )
        ctx.created(row, obligation.reference, label)


class ObligationsKind(ImportKind):
    rows = ObligationRows()

    def prefetch(self, ctx, sheet, rows):
        prefetch_obligations(ctx, rows)

    def flush(self, ctx, sheet):
        """Write the 台账编号 of the obligations the chunk created, on the rows and on the history
        records simple-history wrote for them (so their history shows them created with it)."""
        pending: dict[int, str] = ctx.state.pop("pending_refs", {})
        if not pending:
            return
        params = [(ref, pk) for pk, ref in pending.items()]
        with connection.cursor() as cursor:
            for model, only_unset in ((Obligation, False), (Obligation.history.model, True)):
                table = connection.ops.quote_name(model._meta.db_table)
                where = " AND external_ref IS NULL" if only_unset else ""
                cursor.executemany(f"UPDATE {table} SET external_ref = %s WHERE id = %s{where}", params)  # noqa: S608

    def check_row(self, ctx, sheet, row):
        if sheet.key == "obligations":
            self.rows.check_obligation(ctx, row)
        else:
            self.rows.check_payment(ctx, row)

    def apply_row(self, ctx, sheet, row):
        if sheet.key == "obligations":
            self.rows.apply_obligation(ctx, row)
        else:
            self.rows.apply_payment(ctx, row)


obligations_kind = ObligationsKind(
    key="obligations",
    label="给付义务（含付款记录）",
    sheets=(OBLIGATIONS, PAYMENTS),
    description="工作表“给付义务”，可另附工作表“付款记录”；CSV 文件只含给付义务（付款记录请用 payments 类别）",
)
payments_kind = ObligationsKind(
    key="payments",
    label="付款记录",
    sheets=(PAYMENTS,),
    description="已登记的给付义务的付款、利息支付和利息减免记录",
)
