"""Production mode: `check --deploy` reports nothing, and the app refuses to start with demo users."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args, db_path, **extra_env):
    env = {
        **os.environ,
        "LEDGER_PRODUCTION": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "ledger.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{db_path}",
        **extra_env,
    }
    return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def prod_db(tmp_path):
    db = tmp_path / "prod.sqlite3"
    result = _run(["migrate", "-v0"], db)
    assert result.returncode == 0, result.stderr
    return db


def test_check_deploy_reports_nothing_in_production_mode(prod_db):
    result = _run(["check", "--deploy"], prod_db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_production_mode_refuses_to_start_while_demo_users_exist(prod_db):
    # given a demo user in the database
    made = _run(
        [
            "shell",
            "-c",
            "from ledger.models import User; User.objects.create(username='demo-x', role='auditor', is_demo=True)",
        ],
        prod_db,
    )
    assert made.returncode == 0, made.stderr
    # when the app starts (system checks, as runserver does; and the WSGI entry point, as gunicorn does)
    check = _run(["check"], prod_db)
    wsgi = subprocess.run(
        [sys.executable, "-c", "import ledger.wsgi"],
        cwd=ROOT,
        env={
            **os.environ,
            "LEDGER_PRODUCTION": "1",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "x.example",
            "DATABASE_URL": f"sqlite:///{prod_db}",
            "DJANGO_SETTINGS_MODULE": "ledger.settings",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then both refuse, saying why
    assert check.returncode == 1
    assert "ledger.E001" in check.stderr
    assert "演示账号" in check.stderr
    assert wsgi.returncode == 1
    assert "ImproperlyConfigured" in wsgi.stderr and "演示账号" in wsgi.stderr
    # and after purge_demo the app starts
    assert _run(["purge_demo"], prod_db).returncode == 0
    assert _run(["check"], prod_db).returncode == 0


def test_production_mode_without_secret_key_refuses_to_start(tmp_path):
    result = _run(["check"], tmp_path / "x.sqlite3", SECRET_KEY="")
    assert result.returncode == 1
    assert "SECRET_KEY" in result.stderr
