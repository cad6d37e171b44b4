"""Benchmark (issue 9): HTTP under gunicorn (2 workers) against PostgreSQL, load from wrk.

    DATABASE_URL=postgres://…/ledger_bench .venv/bin/python bench/http_load.py [--seconds 30] [--connections 4]

Starts ``gunicorn ledger.wsgi -w 2`` on 127.0.0.1 (DEBUG off, the development settings otherwise),
issues API tokens for ``bench-enterprise`` and ``bench-auditor``, and runs ``wrk`` (Debian package
``wrk``) from a second process on loopback against each endpoint in turn:

- ``GET /api/status/`` as the enterprise with 200 obligations;
- ``GET /api/obligations/?agency=<a county government>`` as the auditor (a page of 50 + count);
- ``GET /api/obligations/?overdue=true`` as the auditor.

Prints requests per second, p50/p95/p99 latency and errors (socket errors, non-2xx answers) for
each. Every request is a real HTTP request through routing, authentication, the view, JSON and
gunicorn.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import _common

PORT = 8765
# wrk's own summary leaves out p95; this prints the figures on one parseable line.
LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.timeout + summary.errors.status
  io.write(string.format("RESULT %d %.3f %.3f %.3f %.3f %d %d\\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, errors, summary.errors.status))
end
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("needs wrk: apt-get install wrk")
    _common.setup()
    from ledger.api.auth import issue_token
    from ledger.models import Agency

    enterprise_key, _ = issue_token(_common.user("bench-enterprise"))
    auditor_key, _ = issue_token(_common.user("bench-auditor"))
    county = Agency.objects.filter(short_code__startswith="p-", name__endswith="区县人民政府").order_by("id").first()
    env = {**os.environ, "DEBUG": "0"}
    gunicorn = [sys.executable, "-m", "gunicorn", "ledger.wsgi", "-w", "2", "-b", f"127.0.0.1:{PORT}"]
    gunicorn += ["--log-level", "warning"]
    server = subprocess.Popen(gunicorn, cwd=_common.ROOT, env=env)  # noqa: S603 (our own command)
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(100):
            if server.poll() is not None:
                sys.exit(f"gunicorn exited with {server.returncode}")
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=2)  # noqa: S310 (loopback)
                break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("gunicorn did not answer within 20 s")
        print(
            f"HTTP under gunicorn (2 workers), wrk with {args.connections} connections for {args.seconds} s each "
            f"— {_common.machine()}"
        )
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA)
        cases = [
            ("status (enterprise, 200 items)", "/api/status/", enterprise_key),
            ("list ?agency= (county, page of 50)", f"/api/obligations/?agency={county.pk}", auditor_key),
            ("list ?overdue=true (page of 50)", "/api/obligations/?overdue=true", auditor_key),
        ]
        for label, path, key in cases:
            cmd = [wrk, "-t", "2", "-c", str(args.connections), "-d", f"{args.seconds}s", "-s", script.name]
            cmd += ["-H", f"Authorization: Token {key}", f"{base}{path}"]
            done = subprocess.run(cmd, capture_output=True, text=True)  # noqa: S603
            if done.returncode != 0:
                sys.exit(f"wrk failed ({done.returncode}): {done.stdout} {done.stderr}")
            out = done.stdout
            line = next(x for x in out.splitlines() if x.startswith("RESULT "))
            n, secs, p50, p95, p99, errors, status_errors = line.split()[1:]
            print(
                f"  {label:<36}: {int(n) / float(secs):7.1f} req/s ({n} requests); "
                f"p50 {float(p50):.1f} ms, p95 {float(p95):.1f} ms, p99 {float(p99):.1f} ms; "
                f"errors {errors} (non-2xx {status_errors})"
            )
            sys.stdout.flush()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
