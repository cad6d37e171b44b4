"""Benchmark (issue 9): the supervisors' and auditors' dashboard at province scale, uncached.

    DATABASE_URL=postgres://…/ledger_bench .venv/bin/python bench/dashboard.py [--repeat 3] [--as-of YYYY-MM-DD]

``GET /dashboard/`` as the auditor (``bench-auditor``), as of today (or ``--as-of``), through the
view's own code with Django's RequestFactory: every report section it draws is computed from the
database on each call (nothing is cached between calls), and the page's HTML is rendered. Routing
and HTTP are not in the figure. Warmed once, then timed ``--repeat`` times; queries counted once.
Target: ≤ 2 s.
"""

from __future__ import annotations

import argparse
import time

import _common


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--as-of", help="YYYY-MM-DD (default: today, Asia/Shanghai)")
    args = parser.parse_args()
    _common.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from ledger.dashboard import dashboard
    from ledger.models import Obligation

    auditor = _common.user("bench-auditor")
    params = {"as_of": args.as_of} if args.as_of else {}

    def call():
        request = RequestFactory().get("/dashboard/", params)
        request.user = auditor
        request.session = SessionStore()
        response = dashboard(request)
        assert response.status_code == 200, response.status_code
        return response

    n = Obligation.objects.count()
    print(f"dashboard as the auditor, {n:,} obligations, as of {args.as_of or 'today'} — {_common.machine()}")
    times = []
    if args.repeat > 1:
        call()  # warm: imports, templates, the planner's statistics
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        size = len(call().content)
    if args.repeat == 1:  # one cold call, its queries counted (at province scale one call takes minutes)
        times.append((time.perf_counter() - started) * 1000)
    for _ in range(args.repeat if args.repeat > 1 else 0):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    p50, p95 = _common.percentile(times, 50), _common.percentile(times, 95)
    print(
        f"  {len(queries.captured_queries)} queries, {size / 1e3:.0f} kB of HTML; "
        f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {max(times):.0f} ms over {args.repeat} calls "
        f"(target ≤ 2,000 ms: {'met' if p95 <= 2000 else 'MISSED'})"
    )
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
    for q in slowest:
        print(f"    {float(q['time']) * 1000:8.0f} ms  {q['sql'][:110]}")


if __name__ == "__main__":
    main()
