"""The tolerant cell parsers: notation is forgiven, meaning never guessed (table-driven)."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from ledger.imports import values as v


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-01-05", date(2026, 1, 5)),
        ("2026/1/5", date(2026, 1, 5)),
        ("2026.1.5", date(2026, 1, 5)),
        ("2026年1月5日", date(2026, 1, 5)),
        ("２０２６年１月５日", date(2026, 1, 5)),  # full-width digits
        ("2026 年 1 月 5 日", date(2026, 1, 5)),
        ("2026-01-05 00:00:00", date(2026, 1, 5)),
        ("46027", date(2026, 1, 5)),  # Excel serial number
        ("46027.0", date(2026, 1, 5)),
        ("45351", date(2024, 2, 29)),  # a leap day by serial
        (date(2026, 1, 5), date(2026, 1, 5)),
        (datetime(2026, 1, 5, 0, 0), date(2026, 1, 5)),  # a real date cell
    ],
)
def test_dates_in_the_spellings_sheets_use(cell, expected):
    assert v.a_date(cell) == expected


def test_serial_dates_of_1904_workbooks():
    assert v.a_date("44565", epoch_1904=True) == date(2026, 1, 5)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("2026-02-30", "日期不存在：2026-02-30"),
        ("26-1-5", "日期格式无效，应为 2026-01-05、2026/1/5 或 2026年1月5日"),
        ("05/01/2026", "日期格式无效，应为 2026-01-05、2026/1/5 或 2026年1月5日"),
        ("1月5日", "日期格式无效，应为 2026-01-05、2026/1/5 或 2026年1月5日"),
        ("12", "无法识别的日期序号：12"),
        ("1900-01-01", "日期1900-01-01超出合理范围（1949-10-01至2099-12-31）"),
    ],
)
def test_dates_that_could_be_read_two_ways_or_not_at_all_are_refused(cell, reason):
    with pytest.raises(v.CellError) as exc:
        v.a_date(cell)
    assert exc.value.reason == reason


@pytest.mark.parametrize(
    ("cell", "wan", "expected"),
    [
        ("128,000.00", False, Decimal("128000.00")),
        ("１２８，０００．５", False, Decimal("128000.50")),  # full-width digits and punctuation
        ("¥128000", False, Decimal("128000.00")),
        ("128000元", False, Decimal("128000.00")),
        ("12.8", True, Decimal("128000.00")),
        ("12.345678", True, Decimal("123456.78")),  # 6 decimals of 万元 = exactly 分
        ("0.000001", True, Decimal("0.01")),
        ("1,234.5万元", True, Decimal("12345000.00")),
        ("128000.1", False, Decimal("128000.10")),
    ],
)
def test_money_is_exact(cell, wan, expected):
    assert v.money(cell, wan=wan) == expected


@pytest.mark.parametrize(
    ("cell", "wan", "reason"),
    [
        ("12.3456789", True, "金额最多保留6位小数（以万元计），不作四舍五入，请核对：12.3456789"),
        ("100.001", False, "金额最多保留2位小数（以元计），不作四舍五入，请核对：100.001"),
        ("12万", False, "该列以元计，单元格却写明为万元"),
        ("1200元", True, "该列以万元计，单元格却写明为元"),
        ("1,00,0", False, "金额格式无效：“1,00,0”"),
        ("0", False, "金额必须大于零"),
        ("-5", False, "金额必须大于零"),
    ],
)
def test_money_that_is_not_an_exact_amount_is_refused_never_rounded(cell, wan, reason):
    with pytest.raises(v.CellError) as exc:
        v.money(cell, wan=wan)
    assert exc.value.reason == reason


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("金额(元)", "金额元"),
        ("金额（元）", "金额元"),
        (" 金额 （元） ", "金额元"),
        ("*台账编号", "台账编号"),
        ("统一社会信用代码\n", "统一社会信用代码"),
        ("约定逾期利率（年，%）", "约定逾期利率年"),
        ("ＵＳＣＣ", "uscc"),
    ],
)
def test_header_variants_normalise_to_one_key(header, key):
    assert v.header_key(header) == key


@pytest.mark.parametrize(("a", "b"), [("屯政〔2026〕1号", "屯政[2026]1号"), ("屯政〔2026〕1号", "屯政（2026）1号")])
def test_document_numbers_compare_whatever_the_brackets(a, b):
    assert v.code_key(a) == v.code_key(b)


@pytest.mark.parametrize(("cell", "expected"), [("是", True), ("否", False), ("Y", True), ("√", True), ("0", False)])
def test_yes_no(cell, expected):
    assert v.yes_no(cell) is expected


def test_numbers_from_openpyxl_become_their_decimal_spelling_never_float_arithmetic():
    assert v.from_cell(128000.1) == "128000.1"
    assert v.from_cell(0.1) == "0.1"
    assert v.from_cell(12.345678) == "12.345678"
    assert v.from_cell(46027) == "46027"
    assert v.from_cell(True) == "是"
    assert v.from_cell(None) == ""


def test_rates_and_terms():
    assert v.rate("3.85%") == Decimal("3.85")
    assert v.positive_int("30天") == 30
    with pytest.raises(v.CellError):
        v.rate("3.123456")
    with pytest.raises(v.CellError):
        v.positive_int("三十")


def test_uscc_is_normalised_and_checked():
    assert v.uscc("９１３４１００２ma2ledg01w") == "91341002MA2LEDG01W"
    with pytest.raises(v.CellError) as exc:
        v.uscc("91341002MA2LEDG01X")
    assert exc.value.reason == "统一社会信用代码“91341002MA2LEDG01X”校验码错误：第18位为“X”，按 GB 32100 计算应为“W”"
