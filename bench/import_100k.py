"""Benchmark: import a 100,000-row obligations ledger (.xlsx) with bounded memory.

    .venv/bin/python bench/import_100k.py [--rows 100000] [--format xlsx|csv] [--again]

Runs against a fresh SQLite database in a temporary directory unless DATABASE_URL is set (then
that database is used as is: point it at an empty scratch database). The sheet is generated in
a child process, so the peak RSS reported (resource.getrusage, ru_maxrss) is the import's own:
setting up Django, reading the file twice (validation, then writing), and every write through
``obligation_create`` inside one transaction. With ``--again`` the same file is imported a
second time, which must create nothing. Not run by the test suite (bench/, style.md).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTERPRISES = 500


def generate(path: Path, rows: int, fmt: str) -> None:
    """Write the ledger with a title row above the header, as agencies' sheets have, streaming."""
    sys.path.insert(0, str(ROOT))
    from ledger.rules.uscc import make_demo_uscc

    usccs = [make_demo_uscc(f"91341002MA2BEN{i:03d}") for i in range(ENTERPRISES)]
    header = ["台账编号", "债权企业", "统一社会信用代码", "事由", "金额（元）", "发生日期", "约定付款期限（日）"]

    def row(i: int) -> list:
        month, day = 1 + i % 9, 1 + i % 28
        return [
            f"BENCH-{i:06d}",
            f"基准测试企业{i % ENTERPRISES}有限公司",
            usccs[i % ENTERPRISES],
            f"服务费第{i}笔",
            f"{1000 + i % 90000:,}.{i % 100:02d}",  # thousands separators, as sheets show them
            f"2026-{month:02d}-{day:02d}",
            30 + i % 31,
        ]

    if fmt == "csv":
        import csv

        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            for i in range(rows):
                writer.writerow(row(i))
        return
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("给付义务")
    ws.append(["屯溪区基准测试局 给付义务台账"])
    ws.append(header)
    for i in range(rows):
        ws.append(row(i))
    wb.save(path)


def setup_django(workdir: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledger.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed():
    from ledger.models import Agency, Enterprise, Role, User
    from ledger.rules.uscc import make_demo_uscc

    agency, _ = Agency.objects.get_or_create(
        short_code="bench",
        defaults={"name": "屯溪区基准测试局", "uscc": make_demo_uscc("11341002MB0BENCH0"), "region_code": "341002"},
    )
    existing = set(Enterprise.objects.values_list("uscc", flat=True))
    Enterprise.objects.bulk_create(
        [
            Enterprise(name=f"基准测试企业{i}有限公司", uscc=code, region_code="341002")
            for i in range(ENTERPRISES)
            if (code := make_demo_uscc(f"91341002MA2BEN{i:03d}")) not in existing
        ]
    )
    user, _ = User.objects.get_or_create(
        username="bench-staff", defaults={"role": Role.AGENCY_STAFF, "agency": agency, "is_staff": True}
    )
    return agency, user


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--again", action="store_true", help="import the same file a second time")
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(Path(args.generate), args.rows, args.format)
        return

    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        workdir = Path(tmp)
        path = workdir / f"ledger-{args.rows}.{args.format}"
        started = time.perf_counter()
        cmd = [sys.executable, __file__, "--rows", str(args.rows), "--format", args.format, "--generate", str(path)]
        subprocess.run(cmd, check=True)  # noqa: S603  (our own script)
        generated = time.perf_counter() - started
        print(f"generated {args.rows} rows as {path.suffix} ({path.stat().st_size / 1e6:.1f} MB) in {generated:.1f} s")

        setup_django(workdir)
        from django.db import connection

        from ledger.imports.services import import_run
        from ledger.models import Obligation

        agency, user = seed()
        load = os.getloadavg()[0]
        print(f"database: {connection.vendor}; load average {load:.1f}; peak RSS after setup: {peak_rss_mib():.0f} MiB")
        runs = 2 if args.again else 1
        for n in range(runs):
            started, cpu = time.perf_counter(), time.process_time()
            with open(path, "rb") as f:
                job = import_run(actor=user, kind="obligations", upload=f, file_name=path.name, agency=agency)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            assert job.status == "imported", job.report["problems"][:5]
            print(
                f"import {n + 1}: {job.rows_total} rows, created {job.rows_created}, unchanged {job.rows_unchanged} "
                f"in {elapsed:.1f} s = {job.rows_total / elapsed:.0f} rows/s (CPU {cpu:.1f} s = "
                f"{job.rows_total / cpu:.0f} rows per CPU-second); peak RSS {peak_rss_mib():.0f} MiB"
            )
        assert Obligation.objects.filter(debtor_agency=agency).count() == args.rows


if __name__ == "__main__":
    main()
