"""Settings for the Commitment Ledger, read from the environment.

Development defaults need nothing set: SQLite in ./var/, DEBUG off unless DEBUG=1.
Production mode (LEDGER_PRODUCTION=1) requires SECRET_KEY and ALLOWED_HOSTS, turns on every
HTTPS/cookie hardening that `check --deploy` asks for, and refuses to start while demo users
exist (see ledger/checks.py).
"""

import contextlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = env_bool("LEDGER_PRODUCTION")
DEBUG = env_bool("DEBUG")

_DEV_SECRET = "dev-only-insecure-key-never-used-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("生产模式必须通过环境变量 SECRET_KEY 设置密钥")

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if not ALLOWED_HOSTS and not PRODUCTION:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("生产模式必须通过环境变量 ALLOWED_HOSTS 设置主机名")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "simple_history",
    "ledger.apps.LedgerConfig",
    "contracts.apps.ContractsConfig",
    "credit.apps.CreditConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # the app serves its own static files (the dashboard's charts and styles): runserver does so
    # only with DEBUG, which is off by default, and gunicorn never does
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "ledger.urls"
WSGI_APPLICATION = "ledger.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if not os.environ.get("DATABASE_URL"):
    (BASE_DIR / "var").mkdir(exist_ok=True)  # the embedded SQLite file lives here; git ignores it
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'ledger.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
# Every request is one transaction: a domain error raised after a write rolls it all back
# (the API exception handler also calls set_rollback()).
DATABASES["default"]["ATOMIC_REQUESTS"] = True

AUTH_USER_MODEL = "ledger.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# collectstatic's, empty until then; WhiteNoise warns at start-up where it is missing. A read-only
# install may lack it and loses nothing: the files come from the apps' folders.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Straight from the apps' static folders, so no collectstatic step is needed (WhiteNoise indexes
# them once at start-up); a deployment may still run collectstatic into STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ledger@localhost")

# Sessions expire after 30 minutes of inactivity (a government workstation is shared).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ledger.api.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "ledger.api.pagination.LedgerPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        # django-filter and ordering, strict: an invalid parameter is a 400 naming it (ledger/filters.py).
        "ledger.filters.LedgerFilterBackend",
        "ledger.filters.StrictOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "ledger.api.schema.LedgerAutoSchema",
    "EXCEPTION_HANDLER": "ledger.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_RATES": {"public_lookup": os.environ.get("PUBLIC_LOOKUP_RATE", "10/min")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "履约践诺台账 API",
    "DESCRIPTION": "Commitment Ledger: policy commitments, contracts and what a government owes.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ImportStatusEnum": "ledger.models.imports.ImportStatus",
        "RecommendationKindEnum": "ledger.models.oversight.RecommendationKind",
        "DecisionKindEnum": "ledger.models.oversight.DecisionKind",
        "AllocationRuleEnum": "ledger.models.obligations.AllocationRule",
        "RegimeEnum": "ledger.models.obligations.Regime",
        "LedgerEntryKindEnum": "ledger.models.obligations.EntryKind",
        "ObligationLiveStatusEnum": "ledger.selectors.obligations.Status.choices",
        "RedemptionStatusEnum": "ledger.models.obligations.RedemptionStatus",
        "AgencyKindEnum": "ledger.models.parties.AgencyKind",
        "DishonestyKindEnum": "credit.models.DishonestyKind",
        "SeverityEnum": "credit.models.Severity",
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- The ledger's own settings -------------------------------------------------------------
# SPEC R2 reading of 法定休假日 (docs/adr/0001-day-counting.md): 'civil_procedure' | 'statutory_only'.
LEDGER_DAY_COUNTING = os.environ.get("LEDGER_DAY_COUNTING", "civil_procedure")
# API tokens expire; a client signs in again (SPEC §4).
LEDGER_TOKEN_TTL = timedelta(hours=int(os.environ.get("LEDGER_TOKEN_TTL_HOURS", "8")))
# Login lockout: this many failures within the window locks the account for the window.
LEDGER_LOCKOUT_FAILURES = int(os.environ.get("LEDGER_LOCKOUT_FAILURES", "5"))
LEDGER_LOCKOUT_WINDOW = timedelta(minutes=int(os.environ.get("LEDGER_LOCKOUT_MINUTES", "15")))
# Prefix of OCDS ocids; a real publisher registers its own with the Open Contracting Partnership.
LEDGER_OCID_PREFIX = os.environ.get("LEDGER_OCID_PREFIX", "ocds-demo00")
# The access log (logins, views of enterprise data, exports) is kept at least 6 months
# (网络安全法 art. 21(3)); prune_access_log deletes only what is older than this many days.
LEDGER_ACCESS_LOG_KEEP_DAYS = int(os.environ.get("LEDGER_ACCESS_LOG_KEEP_DAYS", "365"))
# Uploaded evidence: at most this many bytes.
LEDGER_MAX_UPLOAD_BYTES = int(os.environ.get("LEDGER_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
# Exports (issue 6): above this many rows an export runs as a background job (run_export_jobs).
LEDGER_EXPORT_SYNC_MAX_ROWS = int(os.environ.get("LEDGER_EXPORT_SYNC_MAX_ROWS", "50000"))
# Rows per XLSX sheet, header included; beyond it the export continues on a further sheet.
LEDGER_XLSX_SHEET_ROWS = int(os.environ.get("LEDGER_XLSX_SHEET_ROWS", str(1_048_576)))
# 存量 (stock) cut-off: arisen before this date. The default is the start of the district's
# 2022–2024 action plan, whose 2023 goal is "存量问题全面摸清、基本解决"; ?stock_cutoff= overrides it.
LEDGER_STOCK_CUTOFF = os.environ.get("LEDGER_STOCK_CUTOFF", "2022-01-01")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

if PRODUCTION:
    DEBUG = False
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    X_FRAME_OPTIONS = "DENY"
    SECURE_CONTENT_TYPE_NOSNIFF = True
