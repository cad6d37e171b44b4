"""Tolerant reading of the values people type into spreadsheets. Pure functions, no ORM.

Every parser takes what the reader produced for a cell (text, or a ``date`` for a real date
cell) and returns the typed value, or raises ``CellError`` with a Chinese reason. Tolerance is
for notation only — full-width digits and punctuation, thousands separators, several date
spellings, Excel serial dates — never for meaning: an amount finer than 1 分 is an error, not
rounded (SPEC §2), and a value that could be read two ways is refused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from ledger.rules import uscc as uscc_rules
from ledger.rules.errors import RuleError
from ledger.rules.money import parse_amount, wan_to_yuan

Cell = str | date


class CellError(ValueError):
    """A cell the column cannot accept; ``reason`` is shown to the user as is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- text ---------------------------------------------------------------------------------
_NON_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")
_BRACKETS = str.maketrans({"〔": "〔", "〕": "〕", "[": "〔", "]": "〕", "【": "〔", "】": "〕", "(": "〔", ")": "〕"})


def fold(text: str) -> str:
    """NFKC (full-width → half-width) and trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def header_key(text: str) -> str:
    """A header as compared with the synonym table: NFKC, lower case, only letters, digits and
    CJK characters — so 金额(元), 金额（元） and ' 金额 （元）' are the same, and '*' marks go."""
    return _NON_WORD.sub("", fold(text)).lower()


def code_key(text: str) -> str:
    """A reference number (文号, 合同编号, 台账编号) as compared: NFKC, no spaces, one kind of
    bracket — 屯政〔2026〕1号, 屯政[2026]1号 and 屯政（2026）1号 are the same number."""
    return _SPACES.sub("", fold(text)).translate(_BRACKETS).upper()


def is_blank(value: Cell | None) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Cell, *, max_length: int) -> str:
    if isinstance(value, date):
        value = value.isoformat()
    value = value.strip()
    if len(value) > max_length:
        raise CellError(f"超过{max_length}字（实为{len(value)}字）")
    return value


def code(value: Cell, *, max_length: int) -> str:
    """A reference number: half-width, no surrounding spaces (kept as typed otherwise)."""
    value = fold(value.isoformat() if isinstance(value, date) else value)
    if len(value) > max_length:
        raise CellError(f"超过{max_length}个字符")
    return value


def key(value: Cell, *, max_length: int) -> str:
    """A natural key as stored and compared: ``code_key`` of the cell (ＪＹ－００１ → JY-001)."""
    result = code_key(code(value, max_length=max_length))
    if not result:
        raise CellError("编号不能为空")
    return result


# --- money --------------------------------------------------------------------------------
_CURRENCY = re.compile(r"^[¥￥]|^RMB|^人民币")


def money(value: Cell, *, wan: bool, positive: bool = True) -> Decimal:
    """An amount in yuan, from a 元 column or (exactly) from a 万元 column.

    Thousands separators, full-width digits, a leading ¥ and a trailing unit that agrees with
    the column are accepted; a 万元 amount with more than 6 decimals (finer than 1 分) is an
    error, never rounded.
    """
    if isinstance(value, date):
        raise CellError("应为金额，实为日期")
    raw = _CURRENCY.sub("", fold(value).replace(" ", "")).strip()
    if wan:
        if raw.endswith("万元"):
            raw = raw[:-2]
        elif raw.endswith("万"):
            raw = raw[:-1]
        elif raw.endswith("元"):
            raise CellError("该列以万元计，单元格却写明为元")
    elif raw.endswith("万元") or raw.endswith("万"):
        raise CellError("该列以元计，单元格却写明为万元")
    elif raw.endswith("元"):
        raw = raw[:-1]
    try:
        if wan:
            return wan_to_yuan(raw, field="amount", positive=positive)
        return parse_amount(raw, field="amount", positive=positive)
    except RuleError as exc:
        raise CellError(exc.detail) from None


def rate(value: Cell) -> Decimal:
    """An annual rate in percent (3.85 or 3.85%), at most 4 decimals, 0–100."""
    if isinstance(value, date):
        raise CellError("应为年利率（%），实为日期")
    raw = fold(value).replace(" ", "").removesuffix("%")
    try:
        result = Decimal(raw)
    except InvalidOperation:
        raise CellError("年利率格式无效，应为如 3.85 或 3.85%") from None
    if not result.is_finite() or not 0 <= result <= 100:
        raise CellError("年利率（%）须在0至100之间")
    if result != result.quantize(Decimal("0.0001")):
        raise CellError("年利率最多4位小数，不作四舍五入")
    return result


def positive_int(value: Cell) -> int:
    if isinstance(value, date):
        raise CellError("应为整数，实为日期")
    raw = fold(value).replace(",", "")
    for suffix in ("个工作日", "工作日", "天", "日"):
        raw = raw.removesuffix(suffix)
    if not re.fullmatch(r"[0-9]+(\.0+)?", raw):
        raise CellError("应为正整数")
    result = int(raw.split(".")[0])
    if result < 1 or result > 36500:
        raise CellError("应为1至36500之间的整数")
    return result


# --- dates --------------------------------------------------------------------------------
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]0{1,2}:0{2}(?::0{2}(?:\.0+)?)?)?")
_CHINESE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?")
_SERIAL = re.compile(r"\d{1,7}(?:\.0+)?")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 with Excel's phantom 1900-02-29
_EXCEL_EPOCH_1904 = date(1904, 1, 1)
_EARLIEST = date(1949, 10, 1)
_LATEST = date(2099, 12, 31)


def a_date(value: Cell, *, epoch_1904: bool = False) -> date:
    """2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日, an Excel serial number (46027) or a real
    date cell. Two-digit years and day-first spellings are refused (ambiguous)."""
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    else:
        raw = fold(value).replace(" 00:00:00", "") if value else ""
        raw = raw.replace(" ", "") if "年" in raw else raw
        m = _ISO.fullmatch(raw) or _CHINESE.fullmatch(raw)
        if m:
            try:
                result = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                raise CellError(f"日期不存在：{raw}") from None
        elif _SERIAL.fullmatch(raw):
            serial = int(raw.split(".")[0])
            if epoch_1904:
                result = _EXCEL_EPOCH_1904 + timedelta(days=serial)
            elif serial < 61:  # Excel counts a 1900-02-29 that never was; nothing real is that old
                raise CellError(f"无法识别的日期序号：{raw}")
            else:
                result = _EXCEL_EPOCH + timedelta(days=serial)
        else:
            raise CellError("日期格式无效，应为 2026-01-05、2026/1/5 或 2026年1月5日")
    if not _EARLIEST <= result <= _LATEST:
        raise CellError(f"日期{result.isoformat()}超出合理范围（1949-10-01至2099-12-31）")
    return result


# --- booleans, choices, codes -------------------------------------------------------------
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有", "已声明", "声明"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "无", "未声明", "不是"}


def yes_no(value: Cell) -> bool:
    if isinstance(value, date):
        raise CellError("应填“是”或“否”")
    raw = fold(value).lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise CellError("应填“是”或“否”")


def choice(value: Cell, options: Mapping[str, str], aliases: Mapping[str, str] | None = None) -> str:
    """One of ``options`` ({code: Chinese label}): the label, the code or a listed alias."""
    if isinstance(value, date):
        raise CellError("不是有效的选项")
    wanted = header_key(value)
    for code_, label in options.items():
        if wanted in (header_key(code_), header_key(label)):
            return code_
    for alias, code_ in (aliases or {}).items():
        if wanted == header_key(alias):
            return code_
    raise CellError(f"应为以下之一：{'、'.join(dict.fromkeys(options.values()))}")


def uscc(value: Cell) -> str:
    """SPEC R8: normalised (half-width, upper case) and validated against GB 32100."""
    if isinstance(value, date):
        raise CellError("统一社会信用代码须为文本")
    try:
        return uscc_rules.validate(value)
    except RuleError as exc:
        raise CellError(exc.detail) from None


# --- what the reader gives ----------------------------------------------------------------
def from_cell(value: object) -> Cell:
    """An openpyxl cell value as text (or a date). Numbers become their shortest decimal
    spelling — the digits Excel stored — so money never passes through float arithmetic."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
