#!/usr/bin/env python3
"""Sustain's two-command bootstrap (standard library only, Python 3.11 or newer).

    python3 run.py demo [demo options]   set up .venv, build the demo on SQLite and serve it
    python3 run.py test                  install test needs and run every check CI runs

`demo` creates .venv if it is missing, installs requirements.lock and the package, then runs
`sustain demo` with any options given (see `python3 run.py demo --help`).

`test` installs requirements-test.lock and the package (and Debian's chromium for the browser
tests, when it is missing and we are root), then runs, stopping at the first failure: ruff,
mypy, the migrations check, the pytest suite on PostgreSQL except the smoke set (DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/sustain; pytest-django creates test_sustain, one
per pytest-xdist worker, one worker per core) and the smoke set on SQLite (also one worker per
core, one test file per worker). The smoke tests run once, on SQLite: they build the demo in
SQLite (most of them in child processes that use SQLite whatever DATABASE_URL says), so running
them in the PostgreSQL step too only repeated them. See docs/adr/0004-two-command-bootstrap.md
and docs/performance.md.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/sustain"
CHROMIUM = Path("/usr/bin/chromium")
USAGE = "usage: python3 run.py demo [options] | python3 run.py test"


def say(message: str) -> None:
    print(f"run.py: {message}", flush=True)


def run(cmd: list[str], env: dict[str, str] | None = None) -> int:
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


def ensure_venv(lock_name: str) -> None:
    """Create .venv and install `lock_name` plus the package, unless already done for exactly
    these lock and project files (a stamp in .venv records what was installed)."""
    python = BIN / "python"
    if not python.exists():
        say(f"creating the virtual environment in {VENV}")
        if run([sys.executable, "-m", "venv", str(VENV)]) != 0:
            sys.exit("run.py: could not create .venv (on Debian/Ubuntu: apt-get install "
                     "python3-venv)")
    lock = ROOT / lock_name
    digest = hashlib.sha256(lock.read_bytes() + (ROOT / "pyproject.toml").read_bytes())
    stamp = VENV / f".installed-{lock_name}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    say(f"installing {lock_name} and the sustain package into .venv (first run only)")
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "install", "-q"]
    if run([*pip, "-r", str(lock)]) != 0 or run([*pip, "--no-deps", "-e", "."]) != 0:
        sys.exit(f"run.py: installing {lock_name} failed (see the pip output above)")
    stamp.write_text(digest.hexdigest())


def demo(args: list[str]) -> int:
    ensure_venv("requirements.lock")
    os.chdir(ROOT)  # the data folder (./var) is relative to the working directory
    sustain = str(BIN / "sustain")
    os.execv(sustain, [sustain, "demo", *args])  # noqa: S606 - replaces this process
    return 0  # not reached


def ensure_chromium() -> bool:
    if CHROMIUM.exists():
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing Debian's chromium and chromium-driver for the browser tests")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if run(["apt-get", "update", "-q"], env) == 0 and run(
                ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium",
                 "chromium-driver"], env) == 0 and CHROMIUM.exists():
            return True
    say("the browser tests need Debian's Chromium at /usr/bin/chromium; install it as root "
        "with: apt-get install chromium chromium-driver")
    return False


def ensure_postgres(url: str) -> bool:
    """Check the test database server answers; start the local cluster if we can."""
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return True
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432

    def reachable() -> bool:
        try:
            with socket.create_connection((host, port), timeout=3):
                return True
        except OSError:
            return False

    if reachable():
        return True
    clusters = Path("/etc/postgresql")
    if os.geteuid() == 0 and shutil.which("pg_ctlcluster") and clusters.is_dir():
        for version in sorted(p.name for p in clusters.iterdir()):
            say(f"starting PostgreSQL {version}")
            run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"])
        for _ in range(20):
            if reachable():
                return True
            time.sleep(0.5)
    say(f"PostgreSQL is not answering at {host}:{port}. Start it, or set DATABASE_URL to a "
        "PostgreSQL server where this user may create the test database.")
    return False


def workers(dist: str) -> list[str]:
    """pytest-xdist options: one worker per core (at most 4), none on a single core. Each
    worker gets its own test database (test_sustain_gw0, …).

    `dist` is how tests are shared out: "loadgroup" (the PostgreSQL step) sends tests one by
    one except those marked `xdist_group`, which go to one worker together: the demo tests
    share one build of the demo per session (src/sustain/demo/tests/conftest.py), so they
    must not be split. "loadfile" (the smoke step) keeps each file's module-scoped demo build
    on one worker."""
    cores = min(4, os.cpu_count() or 1)
    return ["-n", str(cores), "--dist", dist] if cores > 1 else []


def test(args: list[str]) -> int:
    if args:
        say(f"'test' takes no options ({USAGE})")
        return 2
    started = time.monotonic()
    ensure_venv("requirements-test.lock")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    sqlite_env = {k: v for k, v in env.items() if k != "DATABASE_URL"}
    if not ensure_chromium() or not ensure_postgres(env["DATABASE_URL"]):
        return 1
    steps: list[tuple[str, list[str], dict[str, str]]] = [
        ("ruff", [str(BIN / "ruff"), "check", "."], env),
        ("mypy (engine, strict)", [str(BIN / "mypy")], env),
        ("migrations are up to date",
         [str(BIN / "sustain"), "makemigrations", "--check", "--dry-run"], env),
        ("pytest, everything but the smoke set, on PostgreSQL",
         [str(BIN / "pytest"), "-q", "-m", "not smoke", *workers("loadgroup")], env),
        ("pytest -m smoke on SQLite",
         [str(BIN / "pytest"), "-q", "-m", "smoke", *workers("loadfile")], sqlite_env),
    ]
    for number, (name, cmd, step_env) in enumerate(steps, 1):
        say(f"step {number}/{len(steps)}: {name}")
        step_started = time.monotonic()
        code = run(cmd, step_env)
        say(f"step {number}/{len(steps)}: {name} took {time.monotonic() - step_started:.0f} s")
        if code == 5 and cmd[0].endswith("pytest"):
            say(f"FAILED: {name} collected no tests (pytest exit code 5)")
            code = 1
        if code != 0:
            say(f"FAILED at step {number}/{len(steps)} ({name}), exit code {code}, after "
                f"{time.monotonic() - started:.0f} s")
            return code
    say(f"all {len(steps)} steps passed in {time.monotonic() - started:.0f} s")
    return 0


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - python3 may be older than the project
        print("run.py needs Python 3.11 or newer.", file=sys.stderr)
        return 2
    if not argv or argv[0] not in ("demo", "test"):
        print(USAGE, file=sys.stderr)
        return 2
    return demo(argv[1:]) if argv[0] == "demo" else test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
