"""Benchmark (issue 9): CSV export of filtered obligations with their as-of columns.

    DATABASE_URL=postgres://…/ledger_bench .venv/bin/python bench/export_csv.py \\
        [--query region_code=34] [--drf-rows 20000] [--as-of 2026-11-26]

Three variants, each in a child process of its own so its peak RSS is its own:

- ``endpoint`` — ``GET /api/obligations/export/?format=csv&<query>`` through the viewset's own code
  (ExportMixin.export → ExportSpec.rows → csv_chunks), called in-process as the auditor, the
  streamed body consumed and counted (LEDGER_EXPORT_SYNC_MAX_ROWS raised so it streams rather than
  queueing a background job);
- ``copy`` — PostgreSQL ``COPY (<the same SELECT>) TO STDOUT WITH CSV`` of the SELECT the endpoint
  streams (``asof_sql.obligation_export_sql``: the stored facts, the SQL R5 flag and the as-of
  money columns), read by psycopg;
- ``drf`` — the list's ``ObligationOutput`` serializer over the same rows with their figures, on
  the first ``--drf-rows`` rows only (at the measured speed a million would take most of an hour).

Prints rows, seconds, rows/s, peak RSS, and the ratios the issue sets targets for (≥ 0.5× COPY,
≥ 5× DRF, peak RSS < 150 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import _common

ENDPOINT_SYNC_MAX = str(10**9)


def _view(query: str):
    from ledger.api.exporting import build_list_view

    return build_list_view("obligation", _common.user("bench-auditor"), query)


def run_endpoint(query: str) -> dict:
    from django.http import QueryDict

    from ledger.api.obligations import ObligationViewSet

    view = ObligationViewSet.as_view({"get": "export"}, **ObligationViewSet.export.kwargs)  # as the router does
    params = QueryDict(query).dict()
    started, cpu = time.perf_counter(), time.process_time()
    response = _common.api_get(view, "/api/obligations/export/", _common.user("bench-auditor"), format="csv", **params)
    assert response.status_code == 200, (response.status_code, getattr(response, "data", None))
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    return {"rows": lines - 1, "bytes": size, "s": time.perf_counter() - started, "cpu": time.process_time() - cpu}


def run_copy(query: str) -> dict:
    from django.db import connection

    from ledger.selectors import asof_sql

    view = _view(query)
    queryset = view.export_queryset()
    # The very SELECT the endpoint streams on PostgreSQL: stored facts, R5 and the as-of money
    # columns, all computed by the database (ledger/selectors/asof_sql.py).
    assert asof_sql.available(), "an entry lacks its stored state: the endpoint would not use SQL"
    sql, params = asof_sql.obligation_export_sql(queryset, view.as_of())
    started, cpu = time.perf_counter(), time.process_time()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor
        inline = raw.mogrify(sql, params) if hasattr(raw, "mogrify") else None
        if inline is None:
            from psycopg import ClientCursor

            inline = ClientCursor(connection.connection).mogrify(sql, params)
        size = lines = 0
        with raw.copy(f"COPY ({inline}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
            for block in copy:
                size += len(block)
                lines += bytes(block).count(b"\n")
    return {"rows": lines - 1, "bytes": size, "s": time.perf_counter() - started, "cpu": time.process_time() - cpu}


def run_drf(query: str, limit: int) -> dict:
    from ledger.api.obligations import ObligationOutput

    view = _view(query)
    queryset = view.filter_queryset(view.get_queryset())
    started, cpu = time.perf_counter(), time.process_time()
    rows = 0
    size = 0
    batch = []
    for obj in queryset[:limit].iterator(chunk_size=2000):
        batch.append(obj)
        if len(batch) == 2000:
            data = ObligationOutput(view._with_figures(batch), many=True).data
            size += sum(len(json.dumps(d, default=str)) for d in data)
            rows += len(batch)
            batch = []
    if batch:
        data = ObligationOutput(view._with_figures(batch), many=True).data
        size += sum(len(json.dumps(d, default=str)) for d in data)
        rows += len(batch)
    return {"rows": rows, "bytes": size, "s": time.perf_counter() - started, "cpu": time.process_time() - cpu}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--query", default="region_code=34", help="the list's filters (default: the province)")
    parser.add_argument("--drf-rows", type=int, default=20_000)
    parser.add_argument("--as-of", default="2026-11-26")
    parser.add_argument("--variant", choices=["endpoint", "copy", "drf"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    query = f"{args.query}&as_of={args.as_of}"
    if args.variant:
        os.environ["LEDGER_EXPORT_SYNC_MAX_ROWS"] = ENDPOINT_SYNC_MAX
        _common.setup()
        fn = {"endpoint": run_endpoint, "copy": run_copy}.get(args.variant)
        out = fn(query) if fn else run_drf(query, args.drf_rows)
        out["rss"] = _common.peak_rss_mib()
        print(json.dumps(out))
        return

    print(f"CSV export of obligations ?{query} — {_common.machine()}")
    results = {}
    for variant in ("copy", "endpoint", "drf"):
        extra = ["--drf-rows", str(args.drf_rows)] if variant == "drf" else []
        out = _common.child(__file__, "--variant", variant, "--query", args.query, "--as-of", args.as_of, *extra)
        r = json.loads(out.strip().splitlines()[-1])
        r["rate"] = r["rows"] / r["s"]
        results[variant] = r
        print(
            f"  {variant:>8}: {r['rows']:>9,} rows, {r['bytes'] / 1e6:8.1f} MB in {r['s']:7.1f} s "
            f"(CPU {r['cpu']:6.1f} s) = {r['rate']:>9,.0f} rows/s; peak RSS {r['rss']:.0f} MiB"
        )
        sys.stdout.flush()
    e = results["endpoint"]
    print(f"  endpoint / COPY throughput: {e['rate'] / results['copy']['rate']:.3f}× (target ≥ 0.5×)")
    print(f"  endpoint / DRF throughput:  {e['rate'] / results['drf']['rate']:.2f}× (target ≥ 5×)")
    print(f"  endpoint peak RSS: {e['rss']:.0f} MiB (target < 150 MB = {150e6 / 2**20:.0f} MiB)")


if __name__ == "__main__":
    main()
