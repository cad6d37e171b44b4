"""SPEC R8 / GB 32100-2015. Every full code below had its check digit computed by a separate
implementation using the literal weight list of domain-rules.md §3, not by the code under test."""

import pytest

from ledger.rules import uscc
from ledger.rules.errors import RuleError
from ledger.rules.uscc import UsccInvalid

# Each 登记管理部门码 with every 机构类别码 it allows (table in uscc.CATEGORIES / domain-rules §3).
VALID_BY_CATEGORY = [
    "11341002MA2N3P4Q5E",
    "12341002MA2N3P4Q5B",
    "13341002MA2N3P4Q58",
    "19341002MA2N3P4Q5M",
    "21341002MA2N3P4Q5D",
    "29341002MA2N3P4Q5L",
    "31341002MA2N3P4Q5C",
    "32341002MA2N3P4Q59",
    "33341002MA2N3P4Q56",
    "34341002MA2N3P4Q53",
    "35341002MA2N3P4Q50",
    "39341002MA2N3P4Q5K",
    "41341002MA2N3P4Q5B",
    "49341002MA2N3P4Q5J",
    "51341002MA2N3P4Q5A",
    "52341002MA2N3P4Q57",
    "53341002MA2N3P4Q54",
    "59341002MA2N3P4Q5H",
    "61341002MA2N3P4Q59",
    "69341002MA2N3P4Q5G",
    "71341002MA2N3P4Q58",
    "72341002MA2N3P4Q55",
    "79341002MA2N3P4Q5F",
    "81341002MA2N3P4Q57",
    "89341002MA2N3P4Q5E",
    "91341002MA2N3P4Q56",
    "92341002MA2N3P4Q53",
    "93341002MA2N3P4Q50",
    "A1341002MA2N3P4Q55",
    "A9341002MA2N3P4Q5C",
    "N1341002MA2N3P4Q5Q",
    "N2341002MA2N3P4Q5M",
    "N3341002MA2N3P4Q5J",
    "N9341002MA2N3P4Q50",
    "Y1341002MA2N3P4Q5G",
]


@pytest.mark.parametrize("code", VALID_BY_CATEGORY)
def test_every_allowed_category_of_every_authority_is_valid(code):
    assert uscc.validate(code) == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("91110000600037341L", "91110000600037341L"),
        ("91110108551385082Q", "91110108551385082Q"),
        # lower case, full width, spaces and the ideographic space are normalised and echoed
        ("91110108551385082q", "91110108551385082Q"),
        ("９１１１０１０８５５１３８５０８２Ｑ", "91110108551385082Q"),
        ("９１１１０１０８５５１３８５０８２ｑ", "91110108551385082Q"),
        ("  9111 0108 5513 8508 2Q\n", "91110108551385082Q"),
        ("\u30009111010855138508２q\u3000", "91110108551385082Q"),
        ("n2341002ma2n3p4q5m", "N2341002MA2N3P4Q5M"),
    ],
)
def test_valid_codes_are_returned_normalised(raw, expected):
    assert uscc.validate(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("９１１１０１０８５５１３８５０８２ｑ", "91110108551385082Q"),
        (" a1b2 ", "A1B2"),
        ("", ""),
    ],
)
def test_normalize(raw, expected):
    assert uscc.normalize(raw) == expected


@pytest.mark.parametrize(
    ("code", "first", "second", "authority", "allowed"),
    [
        ("14341002MA2N3P4Q55", "1", "4", "机构编制", "1、2、3、9"),
        ("22341002MA2N3P4Q5A", "2", "2", "外交", "1、9"),
        ("36341002MA2N3P4Q5W", "3", "6", "司法行政", "1、2、3、4、5、9"),
        ("42341002MA2N3P4Q58", "4", "2", "文化", "1、9"),
        ("54341002MA2N3P4Q51", "5", "4", "民政", "1、2、3、9"),
        ("62341002MA2N3P4Q56", "6", "2", "旅游", "1、9"),
        ("73341002MA2N3P4Q52", "7", "3", "宗教", "1、2、9"),
        ("82341002MA2N3P4Q54", "8", "2", "工会", "1、9"),
        ("94341002MA2N3P4Q5W", "9", "4", "工商", "1、2、3"),
        ("A2341002MA2N3P4Q52", "A", "2", "中央军委改革和编制办公室", "1、9"),
        ("N4341002MA2N3P4Q5F", "N", "4", "农业", "1、2、3、9"),
        ("Y9341002MA2N3P4Q5P", "Y", "9", "其他", "1"),
    ],
)
def test_category_not_allowed_for_the_authority(code, first, second, authority, allowed):
    # given a code whose check digit is right but whose 机构类别码 does not fit its authority
    # when
    with pytest.raises(UsccInvalid) as caught:
        uscc.validate(code)
    # then
    assert caught.value.code == "uscc_invalid_category"
    assert caught.value.detail == (
        f"统一社会信用代码“{code}”第2位（机构类别码）“{second}”"
        f"与登记管理部门码“{first}”（{authority}）不匹配，应为{allowed}之一"
    )


