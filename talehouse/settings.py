"""Talehouse settings: one file, configured by environment variables.

Every variable has a documented default (see README.md). A secret may also be given as a file:
`TALEHOUSE_SECRET_KEY_FILE=/run/secrets/key` wins over `TALEHOUSE_SECRET_KEY`.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """Read a setting from the environment, or from the file named by `<NAME>_FILE`."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name, "1" if default else "0").lower()
    return value in {"1", "true", "yes", "on"}


DATA_DIR = Path(env("TALEHOUSE_DATA_DIR", str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)
DEBUG = env_bool("TALEHOUSE_DEBUG", False)
SECRET_KEY = env("TALEHOUSE_SECRET_KEY") or (
    # Only acceptable for local development and tests; production must set a key.
    "insecure-development-key-change-me" if DEBUG or env_bool("TALEHOUSE_DEV", False) else ""
)
if not SECRET_KEY:
    raise RuntimeError(
        "Set TALEHOUSE_SECRET_KEY (or TALEHOUSE_SECRET_KEY_FILE), or TALEHOUSE_DEV=1 locally."
    )
ALLOWED_HOSTS = [h for h in env("TALEHOUSE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
SITE_URL = env("TALEHOUSE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "Talehouse"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    # Before allauth, so our layout for its pages (templates/allauth/layouts) wins.
    "talehouse",
    "allauth",
    "allauth.account",
    "csp",
    "django_htmx",
    "django_prose_editor",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "tags",
    "stories",
    "social",
    "notifications",
    "library",
    "search",
    "discover",
    "formats",
    "imports",
    "feeds",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session middleware: it strips the `Vary: Cookie` that one adds.
    "talehouse.middleware.SharedPageMiddleware",
    # Headers every response carries, a cached page answered early included.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # An anonymous reader's cached story or part page, before sessions and auth run.
    "stories.middleware.CachedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "talehouse.urls"
WSGI_APPLICATION = "talehouse.wsgi.application"

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
                "talehouse.context_processors.site",
            ],
        },
    },
]

