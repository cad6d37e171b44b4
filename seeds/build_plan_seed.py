"""Build ``seeds/plan_tasks.json`` from the action plan's text.

The JSON is kept in the repository so a fresh install needs no ``../shared``.
Regenerate it after a change to the parser or to the source text with either of::

    python -m seeds.build_plan_seed [SOURCE_PATH]
    python seeds/build_plan_seed.py [SOURCE_PATH]

``tests/ledger/test_planparse.py`` checks that the committed file equals ``build()``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

PLAN_ID = "tunxi-rule-of-law-action-plan-2022-2024"
SEEDS_DIR = Path(__file__).resolve().parent
OUTPUT_PATH = SEEDS_DIR / "plan_tasks.json"
DEFAULT_SOURCE = SEEDS_DIR.parents[1] / "shared" / "source" / f"{PLAN_ID}.txt"
EXPECTED_TASKS = 33


def build(source_path: str | Path = DEFAULT_SOURCE) -> dict:
    """Parse the plan at ``source_path`` into the seed document (a JSON-ready dict)."""
    from ledger.planparse import parse_action_plan, parse_plan_title

    raw = Path(source_path).read_bytes()
    text = raw.decode("utf-8-sig")
    tasks = parse_action_plan(text)
    return {
        "source": PLAN_ID,
        "source_sha256": hashlib.sha256(raw).hexdigest(),
        "title": parse_plan_title(text),
        "tasks": [
            {
                "number": t.number,
                "title": t.title,
                "body": t.body,
                "section": t.section,
                "subsection": t.subsection,
                "responsible": list(t.responsible),
                "cooperating": list(t.cooperating),
                "deadline": t.deadline,
            }
            for t in sorted(tasks, key=lambda t: t.number)
        ],
    }


def dumps(document: dict) -> str:
    """The exact text written to ``plan_tasks.json``."""
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    document = build(source)
    count = len(document["tasks"])
    if count != EXPECTED_TASKS:
        print(
            f"expected {EXPECTED_TASKS} tasks, parsed {count}; nothing written",
            file=sys.stderr,
        )
        return 1
    OUTPUT_PATH.write_text(dumps(document), encoding="utf-8")
    print(f"wrote {count} tasks to {OUTPUT_PATH}")
    return 0


if __name__ == "__main__":
    if str(SEEDS_DIR.parent) not in sys.path:  # run as a script: make `ledger` importable
        sys.path.insert(0, str(SEEDS_DIR.parent))
    raise SystemExit(main(sys.argv))
