"""Production settings fail fast without their secrets and pass `check --deploy` when set."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROD = "sustain.config.settings.prod"
REQUIRED = ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS")


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in (*REQUIRED, "DJANGO_SETTINGS_MODULE", "SECURE_HSTS_PRELOAD",
                        "DJANGO_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    # (The browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE in this process for
    # live_server; a real deployment never has it, so it must not leak into this check.)
    env.update({"DJANGO_SETTINGS_MODULE": PROD, "SUSTAIN_DATA_DIR": str(tmp_path / "data")})
    env.update(values)
    return env


def _complete(tmp_path: Path) -> dict[str, str]:
    return {"SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "sustain.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}"}


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.mark.parametrize("missing", REQUIRED)
def test_production_refuses_to_start_without_required_settings(tmp_path: Path,
                                                               missing: str) -> None:
    values = _complete(tmp_path)
    del values[missing]
    result = _run(["-c", "import django; django.setup()"], _env(tmp_path, **values), tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Set the {missing} environment variable" in result.stderr


def test_production_starts_with_them(tmp_path: Path) -> None:
    result = _run(["-c", "import django; django.setup(); from django.conf import settings; "
                   "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)"],
                  _env(tmp_path, **_complete(tmp_path)), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True"


def test_check_deploy_is_clean(tmp_path: Path) -> None:
    result = _run(["-m", "sustain.cli", "check", "--deploy", "--fail-level", "WARNING"],
                  _env(tmp_path, **_complete(tmp_path)), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_is_clean_with_hsts_preload(tmp_path: Path) -> None:
    result = _run(["-m", "sustain.cli", "check", "--deploy", "--fail-level", "WARNING"],
                  _env(tmp_path, SECURE_HSTS_PRELOAD="true", **_complete(tmp_path)), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_would_catch_a_weak_key(tmp_path: Path) -> None:
    """The check is real: a short secret key makes it fail."""
    values = {**_complete(tmp_path), "SECRET_KEY": "too-short"}
    result = _run(["-m", "sustain.cli", "check", "--deploy", "--fail-level", "WARNING"],
                  _env(tmp_path, **values), tmp_path)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr
