"""The one settings module. Every environment-specific value comes from the environment;
`.env.example` lists them all. With DJANGO_DEBUG off (production), the secret key and the
encryption keys have no defaults: the server refuses to start without them."""

import os
import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Development-only fallbacks, never used when DEBUG is off.
_DEV_SECRET_KEY = "dev-insecure-secret-key-do-not-use-in-production"  # noqa: S105 (development only)
_DEV_ENCRYPTION_KEY = "ZGV2LWluc2VjdXJlLWtleS0zMi1ieXRlcy1sb25nISE="


def _required(name: str, dev_default):
    value = env(name, default=None)
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(
        f"{name} must be set when DJANGO_DEBUG is off (see .env.example; .env is read). "
        "For development, set DJANGO_DEBUG=true, as make does."
    )


SECRET_KEY = _required("DJANGO_SECRET_KEY", _DEV_SECRET_KEY)
# Fernet keys, newest first: data is encrypted with the first and decrypted with any.
LINK_ENCRYPTION_KEYS = [
    k.strip() for k in str(_required("LINK_ENCRYPTION_KEYS", _DEV_ENCRYPTION_KEY)).split(",") if k
]

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Where end users reach this server; link_web_url and OAuth redirect URIs are built from it.
LINK_PUBLIC_URL = env.str("LINK_PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")
LINK_TOKEN_TTL_MINUTES = env.int("LINK_TOKEN_TTL_MINUTES", default=60)
# Rejected passwords or codes after which a link session closes.
LINK_MAX_REJECTED_ATTEMPTS = env.int("LINK_MAX_REJECTED_ATTEMPTS", default=5)
API_BEARER_TTL_SECONDS = env.int("API_BEARER_TTL_SECONDS", default=3600)
# Pending email connections (FreeStyle Libre): how often to ask the vendor, and for how long.
LINK_PENDING_CHECK_SECONDS = env.int("LINK_PENDING_CHECK_SECONDS", default=300)
LINK_PENDING_DAYS = env.int("LINK_PENDING_DAYS", default=7)
LINK_WEBHOOK_TIMEOUT_SECONDS = env.int("LINK_WEBHOOK_TIMEOUT_SECONDS", default=10)
LINK_WEBHOOK_MAX_ATTEMPTS = env.int("LINK_WEBHOOK_MAX_ATTEMPTS", default=8)
# Requests per window ("count/seconds"): per client IP and per team on the API, per client IP on
# the widget's pages, and per link token at the widget's rate (linkwidget/ratelimit.py).
LINK_RATE_LIMIT_API = env.str("LINK_RATE_LIMIT_API", default="600/60")
LINK_RATE_LIMIT_WIDGET = env.str("LINK_RATE_LIMIT_WIDGET", default="300/60")
# Trusted reverse proxies in front of the app (X-Forwarded-For hops to trust).
LINK_NUM_PROXIES = env.int("LINK_NUM_PROXIES", default=0)

# Vendor calls (providers/http.py): every call has this timeout.
LINK_PROVIDER_TIMEOUT_SECONDS = env.float("LINK_PROVIDER_TIMEOUT_SECONDS", default=10)
LINK_OAUTH_STATE_TTL_MINUTES = env.int("LINK_OAUTH_STATE_TTL_MINUTES", default=15)
# The credentials endpoint refreshes first a token that expires within this many seconds.
LINK_CREDENTIALS_MIN_TTL_SECONDS = env.int("LINK_CREDENTIALS_MIN_TTL_SECONDS", default=300)
# Health data pulls (health/pulling.py): a new connection's history this many days back; then
# new data every LINK_PULL_EVERY_MINUTES from vendors that do not push, and a daily pull as a
# safety net from those that do.
LINK_BACKFILL_DAYS = env.int("LINK_BACKFILL_DAYS", default=30)
LINK_PULL_EVERY_MINUTES = env.int("LINK_PULL_EVERY_MINUTES", default=60)
LINK_PULL_PUSHED_MINUTES = env.int("LINK_PULL_PUSHED_MINUTES", default=1440)
# Our apps registered with vendors, read for any vendor name from LINK_<VENDOR>_CLIENT_ID and
# LINK_<VENDOR>_CLIENT_SECRET (the vendors that need one say so: `requires_app`); a team may bring
# its own (teams.ProviderApp). A vendor that needs an app and has none is not offered to
# production teams. For freestyle_libre the "app" is the LibreView practice account (its login
# email and password).
LINK_OAUTH_APPS = {
    match[1].lower(): {
        "client_id": client_id,
        "client_secret": env.str(f"LINK_{match[1]}_CLIENT_SECRET", default=""),
    }
    for name, client_id in os.environ.items()
    if (match := re.fullmatch(r"LINK_([A-Z0-9_]+)_CLIENT_ID", name))
}
# The signature_secret_key Polar AccessLink returned when Link's webhook was created (one
# webhook per Polar client; Polar shows the key only then). Without it, Polar's webhooks are
# refused and Polar data arrives by the scheduled pulls only.
LINK_POLAR_WEBHOOK_SECRET = env.str("LINK_POLAR_WEBHOOK_SECRET", default="")
# Sandbox teams talk to vendor emulators served by this server under /sandbox/.
LINK_SANDBOX_ENABLED = env.bool("LINK_SANDBOX_ENABLED", default=DEBUG)
# Development only: sandbox teams may redirect anywhere without registered redirect URLs and
# send webhooks to local addresses. Off on a production server, sandbox teams included.
LINK_SANDBOX_UNRESTRICTED = env.bool("LINK_SANDBOX_UNRESTRICTED", default=DEBUG)
LINK_SANDBOX_BASE_URL = (env.str("LINK_SANDBOX_BASE_URL", default="") or LINK_PUBLIC_URL).rstrip(
    "/"
)
LINK_SANDBOX_SLOW_SECONDS = env.float("LINK_SANDBOX_SLOW_SECONDS", default=15)
# The pretend customer app at /demo/ (it creates users and link tokens for the sandbox team
# "Demo"): a 404 unless enabled, which it is by default only in development.
LINK_DEMO_ENABLED = env.bool("LINK_DEMO_ENABLED", default=DEBUG)

