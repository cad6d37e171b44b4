"""Benchmark (issue 9): XLSX export of about 100,000 obligations vs raw xlsxwriter.

    DATABASE_URL=postgres://…/ledger_bench .venv/bin/python bench/export_xlsx.py \\
        [--query arose_from=2025-01-01&arose_to=2025-10-15] [--as-of 2026-11-26]

1. ``endpoint`` — ``GET /api/obligations/export/?format=xlsx&<query>`` through the viewset's own code
   (read, as-of columns, ``ledger.exports.write_xlsx`` to a temporary file), in-process.
2. The same rows, read once into memory (not timed), then written (a) by ``write_xlsx`` — the
   endpoint's writer — and (b) by raw xlsxwriter in constant_memory mode (``write_row``): the
   baseline of the target (≥ 0.8×).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import _common


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--query", default="arose_from=2025-01-01&arose_to=2025-10-15")
    parser.add_argument("--as-of", default="2026-11-26")
    args = parser.parse_args()
    os.environ["LEDGER_EXPORT_SYNC_MAX_ROWS"] = str(10**9)
    _common.setup()
    import xlsxwriter
    from django.http import QueryDict

    from ledger.api.exporting import build_list_view
    from ledger.api.obligations import ObligationViewSet
    from ledger.exports import write_xlsx

    auditor = _common.user("bench-auditor")
    query = f"{args.query}&as_of={args.as_of}"
    print(f"XLSX export of obligations ?{query} — {_common.machine()}")

    view = ObligationViewSet.as_view({"get": "export"}, **ObligationViewSet.export.kwargs)  # as the router does
    started, cpu = time.perf_counter(), time.process_time()
    response = _common.api_get(view, "/api/obligations/export/", auditor, format="xlsx", **QueryDict(query).dict())
    assert response.status_code == 200, getattr(response, "data", None)
    size = sum(len(c) for c in response.streaming_content)
    endpoint_s, endpoint_cpu = time.perf_counter() - started, time.process_time() - cpu
    rows = int(response["X-Export-Rows"])
    print(
        f"  endpoint (read + as-of + write_xlsx): {rows:,} rows, {size / 1e6:.1f} MB in {endpoint_s:.1f} s "
        f"(CPU {endpoint_cpu:.1f} s) = {rows / endpoint_s:,.0f} rows/s"
    )

    list_view = build_list_view("obligation", auditor, query)
    spec = list_view.export_columns
    started = time.perf_counter()
    data = list(spec.rows(list_view.export_queryset(), list_view.export_context()))
    read_s = time.perf_counter() - started
    print(
        f"  reading the rows with their as-of columns (ExportSpec.rows): {read_s:.1f} s = {rows / read_s:,.0f} rows/s"
    )

    def raw(target):
        wb = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
        ws = wb.add_worksheet("数据")
        ws.write_row(0, 0, spec.headers)
        for r, row in enumerate(data, start=1):
            ws.write_row(r, 0, row)
        wb.close()

    timings = {}
    for name, fn in (
        ("raw xlsxwriter", raw),
        ("write_xlsx", lambda t: write_xlsx(t, spec.headers, data)),
    ):
        with tempfile.TemporaryFile() as target:
            started, cpu = time.perf_counter(), time.process_time()
            fn(target)
            timings[name] = (time.perf_counter() - started, time.process_time() - cpu, target.tell())
        s, c, b = timings[name]
        print(
            f"  {name:>15}: {len(data):,} rows, {b / 1e6:.1f} MB in {s:.1f} s (CPU {c:.1f} s) "
            f"= {len(data) / s:,.0f} rows/s"
        )
    raw_s = timings["raw xlsxwriter"][0]
    print(f"  write_xlsx / raw xlsxwriter throughput: {raw_s / timings['write_xlsx'][0]:.2f}× (target ≥ 0.8×)")
    print(f"  whole endpoint / raw xlsxwriter throughput: {raw_s / endpoint_s:.2f}× (reading included)")
    print(f"  peak RSS {_common.peak_rss_mib():.0f} MiB (the rows held in memory for the comparison)")


if __name__ == "__main__":
    main()