# Database: SQLite under the data directory unless DATABASE_URL says otherwise.
# Connections are kept between requests (opening one and running SQLite's PRAGMAs cost
# ≈ 0.7 ms of a 2 ms cached page) and checked before reuse, so a restarted database server
# costs one reconnect, not an error. With PostgreSQL's pool the pool keeps them instead.
CONN_MAX_AGE = int(env("TALEHOUSE_DB_CONN_MAX_AGE", "600"))
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "TALEHOUSE_DB_POOL", False
    ):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = True
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool and persistence exclude each other
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "talehouse.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue
                # instead of failing with "database is locked" halfway through.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000; "
                    "PRAGMA cache_size=-20000; PRAGMA temp_store=MEMORY;"
                ),
            },
            "CONN_MAX_AGE": CONN_MAX_AGE,
            # One test database file per test run, so parallel runs never share one.
            "TEST": {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("TALEHOUSE_REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work: django-tasks with its database backend (the site's own database, no other
# server), run by `manage.py db_worker`; `manage.py run_scheduler` enqueues the periodic tasks
# (talehouse/schedule.py). Every task is a plain function taking ids, so the backend is a
# setting (Redis through django-tasks-rq at scale).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env("TALEHOUSE_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"

EMAIL_BACKEND = env("TALEHOUSE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = env("TALEHOUSE_FROM_EMAIL", "Talehouse <noreply@talehouse.invalid>")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("TALEHOUSE_MEDIA_ROOT", str(DATA_DIR / "media")))
SERVE_MEDIA = env_bool("TALEHOUSE_SERVE_MEDIA", True)
# Built downloads (EPUB, PDF, ...): not under MEDIA_ROOT, which is served as is; a download
# goes through the download view and its visibility check every time (formats/).
TALEHOUSE_DOWNLOADS_ROOT = Path(env("TALEHOUSE_DOWNLOADS_ROOT", str(DATA_DIR / "downloads")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or not env_bool("TALEHOUSE_STATIC_MANIFEST", True)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or not env_bool("TALEHOUSE_STATIC_MANIFEST", True)

# Upload limits: a part body is at most 1 MB of HTML; a cover at most 5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
TALEHOUSE_MAX_PART_HTML_BYTES = 1024 * 1024
TALEHOUSE_MAX_COVER_BYTES = 5 * 1024 * 1024
# Imports (imports/): the upload, what its zip may unpack to, and the story it may make. Files
# unpacking to over TALEHOUSE_IMPORT_INLINE_BYTES (about half a second's reading) are read by
# the task worker, with progress shown.
TALEHOUSE_IMPORT_MAX_BYTES = int(env("TALEHOUSE_IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
TALEHOUSE_IMPORT_MAX_UNZIPPED_BYTES = 60 * 1024 * 1024
TALEHOUSE_IMPORT_MAX_ZIP_ENTRIES = 2000
TALEHOUSE_IMPORT_MAX_ZIP_RATIO = 100  # a zip bomb unpacks to thousands of times its size
TALEHOUSE_IMPORT_MAX_DEPTH = 100  # elements inside elements, in HTML and XML
TALEHOUSE_IMPORT_MAX_PARTS = 500
TALEHOUSE_IMPORT_INLINE_BYTES = int(env("TALEHOUSE_IMPORT_INLINE_BYTES", str(512 * 1024)))
# Confirming saves up to this many parts in the request (a few queries each); more, the worker.
TALEHOUSE_IMPORT_INLINE_PARTS = int(env("TALEHOUSE_IMPORT_INLINE_PARTS", "40"))
TALEHOUSE_IMPORT_PREVIEW_HOURS = 24
# Read counting: how often the worker applies queued reads, and the dedup window.
TALEHOUSE_READ_FLUSH_SECONDS = int(env("TALEHOUSE_READ_FLUSH_SECONDS", "15"))
TALEHOUSE_READ_WINDOW_HOURS = 24
# At most this many anonymous reads of one part from one address per window (a household, an
# office or a school shares an address; a script minting visitor cookies does too).
TALEHOUSE_ANONYMOUS_READS_PER_ADDRESS = int(env("TALEHOUSE_ANONYMOUS_READS_PER_ADDRESS", "20"))
# Whole-page cache of anonymous story and part pages (see stories/pagecache.py).
TALEHOUSE_PAGE_CACHE = env_bool("TALEHOUSE_PAGE_CACHE", True)
# Its second layer: frames, the pages with their live numbers cut out (a read or a vote
# counted costs filling in numbers, not a render). Off only to measure a cold render.
TALEHOUSE_FRAME_CACHE = env_bool("TALEHOUSE_FRAME_CACHE", True)
# Rate limits: (hits, seconds) per signed-in user, or per reader for the beacon.
TALEHOUSE_RATE_LIMITS = {
    "comment": (int(env("TALEHOUSE_RATE_COMMENTS", "10")), 60),
    # Guests' comments, per address: where a writer lets guests comment, spam comes this way.
    "guest_comment": (int(env("TALEHOUSE_RATE_GUEST_COMMENTS", "5")), 600),
    "vote": (int(env("TALEHOUSE_RATE_VOTES", "60")), 60),
    "follow": (int(env("TALEHOUSE_RATE_FOLLOWS", "30")), 60),  # follows and subscriptions
    "read_beacon": (int(env("TALEHOUSE_RATE_BEACONS", "120")), 60),
    # Per address, whatever cookie is sent: generous, since many readers can share one address.
    "read_beacon_ip": (int(env("TALEHOUSE_RATE_BEACONS_PER_IP", "600")), 3600),
    # The library's position beacon: one every ~10 s while reading, plus one per tab hidden.
    "library_position": (int(env("TALEHOUSE_RATE_POSITIONS", "30")), 60),
    # Reading lists and bookmarks: every create, change, move and delete, per reader.
    "library_edit": (int(env("TALEHOUSE_RATE_LIBRARY_EDITS", "60")), 60),
    # Tag suggestions while typing, per address (everyone behind it shares the limit).
    "tag_suggest": (int(env("TALEHOUSE_RATE_TAG_SUGGESTIONS", "300")), 60),
    # File imports, per writer: each one parses a whole book.
    "import": (int(env("TALEHOUSE_RATE_IMPORTS", "20")), 3600),
}

# Security: secure cookies and HSTS whenever we are not in debug; the demo and tests opt out
# explicitly with TALEHOUSE_INSECURE_HTTP=1 because they serve plain http on loopback.
HTTPS = not DEBUG and not env_bool("TALEHOUSE_INSECURE_HTTP", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("TALEHOUSE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [SITE_URL]
# HSTS preload is a one-way commitment for a whole domain: the operator opts in, we don't.
SECURE_HSTS_PRELOAD = env_bool("TALEHOUSE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# No inline script anywhere. The only nonce is for the editor's import map, on writing pages;
# django-csp adds it to the header only on responses that used it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("TALEHOUSE_LOG_LEVEL", "INFO")},
    # A line per periodic run (every few seconds) drowns the rest; failures still show, and
    # our retries log under talehouse.tasks.
    "loggers": {
        name: {"level": env("TALEHOUSE_TASK_LOG_LEVEL", "WARNING")}
        for name in ("apscheduler", "django_tasks", "django_tasks_db")
    },
}
