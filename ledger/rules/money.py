"""Money: exact ``Decimal`` yuan with 2 places (分), never float (SPEC §2).

Parsing is strict and never rounds: an amount the user typed is an exact number of
分 or it is refused. The only rounding in the ledger is ``quantize_yuan``
(ROUND_HALF_UP), applied once at the end of a computation such as late interest
(SPEC R3).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ledger.rules.errors import AmountInvalid

__all__ = [
    "MAX_INTEGER_DIGITS",
    "WAN",
    "YUAN",
    "AmountInvalid",
    "parse_amount",
    "quantize_yuan",
    "wan_to_yuan",
    "yuan_to_wan",
]

YUAN = Decimal("0.01")  # one 分
WAN = Decimal("0.000001")  # one 分 expressed in 万元 (zwsx-1 exports 万元 with 6 decimals, SPEC §5)
# 13 integer digits (under 10 万亿元 per amount): with 2 decimals that is 15 significant digits,
# the most SQLite (the embedded default) keeps exactly, since it stores decimals as doubles and
# Django reads them back at 15 digits. PostgreSQL's NUMERIC(17, 2) columns leave room for sums.
MAX_INTEGER_DIGITS = 13

# Plain decimal notation only: no exponent, no NaN/Infinity, no bare ".5" or "5.";
# thousands separators only in groups of three, so "1,00,0" is refused, not guessed.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?")
_MAX_INPUT_LENGTH = 64


def quantize_yuan(x: Decimal | int) -> Decimal:
    """Round to 分, half up — the one rounding step, done once at the end (SPEC R3)."""
    if isinstance(x, bool) or not isinstance(x, (Decimal, int)):
        raise TypeError(f"quantize_yuan needs Decimal or int, got {type(x).__name__}")
    return Decimal(x).quantize(YUAN, rounding=ROUND_HALF_UP)


def _to_decimal(raw: object, field: str) -> Decimal:
    if isinstance(raw, float):
        raise AmountInvalid(
            "amount_float",
            "金额须以文本或整数提交，不接受浮点数（浮点数无法精确表示分）",
            field=field,
        )
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
        raise AmountInvalid("amount_invalid", "金额格式无效", field=field)
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise AmountInvalid("amount_invalid", "金额格式无效", field=field)
        return raw
    # NFKC folds full-width digits, "．", "，", "－" and the ideographic space to ASCII.
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise AmountInvalid("amount_required", "金额不能为空", field=field)
    if len(text) > _MAX_INPUT_LENGTH or not _NUMBER.fullmatch(text):
        raise AmountInvalid("amount_invalid", f"金额格式无效：“{raw.strip()}”", field=field)
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
        raise AmountInvalid("amount_invalid", f"金额格式无效：“{raw.strip()}”", field=field) from None


def _parse(
    raw: object,
    *,
    field: str,
    positive: bool,
    quantum: Decimal,
    max_integer_digits: int,
    unit: str,
) -> Decimal:
    value = _to_decimal(raw, field)
    # Size first: quantizing a huge value would overflow the 28-digit decimal context.
    if abs(value) >= Decimal(10) ** max_integer_digits:
        raise AmountInvalid(
            "amount_too_large",
            f"金额整数部分超过{max_integer_digits}位（以{unit}计）",
            field=field,
        )
    if value != value.quantize(quantum, rounding=ROUND_HALF_UP):
        places = -quantum.as_tuple().exponent
        raise AmountInvalid(
            "amount_too_precise",
            f"金额最多保留{places}位小数（以{unit}计），不作四舍五入，请核对：{value:f}",
            field=field,
        )
    if positive and value <= 0:
        raise AmountInvalid("amount_not_positive", "金额必须大于零", field=field)
    if value < 0:
        # A correction is a reversing entry of its own kind, never a negative amount.
        raise AmountInvalid("amount_negative", "金额不能为负数", field=field)
    return value.quantize(quantum) + 0  # "+ 0" turns -0 into 0


def parse_amount(raw: str | int | Decimal, *, field: str, positive: bool = True) -> Decimal:
    """Parse an amount in yuan exactly to 2 places.

    ``positive=True`` requires > 0; ``positive=False`` admits 0. Negative amounts,
    floats, more than 2 decimal places (never rounded) and more than 13 integer digits
    are refused.
    """
    return _parse(
        raw,
        field=field,
        positive=positive,
        quantum=YUAN,
        max_integer_digits=MAX_INTEGER_DIGITS,
        unit="元",
    )


def wan_to_yuan(raw: str | int | Decimal, *, field: str = "amount_wan", positive: bool = True) -> Decimal:
    """万元 → yuan, exactly; over 6 decimals of 万元 is finer than 1 分: refused."""
    wan = _parse(
        raw,
        field=field,
        positive=positive,
        quantum=WAN,
        max_integer_digits=MAX_INTEGER_DIGITS - 4,
        unit="万元",
    )
    return wan.scaleb(4).quantize(YUAN)


def yuan_to_wan(yuan: Decimal) -> Decimal:
    """Yuan → 万元 with exactly 6 decimals (``str()`` gives ``'1.234567'``), exact."""
    if isinstance(yuan, bool) or not isinstance(yuan, (Decimal, int)):
        raise TypeError(f"yuan_to_wan needs Decimal or int, got {type(yuan).__name__}")
    yuan = Decimal(yuan)
    if not yuan.is_finite() or yuan != yuan.quantize(YUAN, rounding=ROUND_HALF_UP):
        raise AmountInvalid("amount_too_precise", f"金额须精确到分：{yuan}")
    return yuan.scaleb(-4).quantize(WAN) + 0
