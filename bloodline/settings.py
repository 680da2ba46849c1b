"""Bloodline settings: one file, read from the environment.

SQLite is the zero-setup default; DATABASE_URL selects PostgreSQL. With DEBUG off a missing
SECRET_KEY or ALLOWED_HOSTS stops start-up with a message saying what to set.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from bloodline.lib.env import env_bool, env_int, env_list, env_str

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (or DEBUG=1 on a development machine)."
        )
    SECRET_KEY = "development-only-key-used-because-DEBUG-is-on"  # noqa: S105

# Identity numbers and phones are encrypted at rest; the blind index finds them (decision 0033).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")  # newest first; older ones only read
BLIND_INDEX_KEY = env_str("BLIND_INDEX_KEY")
if not FIELD_ENCRYPTION_KEYS or not BLIND_INDEX_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY must both be set: FIELD_ENCRYPTION_KEYS "
            "to one or more comma-separated keys (newest first), BLIND_INDEX_KEY to another, "
            "each 32 random bytes in url-safe base64, made with: python -c 'import base64,os; "
            "print(base64.urlsafe_b64encode(os.urandom(32)).decode())' "
            "(or DEBUG=1 on a development machine)."
        )
    FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or [
        "ZGV2ZWxvcG1lbnQtb25seS1maWVsZC1rZXktMDAwMDA="  # development only, DEBUG on
    ]
    BLIND_INDEX_KEY = BLIND_INDEX_KEY or "development-only-blind-index-key"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is not set. Set the ALLOWED_HOSTS environment variable to the "
            "comma-separated host names this server answers to "
            "(or DEBUG=1 on a development machine)."
        )
    ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Bloodline, bottom layer first (imports point down only; DESIGN.md §3, decision 0023).
    # The same order is the layers contract in pyproject.toml, checked by `make lint`.
    "bloodline.jobs",
    "bloodline.jurisdictions",
    "bloodline.audit",
    "bloodline.accounts",
    "bloodline.organisations",
    "bloodline.donors",
    "bloodline.programmes",
    "bloodline.notifications",
    "bloodline.drives",
    "bloodline.collection",
    "bloodline.screening",
    "bloodline.inventory",
    "bloodline.lab",
    "bloodline.distribution",
    "bloodline.shortage",
    "bloodline.reports",
    "bloodline.portal",
    "bloodline.web",
    "bloodline.demo",
]

MIDDLEWARE = [
    "bloodline.lib.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "bloodline.web.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Once the person and their language are known, so a page's refusal has the site layout
    # and headers (decision 0035); before any view or middleware reads the input.
    "bloodline.lib.null_characters.NullCharacterMiddleware",
    # Sends people who must use a second factor to enrol or confirm it (decision 0031).
    "bloodline.web.mfa.SecondFactorMiddleware",
    # Signs out after inactivity (shorter on shared station pages); decision 0031.
    "bloodline.web.middleware.IdleTimeoutMiddleware",
    # After sign-in, second factor and idle checks: a replayed answer goes only to the same
    # signed-in caller (decision 0035).
    "bloodline.jobs.idempotency.IdempotencyMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bloodline.urls"
WSGI_APPLICATION = "bloodline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "bloodline" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bloodline.web.context.navigation",
            ],
        },
    },
]


# SQLite's own settings, whichever way the file is named (SQLITE_PATH or DATABASE_URL=sqlite:…):
# without them two writers meet "database is locked" errors (decision 0034).
SQLITE_OPTIONS: dict[str, Any] = {
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of
    # failing with "database is locked" half-way through a transaction.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def _databases() -> dict[str, dict[str, Any]]:
    url = env_str("DATABASE_URL")
    if url:
        config: dict[str, Any] = dict(
            dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
        )
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"] = {**SQLITE_OPTIONS, **(config.get("OPTIONS") or {})}
        return {"default": config}
    path = env_str("SQLITE_PATH") or str(BASE_DIR / "var" / "bloodline.sqlite3")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    }


DATABASES = _databases()
# Backups (manage.py backup / restore, decision 0034): where the files go.
BACKUP_DIR = Path(env_str("BACKUP_DIR") or str(BASE_DIR / "var" / "backups"))
# Uploaded xlsx workbooks are read only this far (decision 0034); operational bounds, not rules.
XLSX_MAX_CELLS = env_int("XLSX_MAX_CELLS", 200_000)
XLSX_MAX_ROWS = env_int("XLSX_MAX_ROWS", 20_000)
# How many donation numbers a collection station reserves at a time from its facility's
# sequence (decision 0043): an engineering choice, not a domain rule.
DIN_BLOCK_SIZE = env_int("DIN_BLOCK_SIZE", 25)
# How long a printed donor card scans (decision 0054): a project choice, not a domain rule.
# A year covers the longest usual gap between two visits of a regular donor, so a card is
# renewed at a donation, and bounds how long a lost or photographed card can be used.
DONOR_CARD_MAX_AGE_DAYS = env_int("DONOR_CARD_MAX_AGE_DAYS", 365)
# How long a donor's answers to the health questionnaire given at home stay valid, counted
# from answering (decision 0058): a project choice, not a domain rule. A day: the questions
# ask about the last days (a fever, a cold, medicines, a tooth pulled), so older answers are
# stale, while a donor may still answer the evening before a morning appointment.
PRESCREEN_VALID_HOURS = env_int("PRESCREEN_VALID_HOURS", 24)
XLSX_READ_SECONDS = env_int("XLSX_READ_SECONDS", 10)
# Long work run by the worker (decision 0044): its uploaded and produced files are kept this
# many days after it finished, then cleared; an operational choice.
TASK_RETENTION_DAYS = env_int("TASK_RETENTION_DAYS", 7)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or address is refused before any password is checked.
    "bloodline.web.signin.ThrottlingBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in throttling (django-axes, decision 0031): failures are counted per account AND,
# separately, per address; either reaching the limit locks it for the cool-off time.
# Second factor (TOTP, django-otp): required for the people of
# ``access.needs_second_factor``. MFA_REQUIRED=0 switches it off (the test suite's default;
# its own tests switch it on).
MFA_REQUIRED = env_bool("MFA_REQUIRED", True)
OTP_TOTP_ISSUER = "Bloodline"

AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGNIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "bloodline.web.signin.locked_out"
AXES_VERBOSE = False  # never log the usernames tried
AXES_ENABLE_ACCESS_FAILURE_LOG = False

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages are shown by their own names (autonyms), so nobody needs to read a foreign
# language to find theirs.
LANGUAGE_CODE = env_str("LANGUAGE_CODE") or "en"
LANGUAGES = [
    ("vi", "Tiếng Việt"),
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
]
LOCALE_PATHS = [Path(env_str("BLOODLINE_LOCALE_DIR") or BASE_DIR / "locale")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # storage and server time; readers see their establishment's zone
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["bloodline.formats"]

MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "var" / "media")
MEDIA_URL = "media/"  # never served directly: documents go through a permission-checked view
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Sessions end after 12 hours at most (a shift), and earlier after inactivity: minutes
# without a request, shorter on the shared station pages (decision 0031).
SESSION_COOKIE_AGE = env_int("SESSION_MAX_AGE_HOURS", 12) * 3600
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30)
SESSION_IDLE_TIMEOUT_STATION = env_int("SESSION_IDLE_TIMEOUT_STATION", 10)
SESSION_STATION_PATHS = ["/stations/", "/labels/"]
# HTTPS: with DEBUG off the site is HTTPS-only unless SECURE_COOKIES=0 (`make run` on plain
# http://127.0.0.1). HSTS for a year; subdomains and preload are a deployment's choice.
_HTTPS = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = _HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if _HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading commits every subdomain to HTTPS for good: a deployment opts in with
# SECURE_HSTS_PRELOAD=1 and a submission to hstspreload.org, so its reminder is silenced.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy: scripts and styles only from this server's static files. No inline
# script or style, no eval, no CDN. (The label templates keep a <style> block: they are
# only ever rendered to PDF, never served.)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Rule-set data files (jurisdictions). Overridable so a deployment can add its own.
BLOODLINE_RULES_DIR = Path(
    env_str("BLOODLINE_RULES_DIR") or BASE_DIR / "bloodline" / "jurisdictions" / "rules"
)

# Messages to donors (decision 0053). Mail goes through Django's SMTP backend; SMS and chat
# apps through HTTP gateways whose URLs and keys come from the environment, never the code.
EMAIL_HOST = env_str("EMAIL_HOST") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "bloodline@localhost"
# Where donors reach this site, for links in messages sent by the worker (no request to read
# it from), e.g. https://hien-mau.example.vn. Without it messages carry no link.
SITE_URL = (env_str("SITE_URL") or ("http://127.0.0.1:8000" if DEBUG else "")).rstrip("/")
NOTIFY_MESSAGE_ID_DOMAIN = env_str("NOTIFY_MESSAGE_ID_DOMAIN") or "bloodline.invalid"
NOTIFY_GATEWAYS: dict[str, dict[str, str]] = {
    channel: {
        "url": env_str(f"NOTIFY_{channel.upper()}_URL"),
        "token": env_str(f"NOTIFY_{channel.upper()}_TOKEN"),
        "template_id": env_str(f"NOTIFY_{channel.upper()}_TEMPLATE_ID"),
        "sender": env_str(f"NOTIFY_{channel.upper()}_SENDER"),
    }
    for channel in ("sms", "zalo", "wechat")
}
# Which channel a donor is reached on when the caller does not say: the first they agreed to.
NOTIFY_CHANNEL_ORDER = env_list("NOTIFY_CHANNEL_ORDER") or ["zalo", "sms", "email", "wechat"]
# The language of messages to a donor who never chose one: their registry country's.
NOTIFY_COUNTRY_LANGUAGE = {"VN": "vi", "CN": "zh-hans", "TW": "zh-hant", "HK": "zh-hant"}
NOTIFY_DEFAULT_TIME_ZONE = env_str("NOTIFY_DEFAULT_TIME_ZONE") or "Asia/Ho_Chi_Minh"
NOTIFY_TIMEOUT_SECONDS = env_int("NOTIFY_TIMEOUT_SECONDS", 10)
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 8)
NOTIFY_BACKOFF_SECONDS = env_int("NOTIFY_BACKOFF_SECONDS", 30)  # doubled after each failure
NOTIFY_BACKOFF_MAX_SECONDS = env_int("NOTIFY_BACKOFF_MAX_SECONDS", 6 * 3600)
NOTIFY_SENDING_LEASE_SECONDS = env_int("NOTIFY_SENDING_LEASE_SECONDS", 300)
NOTIFY_SEND_EVERY_SECONDS = env_int("NOTIFY_SEND_EVERY_SECONDS", 15)
NOTIFY_BATCH = env_int("NOTIFY_BATCH", 500)
NOTIFY_RATE_PER_MINUTE = {
    channel: env_int(f"NOTIFY_{channel.upper()}_PER_MINUTE", 60000)
    for channel in ("email", "sms", "zalo", "wechat")
}
# No text or chat message at night in the recipient's zone (sign-in codes excepted).
NOTIFY_QUIET_START_HOUR = env_int("NOTIFY_QUIET_START_HOUR", 21)
NOTIFY_QUIET_END_HOUR = env_int("NOTIFY_QUIET_END_HOUR", 7)
NOTIFY_DAILY_CAP = env_int("NOTIFY_DAILY_CAP", 3)  # messages a donor gets a day, at most

# Booking from the donor portal (decision 0057). A place freed in a full slot is held for the
# next donor on its waiting list this long: two hours lets someone at work or on the road
# read the text and answer, while a slot on tomorrow's drive can still pass down the list
# several times before the day.
WAITLIST_HOLD_MINUTES = env_int("WAITLIST_HOLD_MINUTES", 120)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # PDF rendering reports every step at INFO; only problems matter in server logs.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Sign-in throttling logs each failure at WARNING; lock-outs are in the audit trail.
        "axes": {"level": "ERROR"},
    },
}
