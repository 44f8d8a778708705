"""Settings, read from the environment.

Development needs nothing set: SQLite and key files live under var/. Production
(PLEDGE_ENV=production) refuses to start until every secret is given, and then passes
`manage.py check --deploy` with no warnings.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PLEDGE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Under pytest the default is "test" (tasks run at once, no background writers), however it is started.
PLEDGE_ENV = os.environ.get("PLEDGE_ENV", "test" if "pytest" in sys.modules else "development")
if PLEDGE_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"PLEDGE_ENV must be development, test or production, not {PLEDGE_ENV!r}")
PRODUCTION = PLEDGE_ENV == "production"

# Secrets that production must be given; development derives safe local stand-ins.
PRODUCTION_SECRETS = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "KEYSTORE_DATABASE_URL",
    "PLEDGE_MASTER_KEY",
    "PLEDGE_INDEX_KEY",
    "EMAIL_HOST",
)
if PRODUCTION:
    missing = [name for name in PRODUCTION_SECRETS if not os.environ.get(name)]
    if missing:
        raise ImproperlyConfigured(
            "Production settings need these environment variables: " + ", ".join(missing)
        )


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY") or "development-only-secret-key-not-for-production-use-0123456789"
DEBUG = _env_bool("DEBUG", PLEDGE_ENV == "development")
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs' assets itself: the consent CSP allows no CDN
    # The privacy engine.
    "privacy.policy",
    "privacy.audit",
    "privacy.catalog",
    "privacy.vault",
    "privacy.consent",
    "privacy.processing",
    "privacy.rights",
    # The SogaWorks Services.
    "accounts",
    "addresses",
    "support",
    "orders",
    "payments",
    "chat",
    "weblog",
    "marketing",
    "pledge",
]

MIDDLEWARE = [
    # First, so that every personal value read while serving a request is kept out of its logs.
    "privacy.vault.redaction.RedactionScopeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "weblog.middleware.RequestLogMiddleware",  # first after security: its timing covers the rest
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "privacy.consent.middleware.ConsentMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that its process_exception sees a view's vault errors first.
    "privacy.vault.middleware.VaultErrorMiddleware",
]

ROOT_URLCONF = "pledge.urls"
WSGI_APPLICATION = "pledge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "privacy.policy.context.policy_summary",
            ],
        },
    },
]

# SQLite runs with secure_delete so that deleted rows are overwritten, not left in free pages.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA secure_delete=ON; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
}


def _database(url_env: str, sqlite_name: str) -> dict[str, object]:
    url = os.environ.get(url_env)
    if url:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / sqlite_name)}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
        # Keep each thread's connection: opening one runs the PRAGMAs, and closing the last
        # one checkpoints the WAL, which together cost several times a consent record's INSERT.
        config["CONN_MAX_AGE"] = int(os.environ.get("PLEDGE_SQLITE_CONN_MAX_AGE", "600"))
    config["CONN_HEALTH_CHECKS"] = True
    return config


# The key store lives apart from the data: a copy of the data alone cannot be read.
DATABASES = {
    "default": _database("DATABASE_URL", "pledge.sqlite3"),
    "keys": _database("KEYSTORE_DATABASE_URL", "keys.sqlite3"),
}
DATABASE_ROUTERS = ["privacy.vault.routers.KeyStoreRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "src" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("PLEDGE_MEDIA_ROOT", VAR_DIR / "uploads"))

# The privacy engine.
PLEDGE_POLICY_FILE = Path(os.environ.get("PLEDGE_POLICY_FILE", BASE_DIR / "policy" / "sogaworks.yaml"))
PLEDGE_COMMITMENTS_FILE = Path(
    os.environ.get("PLEDGE_COMMITMENTS_FILE", BASE_DIR.parent / "shared" / "seed" / "commitments.md")
)
PLEDGE_KEY_DIR = Path(os.environ.get("PLEDGE_KEY_DIR", VAR_DIR / "keys"))

# Cookie consent (privacy.consent; docs/decisions/0005-consent.md).
# The analytics provider: a stand-in on loopback in development and tests (declared as such
# in policy/sogaworks.yaml), the real provider's origin in production.
PLEDGE_ANALYTICS_ORIGIN = os.environ.get("PLEDGE_ANALYTICS_ORIGIN", "http://127.0.0.1:8765")
PLEDGE_SITE_URL = os.environ.get("PLEDGE_SITE_URL", "http://127.0.0.1:8000")  # absolute links in e-mails
# Where visitors are: geoip2fast on the client IP, unless one place is fixed ("DE", "US-CA");
# behind a proxy, the META key of the client IP header (e.g. "HTTP_X_REAL_IP"), and of a
# region header from the CDN (e.g. "HTTP_CLOUDFRONT_VIEWER_COUNTRY_REGION") for US states.
PLEDGE_CONSENT_COUNTRY = os.environ.get("PLEDGE_CONSENT_COUNTRY") or None
PLEDGE_CONSENT_CLIENT_IP_HEADER = os.environ.get("PLEDGE_CONSENT_CLIENT_IP_HEADER") or None
PLEDGE_CONSENT_REGION_HEADER = os.environ.get("PLEDGE_CONSENT_REGION_HEADER") or None
PLEDGE_CONSENT_ACCOUNT_SYNC_SECONDS = 300  # a logged-in browser re-reads its account's choice this often
# The policy promises advertising cookies only with agreement (C15), in every jurisdiction;
# Global Privacy Control opts out of them (sale and sharing).
PLEDGE_CONSENT_OPT_IN_EVERYWHERE = ("advertising",)
PLEDGE_CONSENT_GPC_CATEGORIES = ("advertising",)

# Quotes, orders and payments (docs/decisions/0009-orders-payments.md). 3D uploads larger
# than this are refused before anything is stored; the gateway is a dotted path to a
# payments.gateway.PaymentGateway (the in-memory test gateway until a provider is configured).
PLEDGE_MAX_UPLOAD_BYTES = int(os.environ.get("PLEDGE_MAX_UPLOAD_BYTES", str(100 * 1024 * 1024)))
PLEDGE_PAYMENT_GATEWAY = os.environ.get("PLEDGE_PAYMENT_GATEWAY", "payments.testgateway.TestGateway")

# Live chat (docs/decisions/0010-chat.md): the largest attachment taken, per kind, in bytes.
# Larger files are refused before anything is stored.
PLEDGE_CHAT_MAX_BYTES = {
    "image": int(os.environ.get("PLEDGE_CHAT_MAX_IMAGE_BYTES", str(20 * 1024 * 1024))),
    "audio": int(os.environ.get("PLEDGE_CHAT_MAX_AUDIO_BYTES", str(50 * 1024 * 1024))),
    "video": int(os.environ.get("PLEDGE_CHAT_MAX_VIDEO_BYTES", str(200 * 1024 * 1024))),
    "model3d": PLEDGE_MAX_UPLOAD_BYTES,
}

# Technical logs (weblog; docs/decisions/0008-weblog.md). The middleware only appends to a
# buffer; a background thread writes it every FLUSH_INTERVAL_MS or FLUSH_ROWS rows. Tests
# run without the thread and call weblog.writer.flush_request_log() themselves.
WEBLOG = {
    "BACKGROUND": _env_bool("WEBLOG_BACKGROUND", PLEDGE_ENV != "test"),
    "FLUSH_INTERVAL_MS": int(os.environ.get("WEBLOG_FLUSH_INTERVAL_MS", "500")),
    "FLUSH_ROWS": int(os.environ.get("WEBLOG_FLUSH_ROWS", "500")),
    "BUFFER_LIMIT": 20_000,  # beyond this, requests are counted as dropped rather than kept in memory
    # Not logged, besides STATIC_URL: the e-mail open pixels, whose IP the policy does not keep;
    # and cookie choices sent to the consent API, which are not pages visited and whose proof
    # record already keeps what the law asks of them (time, truncated IP, user-agent family,
    # country): a second, fuller copy in the page log would only add data (and a writer
    # contending with every choice for SQLite's lock).
    "SKIP_PREFIXES": ("/favicon.ico", "/health", "/t/o/", "/consent/open/", "/api/consent/"),
    "QUERY_ALLOWLIST": (),  # query keys kept in the logged page; none: a query can carry personal data
    "REDACTED_URL_KWARGS": ("token", "uidb64", "key", "signature", "secret"),
    "CLIENT_IP_HEADER": PLEDGE_CONSENT_CLIENT_IP_HEADER,
    "GEOIP_DATA_FILE": os.environ.get("WEBLOG_GEOIP_DATA_FILE", "geoip2fast-ipv6.dat.gz"),
    "ANALYTICS_PROVIDER": (
        "weblog.analytics.InMemoryAnalyticsProvider"
        if PLEDGE_ENV == "test"
        else "weblog.analytics.HttpAnalyticsProvider"
    ),
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", PRODUCTION)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SogaWorks <no-reply@sogaworks.com>")

# Background tasks (django-tasks). TASKS_BACKEND picks the queue: "database" (the default
# outside tests; worker: `pledge db_worker`) or "rq" (Redis at REDIS_URL; worker:
# `pledge rqworker --job-class django_tasks_rq.Job default`); tests run tasks at once.
# PLEDGE_TASK_BACKEND, a dotted path, still overrides both. See docs/operations.md.
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate" if PLEDGE_ENV == "test" else "database")
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}, not {TASKS_BACKEND!r}"
    )
TASKS = {
    "default": {
        "BACKEND": os.environ.get("PLEDGE_TASK_BACKEND", TASK_BACKENDS[TASKS_BACKEND]),
        "QUEUES": ["default"],
    }
}
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")  # its rqworker command, and the backend's system check

LOGIN_URL = "/account/login/"
LOGIN_REDIRECT_URL = "/account/"
# Log-in by username or e-mail through blind indexes; refuses staff, who log in with TOTP
# (accounts/backends.py).
AUTHENTICATION_BACKENDS = ["accounts.backends.AccountBackend"]
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for one hour
# auth.W004: User.username is encrypted (random ciphertext), so it cannot carry a unique
# constraint; uniqueness is enforced on its blind index (username_index, unique=True), which
# the manager's get_by_natural_key and AccountBackend use. See docs/decisions/0006-accounts.md.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

# Transport security (commitment C36): production is TLS-only with HSTS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_personal": {"()": "privacy.vault.redaction.RedactPersonalValues"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_personal"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
# Exception reports never show decrypted personal values.
DEFAULT_EXCEPTION_REPORTER_FILTER = "privacy.vault.redaction.RedactingExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "privacy.vault.redaction.RedactingExceptionReporter"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # django_language is declared for one year

# keeps: C36 (TLS only in production: HSTS, secure cookies, HTTPS redirect)