INSTALLED_APPS = [
    "linkwidget.apps.ConsoleAdminConfig",  # django.contrib.admin as the console
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "ninja",  # /docs serves Swagger UI from ninja's bundled static files, not a CDN
    "teams",
    "link",
    "connections",
    "webhooks",
    "providers",
    "health",
    "api",
]

# What every kind of request passes; each kind's own middleware is in linkwidget/kinds.py.
MIDDLEWARE = [
    "linkwidget.probes.ProbeMiddleware",  # /healthz, /readyz, /metrics: before all the rest
    "django.middleware.security.SecurityMiddleware",
    "linkwidget.kinds.MiddlewarePerKind",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# Django's checks for the sessions, auth, messages and CSRF middleware look in MIDDLEWARE only;
# linkwidget.kinds checks the chains of the console and the demo for them instead.
SILENCED_SYSTEM_CHECKS = ["admin.E408", "admin.E409", "admin.E410", "security.W003"]

# The API accepts paths with and without a trailing slash; a redirect would turn the SDK's
# POST into a GET, so Django must never add the slash itself.
APPEND_SLASH = False

ROOT_URLCONF = "linkwidget.urls"
WSGI_APPLICATION = "linkwidget.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same, but for a health check skipped on a connection busy a moment ago.
    DATABASES["default"]["ENGINE"] = "linkwidget.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

TASKS = {
    "default": {
        "BACKEND": env.str("LINK_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "providers.logos.VendorLogoFinder",  # providers/vendors/<slug>/logo.svg as providers/<slug>.svg
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if not DEBUG else None
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

# Loggers that write secrets below a level, held at that level whatever DJANGO_LOG_LEVEL says:
# requests-oauthlib and oauthlib log the Authorization header with our client secret, the code,
# code_verifier and whole token responses at DEBUG; urllib3 logs URLs with their query strings
# (where some vendors want secrets) at DEBUG and WARNING; Django logs SQL with its parameters and
# the template context of a failed lookup (a secret shown once) at DEBUG.
_QUIET_BELOW = {
    "requests_oauthlib": "WARNING",
    "oauthlib": "WARNING",
    "urllib3": "ERROR",
    "django.db.backends": "INFO",
    "django.template": "INFO",
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(levelname)s %(name)s: %(message)s"},
        "json": {"()": "linkwidget.jsonlog.JsonFormatter"},
    },
    "filters": {"url_secrets": {"()": "linkwidget.access_log.RedactUrlSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        **{name: {"level": level} for name, level in _QUIET_BELOW.items()},
        # runserver's access log: without link tokens and OAuth codes.
        "django.server": {"filters": ["url_secrets"]},
    },
}
# Operators: one JSON object per log line (DJANGO_LOG_FORMAT=json), and Prometheus metrics at
# /metrics for `Authorization: Bearer LINK_METRICS_TOKEN` (off while it is unset).
if env.str("DJANGO_LOG_FORMAT", default="text") == "json":
    LOGGING["handlers"]["console"]["formatter"] = "json"
LINK_METRICS_TOKEN = env.str("LINK_METRICS_TOKEN", default="")

# In development, whitenoise serves straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
