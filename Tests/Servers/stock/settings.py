"""A Django project assembled only from stock packages nobody here wrote: Django REST
framework's token authentication, django-rest-knox (a logout that revokes the calling
token), djangorestframework-simplejwt (JWT access/refresh pairs) and
django-oauth-toolkit (an OAuth 2.0 provider), with drf-spectacular describing it all in
OpenAPI 3.0 at /schema/. Configured as their own docs show; the
tests start it with `manage.py runserver` on a free loopback port."""
import os
from datetime import timedelta

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = "stock-servers-test-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "rest_framework.authtoken",
    "knox",
    "rest_framework_simplejwt.token_blacklist",
    "oauth2_provider",
    "drf_spectacular",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.environ.get("STOCK_DB", os.path.join(BASE_DIR, "stock.sqlite3"))}}
REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
                  "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=int(os.environ.get("STOCK_JWT_ACCESS_SECONDS", "300"))),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}
REST_KNOX = {"TOKEN_TTL": timedelta(hours=10), "AUTO_REFRESH": False}
OAUTH2_PROVIDER = {"PKCE_REQUIRED": True, "SCOPES": {"read": "read", "write": "write"},
                   "ACCESS_TOKEN_EXPIRE_SECONDS": 3600}
LOGIN_URL = "/accounts/login/"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "DIRS": [],
              "OPTIONS": {"context_processors": ["django.contrib.auth.context_processors.auth"]}}]
