"""SPEC R10: publicity windows (信用修复管理办法, NDRC 令第36号, from 2026-04-01) and repair."""

from datetime import date

import pytest

from ledger.rules.errors import PublicityError
from ledger.rules.publicity import (
    DEFAULT_WINDOWS,
    PublicityWindow,
    can_repair,
    is_expired,
    publicity_dates,
    window_for,
)


@pytest.mark.parametrize(
    ("severity", "determined_on", "published", "min_months", "max_months"),
    [
        ("轻微", date(2026, 4, 1), False, 0, 3),
        ("一般", date(2026, 4, 1), True, 3, 12),
        ("严重", date(2026, 4, 1), True, 12, 36),
        ("严重", date(2030, 1, 1), True, 12, 36),
    ],
)
def test_default_windows_of_order_36(severity, determined_on, published, min_months, max_months):
    window = window_for(severity, determined_on)
    assert (window.severity, window.published, window.min_months, window.max_months) == (
        severity,
        published,
        min_months,
        max_months,
    )
    assert window.effective_from == date(2026, 4, 1)
    assert window.basis.startswith("《信用修复管理办法》（国家发展改革委令第36号，2026年4月1日起施行）")


def test_default_windows_cover_each_severity_once():
    assert sorted(w.severity for w in DEFAULT_WINDOWS) == sorted(["轻微", "一般", "严重"])


OLDER = PublicityWindow("严重", True, 6, 36, "发改办财金〔2019〕527号", date(2019, 7, 1))
TABLE = (*DEFAULT_WINDOWS, OLDER)


@pytest.mark.parametrize(
    ("determined_on", "expected"),
    [
        (date(2026, 3, 31), OLDER),
        (date(2019, 7, 1), OLDER),
        (date(2026, 4, 1), DEFAULT_WINDOWS[2]),
    ],
)
def test_window_in_force_on_the_determination_date(determined_on, expected):
    assert window_for("严重", determined_on, TABLE) == expected


@pytest.mark.parametrize(
    ("severity", "determined_on", "windows", "code"),
    [
        ("一般", date(2026, 3, 31), DEFAULT_WINDOWS, "publicity_window_missing"),
        ("一般", date(2026, 3, 31), TABLE, "publicity_window_missing"),
        ("严重", date(2019, 6, 30), TABLE, "publicity_window_missing"),
        ("中等", date(2026, 5, 1), DEFAULT_WINDOWS, "publicity_invalid_severity"),
    ],
)
def test_window_for_refuses(severity, determined_on, windows, code):
    with pytest.raises(PublicityError) as caught:
        window_for(severity, determined_on, windows)
    assert caught.value.code == code


def test_window_missing_message():
    with pytest.raises(PublicityError) as caught:
        window_for("一般", date(2026, 3, 31))
    assert caught.value.detail == "2026-03-31无适用的“一般”失信信息公示期限规则，请由管理员录入"


GENERAL, SERIOUS, MINOR = (window_for(s, date(2026, 4, 1)) for s in ("一般", "严重", "轻微"))


@pytest.mark.parametrize(
    ("determined_on", "window", "expected"),
    [
        (date(2026, 4, 10), GENERAL, (date(2026, 4, 10), date(2026, 7, 10), date(2027, 4, 10))),
        (date(2026, 5, 31), SERIOUS, (date(2026, 5, 31), date(2027, 5, 31), date(2029, 5, 31))),
        # month ends: no corresponding day → the month's last day (民法典 art. 202)
        (date(2026, 11, 30), GENERAL, (date(2026, 11, 30), date(2027, 2, 28), date(2027, 11, 30))),
        (date(2027, 11, 30), GENERAL, (date(2027, 11, 30), date(2028, 2, 29), date(2028, 11, 30))),
        (date(2028, 2, 29), SERIOUS, (date(2028, 2, 29), date(2029, 2, 28), date(2031, 2, 28))),
        (date(2026, 4, 30), MINOR, (date(2026, 4, 30), date(2026, 4, 30), date(2026, 7, 30))),
        # no roll: Sat 2026-07-11 and 国庆 2027-10-01 stay as they are
        (date(2026, 4, 11), GENERAL, (date(2026, 4, 11), date(2026, 7, 11), date(2027, 4, 11))),
        (date(2026, 10, 1), SERIOUS, (date(2026, 10, 1), date(2027, 10, 1), date(2029, 10, 1))),
    ],
)
def test_publicity_dates(determined_on, window, expected):
    assert publicity_dates(determined_on, window) == expected


MIN_END = date(2026, 7, 10)


@pytest.mark.parametrize(
    ("as_of", "performed", "committed", "reasons"),
    [
        (date(2026, 7, 11), True, True, []),
        (date(2027, 1, 1), True, True, []),
        # the minimum period runs through 24:00 of its last day (民法典 art. 203)
        (date(2026, 7, 10), True, True, ["最短公示期尚未届满（2026-07-10届满）"]),
        (date(2026, 7, 11), False, True, ["失信行为尚未纠正、法定义务尚未履行完毕"]),
        (date(2026, 7, 11), True, False, ["尚未作出公开信用承诺"]),
        (
            date(2026, 5, 1),
            False,
            False,
            ["最短公示期尚未届满（2026-07-10届满）", "失信行为尚未纠正、法定义务尚未履行完毕", "尚未作出公开信用承诺"],
        ),
    ],
)
def test_can_repair(as_of, performed, committed, reasons):
    assert (
        can_repair(as_of=as_of, min_end=MIN_END, obligation_performed=performed, commitment_recorded=committed)
        == reasons
    )


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2027, 4, 9), False),
        (date(2027, 4, 10), False),  # 公示截止日期 is the last day shown
        (date(2027, 4, 11), True),
        (date(2030, 1, 1), True),
    ],
)
def test_is_expired(as_of, expected):
    assert is_expired(as_of, date(2027, 4, 10)) is expected
