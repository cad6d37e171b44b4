"""统一社会信用代码 (USCC) per GB 32100-2015 — SPEC R8.

Structure (18 characters): 1 登记管理部门码, 2 机构类别码,
3–8 登记管理机关行政区划码 (GB/T 2260), 9–17 主体标识码 (GB 11714 organisation
code), 18 校验码 (GB/T 17710 mod-31).

python-stdnum's ``stdnum.cn.uscc`` is deliberately not used: it requires the first
8 characters to be digits and so rejects the A…, N… and Y… codes GB 32100 allows
(domain-rules.md §3).
"""

from __future__ import annotations

import re
import unicodedata

from ledger.rules.errors import UsccInvalid

__all__ = [
    "ALPHABET",
    "CATEGORIES",
    "UsccInvalid",
    "calc_check_digit",
    "category",
    "make_demo_uscc",
    "normalize",
    "validate",
]

# GB 32100-2015: digits and capital letters without I, O, Z, S, V (easily misread as
# 1, 0, 2, 5, U); a character's value is its index here (0–30).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
_FORBIDDEN_LETTERS = frozenset("IOZSV")

# GB 32100-2015 check digit: weight of position i (1-based) is 3^(i-1) mod 31.
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

# 登记管理部门码 (position 1) → its name and the 机构类别码 (position 2) it may carry.
# Source: GB 32100-2015 with 2016年第1号修改单 as tabulated in domain-rules.md §3
# (a blog table and the uscc-utils 0.7.0 map, both secondary; the standard's own
# table was not available): 1 机构编制 {1 机关, 2 事业单位, 3 群众团体, 9 其他};
# 2 外交 {1, 9}; 3 司法行政 {1 律师执业机构, 2 公证处, 3 基层法律服务所,
# 4 司法鉴定机构, 5 仲裁委员会, 9};
# 4 文化 {1, 9}; 5 民政 {1 社会团体, 2 民办非企业单位, 3 基金会, 9}; 6 旅游 {1, 9};
# 7 宗教 {1, 2, 9}; 8 工会 {1, 9}; 9 工商 {1 企业, 2 个体工商户, 3 农民专业合作社};
# A 中央军委改革和编制办公室 {1, 9}; N 农业 {1, 2, 3, 9}; Y 其他 {1}.
CATEGORIES: dict[str, tuple[str, frozenset[str]]] = {
    "1": ("机构编制", frozenset("1239")),
    "2": ("外交", frozenset("19")),
    "3": ("司法行政", frozenset("123459")),
    "4": ("文化", frozenset("19")),
    "5": ("民政", frozenset("1239")),
    "6": ("旅游", frozenset("19")),
    "7": ("宗教", frozenset("129")),
    "8": ("工会", frozenset("19")),
    "9": ("工商", frozenset("123")),
    "A": ("中央军委改革和编制办公室", frozenset("19")),
    "N": ("农业", frozenset("1239")),
    "Y": ("其他", frozenset("1")),
}

# 主体类别 for the zwsx-1 export (SPEC §5), read from positions 1–2 (domain-rules.md §3:
# 11 机关, 12 事业单位, 13 编办管理的群众团体).
_SUBJECT_KINDS = {"11": "机关", "12": "事业单位", "13": "群团组织"}

_WHITESPACE = re.compile(r"\s+")


def normalize(raw: str) -> str:
    """Full-width → half-width (NFKC), drop all whitespace, upper-case."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", raw)).upper()


def _char_error(code: str, pos: int, ch: str, field: str | None) -> UsccInvalid:
    if ch in _FORBIDDEN_LETTERS:
        why = "代码不使用字母 I、O、Z、S、V"
    else:
        why = "代码只能由数字和除 I、O、Z、S、V 以外的大写字母组成"
    return UsccInvalid(
        "uscc_invalid_character",
        f"统一社会信用代码“{code}”第{pos}位“{ch}”不是有效字符（{why}）",
        field=field,
    )


def _check_prefix(code: str, field: str | None) -> None:
    """Check characters 1–17 (alphabet, 登记管理部门码, 机构类别码, 行政区划码)."""
    for pos, ch in enumerate(code[:17], start=1):
        if ch not in _VALUES:
            raise _char_error(code, pos, ch, field)
    first, second = code[0], code[1]
    if first not in CATEGORIES:
        raise UsccInvalid(
            "uscc_invalid_registration_authority",
            f"统一社会信用代码“{code}”第1位（登记管理部门码）“{first}”无效，应为1–9、A、N、Y之一",
            field=field,
        )
    authority, allowed = CATEGORIES[first]
    if second not in allowed:
        raise UsccInvalid(
            "uscc_invalid_category",
            f"统一社会信用代码“{code}”第2位（机构类别码）“{second}”"
            f"与登记管理部门码“{first}”（{authority}）不匹配，"
            f"应为{'、'.join(sorted(allowed))}之一",
            field=field,
        )
    region = code[2:8]
    if not region.isdigit():  # ASCII only: every character is already in ALPHABET
        raise UsccInvalid(
            "uscc_invalid_region",
            f"统一社会信用代码“{code}”第3–8位（登记管理机关行政区划码）应为6位数字，实为“{region}”",
            field=field,
        )


def calc_check_digit(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters (already normalised)."""
    if len(first17) != 17 or any(ch not in _VALUES for ch in first17):
        raise ValueError(f"need 17 characters of {ALPHABET!r}, got {first17!r}")
    total = sum(_VALUES[ch] * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(raw: str, *, field: str | None = None) -> str:
    """Return the normalised code, or raise ``UsccInvalid`` naming the fault (R8)."""
    if not isinstance(raw, str):
        raise UsccInvalid("uscc_required", "统一社会信用代码须为文本", field=field)
    code = normalize(raw)
    if not code:
        raise UsccInvalid("uscc_required", "统一社会信用代码不能为空", field=field)
    if len(code) != 18:
        raise UsccInvalid(
            "uscc_invalid_length",
            f"统一社会信用代码“{code}”应为18位，实为{len(code)}位",
            field=field,
        )
    _check_prefix(code, field)
    last = code[17]
    if last not in _VALUES:
        raise _char_error(code, 18, last, field)
    expected = calc_check_digit(code[:17])
    if last != expected:
        raise UsccInvalid(
            "uscc_invalid_check_digit",
            f"统一社会信用代码“{code}”校验码错误：第18位为“{last}”，按 GB 32100 计算应为“{expected}”",
            field=field,
        )
    return code


def category(code: str) -> str:
    """主体类别 for the zwsx-1 export: 机关 / 事业单位 / 群团组织 / 其他 (SPEC §5)."""
    return _SUBJECT_KINDS.get(validate(code)[:2], "其他")


def make_demo_uscc(seed_17_prefix: str) -> str:
    """Append the check digit to a 17-character prefix (seeds mint demo codes)."""
    prefix = normalize(seed_17_prefix)
    if len(prefix) != 17:
        raise UsccInvalid(
            "uscc_invalid_length",
            f"演示代码前缀“{prefix}”应为17位，实为{len(prefix)}位",
        )
    _check_prefix(prefix, None)
    return validate(prefix + calc_check_digit(prefix))
