"""Settings for Sysmo Tickets, read from the environment (see README, "Settings")."""

from email.utils import parseaddr
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"



class StrictEnv(environ.Env):
    """django-environ, but a malformed boolean or number stops the start with a message naming the setting.

    django-environ reads any word it does not know as false (`SECURE_COOKIES=ture` turned secure cookies off)
    and fails on a bad number with a bare ValueError. Here `bool` accepts only true/false, yes/no, on/off, 1/0
    (any capitals) and `int`/`float` only numbers; anything else raises ImproperlyConfigured.
    """

    TRUE = {"true", "yes", "on", "1"}
    FALSE = {"false", "no", "off", "0"}

    def bool(self, var, default=environ.Env.NOTSET):
        raw = self.str(var, default="") if var in self.ENVIRON else None
        if raw is None or raw.strip() == "":
            return super().bool(var, default=default)
        word = raw.strip().lower()
        if word not in self.TRUE | self.FALSE:
            raise ImproperlyConfigured(f"{var} must be true or false (got {raw!r}).")
        return word in self.TRUE

    def _number(self, kind, cast, var, default):
        if var not in self.ENVIRON or self.ENVIRON[var].strip() == "":
            return super().int(var, default=default) if kind == "an integer" else super().float(var, default=default)
        raw = self.ENVIRON[var]
        try:
            return cast(raw.strip())
        except ValueError:
            raise ImproperlyConfigured(f"{var} must be {kind} (got {raw!r}).") from None

    def int(self, var, default=environ.Env.NOTSET):
        return self._number("an integer", int, var, default)

    def float(self, var, default=environ.Env.NOTSET):
        return self._number("a number", float, var, default)


env = StrictEnv()

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105 (DEBUG only)
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",  # two-factor sign-in: TOTP apps and recovery codes (accounts/second_factor.py)
    "allauth.usersessions",  # "Sesiones abiertas": a person sees their sessions and ends the others
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "mail",
    "accounts",
    "topics",
    "tickets",
    "sla",
    "satisfaction",  # the closing email's «¿Cómo te atendimos?» (issue 15)
    "reports",
    "csp",
    "sysmo",
    "privacy",  # Mis datos (Ley 25.326): download, deletion requests
    "django.forms",  # the built-in widget templates, for FORM_RENDERER below
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "sysmo.errors.RequestSizeLimitMiddleware",  # after Locale (its page is translated), before any body is read
    "django.middleware.common.CommonMiddleware",
    "tickets.uploads.FileNamesAsSentMiddleware",  # before anything reads request.POST or FILES
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    # An administrator without a second factor reaches only the pages that set one up (when required).
    "accounts.second_factor.RequireSecondFactorMiddleware",
    # Last: it needs the user, the messages and the CSRF check, and wraps only the view (accounts/submissions.py).
    "accounts.submissions.SubmissionMiddleware",
]

ROOT_URLCONF = "sysmo.urls"
# Only for the server `manage.py bench_http` starts: a query counter and a bare view as the floor (sysmo/bench.py).
BENCH_HTTP = env.bool("BENCH_HTTP", default=False)
if BENCH_HTTP:
    MIDDLEWARE = ["sysmo.bench.QueryCountMiddleware", *MIDDLEWARE]
    ROOT_URLCONF = "sysmo.bench_urls"
WSGI_APPLICATION = "sysmo.wsgi.application"
# Widgets render through the project's template engine, so templates/ can correct one: the admin's date and
# time fields get labels (templates/admin/widgets/split_datetime.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

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
            ],
            # {% submission_key %} in every write form, like {% csrf_token %} (accounts/submissions.py).
            "builtins": ["accounts.templatetags.submissions"],
        },
    },
]

# --- Database ---------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'sysmo.sqlite3'}")
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a command writes; the timeout waits for a lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker -------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis, with each process's memory standing in while it is down (sysmo/cache.py): the rate limits
            # stay on, per process, and login, sign-up and password resets keep working.
            "BACKEND": "sysmo.cache.RedisCacheWithLocalFallback",
            "LOCATION": REDIS_URL,
            # A dead Redis must not hang a request: fail fast, then skip it for a few seconds.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            "RETRY_SECONDS": env.float("CACHE_RETRY_SECONDS", default=5),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Email --------------------------------------------------------------------
