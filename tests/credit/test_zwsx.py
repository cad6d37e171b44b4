"""Row checks of zwsx-1 (pure): every USCC per R8, required columns, dates, exact 万元."""

import pytest

from credit import zwsx
from ledger.rules.uscc import make_demo_uscc

ORGAN = make_demo_uscc("11341002TET900001")
AUTHORITY = make_demo_uscc("11341002TET900002")
FIRM = make_demo_uscc("91341002TET900003")


def good_row(**changes):
    row = {
        "记录编号": "ZWSX-TEST",
        "操作类型": "新增",
        "失信主体名称": "区交运局",
        "失信主体统一社会信用代码": ORGAN,
        "主体类别": "机关",
        "失信类型": "拖欠账款",
        "失信行为描述": "拖欠工程款",
        "认定依据": "优化营商环境条例第三十一条",
        "认定单位": "区政府",
        "认定单位统一社会信用代码": AUTHORITY,
        "认定日期": "2026-06-15",
        "失信等级": "一般",
        "涉及金额（万元）": "25.000000",
        "相对方名称": "某公司",
        "相对方统一社会信用代码": FIRM,
        "公示起始日期": "2026-06-15",
        "公示截止日期": "2027-06-15",
        "信用修复状态": "未修复",
        "数据来源单位": "区发改委",
        "数据来源单位统一社会信用代码": AUTHORITY,
        "备注": "",
    }
    row.update(changes)
    return row


def test_a_good_row_has_no_faults():
    assert zwsx.check_row(good_row()) == {}
    assert zwsx.check_row(good_row(**{"涉及金额（万元）": "", "相对方名称": "", "相对方统一社会信用代码": ""})) == {}
    assert list(zwsx.COLUMNS) == list(good_row())


@pytest.mark.parametrize(
    ("changes", "column", "message_part"),
    [
        ({"失信主体名称": " "}, "失信主体名称", "必填项为空"),
        ({"失信主体统一社会信用代码": ""}, "失信主体统一社会信用代码", "必填项为空"),
        (
            {"失信主体统一社会信用代码": ORGAN[:17] + ("0" if ORGAN[17] != "0" else "1")},
            "失信主体统一社会信用代码",
            "校验码错误",
        ),
        ({"认定单位统一社会信用代码": AUTHORITY.lower()}, "认定单位统一社会信用代码", "未规范化"),
        ({"数据来源单位统一社会信用代码": "12345"}, "数据来源单位统一社会信用代码", "应为18位"),
        ({"相对方统一社会信用代码": ""}, "相对方统一社会信用代码", "相对方统一社会信用代码不能为空"),
        ({"相对方名称": ""}, "相对方名称", "相对方名称不能为空"),
        ({"主体类别": "事业单位"}, "主体类别", "不符"),
        ({"操作类型": "删除"}, "操作类型", "无效"),
        ({"失信等级": "较重"}, "失信等级", "无效"),
        ({"认定日期": "2026-6-15"}, "认定日期", "YYYY-MM-DD"),
        ({"公示起始日期": "2026-02-30"}, "公示起始日期", "YYYY-MM-DD"),
        ({"公示截止日期": "2026-06-14"}, "公示截止日期", "早于"),
        ({"涉及金额（万元）": "25.00"}, "涉及金额（万元）", "6位小数"),
        ({"涉及金额（万元）": "25.0000001"}, "涉及金额（万元）", "6位小数"),
        ({"涉及金额（万元）": "-1.000000"}, "涉及金额（万元）", "6位小数"),
    ],
)
def test_faults_name_the_column(changes, column, message_part):
    faults = zwsx.check_row(good_row(**changes))
    assert list(faults) == [column]
    assert message_part in faults[column]


def test_a_missing_column_is_a_fault():
    row = good_row()
    del row["备注"]
    assert zwsx.check_row(row) == {"备注": "缺少该列或值不是文本"}


def test_the_fingerprint_ignores_the_operation_only():
    assert zwsx.fingerprint(good_row()) == zwsx.fingerprint(good_row(**{"操作类型": "变更"}))
    assert zwsx.fingerprint(good_row()) != zwsx.fingerprint(good_row(备注="x"))


SEED_CODE = make_demo_uscc("11341002DEM000007")  # as seeds/loader.py mints where no real code is known


@pytest.mark.parametrize(
    ("column", "live", "demo_codes", "faulty"),
    [
        ("失信主体统一社会信用代码", False, (), False),  # a demo batch may carry demo codes
        ("失信主体统一社会信用代码", True, (), True),  # minted by the seeds: the code itself tells
        ("认定单位统一社会信用代码", True, (), True),
        ("数据来源单位统一社会信用代码", True, (), True),
        ("相对方统一社会信用代码", True, (), True),
    ],
)
def test_a_live_row_refuses_a_seed_minted_code(column, live, demo_codes, faulty):
    row = good_row(**{column: SEED_CODE})
    faults = zwsx.check_row(row, live=live, demo_codes=demo_codes)
    expected = {column: f"统一社会信用代码“{SEED_CODE}”是演示代码，不得报送信用平台；请录入真实代码后更正本记录"}
    assert faults == (expected if faulty else {})


def test_a_live_row_refuses_a_code_marked_demo():
    assert zwsx.check_row(good_row(), live=True, demo_codes={FIRM}) == {
        "相对方统一社会信用代码": f"统一社会信用代码“{FIRM}”是演示代码，不得报送信用平台；请录入真实代码后更正本记录"
    }
    assert zwsx.check_row(good_row(), live=True, demo_codes={"91341002TET900099"}) == {}
    assert zwsx.check_row(good_row(), live=False, demo_codes={FIRM}) == {}


def _document(row):
    return {
        "format": "zwsx-1",
        "batch_sequence": 1,
        "as_of": "2026-06-30",
        "demo": False,
        "row_count": 1,
        "rows": [row],
    }


# Faults the JSON Schema sees by structure alone; the rest (check digit, category against the code,
# calendar dates, date order, name with code) only the row checks see — the batch runs both.
STRUCTURAL = [
    {"失信主体名称": " "},
    {"失信主体统一社会信用代码": ""},
    {"认定单位统一社会信用代码": AUTHORITY.lower()},
    {"数据来源单位统一社会信用代码": "12345"},
    {"操作类型": "删除"},
    {"失信等级": "较重"},
    {"认定日期": "2026-6-15"},
    {"涉及金额（万元）": "25.00"},
    {"涉及金额（万元）": "25.0000001"},
    {"涉及金额（万元）": "-1.000000"},
]


def test_the_schema_and_the_row_checks_agree():
    import jsonschema

    validator = jsonschema.Draft202012Validator(zwsx.load_schema())
    assert list(validator.iter_errors(_document(good_row()))) == []
    assert validator.is_valid(
        _document(good_row(**{"涉及金额（万元）": "", "相对方名称": "", "相对方统一社会信用代码": ""}))
    )
    for changes in STRUCTURAL:
        row = good_row(**changes)
        assert zwsx.check_row(row) != {}, changes
        assert not validator.is_valid(_document(row)), changes
