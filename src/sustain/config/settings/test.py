"""Tests: PostgreSQL when DATABASE_URL is set (CI), SQLite otherwise; fast hashing."""

import tempfile

from sustain.config.env import env
from sustain.config.settings.base import *  # noqa: F403
from sustain.config.settings.base import HUEY

SECRET_KEY = "test-only-not-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
MEDIA_ROOT = tempfile.mkdtemp(prefix="sustain-test-media-")  # uploads (imports) go here
