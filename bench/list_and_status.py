"""Benchmark (issue 9): auditor list pages and the enterprise status page, p95 in-process.

    DATABASE_URL=postgres://…/ledger_bench .venv/bin/python bench/list_and_status.py [--repeat 20]

(c) ``GET /api/obligations/`` as the auditor: a page of 50 plus the total count, for the published
mix of filters below, as of today (no ``as_of``) and as of a past date (``--past``). Target p95
≤ 50 ms today, ≤ 150 ms past. (d) ``GET /api/status/`` as the enterprise with 200 obligations
(user ``bench-enterprise``, made by bench/generate_province.py). Target p95 ≤ 30 ms.

The views are called through DRF (APIRequestFactory, force_authenticate): routing, HTTP and JSON
rendering are not in the figures; serialisation is. Each is warmed twice, then timed ``--repeat``
times; queries per call are counted once.
"""

from __future__ import annotations

import argparse

import _common


def mix(agency_id: int) -> dict[str, dict]:
    """The published filter mix (issue 9): agency, overdue, days-overdue range, legacy debt, SME."""
    return {
        "agency": {"agency": agency_id},
        "overdue": {"overdue": "true"},
        "days 30–365": {"overdue": "true", "days_overdue_min": 30, "days_overdue_max": 365},
        "legacy": {"legacy": "true"},
        "sme": {"sme_declared": "true"},
        "all five": {
            "agency": agency_id,
            "overdue": "true",
            "days_overdue_min": 30,
            "days_overdue_max": 365,
            "legacy": "true",
            "sme_declared": "true",
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--past", default="2024-06-30")
    parser.add_argument("--only", choices=["list", "status"])
    parser.add_argument("--mix", nargs="*", help="only these filter sets of the mix (e.g. legacy 'all five')")
    args = parser.parse_args()
    _common.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ledger.api.obligations import ObligationViewSet
    from ledger.api.status import StatusView
    from ledger.models import Agency, Obligation

    print(f"list and status pages — {_common.machine()}; {Obligation.objects.count():,} obligations")
    if args.only != "status":
        auditor = _common.user("bench-auditor")
        view = ObligationViewSet.as_view({"get": "list"})
        # A county government: its family is the county's departments (the agency filter's reach).
        county = (
            Agency.objects.filter(short_code__startswith="p-", name__endswith="区县人民政府").order_by("id").first()
        )
        for label, as_of in (("today", None), (f"as of {args.past}", args.past)):
            for name, params in mix(county.pk).items():
                if args.mix and name not in args.mix:
                    continue
                query = dict(params, **({"as_of": as_of} if as_of else {}))

                def call(query=query):
                    response = _common.api_get(view, "/api/obligations/", auditor, **query)
                    assert response.status_code == 200, response.data
                    response.render()
                    return response

                with CaptureQueriesContext(connection) as ctx:
                    response = call()
                t = _common.timed(call, args.repeat)
                target = 50 if as_of is None else 150
                print(
                    f"  list {label:>18} {name:<11}: count {response.data['count']:>7,}, "
                    f"{len(response.data['results']):>2} rows, {len(ctx.captured_queries)} queries; "
                    f"p50 {t['p50']:7.1f} ms, p95 {t['p95']:7.1f} ms (target ≤ {target} ms: "
                    f"{'met' if t['p95'] <= target else 'MISSED'})"
                )
    if args.only != "list":
        ent = _common.user("bench-enterprise")
        view = StatusView.as_view()
        n = Obligation.objects.filter(creditor_id=ent.enterprise_id).count()

        def status_call():
            response = _common.api_get(view, "/api/status/", ent)
            assert response.status_code == 200, response.data
            response.render()
            return response

        with CaptureQueriesContext(connection) as ctx:
            response = status_call()
        t = _common.timed(status_call, args.repeat)
        print(
            f"  status: enterprise {ent.enterprise_id} with {n} obligations, {len(response.data['obligations'])} rows, "
            f"{len(ctx.captured_queries)} queries; p50 {t['p50']:.1f} ms, p95 {t['p95']:.1f} ms "
            f"(target ≤ 30 ms: {'met' if t['p95'] <= 30 else 'MISSED'})"
        )


if __name__ == "__main__":
    main()