# Every email goes through the outbox (mail/outbox.py): Django's mail API writes a row in the caller's
# transaction and, after commit, a Celery task delivers it with the backend parsed from EMAIL_URL.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
OUTBOX_DELIVERY_BACKEND = EMAIL_CONFIG.pop("EMAIL_BACKEND")
vars().update(EMAIL_CONFIG)  # EMAIL_HOST, EMAIL_PORT, credentials, TLS flags: read by the SMTP backend
EMAIL_BACKEND = "mail.outbox.OutboxBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # seconds; a dead SMTP server must not block a worker
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Sysmo Tickets <no-responder@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Email both ways (mail/replies.py, mail/inbound.py). Notifications say "Reply-To: <local>+<token>@<domain>"
# of this mailbox; what arrives there is read from INBOUND_IMAP_URL (imaps://user:password@host/INBOX) by the
# beat every INBOUND_POLL_SECONDS or `manage.py fetch_mail`, or piped in by `manage.py receive_mail`.
INBOUND_ADDRESS = env.str("INBOUND_ADDRESS", default=parseaddr(DEFAULT_FROM_EMAIL)[1] or "soporte@localhost")
INBOUND_IMAP_URL = env.str("INBOUND_IMAP_URL", default="")
INBOUND_POLL_SECONDS = env.float("INBOUND_POLL_SECONDS", default=60)
INBOUND_IMAP_TIMEOUT = env.float("INBOUND_IMAP_TIMEOUT", default=20)  # seconds per IMAP command
INBOUND_RATE_LIMIT = env.int("INBOUND_RATE_LIMIT", default=30)  # messages processed per sender per hour
INBOUND_MAX_BYTES = env.int("INBOUND_MAX_BYTES", default=30 * 1024 * 1024)  # bigger messages are refused
INBOUND_DEFAULT_TOPIC = env.str("INBOUND_DEFAULT_TOPIC", default="")  # topic of mail to the bare address
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"  # allauth's emails: recipient's language, text + HTML
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_RETRY_BASE_SECONDS = env.float("OUTBOX_RETRY_BASE_SECONDS", default=30)  # doubles after each failure
OUTBOX_RETRY_MAX_SECONDS = env.float("OUTBOX_RETRY_MAX_SECONDS", default=3600)
OUTBOX_LEASE_SECONDS = env.float("OUTBOX_LEASE_SECONDS", default=120)  # a claimed batch must be sent within this
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=100)  # messages sent over one SMTP connection
OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=30)

# --- Celery -------------------------------------------------------------------
# With REDIS_URL: a real broker and `celery -A sysmo worker -B`. Without it: tasks run in-process
# (eager), so the demo needs no broker and no extra process.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="sysmo")
CELERY_TASK_PUBLISH_RETRY = False  # a dead Redis must not hold a request: the outbox sweep catches up
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1, "max_retries": 0}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Run by `celery -A sysmo worker -B` (or a separate `celery -A sysmo beat`). Several beats are harmless:
# the sweep only claims messages nobody else holds.
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "mail.tasks.sweep_outbox", "schedule": OUTBOX_SWEEP_SECONDS},
    "inbound-fetch": {"task": "mail.tasks.fetch_inbound", "schedule": INBOUND_POLL_SECONDS},
    "pending-uploads-purge": {"task": "tickets.tasks.purge_pending_uploads", "schedule": 3600},
    "waiting-clock": {"task": "tickets.tasks.run_waiting_clock", "schedule": 900},
    "sla-clock": {"task": "tickets.tasks.run_sla_clock", "schedule": 300},
    "submission-claims-purge": {"task": "accounts.tasks.purge_submission_claims", "schedule": 3600},
}

