"""A provider of `locations` care homes × `years` of operational records, bulk-created (no
history, no events), for the nightly early-warning benchmark (`nightly_early_warning.py`).

Per location (30 people, 30 staff), at about the demo's densities: MAR checks on two shifts a
day (about 0.2 discrepancies a check), incidents (falls 5 a month, 5 other a month),
safeguarding concerns (2 a month), complaints and compliments (1 a month each), care-plan
reviews (monthly for each person, with the checks ticked and a few words), supervisions (every
two months for each staff member, notes of about 40 words drawn from a phrase bank, a third
linked to the location's theme), training (two courses a year each), audits (three templates
monthly, with due dates and written analysis, 1 in 10 late), feedback (3 a month, rated, most
answered), senior visits (monthly, with a monthly cadence), theme actions (one a month, closed
a few weeks later) and quality meetings (monthly, with updates, challenges and decisions). One
location in ten drifts over its last six months (more falls, generic supervision, late audits,
updates-only meetings), so the alerting and drift have something to find.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
PEOPLE = 30
STAFF = 30
BATCH = 5000
PHRASES = (
    "discussed moving and handling practice on the unit", "reviewed the last month's falls",
    "talked through a recent safeguarding concern and what was learnt",
    "agreed to shadow the senior on two medicines rounds", "wellbeing and workload checked",
    "feedback from a family about call bells was shared", "training due dates confirmed",
    "reflected on an incident on nights and the handover afterwards",
    "agreed a competency observation for pressure-area care", "no concerns raised",
    "discussed the new care-plan template and the person-centred sections",
    "explored how to support a resident living with dementia at mealtimes",
)
GENERIC = "Supervision held. Wellbeing discussed. No concerns. Continue as before."


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=LONDON)


def _notes(rng: random.Random) -> str:
    return ". ".join(p.capitalize() for p in rng.sample(PHRASES, 5)) + "."


class _Bulk:
    """Collects rows (dicts by column attname) per model and writes them in large batches:
    PostgreSQL `COPY … FROM STDIN` (some 100,000 rows a second), else `bulk_create`.
    Columns left out get the field's default (a fresh UUID each row, now for timestamps)."""

    def __init__(self) -> None:
        self.rows: dict[type, list[dict[str, Any]]] = {}
        self.counts: dict[str, int] = {}

    def add(self, model: type, **row: Any) -> None:
        self.rows.setdefault(model, []).append(row)
        if len(self.rows[model]) >= BATCH * 20:
            self.flush(model)

    def flush(self, model: type | None = None) -> None:
        for m in [model] if model is not None else list(self.rows):
            rows = self.rows.pop(m, [])
            if rows:
                _write(m, rows)
                key = m._meta.model_name  # type: ignore[attr-defined]
                self.counts[key] = self.counts.get(key, 0) + len(rows)


