"""Production: fails fast without a SECRET_KEY; secure cookies and headers."""

from sustain.config.env import env
from sustain.config.settings.base import *  # noqa: F403

SECRET_KEY = env.str("SECRET_KEY")  # no default: refuse to start without it
DEBUG = False
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # Preloading commits the whole registrable domain to HTTPS in browsers for good: an
    # explicit choice of the deployer (SECURE_HSTS_PRELOAD=true), so its reminder is silenced.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Fail fast: no silent local SQLite file or localhost-only host list in production.
env.str("DATABASE_URL")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# Emails (the daily My work digest) go by SMTP: EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
# EMAIL_HOST_PASSWORD, EMAIL_USE_TLS and DEFAULT_FROM_EMAIL from the environment (base.py).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
# Links in emails and calendar feeds: SUSTAIN_BASE_URL, else https:// and the first host.
SUSTAIN_BASE_URL = env.str("SUSTAIN_BASE_URL", default="") or f"https://{ALLOWED_HOSTS[0]}"
