"""Readers for the seven seed signs: audits, supervisions, care-plan reviews, feedback, senior
visits and their cadence, theme actions and quality meetings (see the package docstring).

What each fact is made of (ADR 0016, "consequences"):

- **audit**: due date; completion date (local date of `completed_at`, drafts have none);
  written analysis length in characters against the template's `min_analysis_length`; the
  theme it re-audits (an audit recorded against a theme); its score and kind (the service's
  own audit or the provider's independent sample) for tested assurance;
- **supervision**: date; the notes are topics + notes + agreed actions as written; *linked*
  when the supervision names at least one theme (supervisions record no link to a single
  action, so the theme link is what counts);
- **care-plan review**: completion date; checks ticked of the four (daily notes, incidents,
  family feedback, observed practice); words of "what did not match" and "changes made";
- **feedback**: *negative* when rated 1 or 2 of 5 (unrated feedback is not judged); acted on
  at the earlier of its response date and the first action raised on or after receipt on a
  theme the feedback is linked to;
- **senior visit**: provider, spot-check and night visits (`governance.rules`); the cadence is
  the location's live "senior visit" cadence (the most frequent if several), in days;
- **action**: theme actions done (done or effective) with their done date and theme;
- **meeting**: the location's monthly quality meetings, team meetings, care-plan clinics and
  provider reviews, with their minute counts (`engine.meeting_rules`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Length, TruncDate

from sustain.audits.models import Audit
from sustain.careplans.models import CarePlanReview
from sustain.drift.adapters import Ref, Window, day, ref
from sustain.engine.assurance import AuditScore
from sustain.engine.drift import (
    ActionFact,
    AuditFact,
    FeedbackFact,
    ReviewFact,
    SupervisionFact,
    VisitFact,
)
from sustain.engine.drift_text import word_count
from sustain.engine.meeting_rules import Counts, EntryKind, MeetingFact
from sustain.feedback.models import Feedback, Visit
from sustain.governance.models import Cadence, CompletesWith
from sustain.governance.rules import SENIOR_VISIT_TYPES
from sustain.meetings.models import TYPE_LABELS, Meeting, MinuteEntry
from sustain.themes.models import Action, ActionStatus
from sustain.workforce.models import Supervision

NEGATIVE_RATING = 2  # ratings 1–2 of 5 are negative
QUALITY_MEETING_TYPES = ("governance_meeting", "team_meeting", "care_plan_clinic",
                         "provider_review")
VISIT_LOOKBACK_DAYS = 400  # the last visit before the window opens the first interval
CADENCE_DAYS = {"daily": 1, "weekly": 7, "fortnightly": 14, "monthly": 30, "quarterly": 91,
                "six_monthly": 182, "annually": 365}


@dataclass
class Facts:
    """One reader's output: facts per location id, and the reference of every record."""

    by_location: dict[int, list] = field(default_factory=lambda: defaultdict(list))
    refs: dict[str, Ref] = field(default_factory=dict)

    def add(self, location_id: int, fact: object, reference: Ref) -> None:
        self.by_location[location_id].append(fact)
        self.refs[reference["uuid"]] = reference


def _live(model: type, window: Window) -> object:
    return model.objects.filter(organisation_id=window.organisation_id,  # type: ignore[attr-defined]
                                location_id__in=window.location_ids, archived_at__isnull=True)


# --- audits ---------------------------------------------------------------------------------

@dataclass
class AuditFacts(Facts):
    scores: dict[int, list[AuditScore]] = field(default_factory=lambda: defaultdict(list))
    template_names: dict[str, str] = field(default_factory=dict)


def subject(title: str) -> str:
    """"Weekly MAR chart audit" → "Weekly MAR chart" (what the audits are of)."""
    return title[:-len(" audit")] if title.lower().endswith(" audit") else title


def audit_label(title: str, independent: bool = False) -> str:
    """"Weekly MAR chart audit", or "Weekly MAR chart audit (independent sample)"."""
    name = f"{subject(title)} audit"
    return f"{name} (independent sample)" if independent else name


def read_audits(window: Window) -> AuditFacts:
    """Audits due, done or dated in the window (one query)."""
    out = AuditFacts()
    rows = _live(Audit, window).filter(
        Q(due_date__range=(window.start, window.end))
        | Q(audit_date__range=(window.start, window.end))
        | Q(completed_at__date__range=(window.start, window.end))
    ).annotate(done_on=TruncDate("completed_at"), analysis_length=Length("analysis")) \
        .order_by("due_date", "pk") \
        .values_list("location_id", "uuid", "due_date", "done_on", "status", "analysis_length",
                     "template__min_analysis_length", "template__code", "template__title",
                     "theme__uuid", "kind", "score", "audit_date")
    for (loc, uuid, due, done, status, length, minimum, code, title, theme, kind, score,
         audit_date) in rows:
        completed = done if status == Audit.Status.COMPLETED else None
        theme_ids = frozenset({str(theme)}) if theme is not None else frozenset()
        independent = kind == Audit.Kind.INDEPENDENT
        when = f"completed {day(completed)}" if completed else \
            f"due {day(due)}" if due else f"dated {day(audit_date)}"
        out.add(loc, AuditFact(str(uuid), due, completed, int(length or 0), int(minimum or 0),
                               theme_ids),
                ref("audit", uuid, f"{audit_label(title, independent)}, {when}"))
        out.template_names[code] = subject(title)
        if completed is not None and score is not None:
            out.scores[loc].append(AuditScore(str(uuid), code, completed, float(score),
                                              independent))
    return out


# --- supervisions ---------------------------------------------------------------------------

def read_supervisions(window: Window) -> Facts:
    """Supervisions held in the window and whether each names a theme (two queries)."""
    out = Facts()
    qs = _live(Supervision, window).filter(date__range=(window.start, window.end))
    linked = set(Supervision.themes.through.objects.filter(
        supervision__in=qs.values("pk")).values_list("supervision_id", flat=True))
    ordered = qs.order_by("date", "pk")
    for pk, loc, uuid, held, topics, notes, agreed, who in ordered.values_list(
            "pk", "location_id", "uuid", "date", "topics", "notes", "agreed_actions",
            "supervisee__full_name"):
        text = "\n".join(t for t in (topics, notes, agreed) if t)
        out.add(loc, SupervisionFact(str(uuid), held, text, pk in linked),
                ref("supervision", uuid, f"Supervision of {who}, {day(held)}"))
    return out


# --- care-plan reviews ----------------------------------------------------------------------

CHECKS = ("checked_daily_notes", "checked_incidents", "checked_family_feedback",
          "checked_observed_practice")


def read_reviews(window: Window) -> Facts:
    """Care-plan reviews completed in the window (one query)."""
    out = Facts()
    for loc, uuid, done, person, mismatch, changes, *checks in _live(
            CarePlanReview, window).filter(completed_on__range=(window.start, window.end)) \
            .order_by("completed_on", "pk") \
            .values_list("location_id", "uuid", "completed_on", "person__reference",
                         "mismatch_detail", "changes_made", *CHECKS):
        words = word_count(f"{mismatch}\n{changes}")
        out.add(loc, ReviewFact(str(uuid), done, sum(bool(c) for c in checks), len(CHECKS),
                                words),
                ref("care_plan_review", uuid, f"Care-plan review {person}, {day(done)}"))
    return out


# --- feedback -------------------------------------------------------------------------------

def read_feedback(window: Window) -> Facts:
    """Negative feedback received in the window with its first response or linked action
    (three queries: the feedback, its theme links, the actions of those themes)."""
    out = Facts()
    qs = _live(Feedback, window).filter(received_on__range=(window.start, window.end),
                                        rating__lte=NEGATIVE_RATING)
    rows = list(qs.order_by("received_on", "pk").values_list(
        "pk", "location_id", "uuid", "received_on", "responded_on",
                               "source", "rating"))
    themes: dict[int, set[int]] = defaultdict(set)
    for fb, theme in Feedback.themes.through.objects.filter(feedback__in=qs.values("pk")) \
            .values_list("feedback_id", "theme_id"):
        themes[fb].add(theme)
    raised: dict[int, list[dt.date]] = defaultdict(list)
    wanted = {t for ts in themes.values() for t in ts}
    if wanted:
        for theme, on in Action.objects.filter(theme_id__in=wanted, archived_at__isnull=True,
                                               raised_on__gte=window.start) \
                .order_by("raised_on", "pk").values_list("theme_id", "raised_on"):
            raised[theme].append(on)
    labels = dict(Feedback._meta.get_field("source").choices)
    for pk, loc, uuid, received, responded, source, rating in rows:
        firsts = [on for t in themes.get(pk, ()) for on in raised.get(t, ()) if on >= received]
        acted = min([d for d in (responded, *firsts) if d is not None], default=None)
        out.add(loc, FeedbackFact(str(uuid), received, True, acted),
                ref("feedback", uuid, f"Feedback from {str(labels.get(source, source)).lower()}"
                                      f" ({rating} of 5), {day(received)}"))
    return out