def _write(model: Any, rows: list[dict[str, Any]]) -> None:
    from django.db import connection
    from django.db.models import JSONField
    from django.utils import timezone

    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**r) for r in rows], batch_size=BATCH)
        return
    from psycopg.types.json import Jsonb

    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    fixed: dict[str, Any] = {}
    for f in fields:
        if f.name in ("created_at", "updated_at"):
            fixed[f.attname] = now
        elif f.name != "uuid":
            value = f.get_default()
            fixed[f.attname] = Jsonb(value) if isinstance(f, JSONField) else value
    json = {f.attname for f in fields if isinstance(f, JSONField)}
    names = [f.attname for f in fields]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    with connection.cursor() as cursor, cursor.cursor.copy(
            f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
        for r in rows:
            copy.write_row(tuple(
                (Jsonb(r[n]) if n in json else r[n]) if n in r
                else uuid.uuid4() if n == "uuid" else fixed[n] for n in names))


def build(locations: int, years: int, as_of: dt.date, slug: str, seed: int = 7,
          log: Callable[[str], None] = print) -> Any:
    """The organisation `slug` with its locations and records (returns the organisation)."""
    from sustain.accounts.models import User
    from sustain.audits.models import Audit, AuditTemplate
    from sustain.careplans.models import CarePlanReview
    from sustain.feedback.models import Feedback, Visit
    from sustain.governance.models import Cadence
    from sustain.incidents.models import Complaint, Compliment, Incident
    from sustain.medicines.models import MedicinesCheck
    from sustain.meetings.models import Meeting
    from sustain.people.models import PersonSupported, StaffMember
    from sustain.safeguarding.models import SafeguardingConcern
    from sustain.tenancy.models import Location, Membership, Organisation
    from sustain.themes.models import Action, Theme
    from sustain.workforce.models import Supervision, TrainingRecord

    started = time.perf_counter()
    rng = random.Random(seed)
    days = round(years * 365.25)
    start = as_of - dt.timedelta(days=days)
    org = Organisation.objects.create(name=f"Bench nightly {slug}", slug=slug)
    for role in ("registered_manager", "quality_lead", "nominated_individual"):
        user = User.objects.create(organisation=org, username=f"{role}-{slug}",
                                   first_name=role.replace("_", " ").title(), last_name="Bench")
        Membership.objects.create(organisation=org, user=user, role=role, scope="organisation")
    templates = [AuditTemplate.objects.create(
        organisation=org, code=f"{code}-{slug}", title=f"Bench {code}", pass_mark=90,
        min_analysis_length=100,
        sections=[{"title": "Main", "questions": [
            {"code": "Q1", "text": "Is it right?", "answer_type": "yes_no"}]}])
        for code in ("mar-audit", "care-plan-audit", "safeguarding-audit")]
    Location.objects.bulk_create([
        Location(organisation=org, name=f"Bench Home {i:04d}",
                 cqc_location_id=f"1-{slug[-6:]}{i:04d}"[:20], service_type="care_home",
                 capacity=PEOPLE) for i in range(locations)])
    places = list(Location.objects.filter(organisation=org).order_by("pk"))
    StaffMember.objects.bulk_create([
        StaffMember(organisation=org, full_name=f"Staff {loc.pk}-{s}", job_role="Care assistant",
                    staff_reference=f"B{loc.pk}-{s}", start_date=start)
        for loc in places for s in range(STAFF)], batch_size=BATCH)
    staff: dict[int, list[Any]] = {}
    through = StaffMember.locations.through
    links = []
    for n, member in enumerate(StaffMember.objects.filter(organisation=org).order_by("pk")):
        loc = places[n // STAFF]
        staff.setdefault(loc.pk, []).append(member)
        links.append(through(staffmember_id=member.pk, location_id=loc.pk))
    through.objects.bulk_create(links, batch_size=BATCH)
    PersonSupported.objects.bulk_create([
        PersonSupported(organisation=org, location=loc, reference=f"B{loc.pk}-{p:03d}",
                        initials="AB", admission_date=start - dt.timedelta(days=30))
        for loc in places for p in range(PEOPLE)], batch_size=BATCH)
    people: dict[int, list[Any]] = {}
    for person in PersonSupported.objects.filter(organisation=org).order_by("pk"):
        people.setdefault(person.location_id, []).append(person)
    Theme.objects.bulk_create([
        Theme(organisation=org, location=loc, title="Falls prevention", origin="inspection",
              stage="actions_in_progress", stage_since=start, embedding_channels=[])
        for loc in places], batch_size=BATCH)
    themes = {t.location_id: t for t in Theme.objects.filter(organisation=org)}
    Cadence.objects.bulk_create([
        Cadence(organisation=org, location=loc, title="Senior visit", owner_role="quality_lead",
                frequency="monthly", completes_with="visit",
                completes_params={"visit_type": "provider"}) for loc in places],
        batch_size=BATCH)
    log(f"   structure: {time.perf_counter() - started:.0f} s")

    bulk = _Bulk()
    months = days // 30
    o = org.pk
    chunk: list[Any] = []
    found: dict[tuple[int, dt.date, str], int] = {}
    for number, loc in enumerate(places):
        drifting = number % 10 == 0
        L = loc.pk  # noqa: N806
        who = [m.pk for m in staff[loc.pk]]
        whom = [p.pk for p in people[loc.pk]]
        theme = themes[loc.pk].pk
        chunk.append(loc)

        def late(day: dt.date, d: bool = drifting) -> bool:
            return d and (as_of - day).days < 183

        # medicines checks (discrepancies once the checks have ids)
        for d in range(days):
            day = start + dt.timedelta(days=d)
            for shift in ("day", "night"):
                bulk.add(MedicinesCheck, organisation_id=o, location_id=L, check_date=day,
                         shift=shift, checked_by_id=who[0], charts_checked=PEOPLE, notes="")
                n = sum(rng.random() < 0.1 for _ in range(2))
                if n:
                    found[(L, day, shift)] = n
        for m in range(months):
            base = start + dt.timedelta(days=30 * m)
            # incidents, safeguarding, complaints, compliments
            falls = 5 + (6 if late(base) else 0)
            for kind, n in (("fall", falls), ("near_miss", 2), ("behaviour", 2),
                            ("medicines_error", 1)):
                for _ in range(n):
                    bulk.add(Incident, organisation_id=o, location_id=L, type=kind,
                             severity="no_harm", person_id=rng.choice(whom),
                             description="Bench incident",
                             occurred_at=_at(base + dt.timedelta(days=rng.randrange(30)),
                                             rng.randint(0, 23)))
            for _ in range(2):
                raised = _at(base + dt.timedelta(days=rng.randrange(30)), rng.randint(8, 18))
                bulk.add(SafeguardingConcern, organisation_id=o, location_id=L,
                         raised_at=raised, raised_by_id=who[1], person_id=rng.choice(whom),
                         category="neglect", description="Bench concern",
                         shift_lead_notified_at=raised + dt.timedelta(hours=1),
                         manager_reviewed_at=raised + dt.timedelta(hours=6))
            bulk.add(Complaint, organisation_id=o, location_id=L, received_from="family",
                     received_on=base + dt.timedelta(days=rng.randrange(30)), category="Care",
                     summary="Bench complaint")
            bulk.add(Compliment, organisation_id=o, location_id=L, received_from="family",
                     received_on=base + dt.timedelta(days=rng.randrange(30)),
                     summary="Bench compliment")
            # feedback, answered within a fortnight (drifting homes: not lately)
            for _ in range(3):
                got = base + dt.timedelta(days=rng.randrange(30))
                answered = not late(got) or rng.random() < 0.2
                bulk.add(Feedback, organisation_id=o, location_id=L, source="family",
                         channel="conversation", received_on=got,
                         rating=rng.choice((1, 2, 3, 4, 5, 5)), text="Bench feedback",
                         response="We talked it through." if answered else "",
                         responded_on=got + dt.timedelta(days=rng.randint(2, 14))
                         if answered else None)
            # a senior visit a month (drifting homes: every other month lately)
            if not (late(base) and m % 2):
                bulk.add(Visit, organisation_id=o, location_id=L, visitor_id=who[2],
                         date=base + dt.timedelta(days=rng.randint(5, 25)), type="provider",
                         looked_at="Bench visit")
            # audits with due dates and analysis
            for template in templates:
                due = base + dt.timedelta(days=20)
                slip = rng.randint(3, 15) if (late(due) and rng.random() < 0.7) or \
                    rng.random() < 0.1 else -rng.randint(0, 3)
                done = due + dt.timedelta(days=slip)
                if done >= as_of:
                    continue
                bulk.add(Audit, organisation_id=o, location_id=L, template_id=template.pk,
                         audit_date=done, due_date=due, status="completed",
                         completed_at=_at(done, 16),
                         score=rng.choice((92, 95, 97, 100, 94, 91, 96, 72)), passed=True,
                         analysis="Routine audit of the sample; findings shared at the team "
                                  "meeting and followed up in supervision with the staff "
                                  "involved.",
                         theme_id=theme if template is templates[0] else None)
            # a theme action a month, closed three weeks later
            raised_on = base + dt.timedelta(days=3)
            closed = raised_on + dt.timedelta(days=21)
            bulk.add(Action, organisation_id=o, theme_id=theme, location_id=L,
                     description=f"Bench action {m}", raised_on=raised_on, due_date=closed,
                     status="done" if closed < as_of else "open",
                     completed_on=closed if closed < as_of else None)
            # the monthly quality meeting (minutes once the meetings have ids)
            bulk.add(Meeting, organisation_id=o, location_id=L,
                     meeting_type="governance_meeting",
                     held_on=base + dt.timedelta(days=rng.randint(8, 20)),
                     title="Monthly quality meeting")
        # care-plan reviews and training
        for person in whom:
            for m in range(months):
                due = start + dt.timedelta(days=30 * m + rng.randint(0, 5))
                ticks = rng.random() < 0.9
                bulk.add(CarePlanReview, organisation_id=o, location_id=L, person_id=person,
                         key_worker_id=rng.choice(who), due_date=due,
                         completed_on=due + dt.timedelta(days=rng.choice((0, 0, 1, 9))),
                         checked_daily_notes=True, checked_incidents=ticks,
                         checked_family_feedback=ticks,
                         checked_observed_practice=rng.random() < 0.7,
                         mismatch_found=rng.random() < 0.1,
                         changes_made="Plan checked against the notes and observed care; "
                                      "still accurate.")
        for member in who:
            for course in ("Moving and handling", "Safeguarding adults"):
                day = start + dt.timedelta(days=rng.randrange(365))
                while day < as_of:
                    bulk.add(TrainingRecord, organisation_id=o, location_id=L,
                             staff_id=member, course=course, completed_on=day,
                             expires_on=day + dt.timedelta(days=365))
                    day += dt.timedelta(days=rng.randint(330, 400))
        # supervisions every two months (drifting homes: generic notes lately)
        for n, member in enumerate(who[1:], start=1):
            day = start + dt.timedelta(days=n % 60)
            while day < as_of:
                generic = late(day)
                bulk.add(Supervision, organisation_id=o, location_id=L, date=day,
                         supervisor_id=who[0], supervisee_id=member,
                         next_due=day + dt.timedelta(days=60),
                         topics="Wellbeing" if generic else "Practice, wellbeing, training",
                         notes=GENERIC if generic else _notes(rng),
                         agreed_actions="" if generic else "Observation booked.")
                day += dt.timedelta(days=60)
        if number % 25 == 24 or number == len(places) - 1:
            bulk.flush()
            _discrepancies(org, chunk, found, rng, bulk, staff, people)
            chunk, found = [], {}
            log(f"   {number + 1} locations: {time.perf_counter() - started:.0f} s")
    bulk.flush()
    _link_and_minute(org, themes, as_of, rng, bulk)
    bulk.flush()
    log(f"   built in {time.perf_counter() - started:.0f} s: "
        + ", ".join(f"{v:,} {k}" for k, v in sorted(bulk.counts.items())))
    return org


def _discrepancies(org: Any, chunk: Sequence[Any], found: dict[tuple[int, dt.date, str], int],
                   rng: random.Random, bulk: _Bulk, staff: dict[int, list[Any]],
                   people: dict[int, list[Any]]) -> None:
    from sustain.medicines.models import Discrepancy, MedicinesCheck

    for pk, loc, day, shift in MedicinesCheck.objects.filter(
            location__in=chunk).values_list("pk", "location_id", "check_date", "shift"):
        for _ in range(found.get((loc, day, shift), 0)):
            bulk.add(Discrepancy, organisation_id=org.pk, location_id=loc, check_record_id=pk,
                     type="omission", person_id=rng.choice(people[loc]).pk,
                     staff_responsible_id=rng.choice(staff[loc]).pk, action_taken="Bench")
    bulk.flush()


def _link_and_minute(org: Any, themes: dict[int, Any], as_of: dt.date, rng: random.Random,
                     bulk: _Bulk) -> None:
    """A third of the supervisions name the location's theme; each meeting gets its minutes
    (drifting homes' last six months: updates only)."""
    from sustain.meetings.models import Meeting, MinuteEntry
    from sustain.workforce.models import Supervision

    drifting = set(sorted(themes)[::10])
    through = Supervision.themes.through
    links = [through(supervision_id=pk, theme_id=themes[loc].pk)
             for pk, loc, notes in Supervision.objects.filter(organisation=org)
             .values_list("pk", "location_id", "notes") if notes != GENERIC and pk % 3 == 0]
    through.objects.bulk_create(links, batch_size=BATCH)
    o = org.pk
    for pk, loc, held in Meeting.objects.filter(organisation=org).values_list(
            "pk", "location_id", "held_on"):
        bulk.add(MinuteEntry, organisation_id=o, meeting_id=pk, kind="update",
                 text="Falls and audits reported.")
        if loc in drifting and (as_of - held).days < 183:
            continue
        bulk.add(MinuteEntry, organisation_id=o, meeting_id=pk, kind="challenge",
                 question="Why did falls rise on nights?",
                 answer="Staffing on the first floor; rota changed.",
                 satisfied=rng.random() < 0.8)
        bulk.add(MinuteEntry, organisation_id=o, meeting_id=pk, kind="decision",
                 decision="Review the night rota next month.")


def locations_of(org: Any) -> Sequence[Any]:
    from sustain.tenancy.models import Location

    return list(Location.objects.filter(organisation=org).order_by("pk"))
