"""The report pages' text made faster at a province (issue 9) is the same text as before: a link
is what ``urlencode`` writes, a number what the template's own localisation shows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.utils.formats import localize
from django.utils.translation import override

from ledger.dashboard import _localizer
from ledger.reports.sections import _list_path, link

pytestmark = pytest.mark.django_db


def test_a_link_is_what_urlencode_writes_each_value_repeated_in_order():
    url = link(
        "obligation",
        agency_exact=12,
        as_of=date(2026, 11, 27),
        status=["not_yet_due", "due"],
        q="甲 & 乙+丙/丁?=",
        skipped=None,
    )
    pairs = [
        ("agency_exact", "12"),
        ("as_of", "2026-11-27"),
        ("status", "not_yet_due"),
        ("status", "due"),
        ("q", "甲 & 乙+丙/丁?="),
    ]
    assert url == f"{_list_path('obligation')}?{urlencode(pairs)}"
    assert url == (
        "/api/obligations/?agency_exact=12&as_of=2026-11-27&status=not_yet_due&status=due"
        "&q=%E7%94%B2+%26+%E4%B9%99%2B%E4%B8%99%2F%E4%B8%81%3F%3D"
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_dashboard_shows_a_number_as_the_template_would(language):
    values = [
        Decimal("1234567.50"),
        Decimal("0.00"),
        Decimal("-3.10"),
        Decimal("1E+3"),  # a sum PostgreSQL may give in exponent form: shown as a plain number
        12345,
        0,
    ]
    with override(language):
        shown = _localizer()
        assert [shown(v) for v in values] == [localize(v) for v in values]
        assert [shown(v) for v in values] == ["1234567.50", "0.00", "-3.10", "1000", "12345", "0"]
        # not numbers: as they are (a flag is not a count; None is the template's "—")
        assert [shown(True), shown(None), shown("合计")] == [True, None, "合计"]