# --- senior visits and their cadence ---------------------------------------------------------

@dataclass
class VisitFacts(Facts):
    cadence_days: dict[int, int] = field(default_factory=dict)


def read_visits(window: Window) -> VisitFacts:
    """Senior visits from `VISIT_LOOKBACK_DAYS` before the window, and each location's senior
    visit cadence in days (two queries)."""
    out = VisitFacts()
    labels = dict(Visit._meta.get_field("type").choices)
    for loc, uuid, on, kind in _live(Visit, window).filter(
            type__in=SENIOR_VISIT_TYPES,
            date__range=(window.start - dt.timedelta(days=VISIT_LOOKBACK_DAYS), window.end)) \
            .order_by("date", "pk").values_list("location_id", "uuid", "date", "type"):
        out.add(loc, VisitFact(str(uuid), on),
                ref("visit", uuid, f"{labels.get(kind, kind)}, {day(on)}"))
    for loc, frequency, params in _live(Cadence, window).filter(
            completes_with=CompletesWith.VISIT).order_by("pk").values_list(
            "location_id", "frequency",
                                                            "completes_params"):
        if (params or {}).get("visit_type") == "observation" or frequency not in CADENCE_DAYS:
            continue
        days = CADENCE_DAYS[frequency]
        out.cadence_days[loc] = min(days, out.cadence_days.get(loc, days))
    return out


# --- theme actions --------------------------------------------------------------------------

def read_actions(window: Window) -> Facts:
    """Theme actions done in the window (one query)."""
    out = Facts()
    for loc, uuid, done, theme, text in _live(Action, window).filter(
            status__in=(ActionStatus.DONE, ActionStatus.EFFECTIVE),
            completed_on__range=(window.start, window.end)) \
            .order_by("completed_on", "pk") \
            .values_list("location_id", "uuid", "completed_on", "theme__uuid", "description"):
        short = text if len(text) <= 70 else text[:69] + "…"
        out.add(loc, ActionFact(str(uuid), done, str(theme) if theme else None),
                ref("action", uuid, f"Action done {day(done)}: {short}"))
    return out


# --- quality meetings -----------------------------------------------------------------------

def read_meetings(window: Window) -> Facts:
    """The location's quality meetings held in the window with their minute counts (two
    queries: the meetings, and the counts grouped by meeting and kind)."""
    out = Facts()
    qs = _live(Meeting, window).filter(meeting_type__in=QUALITY_MEETING_TYPES,
                                       held_on__range=(window.start, window.end))
    raw: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for mid, kind, satisfied, n in MinuteEntry.objects.filter(
            meeting__in=qs.values("pk"), archived_at__isnull=True) \
            .values("meeting_id", "kind", "satisfied").annotate(n=Count("pk")).order_by() \
            .values_list("meeting_id", "kind", "satisfied", "n"):
        raw[mid][kind] += n
        if kind == EntryKind.CHALLENGE and satisfied is False:
            raw[mid]["unsatisfied"] += n
    held_qs = qs.order_by("held_on", "pk")
    for pk, loc, uuid, held, kind, title in held_qs.values_list("pk", "location_id", "uuid",
                                                           "held_on", "meeting_type", "title"):
        c = raw.get(pk, {})
        counts = Counts(updates=c.get(EntryKind.UPDATE, 0),
                        challenges=c.get(EntryKind.CHALLENGE, 0),
                        unsatisfied=c.get("unsatisfied", 0),
                        decisions=c.get(EntryKind.DECISION, 0),
                        actions=c.get(EntryKind.ACTION, 0))
        out.add(loc, MeetingFact(str(uuid), held, counts),
                ref("meeting", uuid, f"{title or TYPE_LABELS.get(kind, kind)} on {day(held)}"))
    return out
