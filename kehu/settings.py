"""Kehu settings: one module, driven by environment variables with safe defaults.

Every KEHU_* variable is documented in docs/operations.md.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = BASE_DIR.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DATA_DIR = Path(env("KEHU_DATA_DIR", str(CHECKOUT_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _data_key(variable: str, file_name: str) -> str:
    """Use the environment variable, else a key generated once and kept in the data folder."""
    given = env(variable)
    if given:
        return given
    key_file = DATA_DIR / file_name
    if not key_file.exists():
        # Write to a private temp file and link it into place: of several processes starting
        # at once exactly one key wins and nobody reads a half-written file.
        temp = key_file.with_name(f".{file_name}.{os.getpid()}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        try:
            os.link(temp, key_file)
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    return key_file.read_text().strip()


SECRET_KEY = _data_key("KEHU_SECRET_KEY", "secret_key")
# Keyed digests of identifiers (ID numbers, …) for uniqueness and exact search without the
# plain value: a key of its own, so that rotating SECRET_KEY does not orphan them.
KEHU_LOOKUP_KEY = _data_key("KEHU_LOOKUP_KEY", "lookup_key")
DEBUG = env_bool("KEHU_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in env("KEHU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
CSRF_TRUSTED_ORIGINS = [o for o in env("KEHU_CSRF_TRUSTED_ORIGINS").split(",") if o]

# Production hardening: on by default when KEHU_SECURE=1 (behind TLS).
SECURE = env_bool("KEHU_SECURE")
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("KEHU_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "kehu.core",
    "kehu.audit",
    "kehu.records",
    "kehu.accounts",
    "kehu.customers",
    "kehu.documents",
    "kehu.workflow",
    "kehu.filing",
    "kehu.privacy",
    "kehu.archives",
    "kehu.api",
    "kehu.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kehu.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kehu.core.middleware.ResolvedUserMiddleware",
    "kehu.audit.middleware.AuditContextMiddleware",
    "kehu.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kehu.urls"
WSGI_APPLICATION = "kehu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kehu.core.context_processors.navigation",
            ],
        },
    },
]

# Database: KEHU_DATABASE_URL (postgres://… in production), else SQLite in the data folder.
DATABASE_URL = env("KEHU_DATABASE_URL", f"sqlite:///{DATA_DIR / 'kehu.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: writers take the lock at BEGIN, so the audit chain never forks and
        # no transaction fails half-way on a lock upgrade; WAL lets readers run alongside.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-kehu.sqlite3")}
elif (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and env("KEHU_DB_PREPARED_STATEMENTS", "1") != "0"
):
    # Django's backend, with the per-request reads by key prepared (kehu/core/prepared.py).
    DATABASES["default"]["ENGINE"] = "kehu.core.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
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

# Sign-in security (SEC-5).
KEHU_LOCKOUT_THRESHOLD = env_int("KEHU_LOCKOUT_THRESHOLD", 5)
SESSION_COOKIE_AGE = env_int("KEHU_SESSION_TIMEOUT_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout: every request extends the session
SESSION_ENGINE = "kehu.accounts.sessions"  # ... with a write only once a minute (see there)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
OTP_TOTP_ISSUER = "Kehu"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("KEHU_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files (documents, attachments): one mechanism, kehu.core.storage — encrypted at rest
# (AES-256-GCM), on the local disk under KEHU_FILES_DIR or in S3-compatible object storage
# when KEHU_S3_BUCKET is set. BACK UP THE KEY: without it no stored file can be read.
KEHU_FILE_KEY = _data_key("KEHU_FILE_KEY", "file_key")
# Sensitive columns (ID, phone and account numbers, the extended personal profile) are
# encrypted in the database with this key (kehu.core.crypto). BACK IT UP like the file key.
KEHU_FIELD_KEY = _data_key("KEHU_FIELD_KEY", "field_key")
KEHU_FILES_DIR = Path(env("KEHU_FILES_DIR", str(DATA_DIR / "files")))
KEHU_S3_BUCKET = env("KEHU_S3_BUCKET")
KEHU_S3_OPTIONS = {
    "bucket_name": KEHU_S3_BUCKET,
    "endpoint_url": env("KEHU_S3_ENDPOINT_URL") or None,
    "access_key": env("KEHU_S3_ACCESS_KEY") or None,
    "secret_key": env("KEHU_S3_SECRET_KEY") or None,
    "region_name": env("KEHU_S3_REGION") or None,
    "location": env("KEHU_S3_PREFIX"),
    "addressing_style": env("KEHU_S3_ADDRESSING_STYLE", "path"),
    "file_overwrite": False,
    "default_acl": None,
    "querystring_auth": True,
}
# Uploads above this size go to a temporary file, never into memory (Django's default
# handlers: memory up to FILE_UPLOAD_MAX_MEMORY_SIZE, then TemporaryFileUploadHandler).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = env("KEHU_UPLOAD_TEMP_DIR") or None
KEHU_DOCUMENT_MAX_MB = env_int("KEHU_DOCUMENT_MAX_MB", 500)
KEHU_EXPIRY_WARNING_DAYS = env_int("KEHU_EXPIRY_WARNING_DAYS", 30)
STORAGES = {
    "default": {"BACKEND": "kehu.core.storage.EncryptedStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Audit chain heads are exported here every N events or M minutes: a place outside the
# database that its users cannot write (AUD-2, docs/operations.md); optionally to syslog too.
KEHU_AUDIT_HEAD_DIR = Path(env("KEHU_AUDIT_HEAD_DIR", str(DATA_DIR / "audit-heads")))
KEHU_AUDIT_EXPORT_EVERY_EVENTS = env_int("KEHU_AUDIT_EXPORT_EVERY_EVENTS", 100)
KEHU_AUDIT_EXPORT_EVERY_MINUTES = env_int("KEHU_AUDIT_EXPORT_EVERY_MINUTES", 15)
KEHU_AUDIT_HEAD_SYSLOG = env("KEHU_AUDIT_HEAD_SYSLOG")  # "/dev/log" or "host:514"; "" = off
# The HMAC key of the audit chain, never stored in the database. SQLite: generated into the
# data folder when not given. PostgreSQL: must be given (several servers share one chain).
KEHU_AUDIT_KEY = env("KEHU_AUDIT_KEY")

KEHU_DEMO_PASSWORD = env("KEHU_DEMO_PASSWORD", "Kehu@2026demo")
# How many demo customers `seed_demo` creates (the browser tests take fewer, to start faster).
KEHU_DEMO_CUSTOMERS = env_int("KEHU_DEMO_CUSTOMERS", 300)

TASKS = {
    "default": {
        "BACKEND": env("KEHU_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kehu.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "kehu.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["kehu.api.renderers.FastJSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kehu API",
    "DESCRIPTION": _("Kehu customer records system REST API"),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Choice sets used by several serializers get one name each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "RevealPurposeEnum": "kehu.privacy.forms.PURPOSES",
        "ConsentPurposeEnum": "kehu.privacy.models.Purpose",
        "CustomerStatusEnum": "kehu.customers.models.CustomerStatus",
        "ChangeRequestStatusEnum": "kehu.customers.models.ChangeRequestStatus",
        "CustomerKindEnum": "kehu.customers.models.CustomerKind",
        "IndustryEnum": "kehu.customers.models.Industry",
        "RoleEnum": "kehu.core.models.Role",
        "ContactRoleEnum": "kehu.customers.models.Contact.ContactRole",
        "ArchiveStageEnum": "kehu.archives.models.Stage",
        "LoanKindEnum": "kehu.archives.models.LoanKind",
        "IncidentKindEnum": "kehu.archives.models.IncidentKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("KEHU_LOG_LEVEL", "INFO")},
}

# E-mail (REV-3): SMTP in production (KEHU_SECURE) or when KEHU_EMAIL_HOST is set, else
# printed to the console (the embedded demo).
_EMAIL_HOST = env("KEHU_EMAIL_HOST", "localhost" if SECURE else "")
MAILERS = {
    "default": {
        "BACKEND": env(
            "KEHU_EMAIL_BACKEND",
            "django.core.mail.backends.smtp.EmailBackend"
            if _EMAIL_HOST
            else "django.core.mail.backends.console.EmailBackend",
        ),
        "OPTIONS": {
            "host": _EMAIL_HOST,
            "port": env_int("KEHU_EMAIL_PORT", 25),
            "username": env("KEHU_EMAIL_USER"),
            "password": env("KEHU_EMAIL_PASSWORD"),
            "use_tls": env_bool("KEHU_EMAIL_USE_TLS"),
            "use_ssl": env_bool("KEHU_EMAIL_USE_SSL"),
            "timeout": env_int("KEHU_EMAIL_TIMEOUT", 10),
        }
        if _EMAIL_HOST
        else {},
    }
}
DEFAULT_FROM_EMAIL = env("KEHU_FROM_EMAIL", "kehu@localhost")
# The address links in e-mails point to.
KEHU_BASE_URL = env("KEHU_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# A CJK TrueType font for PDFs (default: WenQuanYi Zen Hei from fonts-wqy-zenhei).
KEHU_PDF_FONT = env("KEHU_PDF_FONT")

FORM_RENDERER = "kehu.records.rendering.TablerFormRenderer"
