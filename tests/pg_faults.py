"""Fault injection on PostgreSQL for the hardening tests (issue #10): drop this session's
connection, or kill a management command in another process in the middle of its transaction."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def drop_this_connection() -> None:
    """The server ends this session, as a network cut or a restart would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")


def _count(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _wait_for(predicate, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.005)


def kill_mid_write(args: list[str], *, blocked_at: str) -> int:
    """Run ``manage.py *args`` against the test database and SIGKILL it mid-transaction.

    Another session holds a SHARE lock on ``blocked_at``, so the command blocks at its first write
    to that table with its earlier writes done but not committed; it is killed only once it waits
    there (a transaction id assigned, waiting on a lock), so the kill can never land after a commit.
    Returns the process's exit code once PostgreSQL has ended the dead session.
    """
    db = settings.DATABASES["default"]
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    app_name = f"ledger-fault-{os.getpid()}-{time.monotonic_ns()}"
    env = dict(os.environ, DATABASE_URL=f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}", PGAPPNAME=app_name)
    holder = psycopg.connect(host=host, port=port, user=db["USER"], dbname=db["NAME"])
    holder.execute(f"LOCK TABLE {blocked_at} IN SHARE MODE")
    process = subprocess.Popen(  # noqa: S603 - our own command, fixed argv
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    waiting = (
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
        " AND wait_event_type = 'Lock' AND backend_xid IS NOT NULL"
    )
    try:
        _wait_for(lambda: _count(waiting, [app_name]) == 1 or process.poll() is not None, f"{args[0]} to be mid-write")
        assert process.poll() is None, process.communicate()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        holder.rollback()
        holder.close()
    alive = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
    _wait_for(lambda: _count(alive, [app_name]) == 0, "PostgreSQL to end the dead session")
    return process.returncode
