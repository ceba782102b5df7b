"""Settings read from the environment (django-environ).

With nothing set, the service runs on its embedded default: a SQLite file beside manage.py and
Celery tasks executed in-process, so a fresh clone needs no other server.
"""
import datetime as dt
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]", "testserver"]),
    CELERY_BROKER_URL=(str, ""),
    DEMO_MODE=(bool, False),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key-only-for-the-embedded-default")
DEBUG = env("DEBUG")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
# Demo users and demo actuals exist only when this is on; every page says so.
DEMO_MODE = env("DEMO_MODE")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_celery_beat",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "django_celery_results",
    "trackers",
    "kpis",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "trackers.sessions.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "config.middleware.AuditLogMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a refusal.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "trackers.context_processors.demo_mode",
                "trackers.context_processors.site_nav",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep a worker's database connection between requests (a new PostgreSQL connection costs a
# backend process and its authentication, every request); checked before reuse, so a database
# restart costs one failed check, not a failed request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a login while its username and address are locked out (brute force).
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"

# Sessions end after SESSION_IDLE_MINUTES without a request (trackers.sessions renews the deadline,
# at most once a minute) and when the browser closes: a government service is used on shared and
# unattended desks.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy on every response (django-csp): everything from our own origin, no
# inline script, no plugins, no framing. Plotly's JavaScript is a static file and the figures
# arrive as json_script data drawn by static/js/dashboards.js; every page's own script is a static
# file too. Plotly draws with inline SVG and data: images (its mode bar, PNG export). Styles:
# - Plotly writes its CSS rules into empty <style> elements through the CSSOM (insertRule, which
#   the policy does not govern): the hash of "" admits an empty element and nothing else;
# - it also injects MapLibre's stylesheet (maps, unused here) once on load, admitted by its hash;
#   a new static/js/plotly.min.js changes it, and tests/e2e/test_csp_browser.py fails on that.
EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
PLOTLY_MAPLIBRE_STYLE = "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, EMPTY_STYLE, PLOTLY_MAPLIBRE_STYLE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The demo runs with DEBUG off (its visitors see the site's error pages, not Django's debug
# pages); WhiteNoise then serves the static files straight from their folders, no collectstatic.
WHITENOISE_USE_FINDERS = DEBUG or DEMO_MODE
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "trackers.api.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "trackers.api.permissions.CanUseApi",
    ],
    "EXCEPTION_HANDLER": "trackers.api.exceptions.exception_handler",
    # Request bodies are JSON only: one format to validate, and the one the schema documents.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "trackers.api.filters.BoundedSearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Documents the refusals (400/403/404) of every operation besides its answer.
    "DEFAULT_SCHEMA_CLASS": "trackers.api.schema.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Policy target tracker API",
    "DESCRIPTION": "Plans, targets, milestones and reported actuals of Chinese industry plans.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No deep links: Swagger UI would put each one inside its operation's button (axe nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "ENUM_NAME_OVERRIDES": {
        "PlanStatusEnum": "trackers.models.Plan.Status",
        "FigureVersionStatusEnum": "trackers.models.ActualVersion.Status",
    },
}

# Cache: pages keep what they read from the snapshots of a date until a recomputation or a new
# target changes it (reporting.selectors). In-process by default; a shared Redis in production.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# Celery: without a broker the tasks run in-process (embedded default); with one, on workers.
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Task results (failures above all) are kept in the database, visible in the admin.
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="django-db")
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = dt.timedelta(days=30)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# autodiscover finds <app>.tasks only; the report builders live one package deeper.
CELERY_IMPORTS = ["reporting.exports.tasks"]
CELERY_TIMEZONE = TIME_ZONE

# recompute_all fans out in parts of at most this many targets (one plan each), which workers take
# one at a time (benchmarks/README.md).
RECOMPUTE_PART_TARGETS = env.int("RECOMPUTE_PART_TARGETS", default=50_000)

# KPI thresholds (see docs/methodology.md); settings, not literals in code.
KPI_APPROX_TOLERANCE_PCT = env.float("KPI_APPROX_TOLERANCE_PCT", default=10.0)
KPI_AT_RISK_RATIO = env.float("KPI_AT_RISK_RATIO", default=0.9)

