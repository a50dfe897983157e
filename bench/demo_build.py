"""Time `sustain demo --no-serve` from an empty data folder (SQLite), as a new user runs it.

    .venv/bin/python bench/demo_build.py [--runs 3]

Each run uses a fresh temporary data folder and no DATABASE_URL, so it measures everything:
migrations, the reference library load, the demo build (with its two years of operational
records) and printing the accounts. Prints each time, then min and median, and the machine
(cores, CPU model, memory) for docs/performance.md. Each run also prints the CPU time the
command used and the load average when it started: on a shared machine the wall-clock time
grows with the load, the CPU time much less.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import machine  # noqa: E402 - bench/ helpers

BUDGET_SECONDS = 60.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run() -> tuple[float, float]:
    """Wall-clock and CPU seconds of one `sustain demo --no-serve`."""
    cpu_before = _children_cpu()
    with tempfile.TemporaryDirectory(prefix="sustain-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(SUSTAIN_DATA_DIR=str(Path(tmp) / "var"),
                   DJANGO_SETTINGS_MODULE="sustain.config.settings.dev")
        started = time.perf_counter()
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "sustain.cli", "demo", "--no-serve"], env=env, cwd=tmp,
            capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"sustain demo failed:\n{result.stdout}\n{result.stderr}")
    return elapsed, _children_cpu() - cpu_before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    times = []
    for number in range(1, args.runs + 1):
        load = os.getloadavg()[0]
        elapsed, cpu = one_run()
        times.append(elapsed)
        print(f"run {number}: {elapsed:.1f} s (CPU {cpu:.1f} s, load average {load:.1f} "
              "at the start)")
    median = statistics.median(times)
    print(f"sustain demo --no-serve, fresh SQLite: min {min(times):.1f} s, "
          f"median {median:.1f} s (budget {BUDGET_SECONDS:.0f} s)")
    return 0 if median <= BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
