"""Time generating a year of occurrences for 300 locations × 20 cadences (budget: 30 s).

    .venv/bin/python bench/occurrence_generation.py [--locations 300] [--year 2027]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sustain_bench .venv/bin/python \
        bench/occurrence_generation.py

Without DATABASE_URL it migrates a fresh SQLite database in a temporary folder. With one, it
migrates that database and adds a new organisation (named after the run), so earlier runs do
not disturb the figures; only that organisation's cadences are generated.

Each location gets the same 20 cadences, a realistic governance mix: 2 daily, 6 weekly,
2 fortnightly, 6 monthly, 2 quarterly, 1 six-monthly and 1 annual (1,179 occurrences a location
in 2027; 353,700 for 300 locations). Three runs are timed through
`governance.services.occurrences_generate` (the service the periodic job calls, each row with
its hash-chained history entry):

1. a year from 1 January — every occurrence is created;
2. the same year again — nothing is created (the idempotent steady state);
3. the periodic job's own call, an 8-week horizon from 1 July — nothing new either.

Prints each run's time, SQL query count, rows created and the CPU seconds used by this
process and by the database server process serving it (on a shared machine the wall time
depends on the load; the CPU time does not), and the machine, for docs/performance.md.
Exits non-zero if run 1 is over the budget or the history chain does not verify.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import counting_queries, machine, setup_django  # noqa: E402 - bench/ helpers

BUDGET_SECONDS = 30.0
MIX: list[tuple[str, dict[str, Any]]] = (
    [("daily", {})] * 2
    + [("weekly", {"weekday": d}) for d in (0, 1, 2, 3, 4, 6)]
    + [("fortnightly", {"weekday": 2}), ("fortnightly", {"weekday": 4})]
    + [("monthly", {"day_of_month": d}) for d in (1, 7, 15, 28, 31, -1)]
    + [("quarterly", {}), ("quarterly", {"month": 1, "day_of_month": 15})]
    + [("six_monthly", {}), ("annually", {"month": 2, "day_of_month": 29})]
)


def backend_pid() -> int | None:
    """The PostgreSQL server process serving this connection (None on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds a local process has used (0 when unknown): with the
    machine shared, the CPU time is the figure that does not depend on the load."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def build(locations: int) -> Any:
    """An organisation with `locations` locations and the 20-cadence mix at each (bulk: the
    fixture is not what is measured)."""
    from sustain.core.bulk import tracked_create_many
    from sustain.governance.models import Cadence
    from sustain.tenancy.models import Location, Organisation

    stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S%f")
    org = Organisation.objects.create(name=f"Occurrence bench {stamp}", slug=f"occ-bench-{stamp}")
    places = Location.objects.bulk_create([
        Location(organisation=org, name=f"Home {i:03d}", cqc_location_id=f"1-9{stamp[-8:]}{i:03d}",
                 service_type="care_home_nursing", capacity=40) for i in range(locations)])
    cadences = [Cadence(organisation=org, location=place, title=f"{freq} {n}",
                        owner_role="registered_manager", frequency=freq,
                        completes_with="note", **rule)
                for place in places for n, (freq, rule) in enumerate(MIX)]
    tracked_create_many(actor="bench", objs=cadences, batch_size=1000)
    return org


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=300)
    parser.add_argument("--year", type=int, default=2027)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sustain-bench-") as tmp:
        database = setup_django(tmp)
        from django.db import connection

        from sustain.engine.cadence_rules import local_moment
        from sustain.governance.models import Occurrence
        from sustain.governance.services import occurrences_generate

        print(f"machine: {machine()}")
        print(f"database: {database}")
        org = build(args.locations)
        start = local_moment(dt.date(args.year, 1, 1), dt.time(0))
        end = local_moment(dt.date(args.year + 1, 1, 1), dt.time(0))
        runs = [("a year, first time", {"start": start, "end": end}),
                ("the same year again", {"start": start, "end": end}),
                ("8-week horizon from 1 July", {
                    "now": local_moment(dt.date(args.year, 7, 1), dt.time(1))})]
        over = False
        backend = backend_pid()
        for index, (label, kwargs) in enumerate(runs, start=1):
            with counting_queries() as queries:
                started = time.perf_counter()
                cpu, db_cpu = time.process_time(), cpu_seconds(backend)
                result = occurrences_generate(organisation=org, **kwargs)
                elapsed = time.perf_counter() - started
                cpu, db_cpu = time.process_time() - cpu, cpu_seconds(backend) - db_cpu
            print(f"run {index} ({label}): {elapsed:.1f} s, {queries[0]} queries, "
                  f"{result.cadences} cadences, {result.created} occurrences created; "
                  f"CPU: Python {cpu:.1f} s, database server {db_cpu:.1f} s")
            if index == 1:
                over = elapsed > BUDGET_SECONDS
                per_second = result.created / elapsed if elapsed else 0
                print(f"  {per_second:,.0f} occurrences (with their history entries) a second")
        total = Occurrence.objects.filter(organisation=org).count()
        print(f"occurrences in the organisation: {total:,}")
        from sustain.core.history import verify_organisation

        problem = verify_organisation(org.pk)
        print(f"history chain: {'verifies' if problem is None else problem}")
        connection.close()
        if over:
            print(f"over the {BUDGET_SECONDS:.0f} s budget")
        return 1 if over or problem is not None else 0


if __name__ == "__main__":
    raise SystemExit(main())
