"""Settings for the maintenance-contract portal.

Everything comes from the environment (and an optional `.env` file beside
manage.py). The defaults give the *embedded* mode: SQLite in `var/`, Celery tasks
run eagerly in-process, e-mail printed to the console, so `make run` needs no
server. Setting `DATABASE_URL`, `CELERY_BROKER_URL` and `REDIS_URL` switches on the
real services. `PORTAL_ENV=production` turns on the production checks: a real
`SECRET_KEY` is required and `manage.py check --deploy` passes.

Every secret may also be given as `<NAME>_FILE` (a path whose content is the
value), for Docker/Kubernetes secrets.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
_env_file = BASE_DIR / ".env"
if _env_file.exists():
    environ.Env.read_env(str(_env_file))


def env_secret(name: str, default: str | None = None) -> str | None:
    """Read a secret from NAME, or from the file named by NAME_FILE."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points at an unreadable file: {exc}") from exc
    return os.environ.get(name, default)


_TRUE = ("true", "on", "ok", "y", "yes", "1")
_FALSE = ("false", "off", "n", "no", "0", "")


def env_bool(name: str, default: bool) -> bool:
    """A boolean from the environment. django-environ reads any unknown word as False
    ("ture", "perhaps"), so a typo would silently flip a flag: refuse it instead."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false, yes/no, on/off, 1/0), not {raw!r}")


PORTAL_ENV = env.str("PORTAL_ENV", default="development")
if PORTAL_ENV not in ("development", "production", "test"):
    raise ImproperlyConfigured(f"PORTAL_ENV must be development, production or test, not {PORTAL_ENV!r}")
PRODUCTION = PORTAL_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)  # a malformed boolean stops the start-up

_INSECURE_KEY = "django-insecure-local-development-key-do-not-use-in-production"
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when PORTAL_ENV=production")
    SECRET_KEY = _INSECURE_KEY
elif PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or SECRET_KEY == _INSECURE_KEY):
    raise ImproperlyConfigured("SECRET_KEY is too weak for production: use at least 50 random characters")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when PORTAL_ENV=production")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "portal",
    "contracts",
    "sla",
    "tickets",
    "billing",
    # The top of the stack: nothing below imports them (tests/test_layers.py).
    "home",
    "demo",
    "integrations",
]

MIDDLEWARE = [
    "portal.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "portal.input_guard.InputGuardMiddleware",  # before anything reads the query string or the form
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.tenancy.TenantMiddleware",
    "portal.two_factor.TwoFactorRequiredMiddleware",  # staff of a tenant that requires it enrol first
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # An API write sent with Idempotency-Key or If-Match runs in one transaction with its
    # stored response and row lock (portal/api/idempotency.py).
    "portal.api.idempotency.ApiWriteTransactionMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"
# Django's widget markup, its plain widgets written without the template engine.
FORM_RENDERER = "portal.form_renderer.PortalFormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded mode: a write-ahead log and no fsync per commit (only at checkpoints)
    # make each commit ~100x cheaper; a power cut may lose the last commits, never the
    # file. Readers (the dev server) do not wait for the writer (the demo seed).
    # IMMEDIATE transactions take the write lock up front, so two writers (the demo
    # seed in the background, a request) wait for each other instead of failing.
    _sqlite = DATABASES["default"].setdefault("OPTIONS", {})
    _sqlite.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
    _sqlite.setdefault("transaction_mode", "IMMEDIATE")
    _sqlite.setdefault("timeout", 20)
    # The dashboards' covering index (`include=`) is PostgreSQL's; SQLite keeps it as a
    # plain index, which is all the embedded mode needs (no warning at every start).
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# Persistent connections in production: opening a PostgreSQL connection per request
# measured ~5 ms of every request (bench/tickets_bench.py). Health checks drop dead ones.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Two-factor authentication (django-otp): TOTP devices and single-use recovery codes.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="") or None  # the portal's name by default
# Invitations: how long the link of an invitation stays valid (re-sending starts again).
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
# A password reset link is valid this long (Django's PASSWORD_RESET_TIMEOUT, in seconds).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=24 * 3600)

# --- Login lockout (django-axes) ----------------------------------------------------------
# After LOGIN_FAILURE_LIMIT wrong passwords for one account from one address, that
# account is refused from that address (even with the right password) for
# LOGIN_LOCKOUT_MINUTES after the last failure, or until a tenant administrator unlocks
# it (/security/lockouts/). Per account AND address, so that nobody can lock a user out
# of their office by typing wrong passwords from elsewhere. The database handler keeps
# the attempts where the unlock page can list them.
AUTHENTICATION_BACKENDS = [
    "portal.login_lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
if LOGIN_FAILURE_LIMIT < 1 or LOGIN_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be at least 1")
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # portal.forms.LoginForm (the e-mail)
AXES_USERNAME_CALLABLE = "portal.login_lockout.attempted_email"
AXES_CLIENT_IP_CALLABLE = "portal.tenancy.client_ip"  # the same address as the audit log's
AXES_LOCKOUT_CALLABLE = "portal.login_lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True  # a successful login forgets the earlier typos
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # retrying does not prolong the lockout
AXES_DISABLE_ACCESS_LOG = True  # no row per successful login
AXES_VERBOSE = False  # no banner on every command; failures are still logged (e-mail and address masked)

# --- I18N ------------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="fr")
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
FORMAT_MODULE_PATH = ["portal.formats"]  # one date format per language
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")  # display zone; storage is always UTC
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing folder
# Uploads live outside the web root and are only served through views that check access.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Tickets by e-mail: a message larger than this is held in quarantine (only its headers kept).
MAIL_MAX_BYTES = env.int("MAIL_MAX_BYTES", default=50 * 1024 * 1024)
# Secrets the portal reads back (a support mailbox's password) are sealed with these
# Fernet keys (portal/sealed.py): the first seals, all open; none: derived from SECRET_KEY.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Cache and Redis ------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
PORTAL_BROKER_CONFIGURED = bool(CELERY_BROKER_URL)  # a real broker (and so a worker) is expected
# Without a broker, tasks run eagerly in-process (embedded mode).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
# Who renders and sends the outbox's e-mails, never the request that wrote them:
# "celery" (a worker; the default with a broker) or "thread" (a thread of the web
# process; the default without one, where Celery tasks would run inside the request).
OUTBOX_DELIVERY = env.str("OUTBOX_DELIVERY", default="thread" if CELERY_TASK_ALWAYS_EAGER else "celery")
if OUTBOX_DELIVERY not in ("celery", "thread"):
    raise ImproperlyConfigured(f"OUTBOX_DELIVERY must be celery or thread, not {OUTBOX_DELIVERY!r}")
if OUTBOX_DELIVERY == "celery" and CELERY_TASK_ALWAYS_EAGER:
    # An eager task runs in the process that queues it: the request that wrote the rows
    # would render and send its e-mails itself (on commit, before answering).
    raise ImproperlyConfigured("OUTBOX_DELIVERY=celery needs a worker: with CELERY_TASK_ALWAYS_EAGER the request "
                               "would render and send its own e-mails; use OUTBOX_DELIVERY=thread")
if not CELERY_BROKER_URL:
    # Celery still builds a producer for an eager task; with no URL it falls back to
    # amqp://localhost and kombu warns on every start. The in-memory transport is what
    # the embedded mode really uses, and it never connects anywhere.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "portal"
CELERY_TIMEZONE = "UTC"
# A broker that is down must not hang the request that queues a task: fail fast,
# the task's work is recoverable (periodic scans catch up).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}

# --- E-mail ------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if env_secret("EMAIL_HOST_PASSWORD"):
    EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds before an SMTP call gives up: a hung server must not hold the outbox's claim
# (portal/outbox.py, a 10-minute lease per batch of 20) past its end.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# --- REST API ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.auth.ApiTokenAuthentication",
        "portal.api.auth.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.IsTenantMember"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.parsers.JSONParser", "portal.api.parsers.FormParser", "portal.api.parsers.MultiPartParser"],
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + ([] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttling.UserThrottle", "portal.api.throttling.AnonThrottle"],
}
# Calls allowed per user (token or session) and per anonymous client address, as DRF
# rates ("300/minute", "10000/day"); "none" turns a throttle off. 429 with Retry-After.
API_THROTTLE_RATES = {
    "user": env.str("API_THROTTLE_USER_RATE", default="300/minute"),
    "anon": env.str("API_THROTTLE_ANON_RATE", default="30/minute"),
}
for _scope, _rate in API_THROTTLE_RATES.items():
    if _rate.strip().lower() in ("", "none", "off"):
        API_THROTTLE_RATES[_scope] = None
    elif not re.fullmatch(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", _rate.strip()):
        raise ImproperlyConfigured(f"API throttle rate {_rate!r} must look like 300/minute (or be none)")
# /api/docs/ and /api/schema/ for anyone, or only for logged-in members (the default in
# production: the schema lists every operation and filter).
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", default=not PRODUCTION)
SPECTACULAR_SETTINGS = {
    "TITLE": "Maintenance-contract portal API",
    "DESCRIPTION": "Contracts, tickets, SLAs and billing for IT maintenance providers. "
    "Authenticate with `Authorization: Bearer <token>` (personal API tokens) or a browser session.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "portal.api.visibility.client_variants_schema_hook"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI from drf-spectacular-sidecar's static files, never a CDN (the CSP allows
    # none), and without the badge of the online validator.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "portal.models.Role",
        "ServiceAccountRoleEnum": "portal.models.SERVICE_ACCOUNT_ROLES",
        "LevelEnum": "sla.models.Level",
        "PriorityEnum": "sla.models.Priority",
        "MaintenanceTypeEnum": "sla.models.MaintenanceType",
        "ContractStatusEnum": "contracts.models.ContractStatus",
        "DocumentStatusEnum": "contracts.models.DocumentStatus",
        "ClauseKindEnum": "contracts.models.ClauseKind",
        "RenewalModeEnum": "contracts.models.RenewalMode",
        "BillingModelEnum": "contracts.models.BillingModel",
        "DocumentLanguageEnum": "contracts.models.DOCUMENT_LANGUAGES",
        "TerminationReasonEnum": "contracts.models.TERMINATION_REASONS",
        "TermKindEnum": "contracts.models.TERM_KINDS",
        "DocumentKindEnum": "contracts.models.DOCUMENT_KINDS",
        "OrganizationKindEnum": "contracts.models.OrganizationKind",
        "TicketStatusEnum": "tickets.models.TicketStatus",
        "InterventionModeEnum": "tickets.models.InterventionMode",
        "InvoiceStatusEnum": "billing.models.InvoiceStatus",
        "InvoiceLineKindEnum": "billing.models.LineKind",
        "HourBankMovementKindEnum": "billing.models.MovementKind",
        "PaymentMethodEnum": "billing.models.PaymentMethod",
    },
}

# --- Security ----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the cookie-less meta tag; the cookie stays default
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp 4 format): the portal's own files only, no inline
# script or style (templates use classes of static/css/portal.css, behaviour lives in
# static/js/portal.js; tests/portal/test_security_headers.py checks every template).
# data: images: Swagger UI's stylesheet draws its icons with data: SVGs.
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
    },
}
# Browser features the portal never uses, refused to it and to anything it embeds.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: [] for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "geolocation", "gyroscope",
        "hid", "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get", "serial", "usb",
        "xr-spatial-tracking", "browsing-topics",
    )
}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "django.utils.autoreload": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"},
                "factur-x": {"level": "WARNING"}},
}

# --- Webhooks ---------------------------------------------------------------------------
# A receiver URL may resolve to a loopback, private or link-local address only in
# development (SSRF: a webhook must never reach the portal's own network); checked when a
# subscription is saved and again, on the address actually called, at each delivery.
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", default=PORTAL_ENV == "development")
WEBHOOKS_REQUIRE_HTTPS = env_bool("WEBHOOKS_REQUIRE_HTTPS", default=PRODUCTION)
# Seconds a receiver has to connect and to answer (each); the worker alone waits.
WEBHOOKS_TIMEOUT = env.float("WEBHOOKS_TIMEOUT", default=10.0)

# --- Product settings ------------------------------------------------------------------
PORTAL_NAME = env.str("PORTAL_NAME", default="Maintenance Portal")
# The portal's public address (scheme, host and any path prefix), for the links in
# e-mails, which are rendered by a worker, outside any request. In production it defaults
# to https:// and the first of ALLOWED_HOSTS; PORTAL_BASE_URL is its former name.
_site_default = (f"https://{ALLOWED_HOSTS[0].lstrip('.')}" if PRODUCTION and ALLOWED_HOSTS[0] not in ("*", "")
                 else "http://127.0.0.1:8000")
SITE_URL = (env.str("SITE_URL", default="").strip() or env.str("PORTAL_BASE_URL", default="").strip()
            or _site_default).rstrip("/")
if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", SITE_URL):
    raise ImproperlyConfigured(f"SITE_URL must be an http(s) address such as https://portal.example.com, not {SITE_URL!r}")
PORTAL_BASE_URL = SITE_URL  # the former name, for code written against it
