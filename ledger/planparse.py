"""Parse an action plan (行动方案) into its numbered tasks and their units.

Pure: no Django, no I/O. The input is the plan's plain text; the output is one
``ParsedTask`` per numbered task, each with the responsible units (责任单位) and
cooperating units (配合单位) named in the clause that closes it, e.g.
``（责任单位：区司法局；配合单位：区政府各部门、各镇人民政府、各街道办事处）``.

Tolerated variations: full-width or ASCII brackets, colons, semicolons and commas;
``、`` or ``，`` between units; a trailing ``等`` (``等单位``/``等部门``) on a list; a
clause without 配合单位; numbering as ``1．`` / ``1.`` / ``1、`` or ``（1）`` / ``(1)``.
Collective names (区政府各部门, 各镇人民政府 …) are kept in the unit tuples as written;
``is_collective`` tells them apart, and they become unit groups, never agencies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "COLLECTIVE_NAMES",
    "ParsedTask",
    "is_collective",
    "parse_action_plan",
    "parse_plan_title",
    "unit_names",
]

# Collectives named in the Tunxi plan (the first four in task clauses, 区直各单位
# in the notice's addressee line), plus common variants of the same collectives.
COLLECTIVE_NAMES: frozenset[str] = frozenset(
    {
        "区政府各部门",
        "各镇人民政府",
        "各街道办事处",
        "区政府有关部门",
        "区直各单位",
        # variants seen in other plans of the same kind
        "区直有关单位",
        "区政府各有关部门",
        "各镇街",
        "各镇（街道）",
        "各镇、街道",
    }
)

# Anything shaped 各X / X各部门 / X有关单位 is a collective, even if not listed.
_COLLECTIVE_RE = re.compile(r"^各|各(?:有关)?(?:部门|单位|镇|街道)|有关(?:部门|单位)$|各成员单位$")


@dataclass(frozen=True)
class ParsedTask:
    number: int
    title: str  # the lead sentence: the text before the first 。
    body: str  # the task text without its number and without the unit clause
    section: str  # the top-level heading (二、主要任务 …) the task sits under
    responsible: tuple[str, ...]  # 责任单位, in the order written
    cooperating: tuple[str, ...]  # 配合单位, in the order written
    deadline: str | None  # e.g. "2022年底前", as written; None when the text gives none
    # the （一）… heading inside the section, without its description
    subsection: str = ""


def is_collective(name: str) -> bool:
    """True for a collective (a unit group, e.g. 区政府各部门); False for one body."""
    name = name.strip()
    if name in COLLECTIVE_NAMES:
        return True
    return bool(_COLLECTIVE_RE.search(name))


def unit_names(tasks: Iterable[ParsedTask]) -> list[str]:
    """Sorted distinct names of the single bodies (agencies) the tasks name.

    Collectives are left out: they become unit groups, never agencies.
    """
    names = {n for t in tasks for n in (*t.responsible, *t.cooperating) if not is_collective(n)}
    return sorted(names)


# ------------------------------------------------------------------------------
# Patterns

_OPEN = "（("
_CLOSE = "）)"
_CN_NUM = "一二三四五六七八九十"

# 一、总体目标 — a top-level heading (short, no sentence end before the break).
_SECTION_RE = re.compile(rf"^([{_CN_NUM}]+)\s*[、．.]\s*(\S.*)$")
# （一）全面优化行政制度供给。… — a second-level heading.
_SUBSECTION_RE = re.compile(rf"^[{_OPEN}]\s*[{_CN_NUM}]+\s*[{_CLOSE}]\s*\S")
# 15．… / 15.… / 15、… — "dot" numbering. An ASCII point before a digit is a
# decimal (1.5倍) unless a year follows (29.2022年…).
_DOT_ITEM_RE = re.compile(r"^(\d{1,3})\s*(?:[．、]|\.(?!\d)|\.(?=\d{4}\s*年))\s*(.*)$", re.S)
# （1）… / (1)… — "paren" numbering.
_PAREN_ITEM_RE = re.compile(rf"^[{_OPEN}]\s*(\d{{1,3}})\s*[{_CLOSE}]\s*(.*)$", re.S)

_RESP_LABEL = r"(?:责任单位|牵头单位|责任部门|牵头部门)"
_COOP_LABEL = r"(?:配合单位|协办单位|配合部门|参与单位)"
# Start of the closing unit clause: an opening bracket followed by the 责任单位 label.
_CLAUSE_START_RE = re.compile(rf"[{_OPEN}]\s*{_RESP_LABEL}\s*[：:]")
_COOP_SPLIT_RE = re.compile(rf"[；;，,。\s]*{_COOP_LABEL}\s*[：:]")
_UNIT_SEP = "、，,；;"
_TRAILING_ETC_RE = re.compile(r"(?:等(?:单位|部门)?)+$")

_DEADLINE_RE = re.compile(
    r"\d{4}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?"
    r"\s*(?:底|末|上半年|下半年|第[一二三四]季度末?)?\s*(?:之前|以前|前)"
)
_DEADLINE_BY_RE = re.compile(r"(?:到|至|于)\s*(\d{4}\s*年(?:\s*\d{1,2}\s*月)?(?:底|末)?)")
_DEADLINE_DONE_RE = re.compile(r"(\d{4}\s*年(?:底|末)?)\s*(?:内)?\s*(?:全面|基本|全部)?\s*(?:完成|建成)")


# ------------------------------------------------------------------------------
# Helpers


def _split_units(text: str) -> tuple[str, ...]:
    """Split a unit list on 、，；, outside brackets; strip 等; drop repeats."""
    parts: list[str] = []
    depth = 0
    buf: list[str] = []
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        if ch in _UNIT_SEP and depth == 0:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    out: list[str] = []
    for part in parts:
        name = part.strip().strip("。.")
        name = _TRAILING_ETC_RE.sub("", name).strip()
        if name and name not in out:
            out.append(name)
    return tuple(out)


def _split_clause(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Separate the closing （责任单位：…；配合单位：…） clause from a task's text."""
    stripped = text.rstrip().rstrip("。.").rstrip()
    if not stripped or stripped[-1] not in _CLOSE:
        return text.strip(), (), ()
    starts = list(_CLAUSE_START_RE.finditer(stripped))
    if not starts:
        return text.strip(), (), ()
    start = starts[-1]
    inner = stripped[start.end() : -1]
    body = stripped[: start.start()].rstrip()
    m = _COOP_SPLIT_RE.search(inner)
    resp_text, coop_text = (inner, "") if m is None else (inner[: m.start()], inner[m.end() :])
    return body, _split_units(resp_text), _split_units(coop_text)


