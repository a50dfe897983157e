"""Time the nightly lifecycle re-evaluation over 3,000 themes (budget: 10 s).

    .venv/bin/python bench/lifecycle_reevaluate.py [--locations 300] [--themes 10]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sustain_bench .venv/bin/python \
        bench/lifecycle_reevaluate.py

Without DATABASE_URL it migrates a fresh SQLite database in a temporary folder. With one, it
migrates that database and adds a new organisation to it (named after the run), so earlier runs
do not disturb the figures; only the new organisation's themes are re-evaluated.

The data is bulk-created: 300 locations × 10 themes, each theme with 4 actions and 3 audits,
in a mix that supports every stage (no plan yet, actions open, all done without a re-audit,
failed re-audit, passing re-audit this month, passing re-audits months ago, a later failure).
Every theme starts "identified", so three runs are timed:

1. first evaluation — every theme moves to the stage its evidence supports (each move is a
   recorded transition with history);
2. nightly, nothing new — the steady state: nothing moves;
3. nightly, a month later — the calendar moves verified themes on to sustaining.

Prints each run's time, SQL query count and themes moved, and the machine, for
docs/performance.md. The 10 s budget applies to every run, the worst case (run 1: nine themes
in ten move at once, as after a change of the rules) included: the script exits non-zero if
any run is over it. It then recomputes the organisation's history chain (every move is
recorded, hash-chained) and exits non-zero if it does not verify.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from typing import Any

from _common import counting_queries, machine, setup_django  # noqa: E402 - bench/ helpers

BUDGET_SECONDS = 10.0
AS_OF = dt.date(2026, 6, 15)


def build(locations: int, per_location: int) -> Any:
    """Bulk-create the organisation, its locations, themes, actions and audits."""
    from sustain.audits.models import Audit, AuditTemplate
    from sustain.tenancy.models import Location, Organisation
    from sustain.themes.models import Action, Theme

    stamp = f"{time.time_ns()}"[-9:]
    org = Organisation.objects.create(name=f"Bench {stamp}", slug=f"bench-{stamp}")
    template = AuditTemplate.objects.create(
        organisation=org, code=f"bench-{stamp}", title="Bench audit", pass_mark=90,
        sections=[{"title": "Main", "questions": [
            {"code": "Q1", "text": "Is it right?", "answer_type": "yes_no"}]}])
    Location.objects.bulk_create([
        Location(organisation=org, name=f"Bench Home {i:04d}",
                 cqc_location_id=f"1-{stamp}{i:04d}"[:20], service_type="care_home",
                 capacity=30) for i in range(locations)])
    places = list(Location.objects.filter(organisation=org).order_by("pk"))
    Theme.objects.bulk_create([
        Theme(organisation=org, location=loc, title=f"Theme {k}", origin="inspection",
              stage="identified", stage_since=dt.date(2025, 10, 1), embedding_channels=[
                  "audit_cycles"], description="Benchmark theme")
        for loc in places for k in range(per_location)])
    themes = list(Theme.objects.filter(organisation=org).order_by("pk"))
    actions: list[Action] = []
    audits: list[Audit] = []

    def audit(theme: Theme, day: dt.date, score: int, reaudit: bool = True) -> None:
        audits.append(Audit(organisation=org, location_id=theme.location_id, template=template,
                            theme=theme, is_reaudit=reaudit, audit_date=day, status="completed",
                            score=score, passed=score >= 90))

    for n, theme in enumerate(themes):
        profile = n % 10
        if profile == 0:
            continue  # identified: no action plan yet
        done = profile >= 3
        for j in range(4):
            open_one = not done or (profile == 1 and j == 0)
            actions.append(Action(
                organisation=org, theme=theme, location_id=theme.location_id,
                description=f"Action {j} of {theme.title}", raised_on=dt.date(2025, 11, 1),
                due_date=dt.date(2026, 1, 1) if j else dt.date(2026, 9, 1),
                status="open" if open_one else "done",
                completed_on=None if open_one else dt.date(2026, 1, 10 + j)))
        audit(theme, dt.date(2025, 10, 20), 61, reaudit=False)  # the baseline audit
        if profile == 4:
            audit(theme, dt.date(2026, 6, 1), 72)  # failed re-audit
        elif profile in (5, 6):
            audit(theme, dt.date(2026, 6, 10), 94)  # verified this month
        elif profile in (7, 8):
            audit(theme, dt.date(2026, 2, 10), 93)  # verified months ago, held since
            audit(theme, dt.date(2026, 4, 12), 95)
            audit(theme, dt.date(2026, 5, 12), 96)
        elif profile == 9:
            audit(theme, dt.date(2026, 2, 10), 93)
            audit(theme, dt.date(2026, 5, 20), 70)  # later failure
    Action.objects.bulk_create(actions, batch_size=1000)
    Audit.objects.bulk_create(audits, batch_size=1000)
    return org, len(places), len(themes), len(actions), len(audits)


def timed(label: str, org: Any, as_of: dt.date) -> float:
    from sustain.themes.services import themes_reevaluate

    with counting_queries() as queries:
        started = time.perf_counter()
        summary = themes_reevaluate(organisation_id=org.pk, as_of=as_of)
        elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.2f} s, {queries[0]:,} queries, {summary['themes']:,} themes, "
          f"{summary['moved']:,} moved")
    return elapsed


def stages(org: Any) -> str:
    from django.db.models import Count

    from sustain.themes.models import Theme

    rows = Theme.objects.filter(organisation=org).values("stage").annotate(n=Count("pk"))
    return ", ".join(f"{r['stage']} {r['n']}" for r in rows.order_by("stage"))


def history(org: Any) -> bool:
    """Recompute the organisation's hash chain, as `sustain verify-history` does."""
    from sustain.core.history import verify_organisation
    from sustain.core.models import HistoryEntry

    started = time.perf_counter()
    found = verify_organisation(org.pk)
    entries = HistoryEntry.objects.filter(organisation=org).count()
    print(f"history: {entries:,} entries, "
          + ("chain verified" if found is None else f"BROKEN at seq {found.seq}: {found.reason}")
          + f" ({time.perf_counter() - started:.1f} s)")
    return found is None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=300)
    parser.add_argument("--themes", type=int, default=10, help="themes per location")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sustain-bench-") as tmp:
        database = setup_django(tmp)
        print(f"machine: {machine()}")
        print(f"database: {database}")
        started = time.perf_counter()
        org, n_loc, n_themes, n_actions, n_audits = build(args.locations, args.themes)
        print(f"built {n_loc} locations, {n_themes:,} themes, {n_actions:,} actions, "
              f"{n_audits:,} audits in {time.perf_counter() - started:.1f} s")
        times = [timed("1. first evaluation", org, AS_OF)]
        print(f"   stages: {stages(org)}")
        times.append(timed("2. nightly, nothing new", org, AS_OF))
        times.append(timed("3. nightly, a month later", org, AS_OF + dt.timedelta(days=31)))
        print(f"   stages: {stages(org)}")
        verified = history(org)
    over = [n for n, t in enumerate(times, start=1) if t > BUDGET_SECONDS]
    print(f"budget {BUDGET_SECONDS:.0f} s for every run: "
          + (f"OVER in run(s) {', '.join(map(str, over))}" if over else "met")
          + f" (worst case, run 1: {times[0]:.1f} s)")
    return 1 if over or not verified else 0


if __name__ == "__main__":
    sys.exit(main())
