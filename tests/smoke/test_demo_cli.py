# ruff: noqa: S310  (every URL opened here is a loopback server this test started)
"""Smoke, as a user runs it: `sustain demo --no-serve` into a fresh SQLite data folder, a rebuild
with --reset gives the same data, history verifies, and `sustain serve` answers and stops cleanly.

Every command runs in a child process with its own data folder and no DATABASE_URL, so these
tests use embedded SQLite even in the PostgreSQL run, and never touch a real database.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.smoke

DUMP_MODELS = ["tenancy.organisation", "tenancy.region", "tenancy.location",
               "people.staffmember", "people.personsupported", "accounts.user",
               "tenancy.membership"]
VOLATILE = {"uuid", "created_at", "updated_at", "password", "last_login", "date_joined"}


def cli_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(SUSTAIN_DATA_DIR=str(data_dir),
               DJANGO_SETTINGS_MODULE="sustain.config.settings.dev")
    return env


def sustain(data_dir: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sustain.cli", *args], env=cli_env(data_dir),
                          cwd=data_dir.parent, capture_output=True, text=True, timeout=timeout,
                          check=False)


def content(data_dir: Path) -> list[dict[str, Any]]:
    """The demo's data without generated ids-for-the-public, timestamps or password hashes."""
    result = sustain(data_dir, "dumpdata", *DUMP_MODELS)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    return [{"model": r["model"], "pk": r["pk"],
             "fields": {k: v for k, v in r["fields"].items() if k not in VOLATILE}}
            for r in rows]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    data_dir = tmp_path_factory.mktemp("demo") / "var"
    accounts_file = data_dir.parent / "accounts.json"
    result = sustain(data_dir, "demo", "--no-serve", "--as-of", "2026-11-27",
                     "--accounts-json", str(accounts_file))
    assert result.returncode == 0, result.stderr
    assert (data_dir / "sustain.sqlite3").exists()
    return data_dir, json.loads(accounts_file.read_text())


def test_reset_rebuilds_identical_accounts_and_data(built) -> None:
    data_dir, accounts = built
    before = content(data_dir)
    again = data_dir.parent / "again.json"
    result = sustain(data_dir, "demo", "--no-serve", "--reset", "--as-of", "2026-11-27",
                     "--accounts-json", str(again))
    assert result.returncode == 0, result.stderr
    assert "Erasing the demo database" in result.stdout
    assert json.loads(again.read_text()) == accounts
    assert content(data_dir) == before
    assert len([r for r in before if r["model"] == "people.staffmember"]) > 100


def test_history_of_the_demo_verifies(built) -> None:
    data_dir, _ = built
    result = sustain(data_dir, "verify-history")
    assert result.returncode == 0, result.stdout + result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_all(process: subprocess.Popen, data_dir: Path) -> None:
    """After a failed test: leave no server behind (the command and its children)."""
    if process.poll() is None:
        process.kill()
        process.wait()
    for pid in processes_using(data_dir):
        os.kill(pid, signal.SIGKILL)


def start_serve(data_dir: Path, port: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "sustain.cli", "serve", "--port", str(port), "--workers", "1",
         *extra], env=cli_env(data_dir), cwd=data_dir.parent,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
        try:
            with urllib.request.urlopen(url, timeout=10):
                return
        except OSError:  # refused while starting, or slow to answer the first request
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {seconds} s")


def child_pids(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def processes_using(data_dir: Path) -> list[int]:
    """Live processes started for this data folder (by their environment)."""
    marker = f"SUSTAIN_DATA_DIR={data_dir}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if marker in environ and alive(int(proc.name)):
            found.append(int(proc.name))
    return found


def sign_in_and_get(base: str, username: str, password: str, path: str) -> str:
    """Sign in through the real login form (CSRF token and cookie), then fetch `path`."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page)
    assert token, "the login page has no CSRF token"
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1),
                                   "username": username, "password": password}).encode()
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=form,
                                       headers={"Referer": f"{base}/accounts/login/"}))
    return opener.open(f"{base}{path}").read().decode()


def api_location_names(base: str, username: str, password: str) -> list[str]:
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token", method="POST",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        token = json.loads(response.read())["token"]
    request = urllib.request.Request(f"{base}/api/v1/locations/",
                                     headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request) as response:
        return sorted(row["name"] for row in json.loads(response.read())["results"])


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_signed_in_and_stops_both_processes(built, stop_signal) -> None:
    data_dir, accounts = built
    manager = next(a for a in accounts if a["username"] == "manager.rosewood")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_serve(data_dir, port)
    try:
        wait_for(f"{base}/accounts/login/", process)
        children = child_pids(process.pid)
        assert len(children) == 2  # gunicorn and the Huey consumer
        page = sign_in_and_get(base, manager["username"], manager["password"], "/locations/")
        assert "Rosewood House" in page
        assert "Meadowbank" not in page
        assert api_location_names(base, manager["username"], manager["password"]) == [
            "Rosewood House"]
        with urllib.request.urlopen(f"{base}/static/sustain/sustain.css") as css:
            assert css.status == 200
        process.send_signal(stop_signal)
        # Both children stop on the forwarded signal, well before the kill deadline.
        assert process.wait(timeout=12) == 0
        output = process.stdout.read().decode() if process.stdout else ""
        assert "Shutting down: Master" in output  # gunicorn
        assert "Consumer exiting" in output  # Huey
        assert not any(alive(pid) for pid in children)
        assert processes_using(data_dir) == []
    finally:
        stop_all(process, data_dir)


def test_serve_fails_and_stops_the_consumer_when_the_web_server_cannot_start(built) -> None:
    data_dir, _ = built
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start_serve(data_dir, port, "--no-collectstatic")
        try:
            assert process.wait(timeout=60) != 0
        finally:
            stop_all(process, data_dir)
    output = process.stdout.read().decode() if process.stdout else ""
    assert "stopped unexpectedly" in output
    assert processes_using(data_dir) == []
