"""Django settings for Convergence.

Every value comes from the environment through the small typed helpers below, so one file
serves a laptop, CI and production. With nothing set, the app runs in development mode on an
SQLite file in the project folder. The README lists every variable with its default.
"""

import os
from pathlib import Path

import dj_database_url
import plotly
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: expected one of 1/0, true/false, yes/no, on/off")


def envint(name: str, default: int) -> int:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)

SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "The SECRET_KEY environment variable is missing. With DEBUG off the app needs a long "
            "random value, for example from: "
            'python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"  # nosec B105  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "bootstrap",
    "axes",
    "csp",
    "django_ratelimit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "auditlog",  # who did what to a campaign (assessments/audit.py)
    "django_countries",  # a site's country from the ISO 3166 list, named in the reader's language
    "django_tasks",  # background jobs (assessments/tasks.py), run by `manage.py db_worker`
    "django_tasks_db",
    "assessments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files carry these headers too (every response does).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "assessments.middleware.RequestBodyLimitMiddleware",  # before anything reads a body
    "assessments.middleware.RefuseNulCharactersMiddleware",  # before anything queries
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware on the respondent's pages, English beyond them for now;
    # after sessions, before common.
    "assessments.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "assessments.middleware.NullOriginMiddleware",  # see its docstring
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "assessments.middleware.StaffSessionMiddleware",  # idle and maximum age, no-store
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "assessments.middleware.AuditMiddleware",  # a signed-in user is the audit log's actor
    "assessments.middleware.TwoFactorMiddleware",  # the code after the password
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while an address is locked out
    "django.contrib.auth.backends.ModelBackend",
]
# Five failed logins for one username from one address lock it out for 15 minutes.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

ROOT_URLCONF = "convergence.urls"
WSGI_APPLICATION = "convergence.wsgi.application"

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

