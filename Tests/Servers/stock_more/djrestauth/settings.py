"""A Django project of stock packages: dj-rest-auth's login, logout and user views with JWTs
from djangorestframework-simplejwt (`USE_JWT`, the refresh token in the answer's body:
`JWT_AUTH_HTTPONLY = False`), simplejwt's blacklist app, so dj-rest-auth's logout
blacklists the refresh token sent in its body, and simplejwt's own views, its
`/token/blacklist/` among them. Configured as both packages' docs show; the tests run it
with `manage.py runserver` on a free loopback port."""
import os
from datetime import timedelta

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = "stock-more-test-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_simplejwt.token_blacklist",
    "dj_rest_auth",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.environ.get("STOCK_DB", os.path.join(BASE_DIR, "djrestauth.sqlite3"))}}
REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": ["dj_rest_auth.jwt_auth.JWTCookieAuthentication"]}
REST_AUTH = {"USE_JWT": True, "JWT_AUTH_HTTPONLY": False, "SESSION_LOGIN": False}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=int(os.environ.get("STOCK_JWT_ACCESS_SECONDS", "300"))),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}
