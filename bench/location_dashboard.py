"""Time the dashboards (issue 7): the location dashboard page and API for many locations of a
300-location provider with 5 years of stored aggregates (target p95 ≤ 150 ms server time on
PostgreSQL), and the provider dashboard over all 300.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sustain_bench_dash .venv/bin/python \
        bench/location_dashboard.py [--locations 300] [--requests 100]

Without DATABASE_URL it migrates a fresh SQLite database in a temporary folder. With one, it
migrates that database and adds a new organisation (named after the run), so earlier runs do
not disturb the figures.

The data is bulk-created (no history, no events), per location: the 18 library indicators ×
60 periods of stored values (monthly; the weekly one weekly), 1–3 inspections, 6 themes (one
per shipped playbook, stages drawn at random, 1 in 6 relapsed), 4 monthly governance cadences
with 60 occurrences each (1 in 20 of the last six months still open and overdue), 20 escalation
firings with a task each (1 in 4 open, half of those overdue), 20 quarterly drift assessments
and 0–3 open concern signals (when those apps' models exist). Then `ANALYZE`, so that the
planner has the statistics a live database has (without them PostgreSQL picks nested loops
over 72,000 occurrences and the provider page's queries take 0.8 s instead of 0.06 s).

Each request goes through the Django test client signed in as the organisation-wide quality
lead (every panel shown): the time is the server's (URL routing, middleware, views,
templates, queries), with no network. `--requests` distinct locations are requested (after 5
warm-up requests, not counted): first the page (its indicator cards drawn), then the page again
(cards from the cache, as for every later view until a value changes), then the API.
Prints p50/p95/max per page with its query count, the machine and the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from typing import Any
from zoneinfo import ZoneInfo

from _common import counting_queries, machine, setup_django  # noqa: E402 - bench/ helpers

TARGET_P95_MS = 150.0
LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime.now(tz=LONDON)
PERIODS = 60
STAGES = ("identified", "recovering", "actions_complete", "verified", "sustaining",
          "embedded")
RATINGS = ("good", "good", "good", "requires-improvement", "requires-improvement",
           "inadequate", "outstanding")


def _month_start(day: dt.date, back: int) -> dt.date:
    m = day.year * 12 + day.month - 1 - back
    return dt.date(m // 12, m % 12 + 1, 1)


def _values(org: Any, places: list[Any], rng: random.Random) -> int:
    from sustain.indicators.models import Indicator, IndicatorValue, value_of
    from sustain.indicators.services import library_install

    library_install(actor="bench", organisation=org)
    indicators = list(Indicator.objects.filter(organisation=org).order_by("code"))
    today = NOW.date()
    monday = today - dt.timedelta(days=today.weekday())
    batch: list[Any] = []
    total = 0
    for loc in places:
        for ind in indicators:
            base = rng.uniform(2, 30)
            for back in range(PERIODS, 0, -1):
                if ind.frequency == "weekly":
                    start = monday - dt.timedelta(weeks=back)
                    end = start + dt.timedelta(days=7)
                else:
                    start, end = _month_start(today, back), _month_start(today, back - 1)
                den = rng.randint(800, 1200)
                num = max(0, int(rng.gauss(base, base ** 0.5)))
                batch.append(IndicatorValue(
                    organisation=org, indicator=ind, location=loc, period_start=start,
                    period_end=end, numerator=num, denominator=den,
                    value=value_of(num, den, ind.multiplier), computed_at=NOW))
        if len(batch) >= 20000:
            IndicatorValue.objects.bulk_create(batch, batch_size=5000)
            total += len(batch)
            batch = []
    IndicatorValue.objects.bulk_create(batch, batch_size=5000)
    return total + len(batch)


def _governance(org: Any, places: list[Any], rng: random.Random) -> int:
    from sustain.governance.models import Cadence, Occurrence

    Cadence.objects.bulk_create([
        Cadence(organisation=org, location=loc, title=title, owner_role="registered_manager",
                frequency="monthly", day_of_month=1, completes_with="note")
        for loc in places for title in ("Monthly walk-round", "Medicines audit",
                                        "Care-plan audit", "Quality meeting")],
        batch_size=2000)
    occ = []
    for cad in Cadence.objects.filter(organisation=org):
        for back in range(PERIODS, 0, -1):
            due = dt.datetime.combine(_month_start(NOW.date(), back), dt.time(17),
                                      tzinfo=LONDON)
            late_open = back <= 6 and rng.random() < 0.05
            occ.append(Occurrence(
                organisation=org, cadence=cad, location_id=cad.location_id, due_at=due,
                window_start=due - dt.timedelta(days=28),
                status="open" if late_open else "done_on_time",
                completed_at=None if late_open else due - dt.timedelta(days=1)))
    Occurrence.objects.bulk_create(occ, batch_size=5000)
    return len(occ)


def _escalations(org: Any, places: list[Any], rng: random.Random) -> int:
    from sustain.escalations.models import EscalationTask, Firing

    Firing.objects.bulk_create([
        Firing(organisation=org, location=loc, source="organisation",
               rule_code="repeated-mar-discrepancy", rule_title="Repeated MAR discrepancy",
               rule_version="1", key=f"b{loc.pk}-{n}",
               triggered_at=NOW - dt.timedelta(days=rng.randint(1, 5 * 365)),
               explanation="Two discrepancies in 28 days.")
        for loc in places for n in range(20)], batch_size=2000)
    tasks = []
    for f in Firing.objects.filter(organisation=org):
        is_open = rng.random() < 0.25
        due = NOW + dt.timedelta(hours=rng.choice((-72, 48))) if is_open else \
            f.triggered_at + dt.timedelta(days=1)
        tasks.append(EscalationTask(
            organisation=org, firing=f, location_id=f.location_id, response_index=0,
            task_type="supervision", title="Immediate supervision",
            fulfilled_by_type="supervision", owner_role="registered_manager", due_at=due,
            original_due_at=due, status="open" if is_open else "done",
            done_at=None if is_open else due))
    EscalationTask.objects.bulk_create(tasks, batch_size=5000)
    return len(tasks)


def _drift_and_signals(org: Any, places: list[Any], rng: random.Random) -> dict[str, int]:
    counts: dict[str, int] = {}
    try:
        from sustain.drift.models import DriftAssessment
    except ImportError:
        DriftAssessment = None  # noqa: N806
    if DriftAssessment is not None:
        rows = []
        for loc in places:
            for back in range(20):
                start = _month_start(NOW.date(), 3 * (back + 1))
                value = rng.randint(0, 8)
                band = "drifting" if value >= 4 else "watch" if value >= 2 else "none"
                rows.append(DriftAssessment(
                    organisation=org, location=loc, cycle_start=start,
                    cycle_end=_month_start(NOW.date(), 3 * back), as_of=NOW.date(),
                    value=value, band=band, signs=[], explanation=f"Drift index {value}.",
                    rule_version="bench", computed_at=NOW))
        DriftAssessment.objects.bulk_create(rows, batch_size=5000)
        counts["drift assessments"] = len(rows)
    try:
        from sustain.signals.models import Signal
    except ImportError:
        return counts
    from sustain.indicators.models import Indicator

    indicators = list(Indicator.objects.filter(organisation=org).order_by("code"))
    rows = []
    for loc in places:
        for n, ind in enumerate(rng.sample(indicators, rng.randint(0, 3))):
            start = _month_start(NOW.date(), 1 + n)
            raised = NOW - dt.timedelta(days=rng.randint(1, 20))
            rows.append(Signal(
                organisation=org, indicator=ind, location=loc, period_start=start,
                period_end=_month_start(NOW.date(), n), direction="concern", method="cusum",
                strength=2.5, explanation="Bench signal.", raised_at=raised,
                due_at=raised + dt.timedelta(days=7), status="open"))
    Signal.objects.bulk_create(rows, batch_size=5000)
    counts["open concern signals"] = len(rows)
    return counts


def build(locations: int, seed: int = 7) -> tuple[Any, list[Any], Any, dict[str, int]]:
    from sustain.accounts.models import User
    from sustain.inspections.models import Inspection
    from sustain.playbooks.models import Playbook
    from sustain.playbooks.services import playbooks_load
    from sustain.tenancy.models import Location, Membership, Organisation
    from sustain.themes.models import Theme

    rng = random.Random(seed)
    playbooks_load()
    books = {p.code: p for p in Playbook.objects.filter(organisation__isnull=True)
             .order_by("code", "version")}
    stamp = f"{time.time_ns()}"[-9:]
    org = Organisation.objects.create(name=f"Bench dashboards {stamp}",
                                      slug=f"bench-dash-{stamp}")
    user = User.objects.create(organisation=org, username=f"ql-{stamp}", first_name="Quality",
                               last_name="Lead")
    Membership.objects.create(organisation=org, user=user, role="quality_lead",
                              scope="organisation")
    Location.objects.bulk_create([
        Location(organisation=org, name=f"Bench Home {i:04d}",
                 cqc_location_id=f"1-{stamp}{i:04d}"[:20], service_type="care_home",
                 capacity=30) for i in range(locations)])
    places = list(Location.objects.filter(organisation=org).order_by("pk"))
    counts: dict[str, int] = {}
    Inspection.objects.bulk_create([
        Inspection(organisation=org, location=loc, inspection_type="comprehensive",
                   inspection_date=NOW.date() - dt.timedelta(days=400 * n + rng.randint(0, 90)),
                   overall_rating=rng.choice(RATINGS))
        for loc in places for n in range(rng.randint(1, 3))], batch_size=2000)
    Theme.objects.bulk_create([
        Theme(organisation=org, location=loc, title=book.title, origin="inspection",
              playbook=book, stage="relapsed" if rng.random() < 1 / 6 else rng.choice(STAGES),
              stage_since=NOW.date() - dt.timedelta(days=rng.randint(10, 900)))
        for loc in places for book in books.values()], batch_size=2000)
    counts["themes"] = Theme.objects.filter(organisation=org).count()
    counts["indicator values"] = _values(org, places, rng)
    counts["occurrences"] = _governance(org, places, rng)
    counts["escalation tasks"] = _escalations(org, places, rng)
    counts.update(_drift_and_signals(org, places, rng))
    return org, places, user, counts


def reuse() -> tuple[list[Any], Any]:
    from sustain.accounts.models import User
    from sustain.tenancy.models import Location

    user = User.objects.filter(username__startswith="ql-",
                               organisation__slug__startswith="bench-dash-").order_by("-pk")[0]
    return list(Location.objects.filter(organisation_id=user.organisation_id)
                .order_by("pk")), user


def _timed(client: Any, urls: list[str], warm: int = 5) -> tuple[list[float], list[float], int]:
    """Wall and CPU (this process: Django's side, without the database server) milliseconds
    per request, and the most queries one request made."""
    for url in urls[:warm]:
        assert client.get(url).status_code == 200, url
    times, cpu = [], []
    queries = 0
    for url in urls[warm:]:
        with counting_queries() as count:
            started, started_cpu = time.perf_counter(), time.process_time()
            resp = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        assert resp.status_code == 200, (url, resp.status_code)
        queries = max(queries, count[0])
    return times, cpu, queries


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _report(label: str, times: list[float], cpu: list[float], queries: int) -> float:
    p95 = _p95(times)
    print(f"{label}: n={len(times)}, p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
          f"max {max(times):.1f} ms (CPU of this process p50 {statistics.median(cpu):.1f} ms, "
          f"p95 {_p95(cpu):.1f} ms), {queries} queries, load average "
          f"{os.getloadavg()[0]:.1f}")
    return p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=300)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--reuse", action="store_true",
                        help="time the newest organisation an earlier run built in this "
                             "database instead of building a new one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sustain-bench-") as tmp:
        database = setup_django(tmp)
        from django.conf import settings
        from django.test import Client

        settings.ALLOWED_HOSTS = ["*"]
        print(f"date: {NOW:%Y-%m-%d %H:%M %Z}")
        print(f"machine: {machine()}, load average {os.getloadavg()[0]:.1f} at the start")
        print(f"database: {database}")
        started = time.perf_counter()
        if args.reuse:
            places, user = reuse()
            print(f"reusing {len(places)} locations of {user.organisation.name}")
        else:
            _org, places, user, counts = build(args.locations)
            print(f"built {len(places)} locations in {time.perf_counter() - started:.0f} s: "
                  + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        from django.core.cache import cache
        from django.db import connection

        with connection.cursor() as cursor:  # planner statistics, as a live database has
            cursor.execute("ANALYZE")
        cache.clear()
        client = Client()
        client.force_login(user)
        rng = random.Random(11)
        chosen = rng.sample(places, min(args.requests + 5, len(places)))
        pages = [f"/dashboard/locations/{p.uuid}/" for p in chosen]
        cold = _report("location dashboard page, first view (cards drawn)",
                       *_timed(client, pages))
        warm = _report("location dashboard page, again (cards cached)",
                       *_timed(client, pages, warm=0))
        api = _report("location dashboard API", *_timed(
            client, [f"/api/v1/locations/{p.uuid}/dashboard/" for p in chosen]))
        _report(f"provider dashboard page ({len(places)} locations)",
                *_timed(client, ["/dashboard/"] * 13, warm=3))
        _report("provider dashboard API", *_timed(client, ["/api/v1/provider-dashboard/"] * 13,
                                                  warm=3))
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
    results = {"page, first view": cold, "page, again": warm, "API": api}
    missed = [f"{k} {v:.1f} ms" for k, v in results.items() if v > TARGET_P95_MS]
    print(f"target: location dashboard p95 ≤ {TARGET_P95_MS:.0f} ms: "
          + ("met" if not missed else "missed: " + ", ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
