"""A year of governance history for the demo: the rhythm kept (or not), meetings that
challenge (or only update), a lesson spreading from one home to others, a hand-over.

What it shows (all dates relative to `as_of`):

- Rosewood House keeps its rhythm: its playbooks' cadences (per-shift MAR checks, the weekly
  medicines review, monthly audits and competency observations, weekly safeguarding review
  meetings, quarterly provider reviews) and the usual ones (monthly quality meeting, team
  meeting and care-plan clinic) are done, nearly all on time; its meetings challenge (the
  question, who asked, the answer, whether it satisfied), decide and raise actions about its
  three themes. The registered manager's daily safeguarding log review for yesterday is still
  open, so her "My work" has something overdue.
- Meadowbank drifts: its weekly medicines reviews, monthly falls audits, care-plan clinics and
  quality meetings go late and then are missed over the last six months; its quality meetings
  become updates only over the last five (the challenge trend says "Falling"); senior visits
  thin out (the operational visits); its registered manager, who owns the falls theme, leaves
  in two weeks, so the theme needs a new owner and has a hand-over note.
- Willow Court, the Wakefield branch and Larch Close keep a steady rhythm.
- The organisation holds quarterly provider reviews and board meetings discussing the themes.
- A lesson from Rosewood's medicines theme applies everywhere: adopted with evidence at
  Rosewood, Willow Court and Larch Close, in progress at Meadowbank and Wakefield; a second
  lesson, from Meadowbank's falls theme, has stalled (not started after ten weeks).

Occurrences are generated for the past year (`governance.occurrences_generate` over a past
window, per cadence: the per-shift MAR checks for the last four weeks and the daily log
reviews for the last three days only). The meetings, agenda items and minutes are written in
bulk with history (events muted) and then complete their occurrences; the audits go through
the audit services (events live); the operational records (written with events muted)
complete theirs as `occurrences_reconcile` would, but only those dated inside a window still
open; then `occurrences_mark_missed` runs as of the start of `as_of`.
Random choices come from generators seeded with the demo seed, so the story is the same
every time.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps

from sustain.audits.models import AuditTemplate
from sustain.audits.services import audit_complete, audit_save, audit_start, score_of
from sustain.core import events
from sustain.demo import govtext as text
from sustain.demo.operational import THEME_KEYS, Writer, theme_opened
from sustain.demo.recovery import months_before
from sustain.engine.audit_scoring import AnswerType
from sustain.governance.models import Cadence, Occurrence
from sustain.governance.rules import kinds_for_cadence, kinds_for_label
from sustain.governance.services import (
    cadence_create,
    cadence_update,
    handle_record_written,
    occurrence_complete,
    occurrences_generate,
    occurrences_mark_missed,
)
from sustain.lessons.models import LessonAdoption
from sustain.lessons.services import (
    handover_owner_leaving,
    lesson_adoption_update,
    lesson_create,
)
from sustain.meetings.models import AgendaItem, Meeting, MinuteEntry
from sustain.meetings.services import governance_cycles_ensure, minute_entry_create
from sustain.people.models import PersonSupported, StaffMember
from sustain.people.services import staff_update
from sustain.tenancy.models import Location, Organisation
from sustain.themes.models import Theme
from sustain.themes.services import action_update, theme_update, themes_reevaluate

ACTOR = "sustain demo"
LONDON = ZoneInfo("Europe/London")
HISTORY_DAYS = 365
CARE_PLAN_TEMPLATE = "care-plan-audit"
SAFEGUARDING_TEMPLATE = "safeguarding-log-audit"
FALLS_TEMPLATE = "risk-assessment-audit"
MAR_REVIEW = "Weekly MAR audit: review the week's medicines checks and discrepancies"


@dataclass(frozen=True)
class ManualCadence:
    key: str  # location key; "" for the organisation
    title: str
    owner_role: str
    frequency: str
    completes_with: str
    params: dict[str, Any]
    grace_days: int
    weekday: int | None = None


MANUAL: tuple[ManualCadence, ...] = (
    *(ManualCadence(key, MAR_REVIEW, "registered_manager", "weekly", "tracker_review",
                    {"tracker": "medicines_checks"}, 2, weekday=2)
      for key in ("MB", "WC")),
    *(ManualCadence(key, "Monthly quality meeting", "registered_manager", "monthly", "meeting",
                    {"meeting_type": "governance_meeting"}, 7)
      for key in ("RH", "MB", "WH", "LC")),
    *(ManualCadence(key, "Monthly care-plan clinic", role, "monthly", "meeting",
                    {"meeting_type": "care_plan_clinic"}, 7)
      for key, role in (("RH", "deputy_manager"), ("MB", "deputy_manager"),
                        ("WC", "deputy_manager"))),
    ManualCadence("RH", "Team meeting", "registered_manager", "monthly", "meeting",
                  {"meeting_type": "team_meeting"}, 7),
    ManualCadence("MB", "Falls audit (risk assessments after a fall)", "registered_manager",
                  "monthly", "audit", {"template": FALLS_TEMPLATE, "audit_kind": "self"}, 7),
    ManualCadence("MB", "Senior site visit", "quality_lead", "monthly", "visit",
                  {"visit_type": "senior_visit"}, 7),
    ManualCadence("", "Quarterly provider review", "nominated_individual", "quarterly",
                  "meeting", {"meeting_type": "provider_review"}, 14),
    ManualCadence("", "Board meeting: quality and governance report", "nominated_individual",
                  "quarterly", "meeting", {"meeting_type": "board"}, 14),
)


class GovernanceStory:
    def __init__(self, organisation: Organisation, locations: dict[str, Location], seed: int,
                 as_of: dt.date) -> None:
        self.org = organisation
        self.locations = locations
        self.seed = seed
        self.as_of = as_of
        self.cutoff = dt.datetime.combine(as_of, dt.time(0), tzinfo=LONDON)
        self.start = self.cutoff - dt.timedelta(days=HISTORY_DAYS)
        self.themes: dict[str, Theme] = {}
        by_title = {(t.location_id, t.title): t
                    for t in Theme.objects.filter(organisation=organisation)}
        for name, (key, plan) in THEME_KEYS.items():
            theme = by_title.get((locations[key].pk, plan.title))
            if theme is not None:
                self.themes[name] = theme
        self.staff: dict[str, list[StaffMember]] = {
            key: list(StaffMember.objects.filter(locations=loc).order_by("staff_reference"))
            for key, loc in locations.items()}
        self.planned: list[tuple[Meeting, list[StaffMember], list[Any]]] = []
        self.counts: dict[str, int] = {}

    def rng(self, *parts: str) -> random.Random:
        return random.Random(":".join([str(self.seed), "governance", *parts]))

    def _count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    # -- people ------------------------------------------------------------------------------
    def working(self, key: str, day: dt.date, *roles: str) -> list[StaffMember]:
        return [s for s in self.staff[key]
                if s.start_date <= day and (s.leaving_date is None or s.leaving_date >= day)
                and (not roles or s.job_role in roles)]

    def manager(self, key: str) -> StaffMember:
        manager = self.locations[key].registered_manager
        assert manager is not None
        return manager

    def senior(self, key: str, day: dt.date, *roles: str) -> StaffMember:
        found = self.working(key, day, *roles)
        return found[0] if found else self.manager(key)

    # -- cadences ----------------------------------------------------------------------------
    def cadences(self) -> None:
        for spec in MANUAL:
            location = self.locations[spec.key] if spec.key else None
            cadence_create(actor=ACTOR, organisation=self.org, location=location,
                           title=spec.title, owner_role=spec.owner_role,
                           frequency=spec.frequency, weekday=spec.weekday,
                           completes_with=spec.completes_with,
                           completes_params=spec.params, grace_days=spec.grace_days)
            self._count("cadences")
        for cadence in Cadence.objects.filter(organisation=self.org, archived_at__isnull=True,
                                              source=Cadence.Source.PLAYBOOK):
            if cadence.completes_with == "tracker_review" and cadence.frequency == "weekly" \
                    and (cadence.completes_params or {}).get("tracker") == "medicines_checks":
                # The manager reviews the week's checks on the Wednesday after it.
                cadence_update(actor=ACTOR, cadence=cadence, expected_version=cadence.version,
                               changes={"weekday": 2, "title": MAR_REVIEW})
            elif cadence.completes_params.get("meeting_type") == "board" and \
                    cadence.location_id is not None:
                # Board scrutiny is the organisation's: the board meets at organisation level.
                cadence_update(actor=ACTOR, cadence=cadence, expected_version=cadence.version,
                               changes={"location": None})

    def history(self) -> None:
        """A year of occurrences for every cadence the records can complete; the daily log
        reviews (completed by hand, a quiet day leaves no record) only for the last days, and
        the per-shift MAR checks for the last four weeks."""
        yearly, recent, shifts = [], [], []
        for cadence in Cadence.objects.filter(organisation=self.org, archived_at__isnull=True):
            if cadence.frequency == "per_shift":
                shifts.append(cadence)
            elif cadence.frequency == "daily" and cadence.completes_with == "tracker_review":
                recent.append(cadence)
            elif not (cadence.completes_with == "tracker_review"
                      and cadence.completes_params.get("tracker") == "incidents"):
                yearly.append(cadence)
            else:
                recent.append(cadence)
        occurrences_generate(cadences=yearly, start=self.start, end=self.cutoff, now=self.cutoff)
        # A year of per-shift checks would be some 730 rows at one home: the last four weeks
        # show the rhythm (the checks themselves go back two years).
        occurrences_generate(cadences=shifts, start=self.cutoff - dt.timedelta(days=28),
                             end=self.cutoff, now=self.cutoff)
        occurrences_generate(cadences=recent, start=self.cutoff - dt.timedelta(days=3),
                             end=self.cutoff, now=self.cutoff)

    # -- meetings ----------------------------------------------------------------------------
    def _meeting(self, key: str, meeting_type: str, day: dt.date, title: str,
                 chair: StaffMember | None, attendees: list[StaffMember],
                 items: list[tuple[str, Theme | None, list[dict[str, Any]]]]) -> None:
        """Plan a meeting; `write_meetings` writes them all at once."""
        location = self.locations[key] if key else None
        meeting = Meeting(organisation=self.org, location=location, meeting_type=meeting_type,
                          held_on=day, title=title, chair=chair)
        self.planned.append((meeting, list({a.pk: a for a in attendees}.values()), items))

    def write_meetings(self, writer: Writer) -> None:
        """The planned meetings, their agenda and minutes, written in bulk with history
        (events muted), then the few action minutes through the service (each creates a
        tracked theme action), then the occurrences the meetings complete."""
        self.planned.sort(key=lambda p: (p[0].held_on, p[0].meeting_type,
                                         p[0].location_id or 0))
        meetings = [m for m, _, _ in self.planned]
        agenda: list[AgendaItem] = []
        entries: list[MinuteEntry] = []
        actions: list[tuple[AgendaItem, dict[str, Any]]] = []
        with events.muted():
            writer.create(meetings, m2m={"attendees": [a for _, a, _ in self.planned]})
            for meeting, _, items in self.planned:
                for order, (title, theme, _) in enumerate(items, start=1):
                    agenda.append(AgendaItem(organisation=self.org, meeting=meeting,
                                             title=title, theme=theme, order=order))
            writer.create(agenda)
            row = iter(agenda)
            for meeting, _, items in self.planned:
                for _, _, planned in items:
                    item = next(row)
                    for entry in planned:
                        if entry["kind"] == "action":
                            actions.append((item, entry))
                            continue
                        entries.append(MinuteEntry(organisation=self.org, meeting=meeting,
                                                   agenda_item=item, **entry))
            writer.create(entries)
        for item, entry in actions:
            minute = minute_entry_create(actor=ACTOR, meeting=item.meeting, agenda_item=item,
                                         today=self.as_of, **entry)
            due = entry["action_due_date"]
            if item.meeting.location_id != self.locations["MB"].pk and \
                    due < self.as_of - dt.timedelta(days=7) and minute.action is not None:
                # Done (a few days early) everywhere but at the drifting home.
                action_update(actor=ACTOR, action=minute.action, expected_version=None,
                              changes={"status": "done",
                                       "completed_on": due - dt.timedelta(days=3)})
        self._count("meetings", len(meetings))
        self._count("minute entries", len(entries) + len(actions))
        for meeting in meetings:
            self._count("completed", handle_record_written(
                actor=ACTOR, label="meetings.meeting", objs=[meeting]))

    def _months(self) -> list[int]:
        """Months ago of the past year's months, oldest first (the current month left out)."""
        return list(range(12, 0, -1))

    def _entries(self, rng: random.Random, key: str, day: dt.date, theme_key: str | None,
                 topic: str, challenge: bool, action: bool) -> list[dict[str, Any]]:
        bank = text.TOPICS[topic]
        theme = self.themes.get(theme_key) if theme_key else None
        entries: list[dict[str, Any]] = [{"kind": "update", "text": rng.choice(bank.updates),
                                          "theme": theme}]
        if challenge:
            question, answer = rng.choice(bank.challenges)
            asker = rng.choice(self.working(key, day, *text.ASKERS) or [self.manager(key)]) \
                if key else None
            entries.append({"kind": "challenge", "question": question, "answer": answer,
                            "asked_by": asker, "satisfied": rng.random() < 0.8,
                            "theme": theme})
        if action and theme is not None:
            entries.append({"kind": "action", "text": rng.choice(bank.actions), "theme": theme,
                            "action_owner": self.manager(key),
                            "action_due_date": day + dt.timedelta(days=rng.choice((21, 28,
                                                                                   42)))})
        elif challenge and bank.decisions and rng.random() < 0.5:
            entries.append({"kind": "decision", "decision": rng.choice(bank.decisions),
                            "theme": theme})
        return entries

    def rosewood(self) -> None:
        rng = self.rng("meetings", "RH")
        manager = self.manager("RH")
        deputy = self.senior("RH", self.as_of, "Deputy manager")
        for months in self._months():
            day = months_before(self.as_of, months, rng.randint(8, 20))
            people = [manager, deputy, *self.working("RH", day, "Senior carer")[:3]]
            items = [(title, self.themes.get(name),
                      self._entries(rng, "RH", day, name, topic,
                                    challenge=rng.random() < 0.9, action=rng.random() < 0.12))
                     for title, name, topic in text.RH_QUALITY_ITEMS
                     if name is None or self._open(name, day)]
            self._meeting("RH", "governance_meeting", day, "Monthly quality meeting", manager,
                          people, items)
            team_day = day + dt.timedelta(days=rng.randint(3, 8))
            self._meeting("RH", "team_meeting", team_day, "Team meeting", manager,
                          self.working("RH", team_day)[:8],
                          [("One care plan update", self._theme_on("RH:care-planning", team_day),
                            self._entries(rng, "RH", team_day, self._name_on(
                                "RH:care-planning", team_day), "care_plan_update",
                                challenge=rng.random() < 0.7, action=False)),
                           ("Medicines: what the checks found", self._theme_on(
                               "RH:medicines", team_day),
                            self._entries(rng, "RH", team_day, self._name_on(
                                "RH:medicines", team_day), "medicines",
                                challenge=rng.random() < 0.5, action=False))])
            clinic_day = day + dt.timedelta(days=rng.randint(-6, -1))
            self._meeting("RH", "care_plan_clinic", clinic_day, "Care-plan clinic", deputy,
                          [deputy, manager],
                          [("Plans due for review this month", self._theme_on(
                              "RH:care-planning", clinic_day),
                            self._entries(rng, "RH", clinic_day, self._name_on(
                                "RH:care-planning", clinic_day), "care_planning",
                                challenge=rng.random() < 0.6, action=False))])
        # The weekly safeguarding review meeting, every week (on the Thursday).
        first = (self.start.date() + dt.timedelta(days=(3 - self.start.date().weekday()) % 7))
        day = first
        daily = {self.as_of - dt.timedelta(days=d) for d in (8, 9, 10)}
        while day < self.as_of:
            self._meeting("RH", "weekly_safeguarding_review", day,
                          "Weekly safeguarding review", manager, [manager, deputy],
                          [("Concerns raised this week", self._theme_on("RH:safeguarding", day),
                            self._entries(rng, "RH", day, self._name_on("RH:safeguarding", day),
                                          "safeguarding", challenge=rng.random() < 0.6,
                                          action=False))])
            day += dt.timedelta(days=7)
        for day in sorted(daily):
            self._meeting("RH", "daily_safeguarding_review", day, "Daily safeguarding review",
                          manager, [manager],
                          [("Overnight and today's log", self._theme_on("RH:safeguarding", day),
                            [{"kind": "update", "text": rng.choice(text.DAILY_SAFEGUARDING),
                              "theme": self._theme_on("RH:safeguarding", day)}])])

    def _open(self, name: str, day: dt.date) -> bool:
        key, plan = THEME_KEYS[name]
        return name in self.themes and day >= theme_opened(plan, self.as_of)

    def _theme_on(self, name: str, day: dt.date) -> Theme | None:
        return self.themes[name] if self._open(name, day) else None

    def _name_on(self, name: str, day: dt.date) -> str | None:
        return name if self._open(name, day) else None

    def meadowbank(self) -> None:
        """Quality meetings drift to updates only in the last five months, and go late;
        care-plan clinics thin out; the last provider review is missed."""
        rng = self.rng("meetings", "MB")
        manager = self.manager("MB")
        deputy = self.senior("MB", self.as_of, "Deputy manager")
        for months in self._months():
            drifting = months <= 5
            late = months <= 6
            if months in (2,):
                continue  # no quality meeting at all that month
            day = months_before(self.as_of, months, rng.randint(10, 20))
            if late:  # held in the first days of the next month
                day = months_before(self.as_of, months - 1, rng.randint(2, 5))
            if day >= self.as_of:
                continue
            items = []
            for title, name, topic in text.MB_QUALITY_ITEMS:
                theme_name = name if name and self._open(name, day) else None
                items.append((title, self.themes.get(theme_name) if theme_name else None,
                              self._entries(rng, "MB", day, theme_name, topic,
                                            challenge=not drifting and rng.random() < 0.75,
                                            action=not drifting and rng.random() < 0.08)))
            self._meeting("MB", "governance_meeting", day, "Monthly quality meeting", manager,
                          [manager, deputy], items)
            if not late or months in (6, 4):
                clinic = months_before(self.as_of, months, rng.randint(12, 24))
                if late:
                    clinic = months_before(self.as_of, months - 1, 3)
                self._meeting("MB", "care_plan_clinic", clinic, "Care-plan clinic", deputy,
                              [deputy],
                              [("Plans due for review", None,
                                [{"kind": "update", "text": rng.choice(
                                    text.TOPICS["care_planning"].updates)}])])

    def steady(self) -> None:
        """Willow Court, Wakefield and Larch Close: every meeting held, with challenge."""
        for key, meeting_type, title in (
                ("WC", "governance_meeting", "Quality risk review"),
                ("WC", "care_plan_clinic", "Care-plan clinic"),
                ("WH", "governance_meeting", "Monthly quality meeting"),
                ("LC", "governance_meeting", "Monthly quality meeting")):
            rng = self.rng("meetings", key, meeting_type)
            manager = self.manager(key)
            for months in self._months():
                day = months_before(self.as_of, months, rng.randint(6, 24))
                theme_name = "WC:governance" if key == "WC" and \
                    meeting_type == "governance_meeting" else None
                topic = "care_planning" if meeting_type == "care_plan_clinic" else "governance"
                self._meeting(key, meeting_type, day, title, manager,
                              self.working(key, day, *text.ASKERS)[:4] or [manager],
                              [(rng.choice(text.STEADY_ITEMS[topic]),
                                self.themes.get(theme_name) if theme_name else None,
                                self._entries(rng, key, day, theme_name, topic,
                                              challenge=rng.random() < 0.85, action=False))])

    def provider_level(self) -> None:
        """Quarterly provider reviews at organisation level and at the homes whose playbooks
        ask for one, and quarterly board meetings, discussing the themes."""
        rng = self.rng("meetings", "provider")
        for months in (10, 7, 4, 1):
            day = months_before(self.as_of, months, rng.randint(6, 12))
            items = [(title, self.themes.get(name) if name and self._open(name, day) else None,
                      [{"kind": "update", "text": rng.choice(text.TOPICS[topic].updates),
                        "theme": self.themes.get(name) if name and self._open(name, day)
                        else None},
                       {"kind": "challenge", "question": q, "answer": a,
                        "satisfied": rng.random() < 0.75,
                        "theme": self.themes.get(name) if name and self._open(name, day)
                        else None}])
                     for (title, name, topic), (q, a) in zip(
                         text.PROVIDER_ITEMS, rng.sample(text.PROVIDER_CHALLENGES,
                                                         len(text.PROVIDER_ITEMS)), strict=True)]
            self._meeting("", "provider_review", day, "Quarterly provider review", None, [],
                          items)
            board_day = day + dt.timedelta(days=rng.randint(7, 10))
            if board_day < self.as_of:
                self._meeting("", "board", board_day, "Board: quality and governance report",
                              None, [], items[:3])
            for key in ("RH", "WC", "MB"):
                if key == "MB" and months == 4:
                    continue  # the falls provider review did not happen last quarter
                home_day = day - dt.timedelta(days=rng.randint(1, 5))
                name = {"RH": "RH:medicines", "WC": "WC:governance", "MB": "MB:falls"}[key]
                # Meadowbank's last visit heard the updates and asked nothing.
                challenge = not (key == "MB" and months == 1)
                self._meeting(key, "provider_review", home_day, "Provider review visit",
                              self.manager(key), [self.manager(key)],
                              [("Themes and trends", self._theme_on(name, home_day),
                                self._entries(rng, key, home_day, self._name_on(name, home_day),
                                              "provider", challenge=challenge, action=False))])

    # -- audits ------------------------------------------------------------------------------
    def _answer(self, rng: random.Random, question: dict[str, Any], share: float) -> Any:
        kind = question.get("answer_type")
        right = rng.random() < share
        if kind == AnswerType.YES_NO:
            return "yes" if right or question.get("critical") else "no"
        if kind == AnswerType.SCALE:
            top = int(question.get("scale_max") or 4)
            return top if right else max(0, top - 1)
        if kind == AnswerType.NUMBER:
            limit, floor = question.get("at_most"), question.get("at_least")
            if limit is not None:
                return int(limit) if right else int(limit) + 1
            if floor is not None:
                return int(floor) if right else max(0, int(floor) - 1)
            return 2
        return "" if not question.get("required", True) else "Checked; nothing further."

    def _audit(self, rng: random.Random, key: str, code: str, day: dt.date, kind: str,
               share: float, completed: dt.datetime | None,
               due: dt.date | None = None) -> Any:
        """An audit answered and completed at `completed` (None: left as a draft)."""
        location = self.locations[key]
        template = AuditTemplate.objects.filter(code=code).order_by("-version").first()
        assert template is not None, code
        refs = list(PersonSupported.objects.filter(location=location, admission_date__lte=day)
                    .order_by("reference").values_list("reference", flat=True))
        samples = rng.sample(refs, min(template.sample_size, len(refs)))
        audit = audit_start(actor=ACTOR, organisation=self.org, location=location,
                            template=template, audit_date=day, kind=kind, samples=samples,
                            due_date=due)
        answers: dict[str, Any] = {}
        per_sample: dict[str, dict[str, Any]] = {}
        for section in template.sections:
            for question in section["questions"]:
                if question.get("per_sample"):
                    per_sample[question["code"]] = {
                        s: self._answer(rng, question, share) for s in samples}
                else:
                    answers[question["code"]] = self._answer(rng, question, share)
        audit = audit_save(actor=ACTOR, audit=audit, answers=answers, sample_answers=per_sample,
                           expected_version=audit.version)
        failed = sorted({item.split("@", 1)[0] for item in score_of(audit).failed_items})
        notes = {c: f"{c}: below standard on the day; followed up with the staff involved."
                 for c in failed}
        audit = audit_save(actor=ACTOR, audit=audit, item_notes=notes,
                           analysis=text.audit_analysis(kind, share, len(samples)),
                           expected_version=audit.version)
        self._count("audits")
        if completed is None:
            return audit
        return audit_complete(actor=ACTOR, audit=audit, expected_version=audit.version,
                              completed_at=completed)

    def audits(self) -> None:
        """Rosewood's routine audits between the recovery's theme audits (on time); Meadowbank's
        monthly falls audit, later and later and then not done."""
        rng = self.rng("audits")
        recovery = {months for months, _, _ in THEME_KEYS["RH:care-planning"][1].audit_scores}
        for months in self._months():
            day = months_before(self.as_of, months, 24)
            at = dt.datetime.combine(day, dt.time(15), tzinfo=LONDON)
            if months not in recovery:
                self._audit(rng, "RH", CARE_PLAN_TEMPLATE, day, "self", 0.93, at)
            self._audit(rng, "RH", SAFEGUARDING_TEMPLATE, day - dt.timedelta(days=3),
                        "independent", 0.95, at - dt.timedelta(days=3))
            if months % 3 == 2:
                self._audit(rng, "RH", CARE_PLAN_TEMPLATE, day - dt.timedelta(days=10),
                            "independent", 0.94, at - dt.timedelta(days=10))
            # Meadowbank: on time until six months ago, then days late, then skipped.
            if months > 6:
                mb_day = months_before(self.as_of, months, rng.randint(15, 26))
            elif months in (6, 5, 4):
                mb_day = months_before(self.as_of, months - 1, rng.randint(2, 6))
            else:
                continue
            if mb_day >= self.as_of:
                continue
            self._audit(rng, "MB", FALLS_TEMPLATE, mb_day, "self", 0.8 if months > 6 else 0.66,
                        dt.datetime.combine(mb_day, dt.time(16), tzinfo=LONDON))
        self.meadowbank_audits()

    def meadowbank_audits(self) -> None:
        """Meadowbank's monthly care-plan and MAR audits, each with a due date: done by it
        until six months ago, then days or weeks late; over the last three months the MAR
        audit and the falls audit are started and not finished (the drift sign "audits
        completed late or without analysis")."""
        rng = self.rng("audits", "MB-routine")
        for months in self._months():
            for code, due_day in (("care-plan-audit", 12), ("mar-audit", 20), (FALLS_TEMPLATE,
                                                                                26)):
                due = months_before(self.as_of, months, due_day)
                if code == FALLS_TEMPLATE:  # the falls audit itself is in `audits`
                    if months <= 3:
                        self._audit(rng, "MB", code, due - dt.timedelta(days=2), "self", 0.66,
                                    None, due)
                    continue
                if months > 6:
                    done = due - dt.timedelta(days=rng.randint(0, 4))
                elif code == "mar-audit" and months <= 3:
                    self._audit(rng, "MB", code, due + dt.timedelta(days=rng.randint(3, 9)),
                                "self", 0.7, None, due)
                    continue
                else:
                    done = due + dt.timedelta(days=rng.randint(4, 16))
                at = dt.datetime.combine(done, dt.time(15, 30), tzinfo=LONDON)
                if at >= self.cutoff:
                    continue
                self._audit(rng, "MB", code, done, "self", 0.85 if months > 6 else 0.7, at, due)

    # -- completion --------------------------------------------------------------------------
    def complete(self) -> None:
        """The occurrences the operational records complete (they were written with events
        muted): as `occurrences_reconcile` does, oldest record first, but only the records
        that can fall in a window still open (not two years of them)."""
        for location in self.locations.values():
            cadences = list(Cadence.objects.filter(location=location,
                                                   archived_at__isnull=True))
            labels = sorted({k.label for c in cadences for k in kinds_for_cadence(c)}
                            - {"meetings.meeting", "audits.audit"})
            for label in labels:
                kind = kinds_for_label(label)[0]
                earliest = Occurrence.objects.filter(
                    location=location, status=Occurrence.Status.OPEN,
                    cadence__completes_with=kind.kind, archived_at__isnull=True) \
                    .order_by("window_start").values_list("window_start", flat=True).first()
                if earliest is None:
                    continue
                model = apps.get_model(label)
                records = [(at, obj.pk, obj) for obj in model._default_manager.filter(
                    location=location, archived_at__isnull=True)
                    if (at := kind.belongs_at(obj)) is not None and at >= earliest]
                for _, _, obj in sorted(records, key=lambda r: (r[0], r[1])):
                    self._count("completed", handle_record_written(actor=ACTOR, label=label,
                                                                   objs=[obj]))
        # Reviews with no record of their own, completed by hand with what was done.
        rng = self.rng("manual")
        for occurrence in Occurrence.objects.filter(
                organisation=self.org, status=Occurrence.Status.OPEN,
                cadence__completes_with="tracker_review", due_at__lt=self.cutoff,
                cadence__frequency__in=["daily", "monthly"]).select_related(
                    "cadence", "location").order_by("due_at", "pk"):
            due_day = occurrence.due_at.astimezone(LONDON).date()
            if occurrence.location.name == self.locations["RH"].name and \
                    due_day == self.as_of - dt.timedelta(days=1):
                continue  # yesterday's log review is still to do: overdue in My work
            if occurrence.location_id == self.locations["MB"].pk and \
                    due_day >= self.as_of - dt.timedelta(days=2):
                continue
            occurrence_complete(
                actor=ACTOR, occurrence=occurrence, reason=rng.choice(text.MANUAL_REASONS),
                now=occurrence.due_at - dt.timedelta(hours=rng.randint(2, 6)))
            self._count("completed by hand")
        self._count("missed", occurrences_mark_missed(now=self.cutoff, organisation=self.org,
                                                      actor=ACTOR))

    # -- lessons and hand-over ---------------------------------------------------------------
    def lessons(self) -> None:
        medicines = self.themes["RH:medicines"]
        learnt = months_before(self.as_of, 7, 12)
        lesson = lesson_create(
            actor=ACTOR, organisation=self.org, title=text.LESSON_TITLE,
            what_happened=text.LESSON_WHAT_HAPPENED, in_practice=text.LESSON_IN_PRACTICE,
            origin_theme=medicines, applies_to_all=True, owner=self.manager("RH"),
            as_of=learnt)
        adoptions = {a.location_id: a for a in LessonAdoption.objects.filter(lesson=lesson)}
        plan = (("RH", "adopted", "audits.audit", months_before(self.as_of, 6, 20)),
                ("WC", "adopted", "meetings.meeting", months_before(self.as_of, 4, 28)),
                ("LC", "adopted", "meetings.meeting", months_before(self.as_of, 2, 28)),
                ("WH", "in_progress", "", months_before(self.as_of, 1, 15)),
                ("MB", "in_progress", "", months_before(self.as_of, 5, 9)))
        for key, status, kind, day in plan:
            adoption = adoptions[self.locations[key].pk]
            changes: dict[str, Any] = {"status": status, "notes": text.ADOPTION_NOTES[key]}
            if kind:
                changes.update(evidence_type=kind, evidence_id=str(self._evidence(key, kind,
                                                                                  day)))
            lesson_adoption_update(actor=ACTOR, adoption=adoption, changes=changes,
                                   expected_version=adoption.version, as_of=day)
        falls = self.themes["MB:falls"]
        lesson_create(actor=ACTOR, organisation=self.org, title=text.STALLED_TITLE,
                      what_happened=text.STALLED_WHAT_HAPPENED,
                      in_practice=text.STALLED_IN_PRACTICE, origin_theme=falls,
                      applies_to=[self.locations["RH"], self.locations["WC"]],
                      owner=self.manager("MB"), as_of=self.as_of - dt.timedelta(days=70))
        self._count("lessons", 2)

    def _evidence(self, key: str, kind: str, day: dt.date) -> Any:
        location = self.locations[key]
        if kind == "audits.audit":
            from sustain.audits.models import Audit

            record = Audit.objects.filter(location=location, status="completed",
                                          audit_date__lte=day).order_by("-audit_date").first()
        else:
            record = Meeting.objects.filter(location=location, held_on__lte=day,
                                            meeting_type="governance_meeting") \
                .order_by("-held_on").first()
        assert record is not None, (key, kind)
        return record.uuid

    def owners(self) -> None:
        """Each theme is owned by its home's registered manager (the recovery story leaves the
        owner empty when the location's manager was set after it was loaded)."""
        for theme in Theme.objects.filter(organisation=self.org, owner__isnull=True,
                                          location__isnull=False).order_by("pk"):
            key = next(k for k, loc in self.locations.items() if loc.pk == theme.location_id)
            theme_update(actor=ACTOR, theme=theme, changes={"owner": self.manager(key)},
                         expected_version=theme.version)

    def handover(self) -> None:
        """Meadowbank's registered manager, owner of the falls theme, leaves in two weeks."""
        manager = self.manager("MB")
        manager.refresh_from_db()
        manager = staff_update(actor=ACTOR, staff=manager, expected_version=manager.version,
                               changes={"leaving_date": self.as_of + dt.timedelta(days=14)})
        # The lessons app writes the note when it sees the leaving date; as a demo builder we
        # also ask for it directly (idempotent: a theme has at most one open note).
        handover_owner_leaving(actor=ACTOR, staff=manager, as_of=self.as_of)


def build_governance(*, organisation: Organisation, locations: dict[str, Location], seed: int,
                     as_of: dt.date) -> dict[str, int]:
    """Add a year of governance history to a demo organisation that has its operational
    records. Returns counts of what was written."""
    story = GovernanceStory(organisation, locations, seed, as_of)
    governance_cycles_ensure(organisation=organisation, up_to=as_of,
                             since=months_before(as_of, 24, 1))
    story.cadences()
    story.history()
    story.rosewood()
    story.meadowbank()
    story.steady()
    story.provider_level()
    story.write_meetings(Writer())
    story.audits()
    story.complete()
    story.owners()
    story.lessons()
    story.handover()
    # The embedding map and the lifecycle read meetings and occurrences too.
    themes_reevaluate(organisation_id=organisation.pk, as_of=as_of)
    return story.counts
