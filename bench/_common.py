"""Shared set-up of the province benchmarks (bench/*.py): Django on PostgreSQL, timing, memory.

Each benchmark runs against the database ``bench/generate_province.py`` filled (DATABASE_URL);
SQLite is refused. Peak RSS is ``ru_maxrss`` of the process, so a benchmark that compares memory
runs each variant in a child process of its own.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledger.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(
            "the province benchmarks need the PostgreSQL database bench/generate_province.py filled; "
            f"DATABASE_URL points at {connection.vendor}"
        )
    from ledger.runtime import settle

    settle()  # as ledger/wsgi.py does in every serving process


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def user(username: str):
    from ledger.models import User

    return User.objects.get(username=username)


def api_get(view, path: str, user, **params):
    """Call a DRF view in-process (no HTTP), authenticated as ``user``; returns the response."""
    from rest_framework.test import APIRequestFactory, force_authenticate

    request = APIRequestFactory().get(path, params)
    force_authenticate(request, user=user)
    return view(request)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def timed(fn, repeat: int, warmup: int = 1) -> dict:
    """Wall times in ms of ``repeat`` calls after ``warmup`` ones: p50, p95, max, mean."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "max": max(times),
        "mean": statistics.fmean(times),
    }


def machine() -> str:
    load = os.getloadavg()
    return f"nproc {os.cpu_count()}; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"


def child(script: str, *args: str) -> str:
    """Run ``script`` with ``args`` in a fresh interpreter (its own peak RSS); return its stdout."""
    cmd = [sys.executable, script, *args]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)  # noqa: S603 (our own script)
    return done.stdout
