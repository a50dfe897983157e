"""Import N medicines-check rows from CSV into PostgreSQL through the import framework
(validated, atomic), side by side with a raw PostgreSQL COPY of the same file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sustain_imports \
        .venv/bin/python bench/import_medicines.py [--rows 1000000]

Steps, in one process: migrate; add a new organisation (named after the run, so earlier runs
do not disturb the figures) with one location and 20 staff; write the CSV (streamed); COPY it
raw into a scratch table (typed columns, no checks) and time it; as a second yardstick, time
the database's own cost of writing the same rows into the real table (one INSERT … SELECT,
its indexes and foreign keys, rolled back); then upload it as an import
job (size, type and header checks, SHA-256), validate it (dry run: every row parsed and
checked — dates, shift, staff refs at the location, chart counts, duplicate keys, existing
external refs, model field checks) and commit it (re-reads and re-checks every row, then
writes them with COPY in chunks inside one transaction, with one import-level history entry).

Reports rows/s for COPY, validate and commit, the commit's share of COPY's throughput
(target ≥ 50 %) and the process's peak RSS (target ≤ 1 GB), plus the machine. Exits non-zero
if the rows written are not exactly N or the history chain does not verify.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

STAFF = 20


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    return f"{os.cpu_count()} cores, {cpu}{memory}, Python {platform.python_version()}"


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


def sql_into_real_table(org_id: int, location_id: int) -> float:
    """The database's own cost of writing the rows into the real table (8 indexes, 3
    foreign keys checked at commit): one INSERT … SELECT from the scratch table, committed
    inside a savepoint that is then rolled back, timed with its constraint checks."""
    from django.db import connection, transaction

    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO medicines_medicinescheck (uuid, created_at, updated_at, version, "
                "archived_at, organisation_id, location_id, check_date, shift, checked_by_id, "
                "charts_checked, notes, external_ref) SELECT gen_random_uuid(), now(), now(), 1, "
                "NULL, %s, %s, s.check_date, s.shift, st.id, s.charts_checked, "
                "coalesce(s.notes, ''), "
                "'sql-' || s.external_ref FROM bench_import_scratch s JOIN people_staffmember st "
                "ON st.organisation_id = %s AND st.staff_reference = s.checked_by",
                [org_id, location_id, org_id])
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred FK checks now
            elapsed = time.perf_counter() - started
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_import_scratch")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
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

    settings.MEDIA_ROOT = os.environ["MEDIA_ROOT"]
    settings.SUSTAIN_IMPORT_MAX_BYTES = 2 * 1024 ** 3
    call_command("migrate", verbosity=0)

    from sustain.core.history import verify_organisation
    from sustain.imports.services import job_commit, job_upload, job_validate
    from sustain.medicines.models import MedicinesCheck
    from sustain.people.services import staff_create
    from sustain.tenancy.models import Location, Organisation

    run = f"b{int(time.time())}"
    org = Organisation.objects.create(name=f"Import bench {run}", slug=f"import-{run}")
    location = Location.objects.create(organisation=org, cqc_location_id="1-000000001",
                                       name="Bench House", service_type="care_home",
                                       capacity=60)
    for i in range(STAFF):
        staff_create(actor="bench", organisation=org, locations=[location],
                     full_name=f"Staff {i}", job_role="Senior carer",
                     staff_reference=f"S-{i:03d}", start_date=dt.date(2020, 1, 1))

    path = Path(tmp) / "medicines.csv"
    started = time.perf_counter()
    write_csv(path, args.rows, run)
    print(f"machine: {machine()}")
    print(f"rows: {args.rows:,}; CSV {path.stat().st_size / 1024 / 1024:,.1f} MB written in "
          f"{time.perf_counter() - started:.1f} s")

    copy_s = raw_copy(path)
    print(f"raw COPY into a scratch table: {copy_s:.2f} s, {args.rows / copy_s:,.0f} rows/s "
          f"(peak RSS so far {peak_rss_mb():,.0f} MB)")

    sql_s = sql_into_real_table(org.pk, location.pk)
    print(f"SQL INSERT … SELECT into the real table (its indexes and foreign keys; rolled "
          f"back): {sql_s:.2f} s, {args.rows / sql_s:,.0f} rows/s")

    actor = "bench import"
    started = time.perf_counter()
    with path.open("rb") as fh:
        job = job_upload(actor=actor, organisation=org, location=location,
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
    written = MedicinesCheck.objects.filter(organisation=org).count()
    rss = peak_rss_mb()
    copy_rate = args.rows / copy_s
    commit_rate = args.rows / commit_s
    both_rate = args.rows / (validate_s + commit_s)
    print(f"upload (checks + SHA-256 + store): {upload_s:.2f} s")
    print(f"validate (dry run): {validate_s:.2f} s, {args.rows / validate_s:,.0f} rows/s")
    print(f"commit (re-check + COPY in chunks, one transaction): {commit_s:.2f} s, "
          f"{commit_rate:,.0f} rows/s = {100 * commit_rate / copy_rate:.0f} % of COPY")
    print(f"validate + commit: {validate_s + commit_s:.2f} s, {both_rate:,.0f} rows/s = "
          f"{100 * both_rate / copy_rate:.0f} % of COPY")
    print(f"commit vs the SQL write into the real table: "
          f"{100 * commit_rate / (args.rows / sql_s):.0f} %")
    print(f"peak RSS: {rss:,.0f} MB (target ≤ 1,024 MB)")
    print(f"rows written: {written:,}")
    broken = verify_organisation(org.pk)
    print("history chain: " + ("intact" if broken is None else f"BROKEN {broken}"))
    return 0 if written == args.rows and broken is None else 1


if __name__ == "__main__":
    sys.exit(main())
