"""Time the nightly early-warning chain (issue 7): indicator values, then signals, then drift,
for 300 locations × 5 years of records on PostgreSQL (budget 60 s for the whole chain).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sustain_bench_ew \
        .venv/bin/python bench/nightly_early_warning.py [--locations 300] [--years 5] [--reuse]
        [--profile STEP]

Without DATABASE_URL it migrates a fresh SQLite database in a temporary folder. With one, it
migrates that database and adds the organisation `bench-nightly-<locations>x<years>` with its
records (`_nightly_data.py`, bulk-created, no history); `--reuse` keeps an organisation of that
name from an earlier run (building it takes a few minutes), otherwise a new one is built
beside it (a unique slug).

Timed, with `indicators.tasks.run_chain` exactly as the nightly task runs it (each step a
recorded job, in its own transaction):

1. the first run — every indicator value of the last 24 months (26 weeks), every signal of the
   recent periods and every drift assessment of the last six cycles are written;
2. the second run — the steady state of a nightly run: the same records, nothing changes.

For each step: wall seconds, this process's CPU seconds (on a shared machine the wall time
grows with the load and the database's own work; the CPU time is Python's share), and SQL
queries. `--profile compute|detect|assess` runs cProfile over that step of a third run and
prints the 25 most expensive functions (cumulative). Prints the machine and load average for
docs/performance.md; exits non-zero when the budget is missed.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from _common import counting_queries, machine, setup_django  # noqa: E402 - bench/ helpers

BUDGET_SECONDS = 60.0
AS_OF = dt.date(2026, 11, 27)


@contextmanager
def slowest_queries(top: int) -> Iterator[list[tuple[float, str]]]:
    """Time every SQL query; the list holds the `top` slowest (seconds, SQL) afterwards."""
    from django.db import connection

    timings: list[tuple[float, str]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - started, sql))

    found: list[tuple[float, str]] = []
    with connection.execute_wrapper(wrapper):
        yield found
    found.extend(sorted(timings, reverse=True)[:top])


def timed_chain(label: str, org: Any, top: int = 0) -> float:
    """Run the chain step by step, printing each step's figures (and its `top` slowest
    queries); returns the total wall time."""
    from sustain.indicators import tasks

    total = 0.0
    print(f"{label}:")
    for name, step in tasks.STEPS:
        with counting_queries() as queries, slowest_queries(top) as slow:
            started, cpu = time.perf_counter(), time.process_time()
            result = tasks.run_chain(until=AS_OF, organisation=org, steps=((name, step),))
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        total += wall
        outcome = result.steps[0]
        what = ", ".join(f"{k} {v:,}" for k, v in outcome.counts.items()) if outcome.ok \
            else f"FAILED: {outcome.error}"
        print(f"   {name}: {wall:.2f} s ({cpu:.2f} s CPU in Python), {queries[0]:,} queries; "
              f"{what}")
        for seconds, sql in slow:
            print(f"      {seconds:6.2f} s  {' '.join(sql.split())[:400]}")
    print(f"   chain: {total:.2f} s (budget {BUDGET_SECONDS:.0f} s)")
    return total


def profile(step_name: str, org: Any) -> None:
    from sustain.indicators import tasks

    steps = {"compute": "indicators.compute", "detect": "signals.detect",
             "assess": "drift.assess"}
    name = steps[step_name]
    step = dict(tasks.STEPS)[name]
    profiler = cProfile.Profile()
    profiler.enable()
    tasks.run_chain(until=AS_OF, organisation=org, steps=((name, step),))
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print(f"profile of {name} (cumulative):")
    print(out.getvalue())


def analyse() -> None:
    """Fresh planner statistics after the bulk load (as autovacuum would give a live
    database), so the figures are not those of plans made on empty-table estimates."""
    from django.db import connection

    if connection.vendor == "postgresql":
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"ANALYZE: {time.perf_counter() - started:.0f} s")


def organisation(locations: int, years: int, reuse: bool) -> Any:
    from _nightly_data import build

    from sustain.tenancy.models import Organisation

    slug = f"bench-nightly-{locations}x{years}"
    if reuse:
        found = Organisation.objects.filter(slug=slug).first()
        if found is not None:
            from sustain.drift.models import DriftAssessment
            from sustain.indicators.models import IndicatorValue
            from sustain.signals.models import Signal

            # The derived rows of the earlier run go, so the first run writes them all again.
            for model in (Signal, DriftAssessment, IndicatorValue):
                model.objects.filter(organisation=found).delete()
            print(f"reusing {slug} (its values, signals and assessments deleted)")
            return found
    elif Organisation.objects.filter(slug=slug).exists():
        slug = f"{slug}-{time.time_ns() % 10**9}"
    print(f"building {slug}: {locations} locations × {years} years")
    return build(locations, years, AS_OF, slug)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=300)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--reuse", action="store_true",
                        help="Reuse the organisation built by an earlier run.")
    parser.add_argument("--profile", choices=("compute", "detect", "assess"))
    parser.add_argument("--slowest", type=int, default=0, metavar="N",
                        help="Also print each step's N slowest SQL queries.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sustain-bench-") as tmp:
        database = setup_django(tmp)
        print(f"date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
        print(f"machine: {machine()}, load average {os.getloadavg()[0]:.1f} at the start")
        print(f"database: {database}")
        org = organisation(args.locations, args.years, args.reuse)
        analyse()
        first = timed_chain("1. first run", org, args.slowest)
        second = timed_chain("2. second run, nothing new", org, args.slowest)
        if args.profile:
            profile(args.profile, org)
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
    worst = max(first, second)
    print(f"budget: {'met' if worst <= BUDGET_SECONDS else 'MISSED'} "
          f"(slowest run {worst:.1f} s, budget {BUDGET_SECONDS:.0f} s)")
    return 0 if worst <= BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