# SQLite by default: a fresh clone runs with no server. WAL, IMMEDIATE transactions and a
# 20 s busy timeout let many concurrent writers queue instead of failing with
# "database is locked" (measured: 1,000 of 1,000 concurrent commits went through, against
# 165-231 with the defaults; docs/performance.md).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASE_URL = os.getenv("DATABASE_URL", "")
if DATABASE_URL:
    DB_POOL_SIZE = int(os.getenv("DB_POOL_SIZE", "40"))  # 0: no pool, a connection per thread
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=0 if DB_POOL_SIZE else 60)
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_POOL_SIZE:
        # A pool of at most DB_POOL_SIZE connections per process: a thread waits for one
        # (up to 10 s) instead of opening its own, so 2 workers x 250 threads never ask
        # PostgreSQL for more than its 100 connections (a burst of 300 workshop votes did,
        # and got a 500; docs/performance.md).
        DATABASES["default"]["OPTIONS"] = {
            **DATABASES["default"].get("OPTIONS", {}),
            "pool": {
                "min_size": 1,
                "max_size": DB_POOL_SIZE,
                "timeout": 10,
            },
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BASE_DIR / "convergence.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds one thing: how many wrong survey links and workshop codes each client has
# tried (django-ratelimit). Every worker process must see the same counts, so production sets
# REDIS_URL; without it each process counts on its own, which is right for runserver and the
# tests, and the deploy check says so (convergence.W002).
REDIS_URL = os.getenv("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
SILENCED_SYSTEM_CHECKS = [
    # django-ratelimit's check knows django-redis only; Django's own Redis backend increments
    # atomically too (Redis INCR), which is all the limiter needs.
    "django_ratelimit.W001",
    # "LocMemCache is not shared": replaced by convergence.W002, which asks for REDIS_URL only
    # where it matters, with DEBUG off.
    "django_ratelimit.E003",
]
# Wrong links or codes one client may try before it must wait, e.g. "30/10m" (30 per ten
# minutes). Only failures count: 300 phones behind one plant router open valid links freely.
LINK_GUESS_RATE = os.getenv("LINK_GUESS_RATE", "30/10m")  # per browser (address + cookie)
LINK_GUESS_ADDRESS_RATE = os.getenv("LINK_GUESS_ADDRESS_RATE", "600/10m")  # per address
PASSWORD_RESET_RATE = os.getenv("PASSWORD_RESET_RATE", "5/h")  # per address (security.py)
RATELIMIT_FAIL_OPEN = True  # a cache outage must not lock a workshop out (security.py)
# Behind a reverse proxy every request comes from the proxy's address: name the header that
# carries the client's, as Django's META key (e.g. HTTP_X_REAL_IP). The proxy must set it.
CLIENT_IP_HEADER = os.getenv("CLIENT_IP_HEADER", "")
# One reading of the client's address for the logs, the guessing limits and the login
# lock-out (django-axes would otherwise key on the proxy's address and lock a username out
# for everyone behind it).
AXES_CLIENT_IP_CALLABLE = "assessments.security.client_address"
if CLIENT_IP_HEADER:
    RATELIMIT_IP_META_KEY = "assessments.security.client_ip"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The interface in English and German (docs/languages.md): the language comes from the
# respondent's or user's choice (a cookie set by the switch on every page), else from the
# browser's Accept-Language, else English. Catalogues live in locale/ (.po edited, .mo built
# by `make messages` and committed, so a fresh clone needs no gettext).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = os.getenv("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", BASE_DIR / "media"))

# Debian's Chromium: kaleido draws the report's charts with it, Playwright the browser tests.
CHROMIUM_PATH = os.getenv("CHROMIUM_PATH", "/usr/bin/chromium")
REPORT_TIME_LIMIT = envint("REPORT_TIME_LIMIT", 60)  # seconds for one PDF, then it stops

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # plotly.js ships inside the plotly package: served by the app, no CDN.
    ("plotly", Path(plotly.__file__).parent / "package_data"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Compressed copies beside every file (collectstatic), which WhiteNoise serves to
        # browsers that accept them, also under `make run` (DEBUG): plotly.js is 4.6 MB as it
        # is and a plant's Wi-Fi is slow (bench/first_load.py, docs/performance.md). With DEBUG
        # off the names also carry a hash, so browsers may keep them for a year.
        "BACKEND": (
            "whitenoise.storage.CompressedStaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# `make run` collects the static files (compressed) before it serves: WhiteNoise then serves
# those, not the sources (which it reads under DEBUG so an edited script shows at once).
WHITENOISE_USE_FINDERS = DEBUG and not envbool("STATIC_COLLECTED", False)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# E-mail: SMTP when EMAIL_HOST is set. Without it, DEBUG prints mails to the console; in
# production nothing is printed (invitation and password links must not land in the server's
# log): the mail is dropped and logged without its body, and `check --deploy` fails.
EMAIL_HOST = os.getenv("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "assessments.security.UnsentMailBackend"
)
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "Convergence <convergence@localhost>")

# Background jobs (assessments/tasks.py): queued in the database, so a laptop needs no broker
# and every worker on every machine shares one queue; `make run` starts a worker beside the
# server, production runs `manage.py db_worker` (README, "Production deployment").
TASKS = {
    "default": {
        "BACKEND": os.getenv("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# A response in progress untouched this long is shown as abandoned (a join link opened on a
# second device, a phone put away); a consultant may set it aside, nothing deletes it.
ABANDONED_AFTER_HOURS = envint("ABANDONED_AFTER_HOURS", 2)

# A campaign's report is rendered in the background once no response has been submitted for
# this long (assessments/services/reports.py), so a download is nearly always ready.
REPORT_QUIET_MINUTES = envint("REPORT_QUIET_MINUTES", 10)

# Respondents come back to an unfinished survey days later: keep their session for 60 days.
SESSION_COOKIE_AGE = 60 * 24 * 3600  # respondents: come back to a survey for two months
# People who sign in: the session ends after 8 hours without a request, and 24 hours after
# signing in whatever happens (assessments/middleware.py).
STAFF_SESSION_IDLE = envint("STAFF_SESSION_IDLE_MINUTES", 8 * 60) * 60
STAFF_SESSION_MAX = envint("STAFF_SESSION_MAX_HOURS", 24) * 3600
API_TOKEN_DAYS = envint("API_TOKEN_DAYS", 90)  # an API token's life (services/tokens.py)
# Two-factor sign-in (services/two_factor.py): always for staff in production (off with
# DEBUG, so `make run`'s demo admin signs in with a password); for a workspace's members when
# its owner requires it; for anyone who turns it on.
TWO_FACTOR_FOR_STAFF = envbool("TWO_FACTOR_FOR_STAFF", not DEBUG)
TWO_FACTOR_RATE = os.getenv("TWO_FACTOR_RATE", "10/10m")  # wrong codes per person
OTP_TOTP_ISSUER = "Convergence"
OTP_TOTP_THROTTLE_FACTOR = 1  # django-otp: each wrong code doubles the wait (1 s, 2 s, 4 s...)

# Production hardening that costs nothing in development.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy on every response (django-csp): scripts only from the app's own
# static files, never inline; no plugins, no framing, forms post only to the app. Styles allow
# 'unsafe-inline' because plotly.js and htmx insert <style> elements at run time and the
# templates use a few style attributes for bar widths; style injection cannot run script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    # A load balancer asks a node over plain HTTP (assessments/views/health.py).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Limits on uploaded files (banks, organisations, responses). Django refuses larger bodies.
# Request bodies (assessments/middleware.py): 512 kB for any form, more only where a file is
# uploaded (its own limit plus room for the form around it).
MAX_REQUEST_BYTES = envint("MAX_REQUEST_BYTES", 512 * 1024)
ADMIN_MAX_REQUEST_BYTES = 5 * 1024 * 1024
UPLOAD_LIMITS = {
    "assessments:organization-upload": 2 * 1024 * 1024 + 64 * 1024,
    "assessments:workspace-settings": 512 * 1024 + 64 * 1024,
    "admin:assessments_bankversion_upload": 2 * 1024 * 1024 + 64 * 1024,
    "assessments:bank-edit": 5 * 1024 * 1024,  # a whole draft bank is one form (staff only)
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The bank editor posts a whole draft: about 30 fields a question with one translation, so
# the default bank (63 questions) sends some 2,000. Every other page is held to 512 kB above.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        # Logins, failed logins, refused access, wrong survey links (assessments/security.py);
        # server errors with their traceback come from "django.request".
        "convergence.security": {"level": "INFO"},
        "django.db.backends": {"level": "INFO"},
        # kaleido and the browser driver it uses chat at INFO about every chart.
        "kaleido": {"level": "WARNING"},
        "choreographer": {"level": "WARNING"},
        "logistro": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
    },
}

# The audit log (django-auditlog, assessments/audit.py) keeps who did what to a campaign; it
# keeps no IP address (it names a consultant; a respondent's actions are never logged).
AUDITLOG_DISABLE_REMOTE_ADDR = True

# British English dates in English (convergence/formats/en); German keeps Django's own.
FORMAT_MODULE_PATH = ["convergence.formats"]
