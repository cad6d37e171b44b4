"""Money: exact Decimal yuan, strict parsing, one half-up quantize (SPEC §2, R3, §5)."""

from decimal import Decimal

import pytest

from ledger.rules.errors import AmountInvalid, RuleError
from ledger.rules.money import YUAN, parse_amount, quantize_yuan, wan_to_yuan, yuan_to_wan


def test_yuan_is_one_fen():
    assert YUAN == Decimal("0.01")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.56", "1234.56"),
        ("1234.5", "1234.50"),
        ("1,234.5", "1234.50"),
        ("1,234,567.89", "1234567.89"),
        ("1，234", "1234.00"),  # full-width comma
        ("１２３４．５６", "1234.56"),  # full-width digits and point
        ("１，２３４", "1234.00"),
        (" 100 ", "100.00"),
        ("+5", "5.00"),
        ("0.01", "0.01"),
        ("1.230", "1.23"),  # trailing zeros are not precision: nothing is rounded
        ("9999999999999.99", "9999999999999.99"),
        (100, "100.00"),
        (Decimal("0.10"), "0.10"),
        (Decimal("1E+3"), "1000.00"),
    ],
)
def test_parse_amount_accepts_exact_yuan(raw, expected):
    value = parse_amount(raw, field="amount")
    assert value == Decimal(expected)
    assert str(value) == expected


@pytest.mark.parametrize(
    ("raw", "positive", "code", "detail"),
    [
        (1.5, True, "amount_float", "金额须以文本或整数提交，不接受浮点数（浮点数无法精确表示分）"),
        (0.1, False, "amount_float", "金额须以文本或整数提交，不接受浮点数（浮点数无法精确表示分）"),
        (True, True, "amount_invalid", "金额格式无效"),
        (None, True, "amount_invalid", "金额格式无效"),
        ("1.234", True, "amount_too_precise", "金额最多保留2位小数（以元计），不作四舍五入，请核对：1.234"),
        ("0.005", True, "amount_too_precise", "金额最多保留2位小数（以元计），不作四舍五入，请核对：0.005"),
        (Decimal("0.001"), True, "amount_too_precise", "金额最多保留2位小数（以元计），不作四舍五入，请核对：0.001"),
        ("10000000000000", True, "amount_too_large", "金额整数部分超过13位（以元计）"),
        ("1" * 40, True, "amount_too_large", "金额整数部分超过13位（以元计）"),
        ("0", True, "amount_not_positive", "金额必须大于零"),
        ("0.00", True, "amount_not_positive", "金额必须大于零"),
        ("-1", True, "amount_not_positive", "金额必须大于零"),
        ("-1", False, "amount_negative", "金额不能为负数"),
        ("－0.01", False, "amount_negative", "金额不能为负数"),
        ("", True, "amount_required", "金额不能为空"),
        ("   ", True, "amount_required", "金额不能为空"),
        ("abc", True, "amount_invalid", "金额格式无效：“abc”"),
        ("1e3", True, "amount_invalid", "金额格式无效：“1e3”"),
        ("NaN", True, "amount_invalid", "金额格式无效：“NaN”"),
        ("Infinity", True, "amount_invalid", "金额格式无效：“Infinity”"),
        (Decimal("NaN"), True, "amount_invalid", "金额格式无效"),
        (Decimal("-Infinity"), False, "amount_invalid", "金额格式无效"),
        ("1,00,0", True, "amount_invalid", "金额格式无效：“1,00,0”"),
        ("1,2345", True, "amount_invalid", "金额格式无效：“1,2345”"),
        (".5", True, "amount_invalid", "金额格式无效：“.5”"),
        ("5.", True, "amount_invalid", "金额格式无效：“5.”"),
        ("1 000", True, "amount_invalid", "金额格式无效：“1 000”"),
        ("١٢", True, "amount_invalid", "金额格式无效：“١٢”"),  # other scripts' digits are not folded
        ("¥100", True, "amount_invalid", "金额格式无效：“¥100”"),
    ],
)
def test_parse_amount_refuses(raw, positive, code, detail):
    with pytest.raises(AmountInvalid) as caught:
        parse_amount(raw, field="principal", positive=positive)
    assert (caught.value.code, caught.value.detail, caught.value.field) == (code, detail, "principal")
    assert isinstance(caught.value, RuleError)


