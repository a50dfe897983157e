"""Time the escalation rules (issue 6): a full sweep over 300 locations × 2 years of records
(budget 30 s) and the time the on-write path adds to a record save (budget 20 ms).

    .venv/bin/python bench/escalation_sweep.py [--locations 300] [--saves 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sustain_bench_esc .venv/bin/python \
        bench/escalation_sweep.py

Without DATABASE_URL it migrates a fresh SQLite database in a temporary folder. With one, it
migrates that database and adds a new organisation (named after the run), so earlier runs do
not disturb the figures; only the new organisation is swept.

The data is bulk-created (no history, no events), at about the demo's densities per location
over two years before `NOW`: the trigger records the shipped rules read — MAR discrepancies
(about 0.2 per shift check, on the checks that found them; 1 in 5 with no staff member named),
safeguarding concerns (3 a month, 1 in 12 escalated late, 1 in 10 reviewed late), care-plan
reviews (monthly for 30 people, 1 in 10 with a mismatch), incidents (falls 5 a month, 5 other
incidents a month), audits (three templates monthly, 1 in 8 below the pass mark) and theme
actions (4 per location, 1 late) — plus supervisions every two months for each of 30 staff
(the records tasks count when they are created). Every shipped playbook is applied at every
location (one theme each), so all eleven shipped rules are in force everywhere; each role that
owns a response is held by one organisation-wide member. Governance occurrences are not
created (the two missed-occurrence rules read none).

Timed:

1. the first sweep (`escalations.services.sweep`) — every firing inside the rules' look-back
   windows is written, with its tasks and history;
2. the second sweep — the steady state: nothing new (every firing is kept);
3. the on-write path: `--saves` MAR checks with one discrepancy each, saved through
   `medicines.services.medicines_check_create` with write events on (each save re-evaluates
   the rules reading discrepancies at that location) and then with `core.events.muted()`;
   the added time per save is the difference of the means.

Prints each figure (the sweeps also with this process's CPU seconds: on a shared machine the
wall time grows with the load, the CPU time much less), its SQL query count and the machine,
for docs/performance.md; exits non-zero when a budget is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from typing import Any
from zoneinfo import ZoneInfo

from _common import counting_queries, machine, setup_django  # noqa: E402 - bench/ helpers

SWEEP_BUDGET_SECONDS = 30.0
ON_WRITE_BUDGET_MS = 20.0
LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=LONDON)
DAYS = 730
STAFF = 30
PEOPLE = 30
ROLES = ("registered_manager", "deputy_manager", "senior_carer", "quality_lead",
         "nominated_individual")


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def build(locations: int, seed: int = 6) -> Any:
    """Bulk-create the organisation, its locations, staff, people, themes and records."""
    from sustain.accounts.models import User
    from sustain.audits.models import Audit, AuditTemplate
    from sustain.careplans.models import CarePlanReview
    from sustain.incidents.models import Incident
    from sustain.medicines.models import Discrepancy, MedicinesCheck
    from sustain.people.models import PersonSupported, StaffMember
    from sustain.playbooks.models import Playbook
    from sustain.playbooks.services import playbooks_load
    from sustain.safeguarding.models import SafeguardingConcern
    from sustain.tenancy.models import Location, Membership, Organisation
    from sustain.themes.models import Action, Theme
    from sustain.workforce.models import Supervision

    rng = random.Random(seed)
    playbooks_load()
    playbooks = {}
    for p in Playbook.objects.filter(organisation__isnull=True,
                                     archived_at__isnull=True).order_by("code", "version"):
        playbooks[p.code] = p  # the newest version of each
    stamp = f"{time.time_ns()}"[-9:]
    org = Organisation.objects.create(name=f"Bench escalations {stamp}",
                                      slug=f"bench-esc-{stamp}")
    for role in ROLES:
        user = User.objects.create(organisation=org, username=f"{role}-{stamp}",
                                   first_name=role.replace("_", " ").title(), last_name="Bench")
        Membership.objects.create(organisation=org, user=user, role=role, scope="organisation")
    templates = [AuditTemplate.objects.create(
        organisation=org, code=code, title=f"Bench {code}", pass_mark=90,
        sections=[{"title": "Main", "questions": [
            {"code": "Q1", "text": "Is it right?", "answer_type": "yes_no"}]}])
        for code in ("mar-audit", "care-plan-audit", "safeguarding-audit")]
    Location.objects.bulk_create([
        Location(organisation=org, name=f"Bench Home {i:04d}",
                 cqc_location_id=f"1-{stamp}{i:04d}"[:20], service_type="care_home",
                 capacity=PEOPLE) for i in range(locations)])
    places = list(Location.objects.filter(organisation=org).order_by("pk"))
    start = NOW.date() - dt.timedelta(days=DAYS)
    StaffMember.objects.bulk_create([
        StaffMember(organisation=org, full_name=f"Staff {loc.pk}-{s}", job_role="Care assistant",
                    staff_reference=f"B{loc.pk}-{s}", start_date=start)
        for loc in places for s in range(STAFF)], batch_size=2000)
    staff: dict[int, list[Any]] = {}
    members = list(StaffMember.objects.filter(organisation=org).order_by("pk"))
    through = StaffMember.locations.through
    links = []
    for n, member in enumerate(members):
        loc = places[n // STAFF]
        staff.setdefault(loc.pk, []).append(member)
        links.append(through(staffmember_id=member.pk, location_id=loc.pk))
    through.objects.bulk_create(links, batch_size=2000)
    PersonSupported.objects.bulk_create([
        PersonSupported(organisation=org, location=loc, reference=f"B{loc.pk}-{p:03d}",
                        initials="AB",
                        admission_date=start - dt.timedelta(days=30))
        for loc in places for p in range(PEOPLE)], batch_size=2000)
    people: dict[int, list[Any]] = {}
    for person in PersonSupported.objects.filter(organisation=org).order_by("pk"):
        people.setdefault(person.location_id, []).append(person)
    Theme.objects.bulk_create([
        Theme(organisation=org, location=loc, title=p.title, origin="inspection", playbook=p,
              stage="actions_in_progress", stage_since=start, embedding_channels=[])
        for loc in places for p in playbooks.values()], batch_size=2000)
    themes = {(t.location_id, t.playbook_id): t for t in Theme.objects.filter(organisation=org)}

    counts = dict.fromkeys(("checks", "discrepancies", "concerns", "reviews", "incidents",
                            "audits", "actions", "supervisions"), 0)
    for loc in places:
        who, whom = staff[loc.pk], people[loc.pk]
        checks, found = [], []
        for d in range(DAYS):
            day = start + dt.timedelta(days=d)
            for shift in ("day", "night"):
                n = sum(rng.random() < 0.1 for _ in range(2))  # ≈ 0.2 a check
                if n:
                    checks.append(MedicinesCheck(
                        organisation=org, location=loc, check_date=day, shift=shift,
                        checked_by=who[0], charts_checked=PEOPLE, notes="Bench"))
                    found.append(n)
        MedicinesCheck.objects.bulk_create(checks, batch_size=2000)
        Discrepancy.objects.bulk_create([
            Discrepancy(organisation=org, location=loc, check_record=check, type="omission",
                        person=rng.choice(whom),
                        staff_responsible=rng.choice(who) if rng.random() < 0.8 else None,
                        action_taken="Bench")
            for check, n in zip(checks, found, strict=True) for _ in range(n)],
            batch_size=2000)
        counts["checks"] += len(checks)
        counts["discrepancies"] += sum(found)
        concerns = []
        for _ in range(3 * 24):
            raised = _at(start + dt.timedelta(days=rng.randrange(DAYS)), rng.randint(8, 18))
            concerns.append(SafeguardingConcern(
                organisation=org, location=loc, raised_at=raised, raised_by=rng.choice(who),
                person=rng.choice(whom), category="neglect", description="Bench concern",
                shift_lead_notified_at=raised + dt.timedelta(
                    hours=rng.choice((0.5, 1, 2)) if rng.random() > 1 / 12 else 14),
                manager_reviewed_at=raised + dt.timedelta(
                    hours=rng.randint(2, 20) if rng.random() > 0.1 else 40)))
        SafeguardingConcern.objects.bulk_create(concerns, batch_size=2000)
        counts["concerns"] += len(concerns)
        reviews = []
        for person in whom:
            for month in range(24):
                day = start + dt.timedelta(days=30 * month + rng.randint(0, 5))
                reviews.append(CarePlanReview(
                    organisation=org, location=loc, person=person, key_worker=rng.choice(who),
                    due_date=day, completed_on=day, checked_daily_notes=True,
                    mismatch_found=rng.random() < 0.1))
        CarePlanReview.objects.bulk_create(reviews, batch_size=2000)
        counts["reviews"] += len(reviews)
        incidents = [Incident(
            organisation=org, location=loc, type=rng.choice(("fall", "fall", "fall", "other",
                                                             "near_miss", "behaviour")),
            severity="no_harm", person=rng.choice(whom), description="Bench incident",
            immediate_action="Bench",
            occurred_at=_at(start + dt.timedelta(days=rng.randrange(DAYS)), rng.randint(0, 23)))
            for _ in range(10 * 24)]
        Incident.objects.bulk_create(incidents, batch_size=2000)
        counts["incidents"] += len(incidents)
        audits = []
        for template in templates:
            for month in range(24):
                day = start + dt.timedelta(days=30 * month + 20)
                score = rng.choice((92, 95, 97, 100, 94, 91, 96, 72))
                audits.append(Audit(
                    organisation=org, location=loc, template=template, audit_date=day,
                    status="completed", completed_at=_at(day, 16), score=score,
                    passed=score >= 90, is_reaudit=month > 0,
                    theme=themes.get((loc.pk, playbooks["good-governance"].pk))))
        Audit.objects.bulk_create(audits, batch_size=2000)
        counts["audits"] += len(audits)
        theme = themes[(loc.pk, playbooks["medicines-governance"].pk)]
        actions = [Action(organisation=org, theme=theme, location=loc,
                          description=f"Bench action {j}", raised_on=start,
                          due_date=NOW.date() - dt.timedelta(days=20 + 60 * j),
                          status="open" if j == 0 else "done",
                          completed_on=None if j == 0 else NOW.date() - dt.timedelta(
                              days=30 + 60 * j)) for j in range(4)]
        Action.objects.bulk_create(actions)
        counts["actions"] += len(actions)
        sups = []
        for n, member in enumerate(who):
            day = start + dt.timedelta(days=n % 60)
            while day < NOW.date():
                sups.append(Supervision(
                    organisation=org, location=loc, date=day, supervisor=who[0],
                    supervisee=member, next_due=day + dt.timedelta(days=60)))
                day += dt.timedelta(days=60)
        Supervision.objects.bulk_create(sups, batch_size=2000)
        counts["supervisions"] += len(sups)
    return org, places, counts


def timed_sweep(label: str, org: Any) -> float:
    from sustain.escalations.services import sweep

    with counting_queries() as queries:
        started, cpu = time.perf_counter(), time.process_time()
        result = sweep(organisation=org, now=NOW)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{label}: {elapsed:.2f} s ({cpu:.2f} s CPU in Python), {queries[0]:,} queries, "
          + ", ".join(f"{k} {v:,}" for k, v in result.items()))
    return elapsed


def on_write(org: Any, places: list[Any], saves: int) -> float:
    """Mean added milliseconds per save with subscriptions on (minus muted)."""
    from django.db import transaction

    from sustain.core import events
    from sustain.medicines.services import medicines_check_create
    from sustain.people.models import PersonSupported, StaffMember

    rng = random.Random(7)
    targets = [places[(i * 37) % len(places)] for i in range(saves)]
    staff = {loc.pk: list(StaffMember.objects.filter(locations=loc).order_by("pk"))
             for loc in set(targets)}
    people = {loc.pk: list(PersonSupported.objects.filter(location=loc).order_by("pk"))
              for loc in set(targets)}

    def run(muted: bool) -> tuple[list[float], int]:
        times = []
        with counting_queries() as queries, transaction.atomic():
            for n, loc in enumerate(targets):
                day = NOW.date() - dt.timedelta(days=1 + n % 5)
                who = rng.choice(staff[loc.pk])
                row = {"type": "omission", "person": rng.choice(people[loc.pk]),
                       "staff_responsible": who, "action_taken": "Bench"}
                started = time.perf_counter()
                if muted:
                    with events.muted():
                        medicines_check_create(
                            actor="bench", organisation=org, location=loc, check_date=day,
                            shift="night" if n % 2 else "day", checked_by=who,
                            charts_checked=PEOPLE, discrepancies=[row])
                else:
                    medicines_check_create(
                        actor="bench", organisation=org, location=loc, check_date=day,
                        shift="night" if n % 2 else "day", checked_by=who,
                        charts_checked=PEOPLE, discrepancies=[row])
                times.append(time.perf_counter() - started)
            transaction.set_rollback(True)  # the same saves again, from the same state
        return times, queries[0]

    run(True)  # warm up (caches, parsed rules)
    muted, q_muted = run(True)
    live, q_live = run(False)
    m_muted, m_live = statistics.mean(muted) * 1000, statistics.mean(live) * 1000
    added = m_live - m_muted
    print(f"on-write, {saves} MAR checks with a discrepancy each (through "
          f"medicines_check_create):\n"
          f"   events muted: mean {m_muted:.1f} ms, median {statistics.median(muted) * 1000:.1f}"
          f" ms, {q_muted / saves:.1f} queries a save\n"
          f"   subscriptions on: mean {m_live:.1f} ms, median "
          f"{statistics.median(live) * 1000:.1f} ms, p95 "
          f"{sorted(live)[int(0.95 * saves) - 1] * 1000:.1f} ms, {q_live / saves:.1f} queries "
          f"a save\n   added: {added:.1f} ms a save (budget {ON_WRITE_BUDGET_MS:.0f} ms)")
    return added


def main() -> int:
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=300)
    parser.add_argument("--saves", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sustain-bench-") as tmp:
        database = setup_django(tmp)
        print(f"machine: {machine()}, load average {os.getloadavg()[0]:.1f} at the start")
        print(f"database: {database}")
        started = time.perf_counter()
        org, places, counts = build(args.locations)
        print(f"built {len(places)} locations × 2 years in {time.perf_counter() - started:.0f} "
              "s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        first = timed_sweep("1. first sweep", org)
        second = timed_sweep("2. second sweep, nothing new", org)
        from sustain.escalations.models import EscalationTask, Firing

        print(f"   firings {Firing.objects.filter(organisation=org).count():,}, open tasks "
              f"{EscalationTask.objects.filter(organisation=org, status='open').count():,}")
        added = on_write(org, places, args.saves)
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
    missed = []
    if max(first, second) > SWEEP_BUDGET_SECONDS:
        missed.append(f"sweep {max(first, second):.1f} s > {SWEEP_BUDGET_SECONDS:.0f} s")
    if added > ON_WRITE_BUDGET_MS:
        missed.append(f"on-write {added:.1f} ms > {ON_WRITE_BUDGET_MS:.0f} ms")
    print("budgets: " + ("; ".join(missed) if missed else "met (sweep ≤ 30 s, on-write ≤ 20 ms)"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
