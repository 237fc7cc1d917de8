"""Settings for Portal Layanan Publik, read from the environment.

The defaults give the *embedded* mode: an SQLite file under var/, Celery over the
filesystem transport, email to the console. Setting DATABASE_URL, REDIS_URL and
MQTT_URL switches to the real services; DEBUG=0 gives the production values,
which pass `manage.py check --deploy`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env(name: str, default: str = "") -> str:
    """Read a setting from NAME, or from the file named by NAME_FILE (Docker secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
TESTING = "pytest" in sys.modules or env_bool("TESTING", False)

_DEV_SECRET = "insecure-development-key-only-for-the-embedded-mode-and-tests-0123456789"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG=0 (or SECRET_KEY_FILE).")
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "django_celery_beat",
    "auditlog",
    "portal",
    "infrastructure",
    "infrastructure.alarms",
    "notifications",
    "notifications.letters",
    "leave",
    "learning",
    "gamification",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.middleware.StaffMFARequiredMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
else:
    # Embedded mode: web, worker and beat share one SQLite file; WAL and
    # IMMEDIATE transactions keep the three processes from tripping over locks.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "portal.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
USES_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery ---------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        # Django's Redis cache, reusing its client (portal/cache.py).
        "default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": REDIS_URL}
    }
    # Sessions read from Redis, written through to the database: one query less per page.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # A file cache is shared by the embedded processes (allauth's rate limits need that).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }
# Template fragments that depend on nothing but the code and the language (the login
# form): kept in each process, so a deploy (new processes) never serves stale markup.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "portal-fragments",
}

CELERY_TIMEZONE = "Asia/Jakarta"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery closes a worker's database connections after every task unless this is set;
# portal/celery.py manages them instead (CONN_MAX_AGE, closed after a failed task).
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_TIME_LIMIT = 300
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = None
else:
    # Embedded mode: a separate worker and beat talk through folders under var/
    # (kombu's filesystem transport; `memory://` does not cross processes).
    _queue_dir = VAR_DIR / "celery"
    for _sub in ("out", "processed"):
        (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "out"),
        "data_folder_out": str(_queue_dir / "out"),
        "processed_folder": str(_queue_dir / "processed"),
        "store_processed": False,
    }
# Periodic jobs; django-celery-beat copies them into the database, where admins edit them.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "clear-expired-sessions": {"task": "portal.clear_expired_sessions", "schedule": 24 * 60 * 60},
    "infrastructure-maintain-partitions": {
        "task": "infrastructure.maintain_partitions",
        "schedule": 6 * 60 * 60,
    },
    # Ingest workers merge rollup deltas every few seconds; this catches a quiet stream.
    "infrastructure-compact-rollups": {
        "task": "infrastructure.compact_rollups",
        "schedule": 60,
        "options": {"expires": 55},
    },
    # Alarm rules against the latest readings; a tick that waited too long expires.
    "infrastructure-alarms-evaluate": {"task": "infrastructure.alarms_evaluate", "schedule": 10},
    # Signs a transparency-log checkpoint only when the log grew.
    "letters-tlog-checkpoint": {"task": "letters.tlog_checkpoint", "schedule": 60},
    # Closes yesterday's attendance, starts taken leave, allocates the newly eligible.
    "leave-daily": {"task": "leave.daily", "schedule": crontab(hour=0, minute=15)},
    "leave-ledger-check": {"task": "leave.ledger_check", "schedule": crontab(hour=1, minute=0)},
    "learning-due-reminders": {"task": "learning.due_reminders", "schedule": 24 * 60 * 60},
    "learning-certificates-retry": {"task": "learning.certificates_retry", "schedule": 15 * 60},
    # Hourly, so each time zone's local day is caught; reruns record nothing twice.
    "notifications-send-due-notices": {
        "task": "notifications.send_due_notices",
        "schedule": crontab(minute=5),
    },
    "notifications-sweep": {"task": "notifications.sweep", "schedule": 60},
    "notifications-campaigns-start-due": {
        "task": "notifications.campaigns_start_due",
        "schedule": 60,
    },
    "gamification-sweep-activities": {"task": "gamification.sweep_activities", "schedule": 60},
    "gamification-check-ledger": {
        "task": "gamification.check_ledger",
        "schedule": crontab(hour=2, minute=30),
    },
}
# Ingestion has its own queue so no other app's tasks can delay readings.
CELERY_TASK_ROUTES = {"infrastructure.ingest_batch": {"queue": "ingest"}}

# --- MQTT -------------------------------------------------------------------
MQTT_URL = env("MQTT_URL")

# --- Authentication (django-allauth) ----------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend that also loads the user's roles in the same query.
    "portal.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "portal:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Portal Layanan Publik] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
# allauth's defaults already limit login failures, signups and resets per IP and
# per account; they are stated here so the limits are visible and tunable.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Portal Layanan Publik"
# Roles (groups) whose members must have MFA before they can use the portal.
STAFF_ROLES = ("pegawai", "atasan", "pejabat", "admin")

# --- Personal data ------------------------------------------------------------
# django-fernet-encrypted-fields derives its key from SECRET_KEY and this salt.
SALT_KEY = env_list("FIELD_ENCRYPTION_SALT", "portal-nik-salt-development" if DEBUG else "")
if not SALT_KEY:
    raise RuntimeError(
        "FIELD_ENCRYPTION_SALT must be set when DEBUG=0 (it keys the NIK encryption)."
    )
# Keyed hash for looking a NIK up without decrypting every row.
NIK_HASH_KEY = env("NIK_HASH_KEY", SECRET_KEY)

# --- Internationalisation ----------------------------------------------------
LANGUAGE_CODE = "id"
# Each language in its own name, as language menus show them.
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Email -------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", "Portal Layanan Publik <noreply@portal.example.go.id>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email_host = env("EMAIL_HOST")
if _email_host:
    _mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _email_host,
            "port": int(env("EMAIL_PORT", "587")),
            "username": env("EMAIL_HOST_USER"),
            "password": env("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", True),
            "timeout": 10,
        },
    }
else:
    _backend = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    _mailer = {"BACKEND": _backend}
    if _backend.endswith("filebased.EmailBackend"):
        _mailer["OPTIONS"] = {"file_path": str(VAR_DIR / "mail")}
# Django 6.1's MAILERS (EMAIL_BACKEND/EMAIL_HOST are deprecated); tests swap in locmem.
MAILERS = {"default": _mailer}

# --- Security ------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline script or style anywhere: htmx and our CSS come from our own static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Audit trail ---------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# --- Logging -------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
