"""Development and demo: local generated key, debug allowed, embedded SQLite by default."""

from sustain.config.env import env, local_secret_key
from sustain.config.settings.base import *  # noqa: F403

SECRET_KEY = env.str("SECRET_KEY", default="") or local_secret_key()
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Emails (e.g. the daily My work digest) are printed to the console in development.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
