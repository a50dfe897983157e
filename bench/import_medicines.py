"""Import N medicines-check rows from CSV into PostgreSQL through the import framework
(validated, atomic), side by side with a raw PostgreSQL COPY of the same file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sustain_imports \
        .venv/bin/python bench/import_medicines.py [--rows 1000000]

Steps, in one process: migrate; add a new organisation (named after the run, so earlier runs
do not disturb the figures) with one location and 20 staff; write the CSV (streamed). Then,
side by side:

1. raw COPY of the file into a scratch table (typed columns, no index, no check);
2. raw COPY of the same rows into the real table `medicines_medicinescheck` (its indexes,
   unique and check constraints and foreign keys, checked before the clock stops), rolled
   back — the rows are put in the table's form first, untimed;
3. the import framework: upload (size, type and header checks, SHA-256), validate (dry run)
   and commit (everything re-checked, all or nothing, one import-level history entry). On
   PostgreSQL a CSV of this bulk kind takes the set-based path (imports/fastpath.py);
4. with --row-path, the same file again through the row-by-row path (the XLSX and SQLite
   path) into a second organisation.

Reports seconds and rows/s for each, the share of both COPY yardsticks (issue 4's target:
≥ 50 % of COPY's throughput), the process's peak RSS (target ≤ 1 GB), the machine and the
load average. Exits non-zero if the rows written are not exactly N or the history chain does
not verify.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import logging
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import machine  # noqa: E402 - bench/ helpers

STAFF = 20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_csv(path: Path, rows: int, run: str) -> None:
    rng = random.Random(42)
    start = dt.date(2026, 11, 1)
    notes = ["", "All signed.", "One late dose; GP informed.", "Stock count corrected.",
             "=cmd|' /C calc'!A0"]
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["external_ref", "check_date", "shift", "checked_by", "charts_checked",
                         "notes"])
        for i in range(rows):
            day = start - dt.timedelta(days=i // 2 % 3650)
            writer.writerow([f"{run}-{i}", day.isoformat(), "day" if i % 2 else "night",
                             f"S-{rng.randrange(STAFF):03d}", rng.randrange(5, 40),
                             notes[rng.randrange(len(notes))]])


def raw_copy(path: Path) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_import_scratch")
        cursor.execute("CREATE TABLE bench_import_scratch (external_ref text, check_date date, "
                       "shift text, checked_by text, charts_checked integer, notes text)")
    started = time.perf_counter()
    sql = "COPY bench_import_scratch FROM STDIN WITH (FORMAT csv, HEADER true)"
    with connection.cursor() as cursor, path.open("rb") as fh, cursor.cursor.copy(sql) as copy:
        while block := fh.read(1 << 20):
            copy.write(block)
    elapsed = time.perf_counter() - started
    return elapsed


REAL_COLUMNS = ("uuid, created_at, updated_at, version, archived_at, organisation_id, "
                "location_id, check_date, shift, checked_by_id, charts_checked, notes, "
                "external_ref")


def raw_copy_into_real_table(path: Path, org_id: int, location_id: int, tmp: str) -> float:
    """The second yardstick: a raw COPY of the same rows into the real table (its 7 indexes,
    2 unique constraints, check constraints and 3 foreign keys, checked before the clock
    stops), rolled back. The rows are first put in the table's own form (ids for staff,
    a UUID, timestamps) from the scratch table, untimed, into a file COPY then reads."""
    from django.db import connection, transaction

    ready = Path(tmp) / "real-form.copy"
    sql_out = (f"COPY (SELECT gen_random_uuid(), now(), now(), 1, NULL::timestamptz, "  # noqa: S608
               f"{int(org_id)}, {int(location_id)}, s.check_date, s.shift, st.id, "
               "s.charts_checked, coalesce(s.notes, ''), 'copy-' || s.external_ref "
               "FROM bench_import_scratch s JOIN people_staffmember st "
               f"ON st.organisation_id = {int(org_id)} AND st.staff_reference = s.checked_by) "
               "TO STDOUT")  # noqa: S608 - integers only
    with connection.cursor() as cursor, ready.open("wb") as out, \
            cursor.cursor.copy(sql_out) as copy:
        for block in copy:
            out.write(block)
    started = time.perf_counter()
    elapsed = 0.0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            sql_in = f"COPY medicines_medicinescheck ({REAL_COLUMNS}) FROM STDIN"
            with ready.open("rb") as fh, cursor.cursor.copy(sql_in) as copy:
                while block := fh.read(1 << 20):
                    copy.write(block)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred FK checks, now
            elapsed = time.perf_counter() - started
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    ready.unlink()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_import_scratch")
    return elapsed


def load() -> str:
    try:
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--row-path", action="store_true",
                        help="also import the file row by row (the XLSX/SQLite path), into "
                             "a second organisation, for comparison")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (this compares with COPY).")
    tmp = tempfile.mkdtemp(prefix="sustain-bench-import-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sustain.config.settings.dev")
    os.environ["MEDIA_ROOT"] = str(Path(tmp) / "media")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    steps = logging.getLogger("sustain.imports.fastpath")  # the SQL path's step timings
    steps.setLevel(logging.INFO)
    steps.addHandler(logging.StreamHandler(sys.stdout))
    steps.propagate = False
    settings.MEDIA_ROOT = os.environ["MEDIA_ROOT"]
    settings.SUSTAIN_IMPORT_MAX_BYTES = 2 * 1024 ** 3
    call_command("migrate", verbosity=0)

    from sustain.core.history import verify_organisation
    from sustain.imports.services import job_commit, job_upload, job_validate
    from sustain.medicines.models import MedicinesCheck
    from sustain.people.services import staff_create
    from sustain.tenancy.models import Location, Organisation

    def make_org(name: str) -> tuple[Any, Any]:
        org = Organisation.objects.create(name=f"Import bench {name}", slug=f"import-{name}")
        location = Location.objects.create(organisation=org, cqc_location_id="1-000000001",
                                           name="Bench House", service_type="care_home",
                                           capacity=60)
        for i in range(STAFF):
            staff_create(actor="bench", organisation=org, locations=[location],
                         full_name=f"Staff {i}", job_role="Senior carer",
                         staff_reference=f"S-{i:03d}", start_date=dt.date(2020, 1, 1))
        return org, location

    run = f"b{int(time.time())}"
    org, location = make_org(run)

    path = Path(tmp) / "medicines.csv"
    started = time.perf_counter()
    write_csv(path, args.rows, run)
    print(f"machine: {machine()}; load average at the start: {load()}")
    print(f"rows: {args.rows:,}; CSV {path.stat().st_size / 1024 / 1024:,.1f} MB written in "
          f"{time.perf_counter() - started:.1f} s")

    copy_s = raw_copy(path)
    print(f"raw COPY into a scratch table: {copy_s:.2f} s, {args.rows / copy_s:,.0f} rows/s "
          f"(peak RSS so far {peak_rss_mb():,.0f} MB)")
    real_s = raw_copy_into_real_table(path, org.pk, location.pk, tmp)
    print(f"raw COPY into the real table (indexes, constraints, foreign keys; rolled back): "
          f"{real_s:.2f} s, {args.rows / real_s:,.0f} rows/s")

    def share(seconds: float) -> str:
        rate = args.rows / seconds
        return (f"{seconds:.2f} s, {rate:,.0f} rows/s = {100 * copy_s / seconds:.1f} % "
                f"of scratch COPY, {100 * real_s / seconds:.0f} % of real-table COPY")

    def import_file(organisation: Any, where: Any, label: str) -> tuple[float, float, int]:
        actor = "bench import"
        started = time.perf_counter()
        with path.open("rb") as fh:
            job = job_upload(actor=actor, organisation=organisation, location=where,
                             kind="medicines-checks", fileobj=fh, name=path.name,
                             size=path.stat().st_size)
        upload_s = time.perf_counter() - started
        started = time.perf_counter()
        job = job_validate(actor=actor, job=job)
        validate_s = time.perf_counter() - started
        if job.status != "validated":
            sys.exit(f"validation failed: {job.report}")
        started = time.perf_counter()
        job = job_commit(actor=actor, job=job)
        commit_s = time.perf_counter() - started
        if job.status != "committed":
            sys.exit(f"commit failed: {job.report}")
        written = MedicinesCheck.objects.filter(organisation=organisation).count()
        print(f"{label}: upload (checks + SHA-256 + store) {upload_s:.2f} s")
        print(f"{label}: validate (dry run): {share(validate_s)}")
        print(f"{label}: commit (re-checked, atomic): {share(commit_s)}")
        print(f"{label}: validate + commit: {share(validate_s + commit_s)}")
        print(f"{label}: rows written {written:,}; peak RSS so far {peak_rss_mb():,.0f} MB")
        return validate_s, commit_s, written

    _validate_s, _commit_s, written = import_file(org, location, "SQL path")
    rss = peak_rss_mb()
    print(f"peak RSS (SQL path): {rss:,.0f} MB (target ≤ 1,024 MB)")
    broken = verify_organisation(org.pk)
    print("history chain: " + ("intact" if broken is None else f"BROKEN {broken}"))
    ok = written == args.rows and broken is None
    if args.row_path:
        settings.SUSTAIN_IMPORT_SQL_PATH = False
        other, where = make_org(f"{run}r")
        _v, _c, row_written = import_file(other, where, "row path")
        ok = ok and row_written == args.rows
    print(f"load average at the end: {load()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