# --- Accounts -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("email", "full_name")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]  # accounts.forms.SignupForm adds company, CUIT…
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    "login": "accounts.forms.LoginForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
    "change_password": "accounts.forms.ChangePasswordForm",
    "add_email": "accounts.forms.ChangeEmailForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True  # one address per user; a new one replaces it only once verified
ACCOUNT_PREVENT_ENUMERATION = True  # sign-up, login and reset answer alike for known and unknown emails
# Who is asking (accounts.adapter.AccountAdapter.get_client_ip, the one answer for every rate limit): the
# peer's address (REMOTE_ADDR) unless we run behind proxies of our own. Then either the number of them, each
# appending to X-Forwarded-For (the entry that many places from the end is the client; whatever the client
# wrote before it is ignored), or the header our proxy sets and overwrites (e.g. X-Real-IP). Never set these
# without such a proxy in front: the client would choose its own address.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None
# Kept in the default cache: Redis when REDIS_URL is set, so the limits hold across app servers.
# "login_failed" counts every password tried (login, reauthentication, password change) per client address
# and per account (the address typed, never the Host header: accounts.adapter.login_attempts_key).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "confirm_email": "1/3m/key",
    "resend_verification": "10/m/ip",  # accounts.views.resend_verification; per address: confirm_email
    "reauthenticate": "10/m/user",
    "satisfaction_answer": "30/m/ip",  # satisfaction.views: answers and comments sent with a survey link
}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # the session that changed it stays; every other one ends
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Sysmo Tickets] "
# The owner hears of every change to how the account is reached: password changed, set or reset, and an
# email change (told to the old address). accounts.adapter.AccountAdapter.send_notification_mail.
ACCOUNT_EMAIL_NOTIFICATIONS = True

# Two-factor sign-in (allauth.mfa). Wrong codes count against ACCOUNT_RATE_LIMITS["login_failed"] per account.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Sysmo Tickets"
# Administrators see every client's data: they set up a second factor before reaching any page. On unless
# DEBUG (the demo and the test suite turn it off; production keeps it on unless this says otherwise).
MFA_REQUIRED_FOR_ADMINISTRATORS = env.bool("MFA_REQUIRED_FOR_ADMINISTRATORS", default=not DEBUG)
USERSESSIONS_TRACK_ACTIVITY = False  # sessions are recorded at login; no write on every request

