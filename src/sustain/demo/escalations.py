"""The demo's escalation rules at work: the rules replayed over the last six months of records,
Rosewood's responses done in time, Meadowbank's last two escalated to the quality lead.

The operational records are written with write events muted, so no rule fired while they were
written. `build_escalations` therefore replays the rules afterwards, through the services:
`escalations.services.evaluate_location(location=…, now=…)` at every location, once a fortnight
from `REPLAY_WEEKS` weeks before `as_of` up to `as_of` (the rules have been in force since the
playbooks were applied, 14 to 23 months ago; replaying that whole period gives Rosewood some 90
firings of the MAR rule from the months just after its inspection, so the demo replays the last
six months only, plus what each rule's look-back reaches before that).

What the demo then shows (all relative to `as_of`):

- Rosewood House (recovering) responds to everything in time. The replay is run once in a
  savepoint and rolled back to learn which firings it makes there (their keys are
  deterministic); the records that fulfil each response are written, dated after the trigger
  and before the deadline (supervisions of the staff member, medicines competency
  reassessments, MAR spot-check audits, plan reviews, refresher training), then the replay
  runs for real and each new task counts the records already written
  (`_fulfil_from_existing`). Responses fulfilled by a written note (the immediate management
  review) and the follow-up observation of a key worker (a visit names its visitor, not the
  person observed, so no visit record can be about the key worker) are completed by the
  registered manager through `task_complete` with a note, before their deadline.
- Meadowbank (drifting): the falls rule fired once in the replay months and its responses
  were done (the referral by hand, by the deputy manager); then a person fell three times in
  twelve days (the falls written here, as the falls are rising there) and nobody responded:
  the care-plan review and the referral went past their deadlines and the ladder job, run as
  of the day before `as_of`, escalated both to the quality lead (step 1, history entries).
- Willow Court: whatever its governance rules find over the replay (the ladder run moves any
  of its overdue responses too). Larch Close and the Wakefield branch have no rules in force.

Each replay step reads only what was recorded up to its `now` (records dated later are not
seen yet), fires what the window holds then, and counts the fulfilling records written since
for the open tasks, so a task shows done at the step after its record, never before it.

Deterministic: the falls and every record written here are drawn from a generator seeded with
the demo seed; the replay is a pure function of the records.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from sustain.audits.models import AuditTemplate
from sustain.audits.services import audit_complete, audit_save, audit_start
from sustain.careplans.models import CarePlanReview
from sustain.core import events
from sustain.demo import ops_text as text
from sustain.demo.operational import Writer
from sustain.engine.audit_scoring import AnswerType
from sustain.escalations.models import EscalationTask, Firing
from sustain.escalations.rules import RuleSet
from sustain.escalations.services import escalate_overdue, evaluate_location, task_complete
from sustain.incidents.models import Incident, IncidentType, Severity
from sustain.people.models import PersonSupported, StaffMember
from sustain.tenancy.models import Location, Organisation
from sustain.workforce.models import CompetencyAssessment, Supervision, TrainingRecord

ACTOR = "sustain demo"
LONDON = ZoneInfo("Europe/London")
REPLAY_WEEKS = 26
# A fortnight between two evaluations: shorter than every shipped rule's look-back beyond its
# own window (a timeliness rule looks back 14 days past its limit, a repeated one twice its
# window), so no trigger falls between two evaluations.
STEP_DAYS = 14
# The seed rules (issue 6) and the fourth rule of the safeguarding playbook, all in force at
# Rosewood House.
SEED_RULES = ("repeated-mar-discrepancy", "repeated-record-practice-mismatch",
              "delayed-escalation")
FALLS_RULE = "repeated-falls"
# Meadowbank's last falls: days before `as_of` (the third is the trigger).
FALL_DAYS = (24, 18, 12)
SUPERVISION_TOPICS = {
    "repeated-mar-discrepancy": "Repeated MAR discrepancies: what happened on each round",
    "repeated-record-practice-mismatch": "Care plans and daily practice: the mismatches found",
    "delayed-escalation": "Debrief: the safeguarding concern and escalating it in the shift",
    "manager-review-late": "Debrief: the safeguarding concern and how it was escalated",
}
REFRESHER = "Safeguarding adults: thresholds and escalation refresher"


@dataclass(frozen=True)
class TaskPlan:
    """What the dry run learnt about one task at Rosewood."""

    key: str                  # the firing's key (deterministic)
    rule: str                 # the rule's id
    index: int                # response index
    record: str               # fulfilled_by_type
    where: dict[str, Any]
    count: int
    triggered_at: dt.datetime
    due_at: dt.datetime
    staff_id: int | None
    person_id: int | None


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=LONDON)


def replay_times(as_of: dt.date, weeks: int = REPLAY_WEEKS) -> list[dt.datetime]:
    """The `now`s of the replay: every `STEP_DAYS` days from `weeks` weeks before `as_of` to
    the start of `as_of` (London)."""
    first = as_of - dt.timedelta(weeks=weeks)
    days = [first + dt.timedelta(days=n) for n in range(0, (as_of - first).days, STEP_DAYS)]
    return [_midnight(day) for day in [*days, as_of]]


def replay(organisation: Organisation, locations: Sequence[Location], as_of: dt.date) -> None:
    """Evaluate every rule at every location at each `now` of `replay_times` (idempotent)."""
    ruleset = RuleSet(organisation.pk)
    ruleset.prime_themes(loc.pk for loc in locations)
    for now in replay_times(as_of):
        for location in locations:
            evaluate_location(location=location, now=now, ruleset=ruleset)


class EscalationStory:
    def __init__(self, organisation: Organisation, locations: dict[str, Location], seed: int,
                 as_of: dt.date) -> None:
        self.org = organisation
        self.locations = locations
        self.as_of = as_of
        self.last_day = as_of - dt.timedelta(days=1)
        self.rng = random.Random(f"{seed}:escalations")
        self.writer = Writer()
        self.ordered = sorted(locations.values(), key=lambda loc: loc.pk)
        self.counts: dict[str, int] = {}

    # -- helpers -----------------------------------------------------------------------------
    def _staff(self, key: str, *roles: str) -> StaffMember:
        location = self.locations[key]
        for role in roles:
            found = StaffMember.objects.filter(
                locations=location, job_role=role, leaving_date__isnull=True,
                archived_at__isnull=True).order_by("staff_reference").first()
            if found is not None:
                return found
        manager = location.registered_manager
        assert manager is not None
        return manager

    def _user(self, username: str) -> Any:
        from sustain.accounts.models import User

        return User.objects.get(organisation=self.org, username=username)

    def _day(self, plan: TaskPlan, days: int) -> dt.date | None:
        """A day `days` after the trigger's day, before the deadline and before `as_of`
        (None when there is no such day)."""
        start = plan.triggered_at.astimezone(LONDON).date()
        day = min(start + dt.timedelta(days=days), self.last_day)
        while day > start and _midnight(day) > plan.due_at:
            day -= dt.timedelta(days=1)
        return day if _midnight(day) <= plan.due_at and day >= start else None

    # -- Meadowbank's last falls -------------------------------------------------------------
    def meadowbank_falls(self) -> PersonSupported | None:
        """Three falls for one person over twelve days, ending `FALL_DAYS[-1]` days before
        `as_of`: someone present throughout, with no care-plan review completed since the
        first of them (so nothing has answered the falls yet)."""
        location = self.locations["MB"]
        first = self.as_of - dt.timedelta(days=FALL_DAYS[0])
        reviewed = set(CarePlanReview.objects.filter(
            location=location, completed_on__gte=first, archived_at__isnull=True)
            .values_list("person_id", flat=True))
        candidates = [p for p in PersonSupported.objects.filter(
            location=location, discharge_date__isnull=True, archived_at__isnull=True,
            admission_date__lt=first - dt.timedelta(days=60)).order_by("reference")
            if p.pk not in reviewed]
        if not candidates:
            return None
        person = self.rng.choice(candidates)
        rows = []
        for days in FALL_DAYS:
            day = self.as_of - dt.timedelta(days=days)
            occurred = dt.datetime.combine(day, dt.time(self.rng.randint(5, 22),
                                                        self.rng.randint(0, 59)), tzinfo=LONDON)
            description, immediate = self.rng.choice(text.INCIDENT_TEXT["fall"])
            rows.append(Incident(
                organisation=self.org, location=location, type=IncidentType.FALL,
                severity=Severity.NO_HARM if days != FALL_DAYS[-1] else Severity.LOW,
                occurred_at=occurred, person=person,
                description=description.format(ref=person.reference),
                immediate_action=immediate.format(ref=person.reference)))
        staff = [[self._staff("MB", "Care assistant", "Senior carer")] for _ in rows]
        self.writer.create(rows, {"staff_involved": staff})
        return person

    # -- the dry run -------------------------------------------------------------------------
    def rosewood_plans(self) -> list[TaskPlan]:
        """Replay Rosewood's rules in a savepoint, read the tasks they make, roll back."""
        with transaction.atomic():
            replay(self.org, [self.locations["RH"]], self.as_of)
            plans = [TaskPlan(
                key=t.firing.key, rule=t.firing.rule_code, index=t.response_index,
                record=t.fulfilled_by_type,
                where=dict(t.fulfilled_by_where or {}), count=t.count_needed,
                triggered_at=t.firing.triggered_at, due_at=t.due_at,
                staff_id=t.staff_member_id, person_id=t.person_id)
                for t in EscalationTask.objects.filter(
                    organisation=self.org, location=self.locations["RH"])
                .select_related("firing").order_by("firing__triggered_at", "response_index")]
            transaction.set_rollback(True)
        return plans

    # -- Rosewood's fulfilling records -------------------------------------------------------
    def rosewood_records(self, plans: Sequence[TaskPlan]) -> None:
        location = self.locations["RH"]
        manager = self._staff("RH", "Registered manager")
        deputy = self._staff("RH", "Deputy manager", "Registered manager")
        staff = {s.pk: s for s in StaffMember.objects.filter(
            pk__in={p.staff_id for p in plans if p.staff_id})}
        people = {p.pk: p for p in PersonSupported.objects.filter(
            pk__in={p.person_id for p in plans if p.person_id})}
        supervisions: list[Supervision] = []
        competencies: list[CompetencyAssessment] = []
        training: list[TrainingRecord] = []
        reviews: list[CarePlanReview] = []
        audit_days: list[dt.date] = []
        for plan in plans:
            member = staff.get(plan.staff_id) if plan.staff_id else None
            if plan.record == "supervision" and member is not None:
                day = self._day(plan, 1)
                if day is None:
                    continue
                supervisor = manager if member.pk != manager.pk else deputy
                supervisions.append(Supervision(
                    organisation=self.org, location=location, date=day, supervisor=supervisor,
                    supervisee=member, topics=SUPERVISION_TOPICS.get(
                        plan.rule, "Response to an escalation"),
                    notes="Held in response to the escalation rule's trigger; the records "
                          "were read together and what went wrong was agreed.",
                    agreed_actions="Follow the agreed steps on every shift; the senior checks "
                                   "at handover for the next month.",
                    next_due=day + dt.timedelta(weeks=8)))
            elif plan.record == "competency_assessment" and member is not None:
                day = self._day(plan, 3)
                if day is None:
                    continue
                competencies.append(CompetencyAssessment(
                    organisation=self.org, location=location,
                    assessment_type=plan.where.get("assessment_type",
                                                   CompetencyAssessment.Type.MEDICINES),
                    assessor=deputy if member.pk != deputy.pk else manager, staff=member,
                    date=day, outcome=CompetencyAssessment.Outcome.COMPETENT,
                    next_due=day + dt.timedelta(days=90),
                    notes="Reassessed after repeated discrepancies: observed on a full "
                          "medicines round, signed off."))
            elif plan.record == "training" and member is not None:
                day = self._day(plan, 6)
                if day is None:
                    continue
                training.append(TrainingRecord(
                    organisation=self.org, location=location, staff=member, course=REFRESHER,
                    completed_on=day, expires_on=day + dt.timedelta(days=365)))
            elif plan.record == "care_plan_review" and plan.person_id in people:
                day = self._day(plan, 1)
                if day is None:
                    continue
                person = people[plan.person_id]
                reviews.append(CarePlanReview(
                    organisation=self.org, location=location, person=person,
                    key_worker=member, due_date=day, completed_on=day,
                    checked_daily_notes=True, checked_incidents=True,
                    checked_family_feedback=True, checked_observed_practice=True,
                    changes_made=f"Plan for {person.reference} reviewed straight after the "
                                 "mismatch was found; it now matches what staff do."))
            elif plan.record == "audit":
                first = self._day(plan, 1)
                if first is None:
                    continue
                have = [d for d in audit_days
                        if first <= d and _midnight(d) + dt.timedelta(hours=17) <= plan.due_at]
                day = first
                while len(have) < plan.count:
                    if _midnight(day) + dt.timedelta(hours=17) > plan.due_at or \
                            day > self.last_day:
                        break
                    if day not in audit_days:
                        audit_days.append(day)
                        have.append(day)
                    day += dt.timedelta(days=2 if len(have) < plan.count - 1 else 1)
        with events.muted():
            self.writer.create(supervisions)
            self.writer.create(competencies)
            self.writer.create(training)
            self.writer.create(reviews)
            for day in sorted(audit_days):
                self._spot_check(day)
        self.counts["rosewood_records"] = (len(supervisions) + len(competencies) + len(training)
                                           + len(reviews) + len(audit_days))

    def _spot_check(self, day: dt.date) -> None:
        """A MAR spot-check audit at Rosewood (every answer right), completed at 16:30."""
        location = self.locations["RH"]
        template = AuditTemplate.objects.filter(code="mar-audit").order_by("-pk").first()
        assert template is not None
        refs = list(PersonSupported.objects.filter(
            location=location, discharge_date__isnull=True, archived_at__isnull=True)
            .order_by("reference").values_list("reference", flat=True))
        samples = self.rng.sample(refs, min(template.sample_size, len(refs)))
        audit = audit_start(actor=ACTOR, organisation=self.org, location=location,
                            template=template, audit_date=day, samples=samples)
        answers: dict[str, Any] = {}
        per_sample: dict[str, dict[str, Any]] = {}
        for section in template.sections:
            for question in section["questions"]:
                value = _right_answer(question)
                if question.get("per_sample"):
                    per_sample[question["code"]] = dict.fromkeys(samples, value)
                else:
                    answers[question["code"]] = value
        audit = audit_save(actor=ACTOR, audit=audit, answers=answers, sample_answers=per_sample,
                           analysis="Additional spot check of MAR records after repeated "
                                    "discrepancies by one staff member: every chart sampled "
                                    "was complete and accurate; shared at handover.",
                           expected_version=audit.version)
        audit_complete(actor=ACTOR, audit=audit, expected_version=audit.version,
                       completed_at=dt.datetime.combine(day, dt.time(16, 30), tzinfo=LONDON))

    # -- after the replay --------------------------------------------------------------------
    def rosewood_by_hand(self) -> None:
        """Responses no record can fulfil, completed by the registered manager before their
        deadline with a note of what was done."""
        manager = self._user("manager.rosewood")
        done = 0
        for task in EscalationTask.objects.filter(
                organisation=self.org, location=self.locations["RH"],
                status=EscalationTask.Status.OPEN).select_related("firing", "staff_member",
                                                                   "person").order_by("pk"):
            trigger = task.firing.triggered_at
            when = min(trigger + dt.timedelta(hours=3), task.due_at - dt.timedelta(minutes=5))
            if task.fulfilled_by_type == "note":
                note = ("Reviewed the concern and the delay with the shift lead the same day: "
                        "the threshold was misjudged; the concern is now with the right "
                        "people and the handover file shows the escalation route.")
            elif task.fulfilled_by_type == "observation" and task.staff_member is not None:
                day = max(trigger.astimezone(LONDON).date() + dt.timedelta(days=4),
                          trigger.astimezone(LONDON).date())
                when = min(_midnight(day) + dt.timedelta(hours=15),
                           task.due_at - dt.timedelta(minutes=5))
                note = (f"Deputy manager observed {task.staff_member.full_name}'s practice on "
                        f"the morning round and at handover on {when.day} {when:%b %Y}; "
                        "notes in the supervision file.")
            else:
                continue
            if when >= _midnight(self.as_of):
                continue
            task_complete(actor=manager, task=task, expected_version=task.version, note=note,
                          now=when)
            done += 1
        self.counts["rosewood_by_hand"] = done

    def meadowbank(self, person: PersonSupported | None) -> None:
        """Meadowbank's earlier falls firings were answered (the referral written up by the
        deputy manager); the last one was not, and the ladder moves its two responses to the
        quality lead."""
        deputy = self._user("deputy.meadowbank")
        for task in EscalationTask.objects.filter(
                organisation=self.org, location=self.locations["MB"],
                status=EscalationTask.Status.OPEN).select_related("firing", "person"
                                                                  ).order_by("pk"):
            if person is not None and task.person_id == person.pk and \
                    task.firing.rule_code == FALLS_RULE:
                continue  # the story's overdue responses
            when = min(task.firing.triggered_at + dt.timedelta(days=2),
                       task.due_at - dt.timedelta(minutes=5))
            ref = task.person.reference if task.person else "the person"
            task_complete(actor=deputy, task=task, expected_version=task.version, now=when,
                          note=f"Referred {ref} to the community falls team on "
                               f"{when.day} {when:%b %Y}; referral letter on file.")
        # The ladder as of the day before `as_of`: the overdue responses move one step up.
        result = escalate_overdue(organisation=self.org,
                                  now=_midnight(self.as_of - dt.timedelta(days=1)))
        self.counts["escalated"] = result["escalated"]

    def build(self) -> dict[str, int]:
        with events.muted():
            person = self.meadowbank_falls()
        plans = self.rosewood_plans()
        self.rosewood_records(plans)
        replay(self.org, self.ordered, self.as_of)
        self.rosewood_by_hand()
        self.meadowbank(person)
        self.counts["firings"] = Firing.objects.filter(organisation=self.org).count()
        self.counts["open_tasks"] = EscalationTask.objects.filter(
            organisation=self.org, status=EscalationTask.Status.OPEN).count()
        return self.counts


def _right_answer(question: dict[str, Any]) -> Any:
    kind = question.get("answer_type")
    if kind == AnswerType.YES_NO:
        return "yes"
    if kind == AnswerType.SCALE:
        return int(question.get("scale_max") or 4)
    if kind == AnswerType.NUMBER:
        if question.get("at_most") is not None:
            return int(question["at_most"])
        if question.get("at_least") is not None:
            return int(question["at_least"])
        return 0
    return "Checked; nothing further."


def build_escalations(*, organisation: Organisation, locations: dict[str, Location], seed: int,
                      as_of: dt.date) -> dict[str, int]:
    """Replay the escalation rules over the demo's records and tell the escalation story (see
    the module docstring). Returns counts (firings, open tasks, records written, escalated)."""
    return EscalationStory(organisation, locations, seed, as_of).build()
