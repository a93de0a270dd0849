"""Django settings for Shidian, configured from environment variables with safe defaults.

Every variable is documented in docs/configuration.md. The embedded default (SQLite, local media,
the database-backed task worker) needs none of them.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from shidian.config.env import env_bool, env_int, env_list, env_networks, env_str, secret_key

SRC_DIR = Path(__file__).resolve().parent.parent  # src/shidian
BASE_DIR = Path(env_str("SHIDIAN_HOME", str(SRC_DIR.parent.parent))).resolve()
DATA_DIR = Path(env_str("SHIDIAN_DATA_DIR", str(BASE_DIR / "var"))).resolve()

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # The API docs page: ninja serves Swagger UI from its own static files, never a CDN.
    "ninja",
    "template_partials",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "shidian.apps.core",
    "shidian.apps.runs",
    "shidian.apps.orgs",
    "shidian.apps.accounts",
    "shidian.apps.documents",
    "shidian.apps.standards",
    "shidian.apps.notifications",
    "shidian.apps.evidence",
    "shidian.apps.reviews",
    "shidian.apps.submissions",
    "shidian.apps.campaigns",
    "shidian.apps.programmes",
    "shidian.apps.selection",
    "shidian.apps.plans",
    "shidian.apps.reports",
    "shidian.apps.supervision",
    "shidian.apps.indicators",
    "shidian.apps.inspections",
    "shidian.apps.midterm",
    "shidian.apps.evaluation",
    "shidian.apps.acceptance",
    "shidian.apps.communities",
    "shidian.apps.formations",
    "shidian.apps.activities",
    "shidian.apps.helprequests",
    "shidian.apps.classgroups",
    "shidian.apps.api",
    "shidian.apps.exchange",
    "shidian.apps.commendations",
    "shidian.apps.rollout",
    "shidian.apps.cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shidian.apps.core.middleware.ChineseFirstLocaleMiddleware",
    "shidian.apps.api.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shidian.apps.core.middleware.NoStoreForUsersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shidian.config.urls"
# Every {{ form }} renders like the app's own forms (core/formrender.py).
FORM_RENDERER = "shidian.apps.core.formrender.FormRenderer"
WSGI_APPLICATION = "shidian.config.wsgi.application"

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
                "csp.context_processors.nonce",
                "shidian.apps.core.context_processors.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "shidian.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; the busy timeout makes writers wait
    # their turn instead of failing with "database is locked"; IMMEDIATE takes the write lock at
    # BEGIN so two writers never deadlock on a lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            " PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME", "") or None}
# A read replica for the dashboards (apps/core/replica.py): only pages decorated with
# @replica_reads read it, and only when the browser wrote nothing in the last
# REPLICA_AFTER_WRITE_SECONDS; an unreachable replica is skipped for REPLICA_RETRY_SECONDS.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
REPLICA_AFTER_WRITE_SECONDS = env_int("REPLICA_AFTER_WRITE_SECONDS", 5)
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 10)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,  # a restarted standby: reconnect instead of failing the page
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        # A standby that does not answer must not hold a page for long: fall back quickly.
        DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 2}
    # Tests run against the primary's test database: the replica alias is its mirror.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["shidian.apps.core.replica.ReplicaRouter"]
    MIDDLEWARE.append("shidian.apps.core.replica.RecentWriteMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (login throttling and rate limits must be shared by all app servers) --------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks -------------------------------------------------------------------------
TASK_BACKEND = env_str("TASK_BACKEND", "database")
if TASK_BACKEND == "redis":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}
elif TASK_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
elif TASK_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"TASK_BACKEND={TASK_BACKEND!r}: use 'database' (default), 'redis' or 'immediate'"
    )

# Long work (apps/runs): progress rows are written at most once per interval; a running run whose
# worker has not reported for RUNS_STALE_AFTER seconds is shown as interrupted (retry offered).
# It must exceed a kind's longest silent step (a LibreOffice conversion: DOCUMENTS_CONVERT_TIMEOUT).
RUNS_PROGRESS_INTERVAL = float(env_int("RUNS_PROGRESS_INTERVAL_MS", 1000)) / 1000
RUNS_STALE_AFTER = env_int("RUNS_STALE_AFTER", 900)
# Lists up to this many rows are exported at once; longer ones become a Run with a download.
ORGS_EXPORT_INLINE_MAX = env_int("ORGS_EXPORT_INLINE_MAX", 20000)
CAMPAIGN_EXPORT_INLINE_MAX = env_int("CAMPAIGN_EXPORT_INLINE_MAX", 20000)
# A file tried on the exchange page and never confirmed is deleted by the daily job after this
# long; keep it above SESSION_COOKIE_AGE, or a file could go while its session still offers it.
EXCHANGE_UPLOAD_MAX_AGE_HOURS = env_int("EXCHANGE_UPLOAD_MAX_AGE_HOURS", 24)

# --- Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "shidian.apps.accounts.backends.AccountBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling: 5 failures lock one user name from one client address; 30 failures from one
# address (any user names) lock that address. Both for the cool-off. The client address is
# core.clientip.client_ip, which reads X-Forwarded-For only from TRUSTED_PROXIES.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30)  # 0 turns it off
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "shidian.apps.accounts.throttle.LoginThrottleHandler"
AXES_CLIENT_IP_CALLABLE = "shidian.apps.core.clientip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Reset e-mails per hour, per e-mail address and per client address.
PASSWORD_RESET_LIMIT = env_int("PASSWORD_RESET_LIMIT", 5)
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Each app keeps its own catalogs in <app>/locale/ (see scripts/i18n.py).
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "shidian_language"

# --- Static files and uploads -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [SRC_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "local")
_static_backend = (
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
    if env_bool("STATIC_MANIFEST", not DEBUG)
    else "django.contrib.staticfiles.storage.StaticFilesStorage"
)
if STORAGE_BACKEND == "s3":
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env_str("S3_BUCKET"),
                "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
                "access_key": env_str("S3_ACCESS_KEY_ID"),
                "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
                "region_name": env_str("S3_REGION") or None,
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
        "staticfiles": {"BACKEND": _static_backend},
    }
elif STORAGE_BACKEND == "local":
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": _static_backend},
    }
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"STORAGE_BACKEND={STORAGE_BACKEND!r}: use 'local' or 's3'")

# Uploads: checked per feature for type and size; these are the global ceilings.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# --- Documents (公文): LibreOffice for PDFs (see docs/documents.md) ---------------------------
DOCUMENTS_SOFFICE = env_str("SOFFICE", "soffice")
DOCUMENTS_CONVERT_TIMEOUT = env_int("DOCUMENTS_CONVERT_TIMEOUT", 180)

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "shidian@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address people open the site at, for links in e-mails sent without a request (reminders
# from the scheduler); when empty, the request's address, else http://127.0.0.1:8000.
SITE_URL = env_str("SITE_URL", "").strip().rstrip("/")
if SITE_URL and not SITE_URL.startswith(("http://", "https://")):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} must start with http:// or https://")

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the meta tag, not the cookie
CSRF_FAILURE_VIEW = "shidian.apps.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDRs): see core/clientip.py.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

# A content security policy without inline scripts: every script is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Charts set style attributes from script (tooltips); scripts themselves stay strict.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