# A form sent again (retry, back button) within this many days changes nothing; later it counts as new.
SUBMISSION_KEY_MAX_AGE_DAYS = env.int("SUBMISSION_KEY_MAX_AGE_DAYS", default=30)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Language and time ----------------------------------------------------------
LANGUAGE_CODE = "es-ar"
LANGUAGES = [("es-ar", _("Español (Argentina)")), ("en", _("English"))]
# locale_overrides/ first: our corrections to Django's and allauth's own Spanish (vos, the product's words) win
# over theirs; makemessages writes to locale/ only.
LOCALE_PATHS = [BASE_DIR / "locale_overrides", BASE_DIR / "locale"]
TIME_ZONE = "America/Argentina/Buenos_Aires"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
# Attachments of requests and replies (tickets/uploads.py): size and count limits, and the types
# accepted, checked by their content (not by the name's extension alone).
ATTACHMENT_MAX_SIZE_MB = env.int("ATTACHMENT_MAX_SIZE_MB", default=20)
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=10)
ATTACHMENT_ALLOWED_TYPES = env.list(
    "ATTACHMENT_ALLOWED_TYPES",
    default=["pdf", "png", "jpg", "jpeg", "gif", "webp", "heic", "doc", "docx", "xls", "xlsx", "ppt", "pptx",
             "odt", "ods", "odp", "rtf", "txt", "csv"],
)
# The largest request body read at all (text and files); 0: the most a valid form carries, i.e.
# ATTACHMENT_MAX_FILES × ATTACHMENT_MAX_SIZE_MB plus 5 MB. Larger ones get our 400 page before being read.
# The text of a form is limited by Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) and its fields and files by
# DATA_UPLOAD_MAX_NUMBER_FIELDS / _FILES; passing any of them answers the same page (sysmo/errors.py).
REQUEST_MAX_SIZE_MB = env.int("REQUEST_MAX_SIZE_MB", default=0)
# Files of a form that came back with an error wait this long for the form to be sent again.
PENDING_UPLOAD_MAX_AGE_HOURS = env.int("PENDING_UPLOAD_MAX_AGE_HOURS", default=24)
# «Esperando al cliente»: calendar days without an answer before one reminder, and before closing by itself.
WAITING_REMINDER_DAYS = env.int("WAITING_REMINDER_DAYS", default=5)
WAITING_CLOSE_DAYS = env.int("WAITING_CLOSE_DAYS", default=7)
# The SLA warning goes when this share of the active target (business time) has passed (issue 15).
SLA_WARNING_PERCENT = env.int("SLA_WARNING_PERCENT", default=80)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Uploaded attachments: never served directly, only through a view that checks who asks.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Attachments in object storage (any S3 API: AWS, MinIO, Ceph, Garage…) when a bucket is named; else on disk
# under PRIVATE_MEDIA_ROOT. The bucket stays private: files are streamed through the download view, which checks
# who asks (no public URL, no signed link). A storage that does not answer within the timeouts is reported to
# the user and the form comes back with their text (tickets/uploads.py StorageUnavailable).
ATTACHMENTS_S3_BUCKET = env.str("ATTACHMENTS_S3_BUCKET", default="")
if ATTACHMENTS_S3_BUCKET:
    from botocore.config import Config as _S3Config

    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ATTACHMENTS_S3_BUCKET,
            "endpoint_url": env.str("ATTACHMENTS_S3_ENDPOINT_URL", default="") or None,  # empty: AWS
            "region_name": env.str("ATTACHMENTS_S3_REGION", default="") or None,
            # Empty: boto3's usual sources (AWS_* variables, ~/.aws, an instance role).
            "access_key": env.str("ATTACHMENTS_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("ATTACHMENTS_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("ATTACHMENTS_S3_PREFIX", default=""),  # a folder inside the bucket
            "default_acl": None,  # the bucket's own (private)
            "querystring_auth": True,
            "file_overwrite": True,  # names are random (tickets.models.attachment_path): no existence check
            "verify": env.str("ATTACHMENTS_S3_CA_BUNDLE", default="") or None,
            "client_config": _S3Config(
                s3={"addressing_style": env.str("ATTACHMENTS_S3_ADDRESSING_STYLE", default="path")},
                signature_version="s3v4",
                connect_timeout=env.float("ATTACHMENTS_S3_TIMEOUT", default=5),
                read_timeout=env.float("ATTACHMENTS_S3_TIMEOUT", default=5) * 4,
                retries={"max_attempts": 2, "mode": "standard"},
            ),
        },
    }

# --- Security -------------------------------------------------------------------------
# HTTPS is on when SITE_URL says https:// (production); each part below can be turned off on its own.
HTTPS = SITE_URL.startswith("https://")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=HTTPS)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
# Strict-Transport-Security: browsers refuse plain HTTP to this host for this many seconds (0: no header).
# Start low (3600) on a first deployment; a year once HTTPS is known to work.
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=False)
# Behind our reverse proxy (deploy/nginx.conf), which overwrites X-Forwarded-Proto: trust it to say the
# client came over HTTPS. Never without such a proxy: a client could claim HTTPS on a plain connection.
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [SITE_URL]  # the Origin browsers send with our forms, whatever Host the proxy passes
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "sysmo.errors.csrf_failure"  # our page, in the user's language, not Django's bare one
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Preloading is the domain owner's commitment (hstspreload.org), never a default: its check stays quiet
# unless HSTS_PRELOAD is chosen.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content-Security-Policy on every response (django-csp): only our own scripts, styles, images and fonts,
# never inline ones (no <script> blocks, no style="", no onclick=: JS in static/js, CSS in static/css);
# images may be data: URIs (Bootstrap's icons in its CSS). Nothing may frame us; forms post only here.
# CSP_REPORT_ONLY=true sends it as Content-Security-Policy-Report-Only (to try a change without breaking pages).
_CSP = {
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
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
