"""What can be imported: kinds, their sheets and columns, and the registry higher apps fill.

A kind (给付义务, 政策兑现, 政府合同…) names its sheets; each sheet names its columns with the
Chinese header of the template and the variants real sheets use. The core reads, validates and
reports; the kind checks references and applies each row through the services of its area.
The contracts app registers its kind from ``ContractsConfig.ready()`` — the ledger never
imports it (style.md: the higher app registers with the core).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger.imports import values as v

if TYPE_CHECKING:
    from ledger.imports.context import ImportContext, Row


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    ``type`` is text, code (a number kept as typed), key (a number normalised: the natural key),
    money, date, int, rate, bool, choice or uscc. For money the
    synonyms are the bare names (金额, 本金…): the unit is read from the header — 元 unless it
    says 万元 — so 金额、金额(元)、金额（万元） all match.
    """

    key: str
    label: str
    type: str = "text"
    required: bool = False
    synonyms: tuple[str, ...] = ()
    max_length: int = 300
    allow_zero: bool = False  # money: 0 is a value (争议金额 0 = no dispute)
    options: Mapping[str, str] | None = None  # choice: {code: label} (labels and codes both accepted)
    aliases: Mapping[str, str] | None = None  # choice: other spellings → code (交付 → delivery)
    example: Any = ""
    help: str = ""
    # The service's name for this value, when it differs from ``key`` (errors name their field).
    service_field: str | None = None

    def names(self) -> set[str]:
        base = [self.label, *self.synonyms]
        if self.type == "money":
            return {money_base(v.header_key(name))[0] for name in base}
        return {v.header_key(name) for name in base}


def money_base(key: str) -> tuple[str, bool]:
    """(bare name, is 万元) of a normalised money header: 金额万元 → (金额, True)."""
    key = key.replace("单位", "").replace("人民币", "")
    if key.endswith("万元"):
        return key[:-2], True
    if key.endswith("元"):
        return key[:-1], False
    return key, False


@dataclass(frozen=True)
class SheetSpec:
    key: str
    title: str  # the sheet's name in the template
    columns: tuple[Column, ...]
    synonyms: tuple[str, ...] = ()  # other sheet names that mean this sheet
    required: bool = True  # an optional sheet (payments beside obligations) may be absent

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    def names(self) -> set[str]:
        return {v.header_key(n) for n in (self.title, *self.synonyms)}


@dataclass
class ImportKind:
    """A kind of import. Subclasses implement ``check_row`` (pass 1: references, natural keys
    and duplicates, no writes) and ``apply_row`` (pass 2: create or update through services)."""

    key: str = ""
    label: str = ""
    sheets: tuple[SheetSpec, ...] = ()
    description: str = ""

    def allowed(self, ctx: ImportContext) -> str | None:
        """A reason the actor may not run this import at all, or None."""
        return None

    def begin(self, ctx: ImportContext) -> None:
        """Set up caches before pass 1."""

    def prefetch(self, ctx: ImportContext, sheet: SheetSpec, rows: list[Row]) -> None:
        """Look up, in one go, what a chunk of rows refers to (before check_row / apply_row)."""

    def flush(self, ctx: ImportContext, sheet: SheetSpec) -> None:
        """Write what apply_row left for the end of a chunk (pass 2)."""

    def check_row(self, ctx: ImportContext, sheet: SheetSpec, row: Row) -> None:
        raise NotImplementedError

    def apply_row(self, ctx: ImportContext, sheet: SheetSpec, row: Row) -> None:
        raise NotImplementedError


_REGISTRY: dict[str, ImportKind] = {}


def register_kind(kind: ImportKind) -> None:
    _REGISTRY[kind.key] = kind


def get_kind(key: str) -> ImportKind | None:
    return _REGISTRY.get(key)


def kinds() -> list[ImportKind]:
    return sorted(_REGISTRY.values(), key=lambda k: k.key)


def kind_choices() -> list[tuple[str, str]]:
    return [(k.key, k.label) for k in kinds()]


# --- shared column builders ---------------------------------------------------------------
def agency_column(label: str, *synonyms: str, example: str = "") -> Column:
    return Column(
        "agency",
        label,
        "text",
        synonyms=(*synonyms, "单位", "单位名称", "机关单位"),
        max_length=100,
        example=example,
        help="单位名称、简码或统一社会信用代码；不填则为导入所属单位",
    )


EXAMPLE_USCC = "91341002MA2LEDG01W"  # a valid GB 32100 code for template examples (not a real company)


def uscc_column(key: str, label: str = "统一社会信用代码", *, example: str = EXAMPLE_USCC) -> Column:
    return Column(
        key,
        label,
        "uscc",
        required=True,
        synonyms=("信用代码", "社会信用代码", "统一代码", "企业信用代码", "企业统一社会信用代码", "uscc"),
        example=example,
        help="18位，按 GB 32100 校验",
    )
