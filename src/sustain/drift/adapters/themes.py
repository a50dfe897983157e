"""Themes for relapse review and key-person risk (see the package docstring).

- A theme's **areas** (for `engine.drift.relapse_review`) are its embedding channels
  (`engine.embedding.CHANNELS`, copied from its playbook), plus the plain areas of its
  playbook (`PLAYBOOK_AREAS`) and of its origin (a complaint pattern is about feedback).
- A theme's **owner has left** when the owning staff member's leaving date is on or before
  the day of the assessment, or the staff record is archived.
- A theme's **records in a cycle** (for "one person made most of them") are, with who made
  them: its actions done in the cycle (the action's owner), audits of the theme completed in
  the cycle (the auditor, matched to their staff record when they have one), supervisions
  naming the theme (the supervisor), visits naming it (the visitor) and briefings on it (who
  delivered it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Min, Q
from django.utils import timezone

from sustain.accounts.models import User
from sustain.audits.models import Audit
from sustain.drift.adapters import Ref, Window, day, ref
from sustain.drift.adapters.records import audit_label
from sustain.engine.assurance import ThemeRecord
from sustain.feedback.models import Visit
from sustain.people.models import StaffMember
from sustain.themes.models import Action, ActionStatus, Theme
from sustain.workforce.models import Briefing, Supervision

PLAYBOOK_AREAS: Mapping[str, frozenset[str]] = {
    "care-planning": frozenset({"care_planning", "risk_assessment"}),
    "falls-and-risk": frozenset({"risk_assessment", "care_planning"}),
    "good-governance": frozenset({"governance_calendar", "provider_visits", "feedback"}),
    "safe-staffing": frozenset({"supervision"}),
}
ORIGIN_AREAS: Mapping[str, frozenset[str]] = {"complaints": frozenset({"feedback"})}


@dataclass(frozen=True)
class ThemeRow:
    id: str  # uuid
    pk: int
    location_id: int
    title: str
    areas: frozenset[str]
    owner_id: str | None  # "staff:<pk>"
    owner_left: bool
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None  # embedded since


@dataclass
class ThemeFacts:
    by_location: dict[int, list[ThemeRow]] = field(default_factory=lambda: defaultdict(list))
    names: dict[str, str] = field(default_factory=dict)  # person id → name
    left: set[str] = field(default_factory=set)  # person ids who have left


def read_themes(window: Window, as_of: dt.date) -> ThemeFacts:
    """Live themes at the locations with their areas and owner (one query)."""
    out = ThemeFacts()
    for (pk, uuid, loc, title, channels, playbook, origin, owner, name, leaving, archived,
         created, stage, since, first_move) in \
            Theme.objects.filter(organisation_id=window.organisation_id,
                                 location_id__in=window.location_ids,
                                 archived_at__isnull=True).annotate(
                first_move=Min("transitions__effective_on")).order_by("pk").values_list(
                "pk", "uuid", "location_id", "title", "embedding_channels", "playbook__code",
                "origin", "owner_id", "owner__full_name", "owner__leaving_date",
                "owner__archived_at", "created_at", "stage", "stage_since", "first_move"):
        areas = frozenset(channels or ()) | PLAYBOOK_AREAS.get(playbook or "", frozenset()) \
            | ORIGIN_AREAS.get(origin, frozenset())
        owner_id = f"staff:{owner}" if owner else None
        gone = owner is not None and (archived is not None
                                      or (leaving is not None and leaving <= as_of))
        if owner_id:
            out.names[owner_id] = name
            if gone:
                out.left.add(owner_id)
        out.by_location[loc].append(ThemeRow(
            str(uuid), pk, loc, title, areas, owner_id, gone,
            min(d for d in (timezone.localdate(created), since, first_move) if d is not None),
            since if stage == "embedded" else None))
    return out


@dataclass
class ThemeRecords:
    by_theme: dict[int, list[ThemeRecord]] = field(default_factory=lambda: defaultdict(list))
    refs: dict[str, Ref] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    left: set[str] = field(default_factory=set)

    def add(self, theme: int, person: str | None, on: dt.date | None, reference: Ref) -> None:
        if person is None or on is None:
            return
        self.by_theme[theme].append(ThemeRecord(reference["uuid"], person, on))
        self.refs[reference["uuid"]] = reference


def read_theme_records(window: Window, theme_ids: list[int], as_of: dt.date) -> ThemeRecords:
    """The records of these themes dated in the window, with who made each (five queries for
    the records, one for the people)."""
    out = ThemeRecords()
    if not theme_ids:
        return out
    span = (window.start, window.end)
    staff_ids: set[int] = set()
    user_ids: set[int] = set()
    for theme, uuid, who, done, text in Action.objects.filter(
            theme_id__in=theme_ids, archived_at__isnull=True, completed_on__range=span,
            status__in=(ActionStatus.DONE, ActionStatus.EFFECTIVE)).order_by("pk").values_list(
            "theme_id", "uuid", "owner_id", "completed_on", "description"):
        if who:
            staff_ids.add(who)
        out.add(theme, f"staff:{who}" if who else None, done,
                ref("action", uuid, f"Action done {day(done)}: {text[:60]}"))
    for theme, uuid, user, done, title in Audit.objects.filter(
            theme_id__in=theme_ids, archived_at__isnull=True, status=Audit.Status.COMPLETED,
            completed_at__date__range=span).order_by("pk").values_list(
            "theme_id", "uuid", "auditor_id", "completed_at__date", "template__title"):
        if user:
            user_ids.add(user)
        out.add(theme, f"user:{user}" if user else None, done,
                ref("audit", uuid, f"{audit_label(title)}, completed {day(done)}"))
    for theme, uuid, who, on, whom in Supervision.themes.through.objects.filter(
            theme_id__in=theme_ids, supervision__archived_at__isnull=True,
            supervision__date__range=span).order_by("pk").values_list(
            "theme_id", "supervision__uuid", "supervision__supervisor_id", "supervision__date",
            "supervision__supervisee__full_name"):
        staff_ids.add(who)
        out.add(theme, f"staff:{who}", on, ref("supervision", uuid,
                                               f"Supervision of {whom}, {day(on)}"))
    for theme, uuid, who, on in Visit.themes.through.objects.filter(
            theme_id__in=theme_ids, visit__archived_at__isnull=True,
            visit__date__range=span).order_by("pk").values_list("theme_id", "visit__uuid",
                                                 "visit__visitor_id", "visit__date"):
        staff_ids.add(who)
        out.add(theme, f"staff:{who}", on, ref("visit", uuid, f"Visit, {day(on)}"))
    for theme, uuid, who, at, title in Briefing.objects.filter(
            theme_id__in=theme_ids, archived_at__isnull=True,
            delivered_at__date__range=span).order_by("pk").values_list(
            "theme_id", "uuid", "delivered_by_id", "delivered_at__date", "title"):
        if who:
            staff_ids.add(who)
        out.add(theme, f"staff:{who}" if who else None, at,
                ref("briefing", uuid, f"Briefing: {title}, {day(at)}"))
    _people(out, staff_ids, user_ids, as_of)
    return out


def _people(out: ThemeRecords, staff_ids: set[int], user_ids: set[int], as_of: dt.date) -> None:
    """Names and leavers; an auditor with a staff record counts as that member of staff."""
    as_staff: dict[int, int] = {}
    for pk, name, leaving, archived, user in StaffMember.objects.filter(
            Q(pk__in=staff_ids) | Q(user_id__in=user_ids)).values_list(
            "pk", "full_name", "leaving_date", "archived_at", "user_id"):
        out.names[f"staff:{pk}"] = name
        if archived is not None or (leaving is not None and leaving <= as_of):
            out.left.add(f"staff:{pk}")
        if user is not None:
            as_staff[user] = pk
    for pk, first, last, username in User.objects.filter(pk__in=user_ids).values_list(
            "pk", "first_name", "last_name", "username"):
        out.names[f"user:{pk}"] = f"{first} {last}".strip() or username
    if as_staff:
        for records in out.by_theme.values():
            for i, r in enumerate(records):
                if r.made_by.startswith("user:") and int(r.made_by[5:]) in as_staff:
                    records[i] = ThemeRecord(r.id, f"staff:{as_staff[int(r.made_by[5:])]}",
                                             r.made_on)
