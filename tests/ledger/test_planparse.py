"""The action-plan parser and the plan seeds. Pure: runs with ``-p no:django``."""
# ruff: noqa: S101  (pytest asserts)

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ledger.planparse import (
    COLLECTIVE_NAMES,
    ParsedTask,
    is_collective,
    parse_action_plan,
    unit_names,
)
from seeds.build_plan_seed import build, dumps

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
SOURCE = Path(__file__).resolve().parents[3] / "shared" / "source" / "tunxi-rule-of-law-action-plan-2022-2024.txt"
needs_source = pytest.mark.skipif(
    not SOURCE.is_file(),
    reason=f"the plan's source text is not present at {SOURCE} (../shared is absent)",
)

ALL_COLLECTIVES = ("区政府各部门", "各镇人民政府", "各街道办事处")

# Read off the plan text by hand: number -> (责任单位, 配合单位), in the order written.
EXPECTED_UNITS: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {
    1: (("区司法局",), ALL_COLLECTIVES),
    8: (
        ("区委编办", "区司法局"),
        (
            "区文旅体局",
            "区市场监管局",
            "区生态环境分局",
            "区交运局",
            "区农业农村局",
            "区应急局",
            "区城管执法局",
        ),
    ),
    10: (("区司法局",), ("区政府有关部门", "各镇人民政府", "各街道办事处")),
    15: (("区司法局",), ALL_COLLECTIVES),
    16: (("区司法局",), ALL_COLLECTIVES),
    17: (("区司法局",), ALL_COLLECTIVES),
    18: (("区司法局",), ("区委编办", "区法院")),
    19: (
        ("区司法局",),
        ("区法院", "区检察院", "屯溪公安分局"),
    ),  # "屯溪公安分局等": 等 stripped
    20: (
        ("区发改委",),
        ("区法院", "区司法局", "区市场监管局", "各镇人民政府", "各街道办事处"),
    ),
    21: (("区委编办", "区政府办", "区司法局"), ("区数据资源局",)),  # "区数据资源局等"
    25: (
        ("区委政法委",),
        ("区信访局", "区法院", "区检察院", "屯溪公安分局", "区司法局"),
    ),  # ASCII colon
    30: (("区司法局",), ()),  # no 配合单位
    31: (("区司法局",), ("区法宣办", "区委宣传部", "各镇人民政府", "各街道办事处")),
    33: (("区法宣办",), ALL_COLLECTIVES),
}
EXPECTED_DEADLINES = {
    7: None,
    14: "2022年底前",
    15: None,
    18: "2022年底前",
    25: "2022年10月底前",
    29: "2022年",
}


