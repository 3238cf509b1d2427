"""Bouquet's one settings module: everything that differs between machines comes from
the environment, with defaults that work for `make run` on one machine."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from csp.constants import NONE, SELF

from config.api_schema_settings import api_schema_settings
from config.database_settings import databases
from config.environment import env, env_bool, env_int
from config.log_settings import json_logging
from config.moments import UTC_TEXT_FORMAT
from config.operating_settings import metrics_dir, shed_after_seconds
from config.stripe_settings import *  # noqa: F403 (Stripe.js, dj-stripe and the Stripe mirror)

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DEBUG", False)
# The default key only serves a developer's machine; production sets SECRET_KEY.
SECRET_KEY = env("SECRET_KEY", "bouquet-development-only-secret-key-change-me-in-production")
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    # django.contrib.admin, with the back office's site (backoffice.site) as its site.
    "backoffice.apps.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "djstripe",  # the Stripe mirror's models (payments/mirror.py), not its webhook view
    "import_export",
    "partners",
    "inventory",
    "orders",
    "payments",
    "fulfillment",
    # Above the domain apps, imported by none of them (docs/ARCHITECTURE.md): journey
    # workers, CSV upload, the portal, the back office's tools, demo and bench worlds.
    "uploads",
    "journey",
    "portal",
    "backoffice",
    "devdata",
]

MIDDLEWARE = [
    "config.shedding.LoadSheddingMiddleware",  # first: a request shed meets nothing else
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, the first to read a body: an upload over its limit is refused as it streams.
    "config.upload_limits.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.api.utc.ApiTimesInUtcMiddleware",
    # Last, so it sees the exceptions of the views (and of DRF's authentication).
    "config.unavailable.DependencyUnavailableMiddleware",
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
            ],
        },
    },
]

# --- Database (config/database_settings.py) ----------------------------------------
DATABASES = databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, coalesced wake-ups, circuit breaker, django-q2 broker ---------------
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "bouquet",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            # Redis down must not hang a request: fail fast and let callers degrade.
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
        },
    }
}

# django-q2 on the Redis broker. Redis delivers at most once, so every task is
# idempotent and the sweeper (a schedule) guarantees progress; timeout stays below
# retry, and workers are recycled so a leaking worker cannot grow without bound.
Q_CLUSTER = {
    "name": "bouquet",
    "workers": env_int("Q_WORKERS", 2),
    "recycle": 500,
    "max_rss": 300_000,  # KiB
    "timeout": 60,
    "retry": 90,
    "max_attempts": 1,
    "save_limit": -1,  # no success rows: with a limit, saving one locked and read all the others, per task
    "ack_failures": True,
    "catch_up": False,
    "redis": REDIS_URL,
    "label": "Bouquet tasks",
    "guard_cycle": 1.5,  # the guard's checks and status saves: 0.5 s was 1/4 of idle CPU; < 3 s
    # CSV imports have a queue of their own, served by a cluster of their own (`manage.py
    # run_workers --imports`, which sets Q_CLUSTER_NAME): a partner's uploads wait behind
    # each other, never in front of the journey's steps. Its options override these there.
    "ALT_CLUSTERS": {
        "bouquet-imports": {"workers": env_int("Q_IMPORT_WORKERS", 1)},
    },
}
# The queue (django-q2's cluster name) that CSV imports are enqueued on.
Q_IMPORTS_CLUSTER = "bouquet-imports"

# --- The order journey -------------------------------------------------------------------
BOUQUET = {
    # Orders claimed per batch by a journey step, and how long a claim is leased: a
    # worker that dies mid-batch hands its orders back when the lease runs out.
    "STEP_BATCH_SIZE": env_int("STEP_BATCH_SIZE", 50),
    "STEP_LEASE_SECONDS": env_int("STEP_LEASE_SECONDS", 60),
    # How much lower the journey workers' CPU priority is than the web tier's (0 to
    # 19): at a peak on a shared machine, taking orders comes first and the journey
    # catches up on what CPU is left (the bench ran them so before run_workers did).
    "WORKERS_NICENESS": env_int("WORKERS_NICENESS", 10),
    # run_workers starts a fresh cluster when tasks have waited this long in the queue
    # with every worker idle: a worker killed while waiting for a task takes the
    # queue's lock with it, and the workers that replace it wait on that lock forever.
    "WORKERS_STALLED_AFTER_SECONDS": env_int("WORKERS_STALLED_AFTER_SECONDS", 20),
    # Card payments (or refunds) a worker has in flight at once, each on a thread of
    # its own. Against Stripe, set it to 8 or more: one at a time, a batch of 50 card
    # orders is 100 round trips in a row. On one machine with the stand-in it stays 1:
    # the bench measured 8 there taking the CPU intake needs (100 orders/s went from
    # p99 40 ms to 224-592 ms), since the stand-in then runs at the pace of intake.
    "STRIPE_CONCURRENCY": env_int("STRIPE_CONCURRENCY", 1),
    # A step task keeps draining for at most this long, then re-wakes itself, so it
    # finishes well inside django-q2's timeout.
    "STEP_TIME_BUDGET_SECONDS": env_int("STEP_TIME_BUDGET_SECONDS", 20),
    # Attempts per order and step before the order is parked in the dead-letter table.
    "STEP_MAX_ATTEMPTS": env_int("STEP_MAX_ATTEMPTS", 6),
    "STEP_BACKOFF_BASE_SECONDS": env_int("STEP_BACKOFF_BASE_SECONDS", 2),
    "STEP_BACKOFF_MAX_SECONDS": env_int("STEP_BACKOFF_MAX_SECONDS", 300),
    # At most one pending wake-up task per step for this long; a woken task first lets
    # orders gather this long, so a batch of them, not each order, pays for a task.
    "WAKE_TTL_SECONDS": env_int("WAKE_TTL_SECONDS", 5),
    "STEP_GATHER_MS": env_int("STEP_GATHER_MS", 500),
    # The sweeper calls an order stuck when it has not moved for this long.
    "STUCK_AFTER_SECONDS": env_int("STUCK_AFTER_SECONDS", 120),
    "IDEMPOTENCY_KEY_TTL_HOURS": env_int("IDEMPOTENCY_KEY_TTL_HOURS", 48),
    # The largest CSV of order lines the portal and `import_orders` accept.
    "CSV_UPLOAD_MAX_BYTES": env_int("CSV_UPLOAD_MAX_BYTES", 5 * 1024 * 1024),
    # The largest file the back office's imports (products, stock, prices) accept.
    "IMPORT_MAX_BYTES": env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024),
    # An upload's task places orders for at most this long, then re-enqueues itself
    # (django-q2 kills a task at 60 s).
    "CSV_TASK_TIME_BUDGET_SECONDS": env_int("CSV_TASK_TIME_BUDGET_SECONDS", 40),
    # A CSV of order lines has at most this many rows; a longer one is refused at once.
    "CSV_UPLOAD_MAX_ROWS": env_int("CSV_UPLOAD_MAX_ROWS", 50_000),
    # An upload's report keeps the first this many problems (with counts of them all);
    # an all-or-nothing file stops being checked once it has found them.
    "CSV_REPORT_MAX_PROBLEMS": env_int("CSV_REPORT_MAX_PROBLEMS", 1_000),
    # Uploads a partner may start in an hour (portal and import_orders alike); a
    # partner has at most one upload queued or processing at a time besides.
    "UPLOAD_QUOTA_PER_HOUR": env_int("UPLOAD_QUOTA_PER_HOUR", 20),
    "CURRENCY": "EUR",
    # An order on credit hold this long without the back office's decision is
    # cancelled (`hold_expired`) by the sweeper, giving back what it holds.
    "HELD_ORDER_RELEASE_AFTER_HOURS": env_int("HELD_ORDER_RELEASE_AFTER_HOURS", 24),
    # What a new partner may order at once, and have open (not yet shipped or
    # cancelled), in the order currency; each partner's own limits are set in the
    # admin (docs/SECURITY.md, "Order limits").
    "PARTNER_MAX_ORDER_VALUE": Decimal(env("PARTNER_MAX_ORDER_VALUE", "50000.00")),
    "PARTNER_MAX_OPEN_ORDER_VALUE": Decimal(env("PARTNER_MAX_OPEN_ORDER_VALUE", "250000.00")),
}

# `make bench` mounts a bare insert view to measure the ceiling it compares intake to.
BENCH_CEILING_VIEW = env_bool("BENCH_CEILING_VIEW", False)
# For a benchmark on one machine (make bench, make chaos), never in production: with
# DEBUG off it allows the ceiling view and a Redis without a password on 127.0.0.1
# (config/checks.py refuses both otherwise).
BENCHMARK_ON_ONE_MACHINE = env_bool("BENCHMARK_ON_ONE_MACHINE", False)

# --- Stripe ------------------------------------------------------------------------------
STRIPE_API_BASE = env("STRIPE_API_BASE", "http://127.0.0.1:8420")
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", "sk_test_bouquetlocalstripe0000000000")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", "whsec_bouquetlocal")
# DEBUG off needs an HTTPS API base; this allows the stand-in's plain HTTP on 127.0.0.1/localhost (bench, chaos).
STRIPE_API_BASE_ALLOW_PLAIN_HTTP_LOCAL = env_bool("STRIPE_API_BASE_ALLOW_PLAIN_HTTP_LOCAL", False)
STRIPE_TIMEOUT_SECONDS = float(env("STRIPE_TIMEOUT_SECONDS", "10"))
# After this many consecutive failures the payment step pauses for the cool-off
# instead of hammering a sick dependency.
STRIPE_BREAKER_THRESHOLD = env_int("STRIPE_BREAKER_THRESHOLD", 5)
STRIPE_BREAKER_COOLOFF_SECONDS = env_int("STRIPE_BREAKER_COOLOFF_SECONDS", 30)

# --- Auth, i18n, static --------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # ASVS L2 asks for 12 characters at least (docs/SECURITY.md).
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Password-reset links name this host, never the request's Host header.
SITE_DOMAIN = env("SITE_DOMAIN", "127.0.0.1:8000")

# --- HTTPS: production sits behind a TLS proxy that sets X-Forwarded-Proto -------------
# On by default with DEBUG off; the bench, which serves plain HTTP on one machine with
# no proxy, turns it off. Messages use the session's cookie settings, so the secure
# session cookie covers the messages cookie too.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", not DEBUG)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # The load balancer's probes and Prometheus speak plain HTTP to each web process.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Sign-in and browser policy (docs/SECURITY.md, "Sign-in and browser policy") -------
# Proxies in front of the web that append to X-Forwarded-For: the client's address, that
# sign-in lockouts and password-reset limits count by, is that many from the right.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0)
# django-axes locks a username on one client address after SIGN_IN_FAILURE_LIMIT failed
# sign-ins (portal and admin) for SIGN_IN_COOLOFF_MINUTES, counted from the failure that
# locked; a success clears the count. Attempts live in PostgreSQL: shared by every
# process, kept through a Redis flush, and visible (and deletable) in the admin.
INSTALLED_APPS += ["axes", "csp"]
AUTHENTICATION_BACKENDS = ["config.sign_in.SignInLockoutBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGN_IN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "config.sign_in.client_ip_address"
AXES_LOCKOUT_CALLABLE = "config.sign_in.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # no row per successful sign-in: nothing would purge them
AXES_VERBOSE = False  # no banner in the log of every process that starts
# Password-reset requests (each mails a stranger), per e-mail address and per client, in Redis.
PASSWORD_RESET_LIMIT_PER_EMAIL = env_int("PASSWORD_RESET_LIMIT_PER_EMAIL", 3)
PASSWORD_RESET_LIMIT_PER_IP = env_int("PASSWORD_RESET_LIMIT_PER_IP", 10)
PASSWORD_RESET_WINDOW_SECONDS = env_int("PASSWORD_RESET_WINDOW_SECONDS", 3600)
# Partners' sessions last two weeks; staff sessions end with the browser and at most
# STAFF_SESSION_SECONDS after sign-in (config/staff_sessions.py).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600)
STAFF_SESSION_SECONDS = env_int("STAFF_SESSION_SECONDS", 8 * 3600)
MIDDLEWARE += [
    "config.content_security.CachedPolicyCSPMiddleware",
    "config.staff_sessions.StaffSessionMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as axes asks
]
# What an API request with a token and no session goes through (config/machine_door.py):
# the MIDDLEWARE above, in its order, without what only people's doors need.
MACHINE_MIDDLEWARE = [
    "config.shedding.LoadSheddingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.upload_limits.UploadLimitMiddleware",
    "config.api.utc.ApiTimesInUtcMiddleware",
    "config.unavailable.DependencyUnavailableMiddleware",
]
# Everything from this site only: no inline script or style, no plugin, no framing;
# images may also be data: URLs, which Swagger UI (the API docs) draws with.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# With DEBUG off, whitenoise serves the collected files.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# An order of 500 lines is some 40 KB of JSON; a megabyte leaves room and stops abuse.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 1_048_576)
# An API token expires this many days after it is issued (0: never). A year: an
# integration's key is rotated at least yearly, without a deadline every few weeks.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 365)

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.api.authentication.PartnerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["config.api.access.NothingDeclared"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "config.api.errors.api_exception_handler",
    # The API's one way of writing a moment (config/moments.py; config/api/utc.py
    # renders API requests in UTC).
    "DATETIME_FORMAT": UTC_TEXT_FORMAT,
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.BouquetAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "config.api.negotiation.ApiContentNegotiation",
    # Per partner (its users share a budget) or per staff user, in each scope: a view
    # names its scope, the rest count against "api" (config/api/throttling.py). DRF's
    # window admits the whole minute's budget at once, so an ERP's bulk load of 300
    # orders in a burst passes; make bench and make chaos set higher rates.
    "DEFAULT_THROTTLE_CLASSES": ["config.api.throttling.PartnerScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "order_intake": env("THROTTLE_ORDER_INTAKE_RATE", "1200/min"),
        "event_feed": env("THROTTLE_EVENT_FEED_RATE", "300/min"),
        "api": env("THROTTLE_API_RATE", "1200/min"),
    },
}
SPECTACULAR_SETTINGS = api_schema_settings()

# --- Logging: one JSON object a line -------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = json_logging(level=LOG_LEVEL, django_q_level=env("DJANGO_Q_LOG_LEVEL", "WARNING"))
# --- Operating at peak: /metrics (a bearer token, else loopback only) and shedding --------
METRICS_DIR, METRICS_TOKEN, SHED_AFTER_SECONDS = metrics_dir(BASE_DIR), env("METRICS_TOKEN"), shed_after_seconds()

# --- Back office imports and exports (django-import-export) ----------------------------
# A file is imported in one transaction; cells a spreadsheet would run as formulas are
# escaped on export (the back office's formats escape + - @ as well, config/admin_formats.py).
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
