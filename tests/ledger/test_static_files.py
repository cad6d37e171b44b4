"""The app serves its own static files (WhiteNoise): the README's runserver has DEBUG off, which
makes Django's runserver serve none, and gunicorn never does — the dashboard drew no chart."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("ledger/vendor/chart.umd.js", "text/javascript"),
        ("ledger/dashboard.js", "text/javascript"),
        ("ledger/dashboard.css", "text/css"),
    ],
)
def test_the_dashboard_s_scripts_and_styles_are_served_with_debug_off(client, path, content_type):
    assert settings.DEBUG is False
    response = client.get(f"/static/{path}")
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == content_type
    assert b"".join(response.streaming_content) == (ROOT / "ledger" / "static" / path).read_bytes()


def test_a_missing_static_file_is_a_404(client):
    assert client.get("/static/ledger/no-such-file.js").status_code == 404