@pytest.mark.parametrize(
    "code",
    [
        "01341002MA2N3P4Q5F",  # 0 is in the alphabet but no authority
        "B1341002MA2N3P4Q54",  # B likewise
    ],
)
def test_invalid_registration_authority(code):
    with pytest.raises(UsccInvalid) as caught:
        uscc.validate(code)
    assert caught.value.code == "uscc_invalid_registration_authority"
    assert caught.value.detail == (
        f"统一社会信用代码“{code}”第1位（登记管理部门码）“{code[0]}”无效，应为1–9、A、N、Y之一"
    )


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
@pytest.mark.parametrize("position", [1, 10, 18])
def test_each_forbidden_letter_is_named_with_its_position(letter, position):
    # given a well-formed code with one character replaced by a letter GB 32100 excludes
    base = "91110000600037341L"
    code = base[: position - 1] + letter + base[position:]
    # when
    with pytest.raises(UsccInvalid) as caught:
        uscc.validate(code)
    # then
    assert caught.value.code == "uscc_invalid_character"
    assert caught.value.detail == (
        f"统一社会信用代码“{code}”第{position}位“{letter}”不是有效字符（代码不使用字母 I、O、Z、S、V）"
    )


def test_punctuation_is_an_invalid_character():
    with pytest.raises(UsccInvalid) as caught:
        uscc.validate("9111000060003734-L")
    assert caught.value.code == "uscc_invalid_character"
    assert caught.value.detail == (
        "统一社会信用代码“9111000060003734-L”第17位“-”不是有效字符"
        "（代码只能由数字和除 I、O、Z、S、V 以外的大写字母组成）"
    )


@pytest.mark.parametrize(
    ("raw", "normalised", "length"),
    [
        ("91110000600037341", "91110000600037341", 17),
        ("91110000600037341L0", "91110000600037341L0", 19),
        ("9111000060003734１ｌ０", "91110000600037341L0", 19),
    ],
)
def test_wrong_length(raw, normalised, length):
    with pytest.raises(UsccInvalid) as caught:
        uscc.validate(raw)
    assert caught.value.code == "uscc_invalid_length"
    assert caught.value.detail == f"统一社会信用代码“{normalised}”应为18位，实为{length}位"


@pytest.mark.parametrize(
    ("code", "got", "expected"),
    [
        ("91110000600037341M", "M", "L"),
        ("91110108551385082R", "R", "Q"),
        ("91110108551385083Q", "Q", "U"),  # a typo in the body is caught by the check digit
    ],
)
def test_bad_check_digit_names_the_expected_one(code, got, expected):
    with pytest.raises(UsccInvalid) as caught:
        uscc.validate(code)
    assert caught.value.code == "uscc_invalid_check_digit"
    assert caught.value.detail == (
        f"统一社会信用代码“{code}”校验码错误：第18位为“{got}”，按 GB 32100 计算应为“{expected}”"
    )


def test_region_must_be_six_digits():
    with pytest.raises(UsccInvalid) as caught:
        uscc.validate("91A41002MA2N3P4Q55")
    assert caught.value.code == "uscc_invalid_region"
    assert caught.value.detail == (
        "统一社会信用代码“91A41002MA2N3P4Q55”第3–8位（登记管理机关行政区划码）应为6位数字，实为“A41002”"
    )


@pytest.mark.parametrize(
    ("raw", "detail"),
    [("", "统一社会信用代码不能为空"), ("  ", "统一社会信用代码不能为空"), (None, "统一社会信用代码须为文本")],
)
def test_missing_code(raw, detail):
    with pytest.raises(UsccInvalid) as caught:
        uscc.validate(raw)
    assert (caught.value.code, caught.value.detail) == ("uscc_required", detail)


def test_error_is_a_rule_error_carrying_the_field():
    with pytest.raises(RuleError) as caught:
        uscc.validate("123", field="creditor_uscc")
    assert isinstance(caught.value, ValueError)
    assert caught.value.field == "creditor_uscc"
    assert str(caught.value) == "统一社会信用代码“123”应为18位，实为3位"


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("91110000600037341", "L"),
        ("91110108551385082", "Q"),
        ("11341002MB1234567", "N"),
        ("A1341002MA2N3P4Q5", "5"),
    ],
)
def test_calc_check_digit(first17, check):
    assert uscc.calc_check_digit(first17) == check


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("11341002MA2N3P4Q5E", "机关"),
        ("12341002MA2N3P4Q5B", "事业单位"),
        ("13341002MA2N3P4Q58", "群团组织"),
        ("19341002MA2N3P4Q5M", "其他"),
        ("51341002MA2N3P4Q5A", "其他"),
        ("91110000600037341L", "其他"),
        ("y1341002ma2n3p4q5g", "其他"),
    ],
)
def test_category_for_export(code, kind):
    assert uscc.category(code) == kind


def test_category_refuses_an_invalid_code():
    with pytest.raises(UsccInvalid):
        uscc.category("11341002MA2N3P4Q5F")


@pytest.mark.parametrize(
    ("prefix", "code"),
    [
        ("11341002MB1234567", "11341002MB1234567N"),
        ("n2341002ma2n3p4q5", "N2341002MA2N3P4Q5M"),
        ("91110000600037341", "91110000600037341L"),
    ],
)
def test_make_demo_uscc_appends_the_check_digit(prefix, code):
    assert uscc.make_demo_uscc(prefix) == code


@pytest.mark.parametrize(
    ("prefix", "error"),
    [
        ("1134100MB1234567", "uscc_invalid_length"),
        ("14341002MB1234567", "uscc_invalid_category"),
        ("11341002MB123456I", "uscc_invalid_character"),
        ("1134100XMB1234567", "uscc_invalid_region"),
    ],
)
def test_make_demo_uscc_refuses_a_bad_prefix(prefix, error):
    with pytest.raises(UsccInvalid) as caught:
        uscc.make_demo_uscc(prefix)
    assert caught.value.code == error
