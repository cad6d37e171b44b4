"""Importing obligations (给付义务) with payments from real .xlsx and .csv files made here."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ledger.api.base import history_of
from ledger.imports.report import report_xlsx
from ledger.models import EntryKind, ImportJob, ImportStatus, LedgerEntry, Obligation
from tests.factories import AgencyFactory, EnterpriseFactory
from tests.ledger.imports.helpers import OBLIGATION_HEADERS, csv_bytes, obligation_row, problems, run, xlsx

pytestmark = pytest.mark.django_db

PAYMENT_HEADERS = ["台账编号", "付款日期", "金额（元）", "说明"]


def written() -> tuple:
    """Everything an import could write, history included."""
    return (
        Obligation.objects.count(),
        LedgerEntry.objects.count(),
        Obligation.history.count(),
        LedgerEntry.history.count(),
    )


# --- tolerance ---------------------------------------------------------------------------------
def test_a_real_sheet_with_title_rows_variants_fullwidth_serial_dates_wan_hidden_and_trailing_rows(world):
    # given a sheet as agencies keep them: a merged title row, header variants (信用代码, 欠款事由,
    # 金额（万元）, 形成日期), full-width digits, an Excel serial date and a real date cell, a hidden
    # column, an unknown 备注 column, a 合计 line and trailing empty rows
    e1, e2 = world.enterprise_1, world.enterprise_2
    rows = [
        ["编号", "企业名称", "信用代码", "欠款事由", "金额（万元）", "形成日期", "付款期限（天）", "备注"],
        ["ＪＹ－００１", e1.name, e1.uscc.lower(), "道路养护服务费", "１２．８", "２０２６年１月５日", "30", "一季度"],
        ["JY-002", e2.name, e2.uscc, "绿化工程款", 3.456789, 46027, 60, ""],
        ["JY-003", e1.name, e1.uscc, "监理费", "0.000001", datetime(2026, 2, 1), None, None],
        ["合计", None, None, None, 16.256790, None, None, None],
        [None] * 8,
        ["制表人：张三", None, None, None, None, None, None, "审核人：李四"],
        [None] * 8,
        [None] * 8,
    ]
    data = xlsx(
        {"2026年欠款台账": rows}, title="屯溪区某局拖欠企业账款台账（2026年）", hidden={"2026年欠款台账": ["G"]}
    )

    # when staff of agency A import it
    job = run(world.staff_a, "obligations", data)

    # then every row is in, exactly
    assert job.status == ImportStatus.IMPORTED, job.report["problems"]
    assert (job.rows_total, job.rows_created, job.rows_unchanged) == (3, 3, 0)
    by_ref = {o.external_ref: o for o in Obligation.objects.all()}
    assert sorted(by_ref) == ["JY-001", "JY-002", "JY-003"]
    assert by_ref["JY-001"].principal == Decimal("128000.00")
    assert by_ref["JY-001"].arose_on == date(2026, 1, 5)
    assert by_ref["JY-001"].agreed_term_days == 30
    assert by_ref["JY-001"].creditor == e1
    assert by_ref["JY-002"].principal == Decimal("34567.89")
    assert by_ref["JY-002"].arose_on == date(2026, 1, 5)
    assert by_ref["JY-002"].agreed_term_days == 60
    assert by_ref["JY-003"].principal == Decimal("0.01")
    assert by_ref["JY-003"].arose_on == date(2026, 2, 1)
    assert {o.debtor_agency for o in by_ref.values()} == {world.agency_a}
    # and the report names the title row, the hidden column and the ignored one
    notes = [(n["row"], n["column"], n["reason"]) for n in job.report["notes"]]
    assert (1, "", "表头在第2行；第1行为标题等说明，已跳过") in notes
    assert (2, "G（付款期限（天））", "隐藏列，已与其他列一样读取") in notes
    assert (2, "H（备注）", "未识别的列，已忽略") in notes
    assert (8, "", "表格下方的说明行，已跳过") in notes


def test_thousands_separators_and_half_width_header_variant(world):
    rows = [
        ["台账编号", "统一社会信用代码", "事由", "金额(元)", "发生日期"],
        ["A-1", world.enterprise_1.uscc, "设备款", "1,234,567.89", "2026/3/2"],
    ]
    job = run(world.staff_a, "obligations", xlsx({"Sheet1": rows}))
    assert job.status == ImportStatus.IMPORTED
    obligation = Obligation.objects.get()
    assert obligation.principal == Decimal("1234567.89")
    assert obligation.arose_on == date(2026, 3, 2)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_gb18030(world, encoding):
    # given the same ledger saved as CSV in three encodings
    rows = [
        ["台账编号", "债权企业", "统一社会信用代码", "事由", "金额（元）", "发生日期"],
        ["CSV-1", world.enterprise_1.name, world.enterprise_1.uscc, "餐饮服务费（会务）", '"8,800.00"', "2026年2月3日"],
    ]
    data = csv_bytes(rows, encoding=encoding)
    # when imported
    job = run(world.staff_a, "obligations", data, "台账.csv")
    # then the Chinese text and the amount came through intact
    assert job.status == ImportStatus.IMPORTED, job.report["problems"]
    obligation = Obligation.objects.get()
    assert obligation.title == "餐饮服务费（会务）"
    assert obligation.principal == Decimal("8800.00")
    assert obligation.arose_on == date(2026, 2, 3)


def test_payments_sheet_beside_obligations_and_the_template_round_trip(world):
    # given the obligations template as downloaded, with its example row left in
    from ledger.imports.kinds.obligations import obligations_kind
    from ledger.imports.registry import EXAMPLE_USCC
    from ledger.imports.templates import template_xlsx

    agency = AgencyFactory(name="区交运局")
    enterprise = EnterpriseFactory(uscc=EXAMPLE_USCC, name="示例建设有限公司")
    staff = world.staff_a
    staff.agency = agency
    staff.save()
    data = template_xlsx(obligations_kind)

    # when it is imported
    job = run(staff, "obligations", data)

    # then the example obligation and its payment are recorded
    assert job.status == ImportStatus.IMPORTED, job.report["problems"]
    obligation = Obligation.objects.get()
    assert (obligation.external_ref, obligation.creditor, obligation.principal) == (
        "JY-2026-001",
        enterprise,
        Decimal("128000.00"),
    )
    assert obligation.regime == "sme_procurement"
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.on, entry.amount, entry.note) == (
        EntryKind.PAYMENT,
        date(2026, 2, 10),
        Decimal("50000.00"),
        "第一笔",
    )
    # paid 6 days late: 128,000.00 × 0.05 % × 6 = 384.00 interest first (民法典 art. 561)
    assert Obligation.objects.get().principal_paid == Decimal("49616.00")


# --- bad rows: one bad row and nothing is written -----------------------------------------------
def _sheet(world, *extra_rows, headers=OBLIGATION_HEADERS):
    return xlsx({"给付义务": [headers, obligation_row(world.enterprise_1, "OK-1"), *extra_rows]})


def test_bad_uscc(world):
    bad = obligation_row(world.enterprise_2, "BAD-1", uscc="91341002MA2LEDG01X")
    before = written()
    job = run(world.staff_a, "obligations", _sheet(world, bad))
    assert job.status == ImportStatus.REJECTED
    assert problems(job) == [
        (
            3,
            "C（统一社会信用代码）",
            "统一社会信用代码“91341002MA2LEDG01X”校验码错误：第18位为“X”，按 GB 32100 计算应为“W”",
        )
    ]
    assert written() == before


def test_unknown_enterprise(world):
    from ledger.rules.uscc import make_demo_uscc

    stranger = make_demo_uscc("91341002MA2LEDG02")
    bad = obligation_row(world.enterprise_2, "BAD-1", uscc=stranger)
    before = written()
    job = run(world.staff_a, "obligations", _sheet(world, bad))
    assert problems(job) == [
        (3, "C（统一社会信用代码）", f"企业名录中没有统一社会信用代码为{stranger}的企业（企业须先经管理员核实登记）")
    ]
    assert written() == before


def test_over_precise_wan_amount(world):
    headers = [*OBLIGATION_HEADERS[:4], "金额（万元）", *OBLIGATION_HEADERS[5:]]
    good = obligation_row(world.enterprise_1, "OK-1", amount="12.8")
    bad = obligation_row(world.enterprise_2, "BAD-1", amount="12.3456789")
    before = written()
    job = run(world.staff_a, "obligations", xlsx({"给付义务": [headers, good, bad]}))
    assert problems(job) == [
        (3, "E（金额（万元））", "金额最多保留6位小数（以万元计），不作四舍五入，请核对：12.3456789")
    ]
    assert job.report["problems"][0]["value"] == "12.3456789"
    assert written() == before


def test_unknown_agency(world):
    headers = ["债务单位", *OBLIGATION_HEADERS]
    rows = [
        headers,
        [world.agency_a.name, *obligation_row(world.enterprise_1)],
        ["不存在局", *obligation_row(world.enterprise_1, "X-2")],
    ]
    before = written()
    job = run(world.administrator, "obligations", xlsx({"给付义务": rows}))
    assert problems(job) == [(3, "A（债务单位）", "单位“不存在局”不存在（请填写单位全称、简码或统一社会信用代码）")]
    assert written() == before


def test_staff_cannot_import_another_agencys_rows(world):
    headers = ["债务单位", *OBLIGATION_HEADERS]
    rows = [
        headers,
        [world.agency_a.name, *obligation_row(world.enterprise_1)],
        [world.agency_b.short_code, *obligation_row(world.enterprise_1, "X-2")],
    ]
    before = written()
    job = run(world.staff_a, "obligations", xlsx({"给付义务": rows}))
    assert problems(job) == [
        (
            3,
            "A（债务单位）",
            f"不能导入其他单位（{world.agency_b.name}）的数据：只能导入本单位（{world.agency_a.name}）的台账",
        )
    ]
    assert written() == before


def test_bad_date(world):
    bad = obligation_row(world.enterprise_2, "BAD-1", arose="2026-13-01")
    before = written()
    job = run(world.staff_a, "obligations", _sheet(world, bad))
    assert problems(job) == [(3, "F（发生日期）", "日期不存在：2026-13-01")]
    assert written() == before


def test_missing_required_column(world):
    headers = [h for h in OBLIGATION_HEADERS if h != "发生日期"]
    row = obligation_row(world.enterprise_1)
    del row[5]
    before = written()
    job = run(world.staff_a, "obligations", xlsx({"给付义务": [headers, row]}))
    assert problems(job) == [
        (1, "发生日期", "缺少必填列“发生日期”（也可写作：形成日期、欠款日期、发生时间、债务形成日期）")
    ]
    assert written() == before


def test_empty_required_cell(world):
    bad = obligation_row(world.enterprise_2, "BAD-1", title=None)
    before = written()
    job = run(world.staff_a, "obligations", _sheet(world, bad))
    assert problems(job) == [(3, "D（事由）", "必填项“事由”为空")]
    assert written() == before


def test_duplicate_keys_within_the_file(world):
    before = written()
    job = run(world.staff_a, "obligations", _sheet(world, obligation_row(world.enterprise_2, "ok-1")))
    assert problems(job) == [(3, "A（台账编号）", "与第2行重复（同一台账编号）")]
    assert written() == before


def test_a_service_refusal_rolls_back_the_rows_already_applied(world):
    # given a file whose rows all read well, but whose second row the service refuses
    # (a 条例 rate needs the LPR at signing, which the LPR table does not have)
    headers = [*OBLIGATION_HEADERS, "合同类型", "签约时声明为中小企业", "签约日期", "约定逾期利率（年，%）"]
    good = [*obligation_row(world.enterprise_1, "OK-1"), "", "", "", ""]
    bad = [*obligation_row(world.enterprise_2, "SVC-1"), "政府采购", "是", "2026-01-02", "5"]
    before = written()
    # when imported
    job = run(world.staff_a, "obligations", xlsx({"给付义务": [headers, good, bad]}))
    # then the first row is not kept either
    assert job.status == ImportStatus.REJECTED
    assert problems(job) == [
        (3, "J（签约日期）", "LPR表中没有签约日适用的1年期LPR，无法核定约定利率的下限，请管理员补录")
    ]
    assert written() == before


def test_the_report_downloads_as_xlsx(world):
    job = run(world.staff_a, "obligations", _sheet(world, obligation_row(world.enterprise_2, "X", arose="2026-13-01")))
    book = load_workbook(io.BytesIO(report_xlsx(job)))
    assert book.sheetnames == ["概况", "问题清单", "导入结果"]
    sheet = book["问题清单"]
    assert [c.value for c in sheet[1]] == ["级别", "工作表", "行号", "列", "单元格内容", "问题说明"]
    assert [c.value for c in sheet[2]] == [
        "错误",
        "给付义务",
        3,
        "F（发生日期）",
        "2026-13-01",
        "日期不存在：2026-13-01",
    ]


def test_an_unreadable_file_is_a_rejected_job(world):
    job = run(world.staff_a, "obligations", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100, "旧台账.xls")
    assert job.status == ImportStatus.REJECTED
    assert problems(job) == [(None, "", "不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再上传")]
    job = run(world.staff_a, "obligations", xlsx({"给付义务": [["随便", "什么"], ["1", "2"]]}))
    assert problems(job) == [
        (
            None,
            "",
            "工作表“给付义务”的前10行中找不到表头（应含：台账编号、统一社会信用代码、事由、金额（元）、发生日期）",
        )
    ]


# --- dry run, idempotence, changes -------------------------------------------------------------
def test_dry_run_shows_what_would_be_created_and_writes_nothing(world):
    data = _sheet(world, obligation_row(world.enterprise_2, "OK-2"))
    before = written()
    job = run(world.staff_a, "obligations", data, dry_run=True)
    assert job.status == ImportStatus.VALIDATED
    assert (job.rows_total, job.rows_created) == (2, 2)
    assert [(c["action"], c["row"]) for c in job.report["changes"]] == [("create", 2), ("create", 3)]
    assert written() == before


def test_the_same_file_twice_creates_nothing_new(world):
    data = xlsx(
        {
            "给付义务": [
                OBLIGATION_HEADERS,
                obligation_row(world.enterprise_1, "R-1"),
                obligation_row(world.enterprise_2, "R-2"),
            ],
            "付款记录": [PAYMENT_HEADERS, ["R-1", "2026-02-10", "10,000.00", "首付"], ["R-2", "2026-02-11", "500", ""]],
        }
    )
    first = run(world.staff_a, "obligations", data)
    assert first.status == ImportStatus.IMPORTED
    after_first = written()
    assert after_first[:2] == (2, 2)

    second = run(world.staff_a, "obligations", data)

    assert second.status == ImportStatus.IMPORTED
    assert (second.rows_created, second.rows_updated, second.rows_unchanged) == (0, 0, 4)
    assert written() == after_first
    assert ImportJob.objects.filter(file_sha256=first.file_sha256).count() == 2


def test_identical_payment_rows_are_two_payments_once(world):
    # two instalments of the same amount on the same day are two payments; a re-import adds none
    data = xlsx(
        {
            "给付义务": [OBLIGATION_HEADERS, obligation_row(world.enterprise_1, "P-1")],
            "付款记录": [PAYMENT_HEADERS, ["P-1", "2026-02-10", "1000", ""], ["P-1", "2026-02-10", "1000", ""]],
        }
    )
    run(world.staff_a, "obligations", data)
    run(world.staff_a, "obligations", data)
    assert LedgerEntry.objects.filter(amount=Decimal("1000.00")).count() == 2
    # and a payments-only file naming the obligation by 台账编号 adds only what is new
    more = xlsx({"付款记录": [PAYMENT_HEADERS, ["P-1", "2026-02-10", "1000", ""], ["P-1", "2026-03-01", "2000", ""]]})
    job = run(world.staff_a, "payments", more)
    assert (job.rows_created, job.rows_unchanged) == (1, 1)
    assert LedgerEntry.objects.count() == 3
    assert Obligation.objects.get().principal_paid == Decimal("4000.00")


def test_a_changed_row_updates_its_record_and_shows_in_history(world):
    headers = [*OBLIGATION_HEADERS, "争议金额（元）", "争议说明"]
    run(
        world.staff_a,
        "obligations",
        xlsx({"给付义务": [headers, [*obligation_row(world.enterprise_1, "H-1"), "", ""]]}),
    )
    obligation = Obligation.objects.get()

    job = run(
        world.staff_a,
        "obligations",
        xlsx({"给付义务": [headers, [*obligation_row(world.enterprise_1, "H-1"), "8,000", "验收数量有争议"]]}),
    )

    assert job.status == ImportStatus.IMPORTED
    assert (job.rows_created, job.rows_updated) == (0, 1)
    assert job.report["changes"][0]["detail"] == "争议金额：0.00 → 8000.00"
    obligation.refresh_from_db()
    assert (obligation.disputed_amount, obligation.dispute_note) == (Decimal("8000.00"), "验收数量有争议")
    last = history_of(obligation)[-1]
    assert last["type"] == "changed"
    assert {"field": "disputed_amount", "old": "0.00", "new": "8000.00"} in last["changes"]
    assert Obligation.objects.count() == 1


def test_a_changed_fact_of_a_recorded_obligation_is_refused(world):
    run(world.staff_a, "obligations", _sheet(world))
    before = written()
    rows = [
        OBLIGATION_HEADERS,
        obligation_row(world.enterprise_1, "OK-1", amount="130000"),
        obligation_row(world.enterprise_2, "NEW-1"),
    ]
    job = run(world.staff_a, "obligations", xlsx({"给付义务": rows}))
    reference = Obligation.objects.get(external_ref="OK-1").reference
    assert problems(job) == [
        (
            2,
            "E（金额（元））",
            f"台账编号OK-1的给付义务（{reference}）已登记，其“金额（元）”为128000.00，表中为130000.00："
            "到期日和金额所依据的事实登记后不能通过导入修改，如确有错误请联系管理员更正",
        )
    ]
    assert written() == before


# --- who imports for whom -------------------------------------------------------------------------
def test_an_administrator_imports_rows_naming_any_agency(world):
    headers = ["债务单位", *OBLIGATION_HEADERS]
    rows = [
        headers,
        [world.agency_a.name, *obligation_row(world.enterprise_1, "A-1")],
        [world.agency_b.uscc, *obligation_row(world.enterprise_1, "B-1")],
        ["", *obligation_row(world.enterprise_1, "C-1")],
    ]
    job = run(world.administrator, "obligations", xlsx({"给付义务": rows}))
    assert problems(job) == [(4, "A（债务单位）", "须填写单位（本次导入未指定单位）")]
    job = run(world.administrator, "obligations", xlsx({"给付义务": rows[:3]}))
    assert job.status == ImportStatus.IMPORTED
    assert job.agency is None
    assert {(o.external_ref, o.debtor_agency_id) for o in Obligation.objects.all()} == {
        ("A-1", world.agency_a.pk),
        ("B-1", world.agency_b.pk),
    }


def test_staff_of_a_successor_import_the_merged_agencys_rows(world):
    old = AgencyFactory(successor=world.agency_a, succeeded_on=date(2024, 3, 1))
    rows = [["债务单位", *OBLIGATION_HEADERS], [old.name, *obligation_row(world.enterprise_1, "OLD-1")]]
    job = run(world.staff_a, "obligations", xlsx({"给付义务": rows}))
    assert job.status == ImportStatus.IMPORTED
    assert Obligation.objects.get().debtor_agency == old


def test_the_same_reference_in_two_agencies_is_two_obligations(world):
    run(world.staff_a, "obligations", _sheet(world))
    job = run(world.staff_b, "obligations", _sheet(world))
    assert job.status == ImportStatus.IMPORTED
    assert Obligation.objects.filter(external_ref="OK-1").count() == 2


def test_an_imported_obligation_is_created_with_its_reference_in_its_history(world):
    run(world.staff_a, "obligations", _sheet(world))
    obligation = Obligation.objects.get()
    history = history_of(obligation)
    assert [h["type"] for h in history] == ["created"]
    assert {"field": "external_ref", "old": None, "new": "OK-1"} in history[0]["changes"]
    record = obligation.history.get()
    assert (record.external_ref, record.history_user) == ("OK-1", world.staff_a)
