"""Loads what a fresh install needs: the district's agencies, unit groups, the action plan's
tasks and reference tables. Idempotent: loading twice gives the same rows.

Seeds are JSON files in this folder, so a fresh install needs nothing from ../shared.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from ledger.models import Agency, LprRate, PlanTask, UnitGroup
from ledger.rules.uscc import make_demo_uscc
from ledger.seeding import upsert

SEEDS = Path(__file__).resolve().parent
PLAN_NAME = "屯溪区推进法治政府建设率先突破三年行动方案（2022－2024年）"

# 1-year LPR as published by the National Interbank Funding Center (annual %, from the date).
LPR_1Y = [
    ("2019-08-20", "4.25"),
    ("2019-09-20", "4.20"),
    ("2019-11-20", "4.15"),
    ("2020-02-20", "4.05"),
    ("2020-04-20", "3.85"),
    ("2021-12-20", "3.80"),
    ("2022-01-20", "3.70"),
    ("2022-08-22", "3.65"),
    ("2023-06-20", "3.55"),
    ("2023-08-21", "3.45"),
    ("2024-07-22", "3.35"),
    ("2024-10-21", "3.10"),
    ("2025-05-20", "3.00"),
]


def read(name: str):
    return json.loads((SEEDS / name).read_text(encoding="utf-8"))


def demo_agency_uscc(index: int, kind: str) -> str:
    """A syntactically valid demo code: category 11 for organs, 12 for 事业单位, 13 for 群团.

    The organisation-code part starts with "DEMO" letters mapped into the GB 32100 alphabet
    (no I O Z S V), so a demo code can never collide with a real one we load later.
    """
    category = {"机关": "11", "事业单位": "12", "群团组织": "13"}.get(kind, "19")
    return make_demo_uscc(f"{category}341002DEM{index:06d}")


@transaction.atomic
def load_agencies() -> dict[str, Agency]:
    by_code: dict[str, Agency] = {}
    for i, row in enumerate(read("agencies.json"), start=1):
        uscc = row.get("uscc")
        is_demo_code = False
        if not uscc and row["legal_personality"]:
            uscc, is_demo_code = demo_agency_uscc(i, row["kind"]), True
        agency, _ = upsert(
            Agency,
            short_code=row["short_code"],
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "parent": by_code.get(row["parent"]) if row.get("parent") else None,
                "region_code": row["region_code"],
                "legal_personality": row["legal_personality"],
                "uscc": uscc,
                "uscc_is_demo": is_demo_code,
            },
        )
        by_code[row["short_code"]] = agency
    return by_code


@transaction.atomic
def load_unit_groups(agencies: dict[str, Agency]) -> dict[str, UnitGroup]:
    groups = {}
    for row in read("unit_groups.json"):
        group, _ = upsert(UnitGroup, name=row["name"])
        group.members.set([agencies[c] for c in row["members"]])
        groups[row["name"]] = group
    return groups


@transaction.atomic
def load_plan(document: dict | None = None, *, plan_name: str = PLAN_NAME) -> int:
    """Store a parsed plan's tasks with their units; collectives become unit groups, never agencies.

    Every unit must be a known agency or a collective; unknown names stop the load and are listed,
    so nothing is half-imported.
    """
    from ledger.planparse import is_collective

    plan = document if document is not None else read("plan_tasks.json")
    by_name = {a.name: a for a in Agency.objects.all()}
    names = {n for t in plan["tasks"] for n in (*t["responsible"], *t["cooperating"])}
    missing = sorted(n for n in names if n not in by_name and not is_collective(n))
    if missing:
        raise ValueError(f"以下单位尚未登记为机关单位，请先由管理员录入：{'、'.join(missing)}")
    groups = {n: upsert(UnitGroup, name=n)[0] for n in names if n not in by_name}
    for t in plan["tasks"]:
        task, _ = upsert(
            PlanTask,
            plan=plan_name,
            number=t["number"],
            defaults={
                "section": t.get("subsection") or t["section"],
                "title": t["title"][:300],
                "body": t["body"],
                "deadline_text": t.get("deadline") or "",
            },
        )
        for units, agency_rel, group_rel in (
            (t["responsible"], task.responsible_agencies, task.responsible_groups),
            (t["cooperating"], task.cooperating_agencies, task.cooperating_groups),
        ):
            agency_rel.set([by_name[n] for n in units if n in by_name])
            group_rel.set([groups[n] for n in units if n in groups])
    return len(plan["tasks"])


@transaction.atomic
def load_lpr() -> None:
    for day, rate in LPR_1Y:
        upsert(
            LprRate,
            effective_from=day,
            defaults={"one_year": Decimal(rate), "basis": "全国银行间同业拆借中心 贷款市场报价利率（LPR）公告"},
        )


def load_all() -> dict:
    agencies = load_agencies()
    groups = load_unit_groups(agencies)
    tasks = load_plan()
    load_lpr()
    from ledger.seeding import run_seed_hooks

    run_seed_hooks()
    return {"agencies": len(agencies), "unit_groups": len(groups), "plan_tasks": tasks}