# A reported figure more than this many times last year's (or less than its inverse) is stored
# flagged for the reviewer, never refused for that reason alone.
FIGURE_JUMP_RATIO = env.float("FIGURE_JUMP_RATIO", default=2.0)
# Likewise a figure more than this many times the largest target set for it (a unit slip: 元 typed
# as 万元, an extra zero).
FIGURE_TARGET_RATIO = env.float("FIGURE_TARGET_RATIO", default=10.0)
# The reporting calendar: a year's figures are due on this month and day of the following year.
REPORTING_DUE_MONTH = env.int("REPORTING_DUE_MONTH", default=3)
REPORTING_DUE_DAY = env.int("REPORTING_DUE_DAY", default=31)
# How long auditors' earlier exports stay listed on /reports/ and can be downloaded again (a job's
# file is kept; a report made during the request is made again from its logged scope and date).
REPORT_RETENTION_DAYS = env.int("REPORT_RETENTION_DAYS", default=365)
# Spreadsheet uploads larger than this are refused before parsing.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
# A file with more rows of figures than this is refused, with a message, as soon as the row after
# the limit is read.
UPLOAD_MAX_ROWS = env.int("UPLOAD_MAX_ROWS", default=20_000)
# Files larger than this are read, checked and stored by a Celery job with a progress page, not
# during the request: about 1,700 CSV or 4,000 XLSX rows, a second or two of work (benchmarks/README.md).
UPLOAD_ASYNC_BYTES = env.int("UPLOAD_ASYNC_BYTES", default=128 * 1024)

# Mail (notifications: trackers.services.notifications). EMAIL_URL names the backend and server
# (django-environ): console by default, so the demo prints its mails; smtp://host:port in compose
# (the mailpit catcher) and production. A server that does not answer in EMAIL_TIMEOUT seconds
# fails the send (the task retries) instead of holding a worker.
# Parts the URL leaves out (None) keep Django's defaults.
vars().update({k: v for k, v in env.email_url("EMAIL_URL", default="consolemail://").items() if v is not None})
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="规划目标跟踪 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in mails are absolute: the address people open the service at.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# A reminder goes out this many days before a figure's due date, and another once it is overdue.
NOTIFY_REMINDER_DAYS = env.int("NOTIFY_REMINDER_DAYS", default=14)
# At most this many mails per run of a reminder or digest job; the job queues its next part itself.
NOTIFY_BATCH_MAX = env.int("NOTIFY_BATCH_MAX", default=500)
# The mail log (NotificationLog) keeps its rows this many days; a daily beat job deletes older ones.
# Safe because no older key can be wanted again: a returned or approved figure's key holds its
# lock version and a bulk approval's its versions' (both only grow), a digest's its ISO week, and
# reminders only look at obligations due within these days, while an "overdue" mail is logged
# after its due date and a "due soon" one at most NOTIFY_REMINDER_DAYS before it. 400 (over a year
# and a reporting cycle) keeps a year of "who was told what" for questions; it must exceed
# NOTIFY_REMINDER_DAYS.
NOTIFICATION_LOG_RETENTION_DAYS = env.int("NOTIFICATION_LOG_RETENTION_DAYS", default=400)
if NOTIFICATION_LOG_RETENTION_DAYS <= NOTIFY_REMINDER_DAYS:
    raise ImproperlyConfigured("NOTIFICATION_LOG_RETENTION_DAYS must be larger than NOTIFY_REMINDER_DAYS.")

# Brute-force protection on every login (form, admin, API basic auth): after
# AXES_FAILURE_LIMIT failures for one username from one address, refuse for AXES_COOLOFF_HOURS.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(hours=env.float("AXES_COOLOFF_HOURS", default=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# Structured logs: one JSON object per line (LOG_FORMAT=json, the production default) or text.
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint narrates every PDF page at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# The plans' source texts; fixtures name a seed file, the loader stores its text.
SEEDS_DIR = Path(env("SEEDS_DIR", default=str(BASE_DIR / "fixtures" / "seeds")))