@pytest.mark.parametrize(("raw", "expected"), [("0", "0.00"), ("-0", "0.00"), (0, "0.00"), ("12.3", "12.30")])
def test_parse_amount_admits_zero_when_not_positive(raw, expected):
    assert str(parse_amount(raw, field="waived", positive=False)) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (Decimal("2.345"), "2.35"),  # half up, not banker's rounding (which gives 2.34)
        (Decimal("2.335"), "2.34"),
        (Decimal("2.344999"), "2.34"),
        (Decimal("-2.345"), "-2.35"),
        (Decimal("1000.005"), "1000.01"),
        (Decimal("0.004"), "0.00"),
        (7, "7.00"),
    ],
)
def test_quantize_yuan_rounds_half_up(raw, expected):
    assert str(quantize_yuan(raw)) == expected


@pytest.mark.parametrize("raw", [2.345, "2.345", True])
def test_quantize_yuan_refuses_non_decimals(raw):
    with pytest.raises(TypeError):
        quantize_yuan(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.234567", "12345.67"),
        ("0.000001", "0.01"),
        ("12", "120000.00"),
        ("１２．５", "125000.00"),
        (Decimal("1.5"), "15000.00"),
        (3, "30000.00"),
        ("999999999.999999", "9999999999999.99"),
    ],
)
def test_wan_to_yuan_is_exact(raw, expected):
    assert str(wan_to_yuan(raw)) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("0.0000001", "amount_too_precise"),  # finer than 1 分
        ("1.2345675", "amount_too_precise"),
        ("1000000000", "amount_too_large"),
        (1.5, "amount_float"),
        ("0", "amount_not_positive"),
    ],
)
def test_wan_to_yuan_refuses(raw, code):
    with pytest.raises(AmountInvalid) as caught:
        wan_to_yuan(raw)
    assert caught.value.code == code


def test_wan_to_yuan_too_precise_message():
    with pytest.raises(AmountInvalid) as caught:
        wan_to_yuan("0.0000001", field="amount_wan")
    assert caught.value.detail == "金额最多保留6位小数（以万元计），不作四舍五入，请核对：0.0000001"
    assert caught.value.field == "amount_wan"


@pytest.mark.parametrize(
    ("yuan", "wan"),
    [
        (Decimal("12345.67"), "1.234567"),
        (Decimal("0.01"), "0.000001"),
        (Decimal("100"), "0.010000"),
        (Decimal("200000.00"), "20.000000"),
        (Decimal("0.00"), "0.000000"),
        (Decimal("-0.00"), "0.000000"),
        (Decimal("9999999999999.99"), "999999999.999999"),
        (5, "0.000500"),
    ],
)
def test_yuan_to_wan_has_six_exact_decimals(yuan, wan):
    result = yuan_to_wan(yuan)
    assert str(result) == wan
    assert format(result, "f") == wan


@pytest.mark.parametrize("yuan", [Decimal("0.001"), Decimal("1.005")])
def test_yuan_to_wan_refuses_sub_fen_amounts(yuan):
    with pytest.raises(AmountInvalid) as caught:
        yuan_to_wan(yuan)
    assert caught.value.code == "amount_too_precise"


def test_yuan_to_wan_refuses_float():
    with pytest.raises(TypeError):
        yuan_to_wan(1.5)


@pytest.mark.parametrize("yuan", ["12345.67", "0.01", "9999999999999.99", "200000.00"])
def test_wan_round_trip(yuan):
    assert wan_to_yuan(yuan_to_wan(Decimal(yuan))) == Decimal(yuan)
