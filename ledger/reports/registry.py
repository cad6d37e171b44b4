"""The report registry: each app contributes its sections here, so ``ledger`` imports no higher app.

A section is ``fn(ctx) -> Section``: a titled table (columns, rows, an optional total row) computed
as of ``ctx.params.as_of`` over what ``ctx.user`` may read. The core registers its own sections
from LedgerConfig.ready() (ledger/reports/sections.py); contracts registers its section from
ContractsConfig.ready(). ``/api/reports/{key}/`` serves each one as JSON, CSV or XLSX, and
``/dashboard/`` draws from the same functions.

Obligations whose source lives in a higher app (a contract's payment milestone) can be grouped
by it — e.g. the yearly disclosure counts contracts, not obligations: a higher app registers an
``obligation grouper`` mapping obligation ids to a key and a label of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ledger.models import User
    from ledger.selectors.reports import ReportParams


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = "text"  # text | int | money | percent | days | date


@dataclass
class Section:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict]
    total: dict | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class ReportContext:
    user: User
    params: ReportParams
    cache: dict = field(default_factory=dict)

    def cached(self, key: str, compute: Callable[[], object]):
        """Figures several sections share (one pass over the obligations) are computed once."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    fn: Callable[[ReportContext], Section]
    params: tuple[str, ...] = ()  # extra parameters the section reads (e.g. "year")


_SECTIONS: dict[str, SectionSpec] = {}
_GROUPERS: list[Callable[[list[int]], dict[int, str]]] = []


def register_report_section(key: str, title: str, fn: Callable[[ReportContext], Section], *, params=()) -> None:
    _SECTIONS[key] = SectionSpec(key, title, fn, tuple(params))


def sections() -> dict[str, SectionSpec]:
    return dict(_SECTIONS)


def section(key: str) -> SectionSpec | None:
    return _SECTIONS.get(key)


def register_obligation_grouper(fn: Callable[[list[int]], dict[int, str]]) -> None:
    """``fn(obligation ids) -> {obligation id: group key}`` for the obligations it knows."""
    if fn not in _GROUPERS:
        _GROUPERS.append(fn)


def group_obligations(ids: Iterable[int]) -> dict[int, str]:
    ids = list(ids)
    out: dict[int, str] = {}
    for fn in _GROUPERS:
        for pk, key in fn(ids).items():
            out.setdefault(pk, key)
    return out
