"""Bloodline settings: one file, read from the environment.

SQLite is the zero-setup default; DATABASE_URL selects PostgreSQL. With DEBUG off a missing
SECRET_KEY or ALLOWED_HOSTS stops start-up with a message saying what to set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
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
    # Bloodline, bottom layer first (imports point down only; DESIGN.md §3, decision 0023).
    # The same order is the layers contract in pyproject.toml, checked by `make lint`.
    "bloodline.jobs",
    "bloodline.jurisdictions",
    "bloodline.audit",
    "bloodline.accounts",
    "bloodline.organisations",
    "bloodline.donors",
    "bloodline.programmes",
    "bloodline.drives",
    "bloodline.collection",
    "bloodline.screening",
    "bloodline.inventory",
    "bloodline.lab",
    "bloodline.distribution",
    "bloodline.reports",
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
    "bloodline.web.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
XLSX_READ_SECONDS = env_int("XLSX_READ_SECONDS", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

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
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Rule-set data files (jurisdictions). Overridable so a deployment can add its own.
BLOODLINE_RULES_DIR = Path(
    env_str("BLOODLINE_RULES_DIR") or BASE_DIR / "bloodline" / "jurisdictions" / "rules"
)

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
    },
}
