"""Backup and restore of the whole database, with a fingerprint to prove the round trip.

PostgreSQL (production): ``pg_dump --format=custom`` and ``pg_restore --clean --single-transaction``,
so a failed restore leaves the database as it was. SQLite (the embedded default): the SQLite
online backup API, which copies a consistent snapshot even while the app runs.

Next to every backup file goes ``<file>.json``: the row count of every table and the sum of every
money column. ``restore_db`` recomputes it after restoring and fails loudly on any difference,
so a restore that lost a row or a 分 cannot pass for a good one.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.db import connection, models

from ledger.errors import DomainError


class BackupFailed(DomainError):
    code = "backup_failed"
    status = 400


def fingerprint() -> dict:
    """Rows per table and the exact sum of each money column (Decimal with 2 places)."""
    tables: dict[str, dict] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.db_table in tables:
            continue
        money = [f for f in meta.concrete_fields if isinstance(f, models.DecimalField) and f.decimal_places == 2]
        entry: dict = {"rows": model._base_manager.count()}
        if money:
            entry["sums"] = {f.attname: str(_exact_sum(model, f.attname)) for f in money}
        tables[meta.db_table] = entry
    return {"vendor": connection.vendor, "tables": dict(sorted(tables.items()))}


def _exact_sum(model, attname: str) -> Decimal:
    """PostgreSQL sums NUMERIC exactly; SQLite would sum doubles, so add the (exact) values here."""
    rows = model._base_manager.all()
    if connection.vendor == "postgresql":
        total = rows.aggregate(total=models.Sum(attname))["total"]
    else:
        total = sum((v for v in rows.values_list(attname, flat=True).iterator() if v is not None), Decimal(0))
    return Decimal(total or 0).quantize(Decimal("0.01"))


def _pg_env() -> tuple[list[str], dict]:
    s = connection.settings_dict
    args = ["--host", s.get("HOST") or "127.0.0.1", "--port", str(s.get("PORT") or 5432)]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _run(cmd: list[str], env: dict) -> None:
    if shutil.which(cmd[0]) is None:
        raise BackupFailed(f"找不到 {cmd[0]}：请安装与服务器版本一致的 PostgreSQL 客户端")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)  # noqa: S603 - fixed argv, no shell
    if done.returncode != 0:
        raise BackupFailed(f"{cmd[0]} 失败（退出码 {done.returncode}）：{done.stderr.strip()[:2000]}")


def backup(path: Path) -> dict:
    """Write a backup of the default database to ``path`` and its fingerprint to ``path.json``."""
    path = Path(path)
    if path.exists():
        raise BackupFailed(f"备份文件已存在，不会覆盖：{path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    print_ = fingerprint()
    if connection.vendor == "postgresql":
        args, env = _pg_env()
        _run(
            ["pg_dump", *args, "--format=custom", "--no-owner", "--file", str(path), connection.settings_dict["NAME"]],
            env,
        )
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:  # pragma: no cover - the ledger supports exactly these two
        raise BackupFailed(f"不支持的数据库：{connection.vendor}")
    Path(f"{path}.json").write_text(json.dumps(print_, ensure_ascii=False, indent=1), encoding="utf-8")
    return print_


def restore(path: Path) -> dict:
    """Replace the default database with the backup at ``path``; verify it against ``path.json``."""
    path = Path(path)
    if not path.is_file():
        raise BackupFailed(f"备份文件不存在：{path}")
    manifest = Path(f"{path}.json")
    expected = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else None
    if expected is not None and expected.get("vendor") != connection.vendor:
        raise BackupFailed(f"备份来自 {expected.get('vendor')}，不能恢复到 {connection.vendor}")
    if connection.vendor == "postgresql":
        args, env = _pg_env()
        connection.close()
        _run(
            [
                "pg_restore",
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                connection.settings_dict["NAME"],
                str(path),
            ],
            env,
        )
    elif connection.vendor == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        except sqlite3.DatabaseError as exc:
            raise BackupFailed(f"不是有效的 SQLite 备份：{exc}") from None
        finally:
            source.close()
    else:  # pragma: no cover
        raise BackupFailed(f"不支持的数据库：{connection.vendor}")
    actual = fingerprint()
    if expected is not None and actual != expected:
        differing = sorted(
            t
            for t in set(expected["tables"]) | set(actual["tables"])
            if expected["tables"].get(t) != actual["tables"].get(t)
        )
        raise BackupFailed(f"恢复后的行数或金额合计与备份时不一致：{', '.join(differing)}")
    return actual
