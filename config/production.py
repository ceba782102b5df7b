"""Production settings: the base settings with every secret from the environment and the
security switches on. `manage.py check --deploy --fail-level WARNING` passes with these.

DJANGO_SETTINGS_MODULE=config.production
"""
from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")  # no default: a missing secret stops the process
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or "insecure" in SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be a long random value from the environment")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Demo users and demo figures never exist in a real service.
if env.bool("DEMO_MODE", default=False):
    raise ImproperlyConfigured("DEMO_MODE cannot be on in production")
DEMO_MODE = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Health checks come over plain HTTP from inside the stack.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
