"""The shared CSV/XLSX writers: encodings, exact money, and sheet rollover instead of cutting."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from ledger.exports import csv_chunks, write_xlsx, xlsx_bytes

HEADERS = ["编号", "金额（元）", "到期日"]
ROWS = [["OB-1", Decimal("151000.00"), date(2026, 5, 6)], ["OB-2", Decimal("0.01"), None]]


def test_csv_utf8_has_one_bom_and_exact_amounts():
    data = b"".join(csv_chunks(HEADERS, ROWS))
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\xef\xbb\xbf") == 1
    assert data.decode("utf-8-sig") == "编号,金额（元）,到期日\r\nOB-1,151000.00,2026-05-06\r\nOB-2,0.01,\r\n"


def test_csv_gb18030_on_request():
    data = b"".join(csv_chunks(HEADERS, ROWS, encoding="gb18030"))
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.decode("gb18030").splitlines()[0] == "编号,金额（元）,到期日"


def test_csv_streams_in_chunks():
    chunks = list(csv_chunks(["a"], ([str(i)] for i in range(1200))))
    assert len(chunks) == 1 + 3  # header, then 500 + 500 + 200 rows
    assert b"".join(chunks).decode("utf-8-sig").count("\r\n") == 1201


def test_floats_are_refused():
    with pytest.raises(TypeError):
        list(csv_chunks(["x"], [[0.1]]))


def test_xlsx_continues_on_a_further_sheet_beyond_the_row_limit():
    # given 7 rows and sheets that hold a header plus 3 rows
    rows = [[f"OB-{i}", Decimal(f"{i}.10"), date(2026, 1, i + 1)] for i in range(7)]
    buffer = io.BytesIO()
    summary = write_xlsx(buffer, HEADERS, rows, sheet_row_limit=4)
    assert summary == {"rows": 7, "sheets": 3}
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["数据", "数据（续1）", "数据（续2）"]
    values = [list(r) for ws in book.worksheets for r in ws.iter_rows(values_only=True)]
    assert values[0] == HEADERS and values[4] == HEADERS and values[8] == HEADERS
    ids = [v[0] for v in values if v[0] != "编号"]
    assert ids == [f"OB-{i}" for i in range(7)]  # nothing cut, nothing repeated


def test_xlsx_money_is_exact_and_long_amounts_stay_text():
    data = xlsx_bytes(["金额"], [[Decimal("123456789012.34")], [Decimal("1234567890123456.78")]])
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert Decimal(str(ws["A2"].value)).quantize(Decimal("0.01")) == Decimal("123456789012.34")
    assert ws["A2"].number_format == "0.00"
    assert ws["A3"].value == "1234567890123456.78"


def test_text_rows_are_written_as_the_general_path_writes_them():
    # given rows already as text (the database's), with quoting cases and 4,500 rows (3 chunks)
    rows = [["OB-1", "甲,乙", 'say "hi"', "两行\n文本", None, ""]] + [[f"OB-{i}", "1.00", None] for i in range(4499)]
    general = b"".join(csv_chunks(HEADERS, rows))
    for encoding in ("utf-8", "gb18030"):
        assert b"".join(csv_chunks(HEADERS, iter(rows), text=True, encoding=encoding)) == b"".join(
            csv_chunks(HEADERS, rows, encoding=encoding)
        )
    assert general.decode("utf-8-sig").split("\r\n")[1] == 'OB-1,"甲,乙","say ""hi""","两行\n文本",,'
    assert len(list(csv_chunks(HEADERS, iter(rows), text=True))) == 1 + 3
