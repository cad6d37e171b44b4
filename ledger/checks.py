"""System checks: production mode refuses to run while demo users exist (SPEC §7)."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

DEMO_USERS_ERROR = "生产模式下存在演示账号，拒绝启动：请先删除演示账号（manage.py purge_demo）"


def demo_user_count() -> int:
    from ledger.models import User

    try:
        return User.objects.filter(is_demo=True).count()
    except DatabaseError:  # tables not migrated yet: nothing to refuse
        return 0


@register()
def check_no_demo_users_in_production(app_configs=None, **kwargs):
    if not getattr(settings, "PRODUCTION", False):
        return []
    if demo_user_count():
        return [Error(DEMO_USERS_ERROR, id="ledger.E001")]
    return []


def refuse_demo_users_in_production() -> None:
    """Called by the WSGI entry point: gunicorn does not run system checks."""
    if getattr(settings, "PRODUCTION", False) and demo_user_count():
        raise ImproperlyConfigured(DEMO_USERS_ERROR)
