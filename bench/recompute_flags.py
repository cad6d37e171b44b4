"""Benchmark (issue 9): as-of recomputation of the overdue and legacy-debt (R5) flags over every
obligation — the application's SQL vs one hand-written statement.

    DATABASE_URL=postgres://…/ledger_bench .venv/bin/python bench/recompute_flags.py \\
        [--as-of 2026-11-26] [--repeat 3]

- ``app``: ``ledger.selectors.live.with_legacy`` over all obligations and ``overdue_q``, counted in
  the database (``aggregate``) — the same predicates the list's ``overdue`` and ``legacy`` filters
  and the export use;
- ``hand-written``: one SQL statement computing the same two counts: the status rule inline, the
  principal "then" by a LATERAL look-up, the principal "now" once per agency (DISTINCT ON). For
  debtors merged into a successor (机构改革) R5 follows the chain of successions; both sides take the
  arising-date intervals ``ledger.selectors.live._chain_intervals`` derives from the rule (computed
  once, outside the timing — a few dozen agencies), the hand-written one as a VALUES list.

Both must give the same counts (checked). Target: app ≤ 1.5× the hand-written statement.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import _common

HAND_WRITTEN = """
WITH chained(debtor, lo, hi) AS (VALUES {chained}),
now_t AS (
    SELECT DISTINCT ON (agency_id) agency_id, id, person, acting
    FROM ledger_tenure
    WHERE start_on <= %(as_of)s AND (end_on IS NULL OR end_on > %(as_of)s)
    ORDER BY agency_id, start_on
),
merged AS (SELECT id FROM ledger_agency WHERE successor_id IS NOT NULL),
flags AS (
    SELECT o.id,
           (o.due_on < %(as_of)s
            AND NOT (o.outcome IN ('written_off', 'cancelled') AND o.outcome_on <= %(as_of)s)
            AND (o.fully_paid_on IS NULL OR o.fully_paid_on > %(as_of)s)) AS overdue,
           CASE WHEN o.debtor_agency_id IN (SELECT id FROM merged) THEN EXISTS (
                    SELECT 1 FROM chained c WHERE c.debtor = o.debtor_agency_id
                    AND (c.lo IS NULL OR o.arose_on >= c.lo) AND (c.hi IS NULL OR o.arose_on < c.hi))
                WHEN th.id IS NULL AND nw.id IS NULL THEN EXISTS (
                    SELECT 1 FROM ledger_tenure b WHERE b.agency_id = o.debtor_agency_id
                    AND b.start_on > o.arose_on AND b.start_on <= %(as_of)s)
                WHEN th.id IS NULL OR nw.id IS NULL THEN true
                ELSE th.id <> nw.id AND NOT (th.person = nw.person AND NOT nw.acting)
           END AS changed
    FROM ledger_obligation o
    LEFT JOIN LATERAL (
        SELECT t.id, t.person FROM ledger_tenure t
        WHERE t.agency_id = o.debtor_agency_id AND t.start_on <= o.arose_on
          AND (t.end_on IS NULL OR t.end_on > o.arose_on)
        ORDER BY t.start_on LIMIT 1
    ) th ON true
    LEFT JOIN now_t nw ON nw.agency_id = o.debtor_agency_id
)
SELECT count(*) FILTER (WHERE overdue), count(*) FILTER (WHERE overdue AND changed) FROM flags
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", default="2026-11-26")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)
    _common.setup()
    from django.db import connection
    from django.db.models import Count, Q

    from ledger.models import Obligation
    from ledger.selectors.live import AgencyGraph, _chain_intervals
    from ledger.selectors.obligations import LegacyFacts

    n = Obligation.objects.count()
    print(f"as-of flags over {n:,} obligations as of {as_of} — {_common.machine()}")

    def app():
        from ledger.selectors.live import overdue_q, with_legacy

        qs = with_legacy(Obligation.objects.all(), as_of)
        out = qs.aggregate(
            overdue=Count("pk", filter=overdue_q(as_of)), legacy=Count("pk", filter=Q(legacy_as_of=True))
        )
        return out["overdue"], out["legacy"]

    graph = AgencyGraph.load()
    chained_ids = sorted(graph.successor)
    facts = LegacyFacts.load(chained_ids)

    def day(d) -> str:
        return f"'{d.isoformat()}'::date" if d else "NULL::date"

    values = [
        f"({int(debtor)}, {day(lo)}, {day(hi)})"
        for debtor in chained_ids
        for lo, hi in _chain_intervals(debtor, as_of, graph, facts)
    ] or ["(NULL::bigint, NULL::date, NULL::date)"]
    sql = HAND_WRITTEN.format(chained=", ".join(values))

    def hand():
        with connection.cursor() as cursor:
            cursor.execute(sql, {"as_of": as_of})
            return tuple(cursor.fetchone())

    results = {}
    for name, fn in (("hand-written", hand), ("app", app)):
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            counts = fn()
            times.append(time.perf_counter() - started)
        results[name] = (min(times), counts)
        print(
            f"  {name:>12}: overdue {counts[0]:,}, legacy {counts[1]:,}; best of {args.repeat} {min(times):.2f} s "
            f"(all: {', '.join(f'{t:.2f}' for t in times)})"
        )
    assert results["app"][1] == results["hand-written"][1], "the two computations disagree"
    ratio = results["app"][0] / results["hand-written"][0]
    print(f"  app / hand-written: {ratio:.2f}× (target ≤ 1.5×: {'met' if ratio <= 1.5 else 'MISSED'})")


if __name__ == "__main__":
    main()
