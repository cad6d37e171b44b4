import pytest

from credit.services.windows import seed_publicity_windows


@pytest.fixture
def windows(db):
    """The seeded publicity-window table (NDRC 令第36号 from 2026-04-01)."""
    seed_publicity_windows()
