"""Constructed records for drift tests: a location whose records drift in October 2026 (every
seed sign at full score) or stay healthy, judged by a run on 15 November 2026."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sustain.audits.models import Audit
from sustain.audits.tests.factories import CarePlanTemplateFactory
from sustain.careplans.models import CarePlanReview
from sustain.feedback.models import Feedback, Visit
from sustain.governance.models import Cadence
from sustain.meetings.models import Meeting, MinuteEntry
from sustain.people.tests.factories import PersonFactory, StaffFactory
from sustain.themes.models import Action
from sustain.themes.tests.factories import ThemeFactory
from sustain.workforce.models import Supervision

LONDON = ZoneInfo("Europe/London")
AS_OF = dt.date(2026, 11, 15)
OCT = dt.date(2026, 10, 1)
BASELINE_MONTHS = (dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 9, 1))
LONG_ANALYSIS = ("Most records were complete; two gaps in the evening round were followed up "
                 "with the staff concerned and the handover sheet has changed.")
WORDS = ["mobility", "falls", "sensor", "hydration", "chart", "night", "family", "pain",
         "appetite", "weight", "wound", "pressure", "medicines", "rota", "training", "handover",
         "dementia", "activity", "wellbeing", "continence", "sleep", "mood", "referral"]
GENERIC = "Discussed role. No concerns. Continue as before."


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def distinct_note(seed: int, words: int = 60) -> str:
    """Words of a large made-up vocabulary, so that two notes share few words."""
    rng = random.Random(seed)
    return " ".join(f"{rng.choice(WORDS)}{rng.randint(0, 999)}" for _ in range(words)) + "."


class Records:
    """Builds one location's records."""

    def __init__(self, location: Any) -> None:
        self.location = location
        self.org = location.organisation
        self.manager = self.staff("Rhian Morgan", "Registered manager")
        self.carers = [self.staff(f"Carer {i}", "Care assistant") for i in range(6)]
        self.template = CarePlanTemplateFactory(min_analysis_length=60)
        self.theme = ThemeFactory(location=location, title="Medicines recording",
                                  embedding_channels=["supervision", "audit_cycles"],
                                  owner=self.manager)
        # open since before the baseline, so supervisions had a theme to link to
        type(self.theme).objects.filter(pk=self.theme.pk).update(
            created_at=at(dt.date(2026, 1, 5)), stage_since=dt.date(2026, 1, 5))
        self.n = 0

    def staff(self, name: str, role: str, leaving: dt.date | None = None) -> Any:
        s = StaffFactory(organisation=self.org, full_name=name, job_role=role,
                         start_date=dt.date(2020, 1, 1), leaving_date=leaving)
        s.locations.add(self.location)
        return s

    def _seq(self) -> int:
        self.n += 1
        return self.n

    # --- records ---
    def audit(self, *, due: dt.date | None, done: dt.date | None, analysis: str = LONG_ANALYSIS,
              score: float = 90, kind: str = "self", template: Any = None, theme: Any = None,
              auditor: Any = None) -> Audit:
        return Audit.objects.create(
            organisation=self.org, location=self.location, template=template or self.template,
            audit_date=done or due, due_date=due, theme=theme, is_reaudit=theme is not None,
            status="completed" if done else "draft", completed_at=at(done) if done else None,
            analysis=analysis if done else "", score=score if done else None, kind=kind,
            auditor=auditor)

    def supervision(self, day: dt.date, notes: str, linked: bool) -> Supervision:
        i = self._seq()
        s = Supervision.objects.create(
            organisation=self.org, location=self.location, date=day,
            supervisor=self.manager, supervisee=self.carers[i % len(self.carers)],
            notes=notes, next_due=day + dt.timedelta(days=60))
        if linked:
            s.themes.add(self.theme)
        return s

    def review(self, day: dt.date, checks: int, words: int) -> CarePlanReview:
        flags = [i < checks for i in range(4)]
        text = " ".join(["detail"] * words)
        return CarePlanReview.objects.create(
            organisation=self.org, location=self.location,
            person=PersonFactory(location=self.location), due_date=day, completed_on=day,
            checked_daily_notes=flags[0], checked_incidents=flags[1],
            checked_family_feedback=flags[2], checked_observed_practice=flags[3],
            mismatch_found=bool(words), mismatch_detail=text, changes_made="")

    def feedback(self, received: dt.date, responded: dt.date | None, rating: int = 1) -> Feedback:
        return Feedback.objects.create(
            organisation=self.org, location=self.location, source="family", channel="survey",
            received_on=received, rating=rating, text="The evening meal was cold again.",
            response="Changed the serving order." if responded else "", responded_on=responded)

    def visit(self, day: dt.date, kind: str = "provider") -> Visit:
        return Visit.objects.create(organisation=self.org, location=self.location,
                                    visitor=self.manager, date=day, type=kind,
                                    looked_at="Medicines and care plans")

    def visit_cadence(self) -> Cadence:
        return Cadence.objects.create(
            organisation=self.org, location=self.location, title="Provider visit",
            owner_role="nominated_individual", frequency="monthly", day_of_month=1,
            completes_with="visit", completes_params={"visit_type": "senior_visit"})

    def action(self, done: dt.date, owner: Any = None) -> Action:
        return Action.objects.create(
            organisation=self.org, theme=self.theme, location=self.location,
            description="Recheck the MAR charts at the end of each round",
            raised_on=done - dt.timedelta(days=20), due_date=done, status="done",
            completed_on=done, owner=owner or self.manager)

    def meeting(self, day: dt.date, challenges: int) -> Meeting:
        m = Meeting.objects.create(organisation=self.org, location=self.location,
                                   meeting_type="governance_meeting", held_on=day)
        MinuteEntry.objects.create(organisation=self.org, meeting=m, kind="update",
                                   text="Audit results were presented.")
        for _ in range(challenges):
            MinuteEntry.objects.create(organisation=self.org, meeting=m, kind="challenge",
                                       question="Why were two audits late?")
        return m

    # --- histories ---
    def baseline(self) -> None:
        """Three healthy months before October."""
        for month in BASELINE_MONTHS:
            for d in (3, 10, 17):
                self.supervision(month.replace(day=d), distinct_note(self._seq()), True)
                self.review(month.replace(day=d), 4, 40)
            self.visit(month.replace(day=5))
            self.meeting(month.replace(day=20), 2)
        self.visit_cadence()

    def healthy_october(self) -> None:
        for d in (5, 12, 19):
            self.audit(due=OCT.replace(day=d + 5), done=OCT.replace(day=d))
            self.supervision(OCT.replace(day=d), distinct_note(self._seq()), True)
            self.review(OCT.replace(day=d), 4, 42)
        self.supervision(OCT.replace(day=26), distinct_note(self._seq()), True)
        self.feedback(dt.date(2026, 9, 10), dt.date(2026, 9, 14))
        self.feedback(dt.date(2026, 9, 15), dt.date(2026, 9, 20))
        self.visit(OCT.replace(day=6))
        self.action(OCT.replace(day=4))
        self.action(OCT.replace(day=8))
        self.audit(due=None, done=OCT.replace(day=20), theme=self.theme)
        self.meeting(OCT.replace(day=21), 1)

    def drifting_october(self) -> None:
        self.visits_stop()
        for d in (5, 12, 19):
            self.audit(due=OCT.replace(day=d), done=OCT.replace(day=d + 7))  # late
            self.supervision(OCT.replace(day=d), GENERIC, False)
            self.review(OCT.replace(day=d), 1, 3)
        self.supervision(OCT.replace(day=26), GENERIC, False)
        self.feedback(dt.date(2026, 9, 10), None)
        self.feedback(dt.date(2026, 9, 15), dt.date(2026, 11, 1))  # after 30 days
        self.action(OCT.replace(day=4))
        self.action(OCT.replace(day=8))
        for day in (dt.date(2026, 10, 2), dt.date(2026, 10, 14), dt.date(2026, 10, 28)):
            self.meeting(day, 0)

    def visits_stop(self) -> None:
        """No senior visit since 5 July: archive the later baseline visits."""
        Visit.objects.filter(location=self.location, date__gt=dt.date(2026, 7, 5)).update(
            archived_at=at(dt.date(2026, 11, 1)))


@pytest.fixture
def records(location: Any) -> Records:
    return Records(location)