def _load(name: str):
    return json.loads((SEEDS / name).read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------
# The committed seed (always runs; a fresh install has no ../shared)


def test_committed_plan_seed_has_the_33_tasks_and_their_units():
    doc = _load("plan_tasks.json")
    assert doc["source"] == "tunxi-rule-of-law-action-plan-2022-2024"
    assert doc["title"] == "屯溪区推进法治政府建设率先突破三年行动方案（2022－2024年）"
    tasks = {t["number"]: t for t in doc["tasks"]}
    assert [t["number"] for t in doc["tasks"]] == list(range(1, 34))
    for number, (responsible, cooperating) in EXPECTED_UNITS.items():
        assert (
            tuple(tasks[number]["responsible"]),
            tuple(tasks[number]["cooperating"]),
        ) == (
            responsible,
            cooperating,
        ), number
    for number, deadline in EXPECTED_DEADLINES.items():
        assert tasks[number]["deadline"] == deadline, number
    assert all(t["responsible"] for t in doc["tasks"])
    assert tasks[15]["section"] == "二、主要任务"
    assert tasks[15]["subsection"] == "（三）全面落实履约践诺工作"
    assert tasks[15]["title"].startswith("在全区实施依法推进公共政策兑现和政府履约践诺专项行动")
    assert not any("责任单位" in t["body"] for t in doc["tasks"])


def test_seed_agencies_and_unit_groups_cover_every_unit_the_plan_names():
    doc = _load("plan_tasks.json")
    tasks = [
        ParsedTask(
            number=t["number"],
            title=t["title"],
            body=t["body"],
            section=t["section"],
            responsible=tuple(t["responsible"]),
            cooperating=tuple(t["cooperating"]),
            deadline=t["deadline"],
            subsection=t["subsection"],
        )
        for t in doc["tasks"]
    ]
    agencies = _load("agencies.json")
    groups = _load("unit_groups.json")
    by_code = {a["short_code"]: a for a in agencies}
    names = {a["name"] for a in agencies}
    group_names = {g["name"] for g in groups}

    assert len(by_code) == len(agencies), "short codes are unique"
    assert len(names) == len(agencies), "names are unique"
    assert set(unit_names(tasks)) <= names
    named_collectives = {n for t in tasks for n in (*t.responsible, *t.cooperating) if is_collective(n)}
    assert named_collectives <= group_names
    assert not any(is_collective(n) for n in names), "a collective is never an agency"
    assert "屯溪区人民政府" in names

    for a in agencies:
        assert re.fullmatch(r"[a-z][a-z0-9-]*", a["short_code"]), a
        assert a["kind"] in {"机关", "事业单位", "群团组织", "其他"}, a
        assert a["region_code"] == "341002", a
        assert a["uscc"] is None, a  # no real codes are known; the loader mints demo codes
        assert a["parent"] is None or a["parent"] in by_code, a
    assert by_code["fxb"]["legal_personality"] is False
    assert by_code["sfj"]["parent"] == "qzf"
    assert by_code["zfb"]["parent"] == "qzf"
    # parents come first, so a loader can create the rows in file order
    seen: set[str] = set()
    for a in agencies:
        assert a["parent"] is None or a["parent"] in seen, a
        seen.add(a["short_code"])

    members = {g["name"]: g["members"] for g in groups}
    for group in groups:
        assert group["members"], group["name"]
        assert set(group["members"]) <= set(by_code), group["name"]
    assert {by_code[c]["name"] for c in members["各镇人民政府"]} == {
        "屯光镇人民政府",
        "阳湖镇人民政府",
        "黎阳镇人民政府",
        "奕棋镇人民政府",
    }
    assert {by_code[c]["name"] for c in members["各街道办事处"]} == {
        "昱中街道办事处",
        "老街街道办事处",
        "昱东街道办事处",
        "新潭街道办事处",
    }
    assert all(by_code[c]["parent"] == "qzf" for c in members["区政府各部门"])
    assert "sfj" in members["区政府各部门"]


# ------------------------------------------------------------------------------
# The real text (skipped when ../shared is absent)


@needs_source
def test_real_plan_parses_into_33_tasks_with_their_units():
    tasks = parse_action_plan(SOURCE.read_text(encoding="utf-8"))
    assert len(tasks) == 33
    assert [t.number for t in tasks] == list(range(1, 34))
    by_number = {t.number: t for t in tasks}
    for number, (responsible, cooperating) in EXPECTED_UNITS.items():
        assert (by_number[number].responsible, by_number[number].cooperating) == (
            responsible,
            cooperating,
        ), number
    for number, deadline in EXPECTED_DEADLINES.items():
        assert by_number[number].deadline == deadline, number
    assert all(t.responsible for t in tasks)
    assert all(t.section == "二、主要任务" for t in tasks)
    assert [by_number[n].subsection[:3] for n in (1, 8, 15, 21, 28)] == [
        "（一）",
        "（二）",
        "（三）",
        "（四）",
        "（五）",
    ]
    assert by_number[30].body.endswith("为企业常态化提供优质高效法律服务。")


@needs_source
def test_real_plan_unit_names_exclude_collectives():
    names = unit_names(parse_action_plan(SOURCE.read_text(encoding="utf-8")))
    assert names == sorted(names)
    assert "区司法局" in names and "屯溪公安分局" in names and "区数据资源局" in names
    assert not set(names) & COLLECTIVE_NAMES
    assert not any(n.endswith("等") for n in names)
    assert len(names) == 25


@needs_source
def test_committed_plan_seed_equals_build_of_the_real_text():
    committed = (SEEDS / "plan_tasks.json").read_text(encoding="utf-8")
    assert committed == dumps(build(SOURCE)), "regenerate with: python -m seeds.build_plan_seed"


# ------------------------------------------------------------------------------
# Tolerances, on small synthetic inputs


def _one(text: str) -> ParsedTask:
    tasks = parse_action_plan(text)
    assert len(tasks) == 1, tasks
    return tasks[0]


def test_full_width_colons_semicolons_and_brackets():
    t = _one("二、主要任务\n1．做好甲事。另有说明。（责任单位：区司法局；配合单位：区财政局、区人社局）")
    assert t.number == 1
    assert t.title == "做好甲事"
    assert t.body == "做好甲事。另有说明。"
    assert t.section == "二、主要任务"
    assert t.responsible == ("区司法局",)
    assert t.cooperating == ("区财政局", "区人社局")


def test_ascii_colons_semicolons_and_brackets():
    t = _one("15. 做好乙事。(责任单位:区司法局;配合单位:区法院,区检察院)")
    assert t.number == 15
    assert t.responsible == ("区司法局",)
    assert t.cooperating == ("区法院", "区检察院")


def test_mixed_brackets_and_colons():
    t = _one("3．做好丙事。（责任单位:区委政法委；配合单位：区信访局)")
    assert t.responsible == ("区委政法委",)
    assert t.cooperating == ("区信访局",)


def test_trailing_deng_is_stripped():
    t = _one("4．做好丁事。（责任单位：区发改委等；配合单位：区法院、屯溪公安分局等）")
    assert t.responsible == ("区发改委",)
    assert t.cooperating == ("区法院", "屯溪公安分局")
    t = _one("4．做好丁事。（责任单位：区发改委；配合单位：区法院等单位）")
    assert t.cooperating == ("区法院",)


def test_clause_without_cooperating_units():
    t = _one("30．做好戊事，确保成效。（责任单位：区司法局）")
    assert t.responsible == ("区司法局",)
    assert t.cooperating == ()
    assert t.title == "做好戊事，确保成效"


def test_units_separated_by_full_width_comma_and_comma_before_cooperating():
    t = _one("5．做好己事。（责任单位：区委编办，区司法局，配合单位：区政府办，区数据资源局）")
    assert t.responsible == ("区委编办", "区司法局")
    assert t.cooperating == ("区政府办", "区数据资源局")


def test_collective_names_are_kept_and_recognised():
    t = _one("6．做好庚事。（责任单位：区司法局；配合单位：区政府有关部门、各镇人民政府、各街道办事处、区直各单位）")
    assert t.cooperating == (
        "区政府有关部门",
        "各镇人民政府",
        "各街道办事处",
        "区直各单位",
    )
    assert all(is_collective(n) for n in t.cooperating)
    assert unit_names([t]) == ["区司法局"]
    for name in (
        "区政府各部门",
        "各镇人民政府",
        "各街道办事处",
        "区政府有关部门",
        "区直各单位",
        "各镇街",
    ):
        assert is_collective(name), name
    for name in ("区司法局", "区法宣办", "屯溪公安分局", "区政府办", "区委组织部"):
        assert not is_collective(name), name


def test_unit_name_with_its_own_brackets():
    t = _one("7．做好辛事。（责任单位：区委编办（区委改革办）、区司法局）")
    assert t.responsible == ("区委编办（区委改革办）", "区司法局")


def test_paren_numbering_and_deadlines():
    tasks = parse_action_plan(
        "（一）加强甲。说明。\n"
        "（1）2023年6月底前完成清理。（责任单位：区司法局）\n"
        "(2)到2024年底建成平台。(责任单位:区数据资源局)\n"
        "（3）每年开展评查。（责任单位：区司法局）\n"
    )
    assert [t.number for t in tasks] == [1, 2, 3]
    assert [t.deadline for t in tasks] == ["2023年6月底前", "2024年底", None]
    assert tasks[0].subsection == "（一）加强甲"


def test_headings_numbered_over_tasks_numbered_in_brackets():
    tasks = parse_action_plan(
        "二、主要任务\n"
        "1．优化制度供给\n"
        "（1）清理文件。（责任单位：区司法局）\n"
        "（2）公开文件。（责任单位：区政府办；配合单位：区司法局）\n"
        "2．深化执法改革\n"
        "（3）推进综合执法。（责任单位：区委编办）\n"
    )
    assert [t.number for t in tasks] == [1, 2, 3]
    assert tasks[0].subsection == "优化制度供给"
    assert tasks[2].subsection == "深化执法改革"
    assert tasks[1].cooperating == ("区司法局",)


def test_task_spanning_lines_and_decimal_is_not_a_number():
    tasks = parse_action_plan(
        "1．做好壬事，\n1.5倍以上。\n（责任单位：区司法局；\n配合单位：区财政局）\n三、组织保障\n（一）加强领导。各部门要落实。\n"
    )
    assert len(tasks) == 1
    assert tasks[0].body == "做好壬事，1.5倍以上。"
    assert tasks[0].responsible == ("区司法局",)
    assert tasks[0].cooperating == ("区财政局",)


def test_text_without_tasks():
    assert parse_action_plan("") == []
    assert parse_action_plan("一、总体目标\n法治是基础。\n") == []