def _title(body: str) -> str:
    head = body.split("。", 1)[0]
    return head.strip().rstrip("；;，,").strip()


def _deadline(body: str) -> str | None:
    m = _DEADLINE_RE.search(body)
    if m:
        return re.sub(r"\s+", "", m.group(0))
    m = _DEADLINE_BY_RE.search(body) or _DEADLINE_DONE_RE.search(body)
    if m:
        return re.sub(r"\s+", "", m.group(1))
    return None


def _heading_text(line: str) -> str:
    """A heading without its description: （一）甲。加强… → （一）甲."""
    return line.split("。", 1)[0].strip()


# ------------------------------------------------------------------------------
# Parsing


@dataclass
class _Item:
    style: str  # "dot" or "paren"
    number: int
    lines: list[str]
    section: str
    subsection: str
    # the unit clause has been seen: later plain lines are not the task's
    closed: bool = False


def parse_plan_title(text: str) -> str:
    """The plan's title: the 《…》 of the notice line, else the first non-empty line."""
    for line in text.splitlines()[:20]:
        m = re.search(r"印发《(.+?)》", line)
        if m:
            return m.group(1).strip()
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def parse_action_plan(text: str) -> list[ParsedTask]:
    """Parse the numbered tasks of an action plan, in order of their numbers.

    A task starts at a numbered line and runs until the next numbered line or
    heading, or until its unit clause closes. Where two numbering styles occur
    (``1．`` headings over ``（1）`` tasks, or the reverse), the style whose items
    carry unit clauses is the task style; items of the other style are headings.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ").replace("\ufeff", "")
    items: list[_Item] = []
    section = ""
    subsection = ""
    current: _Item | None = None

    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        m_dot = _DOT_ITEM_RE.match(line)
        m_item = m_dot or _PAREN_ITEM_RE.match(line)
        m_section = _SECTION_RE.match(line)
        if m_item is not None:
            style = "dot" if m_dot else "paren"
            current = _Item(style, int(m_item.group(1)), [m_item.group(2)], section, subsection)
            items.append(current)
        elif m_section and len(line) <= 40 and "。" not in line:
            section, subsection, current = line, "", None
        elif _SUBSECTION_RE.match(line):
            subsection, current = _heading_text(line), None
        elif current is not None and not current.closed:
            current.lines.append(line)
        else:
            continue
        if current is not None:
            joined = "".join(current.lines)
            if _split_clause(joined)[1]:
                current.closed = True

    task_style = _task_style(items)
    tasks: list[ParsedTask] = []
    heading: tuple[str, str] | None = None  # (the subsection it sits in, its text)
    for item in items:
        joined = "".join(item.lines).strip()
        if item.style != task_style:
            heading = (item.subsection, _heading_text(joined))
            continue
        body, responsible, cooperating = _split_clause(joined)
        sub = item.subsection
        if heading is not None and heading[0] == item.subsection:
            sub = f"{sub} / {heading[1]}" if sub else heading[1]
        tasks.append(
            ParsedTask(
                number=item.number,
                title=_title(body),
                body=body,
                section=item.section,
                responsible=responsible,
                cooperating=cooperating,
                deadline=_deadline(body),
                subsection=sub,
            )
        )
    tasks.sort(key=lambda t: t.number)
    return tasks


def _task_style(items: list[_Item]) -> str:
    counts = {"dot": 0, "paren": 0}
    present = {"dot": 0, "paren": 0}
    for item in items:
        present[item.style] += 1
        if _split_clause("".join(item.lines))[1]:
            counts[item.style] += 1
    if counts["dot"] == counts["paren"]:
        return "dot" if present["dot"] >= present["paren"] else "paren"
    return "dot" if counts["dot"] > counts["paren"] else "paren"
