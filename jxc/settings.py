"""JXC settings: one module, driven by environment variables (see README)."""

import os
from pathlib import Path

import bootstrap_wrapper
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from jxc.conf import database_config, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off. Set a long random "
            "value in production, or DJANGO_DEBUG=1 on a development machine."
        )
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 (debug only)

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if not DEBUG else ["*"]
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "template_partials",
    # Django REST Framework is used but not installed as an app: as an app its
    # zh_Hans catalogue would outrank Django's own for the messages both have and
    # change every form's errors ("这个字段是必填项" → "该字段是必填项"); the API
    # needs none of its templates or static files.
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "jxc",
    "audit",
    "accounts",
    "catalog",
    "inventory",
    "purchasing",
    "sales",
    "finance",
    "counter",
    "reports",
    "firstrun",
    "guide",
    # After inventory: its posting receivers run after inventory's (api/apps.py).
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jxc.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jxc.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audit.middleware.ExportAuditMiddleware",
    "jxc.middleware.ReplicaReadsMiddleware",
]

ROOT_URLCONF = "jxc.urls"

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
                "jxc.routers.replica_note",
                "guide.context_processors.help_link",
            ],
        },
    },
]

WSGI_APPLICATION = "jxc.wsgi.application"

DATABASES = {"default": database_config(os.environ.get("DATABASE_URL"), BASE_DIR)}
# A streaming replica of the same PostgreSQL database: report and export pages
# read from it (jxc/routers.py); writes and postings stay on the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database_config(os.environ["DATABASE_REPLICA_URL"], BASE_DIR)
    DATABASE_ROUTERS = ["jxc.routers.ReplicaRouter"]
# A report page read from a replica further behind than this says so.
JXC_REPLICA_LAG_NOTE_SECONDS = env_int("JXC_REPLICA_LAG_NOTE_SECONDS", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
LOGIN_URL = "login"
# Django's user model has no page of its own; the audit trail links to this one.
ABSOLUTE_URL_OVERRIDES = {
    "auth.user": lambda user: reverse("accounts:user_update", args=[user.pk])
}
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("JXC_SESSION_SECONDS", 8 * 3600)
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request: inactivity

# Login protection (accounts.lockout): failed sign-ins within the lock period lock
# the account, or (a higher limit: shop computers share one address) the address.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
JXC_LOGIN_FAILURE_LIMIT = env_int("JXC_LOGIN_FAILURE_LIMIT", 5)
JXC_LOGIN_IP_FAILURE_LIMIT = env_int("JXC_LOGIN_IP_FAILURE_LIMIT", 20)
JXC_LOGIN_LOCK_SECONDS = env_int("JXC_LOGIN_LOCK_SECONDS", 15 * 60)
if min(JXC_LOGIN_FAILURE_LIMIT, JXC_LOGIN_IP_FAILURE_LIMIT, JXC_LOGIN_LOCK_SECONDS) < 1:
    raise ImproperlyConfigured(
        "JXC_LOGIN_FAILURE_LIMIT, JXC_LOGIN_IP_FAILURE_LIMIT and "
        "JXC_LOGIN_LOCK_SECONDS must be at least 1."
    )

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded spreadsheets waiting for their preview's 确认导入 (jxc/import_flow.py).
JXC_STAGING_DIR = Path(
    os.environ.get("JXC_STAGING_DIR", BASE_DIR / "media" / "staging")
)
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap's official dist files, from the bootstrap-wrapper package.
    ("bootstrap", bootstrap_wrapper.get_bootstrap_dir()),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or not env_bool("JXC_STATIC_MANIFEST", default=True)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Without collectstatic (development, tests) files are served from the finders.
WHITENOISE_USE_FINDERS = True
# Files browsers ask for at the site root (favicon.ico), served to anyone: without
# it every new tab logs a 404 and the browser console an error.
WHITENOISE_ROOT = BASE_DIR / "public"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Messages travel in a signed cookie (the session only for long ones): every
# request saves the session (inactivity expiry), so a message kept there could be
# overwritten by a request running alongside the one that wrote it (a live
# availability lookup as the clerk presses "finish sale"), and the clerk would
# never see "change due".
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"

# Uploads: spreadsheets are small; refuse anything large before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A count sheet sends one field per product, a 300-line receipt about 1,500:
# Django's 1,000 would refuse a real stocktake. The 5 MB above bounds the work.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 50_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A larger file is read past and dropped, not written to a temporary file.
FILE_UPLOAD_HANDLERS = [
    "jxc.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (jxc.middleware; the shape of Django 6's SECURE_CSP): only
# our own static files. No 'unsafe-inline' for scripts or styles: templates carry no
# inline <script>, event handler, <style> or style= attribute, and htmx is told not
# to inject its indicator <style> (base.html). Images also allow data: because
# Bootstrap's CSS draws its icons (select arrow, close button, menu toggler) as
# data: SVGs; an image cannot run script.
SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

# With debug off, HTTPS is assumed: secure cookies, redirect and HSTS.
# DJANGO_HTTPS=0 turns these off for a shop LAN without TLS.
HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
JXC_BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", default=False)
if JXC_BEHIND_PROXY:
    # The reverse proxy terminates TLS and says so in this header (and appends the
    # client's address to X-Forwarded-For, which the login protection reads).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The JSON API (api app, README "API"): keys only (no session), every call audited,
# counted per key per minute in the database (api.RateWindow: every worker and
# host shares the count; no cache needed).
REST_FRAMEWORK = {
    # Every endpoint sets its own (api.framework.ApiViewSet); anything else is shut.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.framework.handle_exception",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "JXC API",
    "DESCRIPTION": "进销存 JSON API: products, stock, partners, documents, the monthly "
    "summary; creating sales orders and products. Authorization: Bearer <API key>.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI's files come from drf-spectacular-sidecar, served by the app.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SalesOrderStatusEnum": "sales.models.OrderStatus",
        "PurchaseOrderStatusEnum": "purchasing.models.OrderStatus",
        "PostedStatusEnum": "jxc.models.POSTED_CHOICES",
    },
}
JXC_API_CALLS_PER_MINUTE = env_int("JXC_API_CALLS_PER_MINUTE", 120)
JXC_WEBHOOK_TIMEOUT_SECONDS = env_int("JXC_WEBHOOK_TIMEOUT_SECONDS", 10)

# The shop's name on reports and exports (empty: the product name).
JXC_SHOP_NAME = os.environ.get("JXC_SHOP_NAME", "")

# manage.py backup: where backups go and how many of them are kept.
JXC_BACKUP_DIR = Path(os.environ.get("JXC_BACKUP_DIR") or BASE_DIR / "backups")
JXC_BACKUP_KEEP = env_int("JXC_BACKUP_KEEP", 14)
# A second folder every backup is copied to (a mounted drive, a network share).
JXC_BACKUP_COPY_DIR = os.environ.get("JXC_BACKUP_COPY_DIR", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
