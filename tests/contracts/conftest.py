import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Evidence files go to a temporary MEDIA_ROOT, never into var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
