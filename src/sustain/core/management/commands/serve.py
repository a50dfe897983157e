"""`sustain serve`: the production-style server — gunicorn for the web tier plus one Huey
consumer for background jobs, as two child processes of this one.

SIGINT and SIGTERM are forwarded to both children, which are then waited for (and killed after a
grace period). If either child stops on its own, the other is stopped too and the command exits
with an error, so a process supervisor (systemd, a container runtime) sees the failure.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

GRACE_SECONDS = 15.0


class Command(BaseCommand):
    help = "Serve Sustain with gunicorn and run the Huey consumer alongside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("SUSTAIN_HOST", "127.0.0.1"),
                            help="Address to bind (default 127.0.0.1; 0.0.0.0 behind a proxy).")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int,
                            default=int(os.environ.get("WEB_CONCURRENCY", "2")),
                            help="gunicorn worker processes (default 2, or WEB_CONCURRENCY).")
        parser.add_argument("--huey-workers", type=int, default=1,
                            help="Huey consumer worker threads (default 1).")
        parser.add_argument("--no-collectstatic", action="store_true",
                            help="Skip collectstatic (already done at deploy time).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "sustain.config.settings.dev")
        bind = f"{options['host']}:{options['port']}"
        web_cmd = [sys.executable, "-m", "gunicorn", "sustain.config.wsgi:application",
                   "--bind", bind, "--workers", str(options["workers"]),
                   "--access-logfile", "-", "--graceful-timeout", "10",
                   "--no-control-socket"]
        jobs_cmd = [sys.executable, "-m", "sustain.cli", "run_huey",
                    "--workers", str(options["huey_workers"])]
        self.stdout.write(f"Serving on http://{bind}/ (gunicorn, {options['workers']} workers) "
                          "with a Huey consumer. Press Ctrl+C to stop.")
        self.stdout.flush()
        # gunicorn stops gracefully on SIGTERM; the Huey consumer on SIGINT (SIGTERM would
        # abandon a running task).
        children = [(subprocess.Popen(web_cmd, env=env), signal.SIGTERM),  # noqa: S603
                    (subprocess.Popen(jobs_cmd, env=env), signal.SIGINT)]  # noqa: S603
        code = supervise(children)
        if code:
            msg = f"The server stopped unexpectedly (exit status {code})."
            raise CommandError(msg)


Child = tuple[subprocess.Popen[bytes], signal.Signals]


def supervise(children: list[Child]) -> int:
    """Wait until a signal arrives or a child exits; then stop every child. Returns 0 when
    stopped by a signal, else the exit status of the child that stopped first."""
    stopping: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        failed = 0
        while not stopping:
            exited = [c for c, _ in children if c.poll() is not None]
            if exited:
                failed = exited[0].returncode or 1
                break
            time.sleep(0.2)
        _stop(children)
        return 0 if stopping else failed
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop(children: list[Child]) -> None:
    for child, stop_signal in children:
        if child.poll() is None:
            child.send_signal(stop_signal)
    deadline = time.monotonic() + GRACE_SECONDS
    for child, _ in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
