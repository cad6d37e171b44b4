"""What a kind sees while its rows are checked and applied: the parsed row, and the context with
the actor, the job's agency, lookups (agencies, enterprises) and the report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ledger.imports import values as v
from ledger.imports.reading import Header, Table
from ledger.imports.registry import Column, SheetSpec
from ledger.imports.report import Report
from ledger.models import Agency, Enterprise, Role, User
from ledger.rules.errors import RuleError


@dataclass
class Row:
    table: Table
    number: int
    cells: dict[str, tuple[v.Cell, Header]]
    values: dict[str, Any]
    failed: set[str] = field(default_factory=set)  # columns whose cell could not be read

    @property
    def ok(self) -> bool:
        return not self.failed

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value

    def has_column(self, key: str) -> bool:
        return key in self.cells

    def shown(self, key: str) -> str:
        """The cell as the user typed it (for the report)."""
        cell = self.cells.get(key)
        if cell is None:
            return ""
        value = cell[0]
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    def column_name(self, key: str) -> str:
        cell = self.cells.get(key)
        if cell is None:
            try:
                return self.table.spec.column(key).label
            except KeyError:
                return ""
        header = cell[1]
        return f"{header.letter}（{header.text}）"


def parse_cell(col: Column, value: v.Cell, header: Header, table: Table) -> Any:
    if col.type == "text":
        return v.text(value, max_length=col.max_length)
    if col.type == "code":
        return v.code(value, max_length=col.max_length)
    if col.type == "key":
        return v.key(value, max_length=col.max_length)
    if col.type == "money":
        return v.money(value, wan=header.wan, positive=not col.allow_zero)
    if col.type == "date":
        return v.a_date(value, epoch_1904=table.epoch_1904)
    if col.type == "int":
        return v.positive_int(value)
    if col.type == "rate":
        return v.rate(value)
    if col.type == "bool":
        return v.yes_no(value)
    if col.type == "choice":
        return v.choice(value, col.options or {}, col.aliases)
    if col.type == "uscc":
        return v.uscc(value)
    raise ValueError(f"unknown column type {col.type}")


class ImportContext:
    def __init__(self, *, actor: User, agency: Agency | None, dry_run: bool, report: Report) -> None:
        self.actor = actor
        self.agency = agency
        self.dry_run = dry_run
        self.report = report
        self.phase = "check"  # "check" (pass 1, no writes) or "apply" (pass 2)
        self.state: dict[str, Any] = {}  # the kind's own memory across rows
        self.locked_agencies: set[int] = set()
        self._agencies: dict[str, Agency | None] = {}
        self._enterprises: dict[str, Enterprise | None] = {}
        self._families: dict[int, set[int]] = {}
        self._keys: dict[str, dict[Any, int]] = {}
        self.counter: Counter = Counter()

    # --- parsing --------------------------------------------------------------------------
    def parse(self, table: Table, number: int, cells: dict[str, tuple[v.Cell, Header]]) -> Row:
        row = Row(table, number, cells, {})
        report = self.phase == "check"
        for key, (value, header) in cells.items():
            col = header.column
            if v.is_blank(value):
                row.values[key] = None
                if col.required:
                    row.failed.add(key)
                    if report:
                        self.error(row, key, f"必填项“{col.label}”为空")
                continue
            try:
                row.values[key] = parse_cell(col, value, header, table)
            except v.CellError as exc:
                row.values[key] = None
                row.failed.add(key)
                if report:
                    self.error(row, key, exc.reason)
        return row

    # --- the report -----------------------------------------------------------------------
    def _sheet_name(self, row: Row) -> str:
        return row.table.sheet_name or row.table.spec.title

    def error(self, row: Row, key: str, reason: str, *, value: str | None = None) -> None:
        self.report.add(
            "error",
            sheet=self._sheet_name(row),
            row=row.number,
            column=row.column_name(key) if key else "",
            value=row.shown(key) if value is None and key else (value or ""),
            reason=reason,
        )

    def warn(self, row: Row, key: str, reason: str) -> None:
        if self.phase != "check":
            return  # said once, in pass 1
        self.report.add(
            "warning",
            sheet=self._sheet_name(row),
            row=row.number,
            column=row.column_name(key) if key else "",
            value=row.shown(key) if key else "",
            reason=reason,
        )

    def service_error(self, row: Row, exc: Exception) -> None:
        """A service refused the row: name the column of the field it named, with its reason."""
        fields = getattr(exc, "fields", None) or {}
        if isinstance(exc, RuleError) and exc.field:
            fields = {exc.field: [exc.detail]}
        if not fields:
            self.error(row, "", getattr(exc, "detail", str(exc)))
            return
        spec = row.table.spec
        for name, messages in fields.items():
            key = next((c.key for c in spec.columns if name in (c.key, c.service_field)), "")
            if key and key not in row.cells:
                key = ""
            for message in messages if isinstance(messages, list) else [messages]:
                self.error(row, key, str(message))

    def _record(self, action: str, row: Row, record: str, detail: str) -> None:
        spec = row.table.spec
        self.report.change(
            action, sheet_key=spec.key, sheet=self._sheet_name(row), row=row.number, record=record, detail=detail
        )

    def created(self, row: Row, record: str, detail: str = "") -> None:
        self._record("create", row, record, detail)

    def updated(self, row: Row, record: str, changes: list[str]) -> None:
        self._record("update", row, record, "；".join(changes))

    def unchanged(self, row: Row, record: str = "") -> None:
        self._record("unchanged", row, record, "")

    # --- natural keys ---------------------------------------------------------------------
    def claim_key(self, namespace: str, key: Any, row: Row, column: str) -> bool:
        """Record a natural key; a second row with the same key is an error naming the first."""
        seen = self._keys.setdefault(namespace, {})
        first = seen.get(key)
        if first is not None and first != row.number:
            self.error(row, column, f"与第{first}行重复（同一{row.table.spec.column(column).label}）")
            return False
        seen[key] = row.number
        return True

    def has_key(self, namespace: str, key: Any) -> bool:
        return key in self._keys.get(namespace, {})

    # --- parties --------------------------------------------------------------------------
    @property
    def is_staff(self) -> bool:
        return self.actor.role == Role.AGENCY_STAFF and not self.actor.is_superuser

    def family(self, agency_id: int) -> set[int]:
        """The agency and every agency merged into it (机构改革: their debts pass to it)."""
        if agency_id not in self._families:
            ids, frontier = {agency_id}, {agency_id}
            while frontier:
                frontier = set(Agency.objects.filter(successor_id__in=frontier).values_list("id", flat=True)) - ids
                ids |= frontier
            self._families[agency_id] = ids
        return self._families[agency_id]

    def find_agency(self, text: str) -> Agency | None:
        key = v.fold(text)
        if key not in self._agencies:
            agency = (
                Agency.objects.filter(name=text.strip()).first()
                or Agency.objects.filter(name=key).first()
                or Agency.objects.filter(short_code=key).first()
                or Agency.objects.filter(uscc=key.upper()).first()
            )
            self._agencies[key] = agency
        return self._agencies[key]

    def resolve_agency(self, row: Row, key: str = "agency", *, default: Agency | None = None) -> Agency | None:
        """The row's agency: the one it names, else the job's. Staff may only name their own
        (or one merged into it); an administrator's job for one agency holds only its rows."""
        named = row.get(key)
        if named:
            agency = self.find_agency(named)
            if agency is None:
                self.error(row, key, f"单位“{named}”不存在（请填写单位全称、简码或统一社会信用代码）")
                return None
        else:
            agency = self.agency or default
            if agency is None:
                self.error(row, key, "须填写单位（本次导入未指定单位）", value="")
                return None
        if self.agency is not None and agency.pk not in self.family(self.agency.pk):
            if self.is_staff:
                self.error(
                    row, key, f"不能导入其他单位（{agency.name}）的数据：只能导入本单位（{self.agency.name}）的台账"
                )
            else:
                self.error(row, key, f"与本次导入所选单位（{self.agency.name}）不一致")
            return None
        return agency

    def resolve_enterprise(self, row: Row, uscc_key: str, name_key: str | None = None) -> Enterprise | None:
        code = row.get(uscc_key)
        if code is None:
            return None
        if code not in self._enterprises:
            self._enterprises[code] = Enterprise.objects.filter(uscc=code).first()
        enterprise = self._enterprises[code]
        if enterprise is None:
            self.error(row, uscc_key, f"企业名录中没有统一社会信用代码为{code}的企业（企业须先经管理员核实登记）")
            return None
        name = row.get(name_key) if name_key else None
        if name and v.header_key(name) != v.header_key(enterprise.name):
            self.warn(row, name_key, f"企业名称与企业名录不一致（名录为“{enterprise.name}”），以统一社会信用代码为准")
        return enterprise

    def touch(self, agency: Agency | None) -> None:
        """An agency whose records this import writes: locked (in id order) before pass 2."""
        if agency is not None:
            self.locked_agencies.add(agency.pk)


def display(value: Any) -> str:
    """A stored or parsed value as people read it in the report."""
    if value is None or value == "":
        return "（空）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


__all__ = ["ImportContext", "Row", "SheetSpec", "display", "parse_cell"]
