"""Demo workforce records: supervisions (every eight weeks or so), competency assessments,
training and the "what changed and why" briefings with their attestations."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sustain.demo import ops_text as text
from sustain.demo.operational import (
    CARE_ROLES,
    LONDON,
    MEDICINES_GIVERS,
    Ctx,
    Writer,
    ramp,
)
from sustain.people.models import StaffMember
from sustain.workforce.models import (
    Attestation,
    Briefing,
    CompetencyAssessment,
    Supervision,
    TrainingRecord,
)

SUPERVISORS = {
    "Deputy manager": ("Registered manager",),
    "Clinical lead": ("Registered manager",),
    "Care coordinator": ("Registered manager",),
    "Team leader": ("Registered manager",),
    "Registered nurse": ("Clinical lead", "Registered manager"),
    "Senior carer": ("Deputy manager", "Clinical lead", "Registered manager"),
    "Field care supervisor": ("Care coordinator", "Registered manager"),
    "Senior support worker": ("Team leader", "Registered manager"),
}
FRONT_LINE_SUPERVISORS = ("Senior carer", "Deputy manager", "Registered nurse", "Clinical lead",
                          "Field care supervisor", "Care coordinator", "Senior support worker",
                          "Team leader")
UNITS = ("ground-floor", "first-floor", "garden", "nursing", "residential")


def _note(rng: random.Random, medicines: bool, next_due: dt.date) -> tuple[str, str, str]:
    pronoun, their = rng.choice((("she", "her"), ("he", "his"), ("they", "their")))
    parts = [rng.choice(text.SUPERVISION_OPENERS), rng.choice(text.SUPERVISION_MIDDLES)]
    topics = rng.sample(text.SUPERVISION_TOPICS[:6], 2)
    if medicines:
        parts.append(rng.choice(text.SUPERVISION_MEDICINES))
        topics.append("Medicines practice")
    parts.append(rng.choice(text.SUPERVISION_CLOSERS))
    unit, when = rng.choice(UNITS), f"{next_due:%d %b %Y}".lstrip("0")
    sentences = [p.format(pronoun=pronoun, their=their, unit=unit, next=when) for p in parts]
    notes = " ".join(p[0].upper() + p[1:] for p in sentences)
    actions = " ".join(rng.sample(text.SUPERVISION_ACTIONS, rng.choice((1, 2))))
    return ", ".join(topics), notes, actions


def supervisions(ctx: Ctx, writer: Writer) -> None:
    for key, location in ctx.locations.items():
        rng = ctx.rng("supervisions", key)
        rows: list[Supervision] = []
        themes: list[list[Any]] = []
        for member in ctx.staff[key]:
            if member.job_role == "Registered manager":
                continue  # supervised by the provider, outside the location's records
            day = max(member.start_date + dt.timedelta(days=rng.randint(14, 40)),
                      ctx.start + dt.timedelta(days=rng.randint(0, 55)))
            end = min(member.leaving_date or ctx.last_day, ctx.last_day)
            while day <= end:
                roles = SUPERVISORS.get(member.job_role, FRONT_LINE_SUPERVISORS)
                supervisor = ctx.pick_staff(rng, key, day, roles, ("Registered manager",),
                                            exclude=member)
                drifting = key == "MB" and ctx.months_ago(day) < 6
                medicines = key == "RH" and member.job_role in MEDICINES_GIVERS and \
                    ctx.since("RH:medicines", day) is not None
                if drifting:
                    topics, notes, actions = ("Wellbeing and workload", text.GENERIC_SUPERVISION,
                                              text.GENERIC_SUPERVISION_ACTIONS)
                else:
                    topics, notes, actions = _note(rng, medicines, day + dt.timedelta(weeks=8))
                interval = rng.randint(70, 110) if drifting else rng.randint(48, 63)
                if supervisor.pk != member.pk:
                    rows.append(Supervision(
                        organisation=ctx.org, location=location, date=day,
                        supervisor=supervisor, supervisee=member, topics=topics, notes=notes,
                        agreed_actions=actions, next_due=day + dt.timedelta(weeks=8)))
                    themes.append(ctx.theme("RH:medicines", day) if medicines else [])
                day += dt.timedelta(days=interval)
        writer.create(rows, {"themes": themes})


def _assessor(ctx: Ctx, rng: random.Random, key: str, day: dt.date,
              member: StaffMember) -> StaffMember:
    return ctx.pick_staff(rng, key, day, ("Deputy manager", "Clinical lead",
                                          "Field care supervisor", "Team leader"),
                          ("Registered manager",), exclude=member)


Type = CompetencyAssessment.Type
Outcome = CompetencyAssessment.Outcome


def competencies(ctx: Ctx, writer: Writer) -> None:
    for key, location in ctx.locations.items():
        rng = ctx.rng("competencies", key)
        rows: list[CompetencyAssessment] = []
        themes: list[list[Any]] = []
        opened = ctx.opened.get("RH:medicines") if key == "RH" else None
        for member in ctx.staff[key]:
            kinds = []
            if member.job_role in MEDICINES_GIVERS:
                kinds.append(Type.MEDICINES)
            if member.job_role in CARE_ROLES:
                kinds.append(Type.MOVING_HANDLING)
            end = min(member.leaving_date or ctx.last_day, ctx.last_day)
            for kind in kinds:
                day = max(member.start_date + dt.timedelta(days=rng.randint(20, 60)),
                          ctx.start + dt.timedelta(days=rng.randint(0, 200)))
                while day <= end:
                    recovering = opened is not None and kind == Type.MEDICINES and day >= opened
                    good = 0.7 if key == "RH" and not recovering else 0.93
                    outcome = Outcome.COMPETENT if rng.random() < good else (
                        Outcome.NEEDS_SUPPORT if rng.random() < 0.8 else Outcome.NOT_YET)
                    gap = 365 if outcome == Outcome.COMPETENT else rng.randint(28, 42)
                    if recovering and outcome == Outcome.COMPETENT:
                        gap = rng.randint(80, 100)  # observed every quarter during recovery
                    rows.append(CompetencyAssessment(
                        organisation=ctx.org, location=location, assessment_type=kind,
                        assessor=_assessor(ctx, rng, key, day, member), staff=member, date=day,
                        outcome=outcome, next_due=day + dt.timedelta(days=gap),
                        notes="Observed in practice; discussed and signed off."
                        if outcome == Outcome.COMPETENT else
                        "Not yet consistent: further observation booked."))
                    themes.append([ctx.themes["RH:medicines"]] if recovering else [])
                    next_day = day + dt.timedelta(days=gap + rng.randint(-10, 10))
                    if opened is not None and kind == Type.MEDICINES and day < opened < next_day:
                        # Everyone who gives medicines is re-assessed after the inspection.
                        next_day = opened + dt.timedelta(days=rng.randint(20, 80))
                    day = next_day
        writer.create(rows, {"themes": themes})


# (course, months valid, roles or None for everyone)
COURSES: tuple[tuple[str, int, tuple[str, ...] | None], ...] = (
    ("Safeguarding adults level 2", 12, None),
    ("Infection prevention and control", 12, None),
    ("Fire safety", 12, None),
    ("Moving and handling (practical)", 12, CARE_ROLES),
    ("Basic life support", 12, CARE_ROLES),
    ("Safe administration of medicines", 12, MEDICINES_GIVERS),
    ("Mental Capacity Act and DoLS", 24, CARE_ROLES),
    ("Food hygiene level 2", 36, ("Cook",)),
)


def training(ctx: Ctx, writer: Writer) -> None:
    for key, location in ctx.locations.items():
        rng = ctx.rng("training", key)
        rows: list[TrainingRecord] = []
        for member in ctx.staff[key]:
            end = min(member.leaving_date or ctx.last_day, ctx.last_day)
            for course, months, roles in COURSES:
                if roles is not None and member.job_role not in roles:
                    continue
                valid = dt.timedelta(days=round(months * 30.44))
                day = member.start_date + dt.timedelta(days=rng.randint(3, 30))
                if day < ctx.start - valid:  # the last completion before the records start
                    day = ctx.start - dt.timedelta(days=rng.randint(0, valid.days - 1))
                while day <= end:
                    rows.append(TrainingRecord(
                        organisation=ctx.org, location=location, staff=member, course=course,
                        completed_on=day, expires_on=day + valid))
                    lapse = key == "MB" and ctx.months_ago(day + valid) < 6
                    day += valid + dt.timedelta(days=rng.randint(20, 80) if lapse
                                                else -rng.randint(0, 25))
        writer.create(rows)


BRIEFINGS = {
    "RH:medicines": (
        (0.5, "team_meeting", "End-of-shift MAR checks",
         "The senior on each shift checks every MAR chart before handing over and records any "
         "gap or error on the medicines tracker.",
         "The inspection found gaps and omissions that nobody had noticed for weeks.",
         "Every gap is found the same shift, explained and put right; the manager sees the "
         "pattern every week."),
        (3.0, "handover", "Time-critical medicines first",
         "The morning round now starts with the time-critical medicines list.",
         "Parkinson's medicines were being given late because of the round order.",
         "Time-critical doses given within 30 minutes of the prescribed time."),
        (7.0, "team_meeting", "Monthly competency observations",
         "A senior observes each person who gives medicines once a quarter.",
         "Retraining alone did not change practice on every shift.",
         "Everyone who gives medicines has a current, observed competency."),
    ),
    "RH:care-planning": (
        (1.0, "team_meeting", "Care plans written with people",
         "Key workers rewrite care plans with the person and their family, and the deputy's "
         "monthly clinic checks them against daily notes.",
         "Care plans did not describe people's current needs.",
         "Anyone on shift can read the plan and know how to support the person today."),
        (5.0, "team_meeting", "One care plan at every team meeting",
         "Each team meeting discusses one care plan update.",
         "Changes were not reaching every shift.", "Handovers mention plan changes."),
    ),
    "RH:safeguarding": (
        (0.5, "team_meeting", "Safeguarding decision pathway",
         "Tell the shift lead before the end of your shift and record the concern on the "
         "tracker; the manager reviews every concern within 24 hours.",
         "Concerns were not escalated consistently and some were never recorded.",
         "Every concern is on the tracker, notified the same shift and reviewed next day."),
        (2.0, "handover", "Thresholds: when to refer",
         "Threshold briefing using real, anonymised examples from the home.",
         "Staff understood the theory but were unsure about thresholds.",
         "Staff can say which concerns go to the local authority and why."),
    ),
    "WC:governance": (
        (0.5, "team_meeting", "Quality risk review each month",
         "The monthly quality meeting reviews audits, incidents and feedback with minutes "
         "that record challenge and decisions.",
         "An internal audit found meetings were updates rather than challenge.",
         "Minutes show questions asked, decisions made and who follows them up."),
        (14.0, "team_meeting", "Keeping senior visits scheduled",
         "Senior visits are booked a quarter ahead, including nights and weekends.",
         "Visits had slipped when the home was busy.",
         "At least two senior visits a month, one out of hours each quarter."),
    ),
    "MB:falls": (
        (0.7, "handover", "Post-falls huddle",
         "After every fall the shift holds a short huddle and reviews the falls risk "
         "assessment the same day.",
         "Falls were rising and risk assessments were not updated after a fall.",
         "Every fall has a huddle note and an updated risk assessment within 24 hours."),
    ),
}


ANSWER_FOR = {"RH:medicines": 0, "RH:safeguarding": 1, "RH:care-planning": 2, "MB:falls": 3,
              "WC:governance": 4}


def briefings(ctx: Ctx, writer: Writer) -> None:
    rng = ctx.rng("briefings")
    rows: list[Briefing] = []
    for theme_key, items in BRIEFINGS.items():
        if theme_key not in ctx.themes:
            continue
        key = theme_key.split(":")[0]
        for after, via, title, changed, why, good in items:
            day = ctx.opened[theme_key] + dt.timedelta(days=round(after * 30.44))
            if day > ctx.last_day:
                continue
            rows.append(Briefing(
                organisation=ctx.org, theme=ctx.themes[theme_key], location=ctx.locations[key],
                title=title, what_changed=changed, why=why, what_good_looks_like=good,
                delivered_at=dt.datetime.combine(day, dt.time(14, 0), tzinfo=LONDON),
                delivered_via=via, delivered_by=ctx.manager(key)))
    writer.create(rows)
    attestations: list[Attestation] = []
    for briefing in rows:
        theme_key = next(k for k, t in ctx.themes.items() if t.pk == briefing.theme_id)
        key = theme_key.split(":")[0]
        answer = ANSWER_FOR[theme_key]
        day = briefing.delivered_at.date()
        share = 0.55 if key == "MB" else 0.92
        for member in ctx.staff[key]:
            joined_later = member.start_date > day
            if member.leaving_date is not None and member.leaving_date < day:
                continue
            if rng.random() > (ramp(share, 0.6, 1) if joined_later else share):
                continue
            when = max(day, member.start_date) + dt.timedelta(days=rng.randint(0, 14))
            attested = dt.datetime.combine(when, dt.time(15, 0), tzinfo=LONDON)
            if ctx.done(attested) is None:
                continue
            attestations.append(Attestation(
                organisation=ctx.org, briefing=briefing, location=briefing.location,
                staff=member, attested_at=attested, statement_confirmed=True,
                short_answer=text.ATTESTATION_ANSWERS[answer] if rng.random() < 0.35
                else "", recorded_by_manager=True))
    writer.create(attestations)
