"""Environment access for settings (12-factor). One `env` object, one data folder."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import environ

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent.parent  # src/sustain


def data_dir() -> Path:
    """The local data folder (SQLite database, Huey queue, generated dev key)."""
    path = Path(env.str("SUSTAIN_DATA_DIR", default=str(Path.cwd() / "var"))).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def local_secret_key() -> str:
    """A key generated once and kept in the data folder: for dev and demo only."""
    key_file = data_dir() / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        os.chmod(key_file, 0o600)
    return key_file.read_text().strip()
