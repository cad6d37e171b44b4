"""WSGI entry point. In production mode it refuses to start while demo users exist."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledger.settings")

application = get_wsgi_application()

from ledger.checks import refuse_demo_users_in_production  # noqa: E402

refuse_demo_users_in_production()

from ledger.runtime import settle  # noqa: E402

settle()
