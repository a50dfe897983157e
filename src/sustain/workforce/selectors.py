"""Reads for workforce pages: overdue supervision per location and staff member, and briefing
coverage per theme. The judgements come from `engine.workforce_rules`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from sustain.engine.workforce_rules import (
    BRIEFED_STAGES,
    Coverage,
    StaffFacts,
    StaffMemberFact,
    SupervisionStatus,
    coverage,
    new_starters_not_briefed,
    supervision_status,
)
from sustain.people.models import StaffMember
from sustain.workforce.models import Attestation, Briefing, Supervision


def staff_at(location: Any, as_of: dt.date) -> QuerySet:
    """Current (not archived) staff at a location on `as_of`."""
    return StaffMember.objects.filter(locations=location, archived_at__isnull=True,
                                      start_date__lte=as_of) \
        .exclude(leaving_date__lt=as_of).order_by("full_name")


def _with_latest_supervision(qs: QuerySet) -> QuerySet:
    latest = Supervision.objects.filter(supervisee=OuterRef("pk"), archived_at__isnull=True) \
        .order_by("-date", "-created_at")
    return qs.annotate(latest_supervision_on=Subquery(latest.values("date")[:1]),
                       latest_next_due=Subquery(latest.values("next_due")[:1]))


def _facts(staff: StaffMember) -> StaffFacts:
    return StaffFacts(staff.pk, staff.start_date, staff.leaving_date,
                      getattr(staff, "latest_supervision_on", None),
                      getattr(staff, "latest_next_due", None))


@dataclass(frozen=True)
class StaffSupervision:
    staff: StaffMember
    status: SupervisionStatus


def supervision_statuses(location: Any, as_of: dt.date) -> list[StaffSupervision]:
    """Every current member of staff at the location with their supervision status, overdue
    first (longest overdue first), then by name."""
    rows = []
    for staff in _with_latest_supervision(staff_at(location, as_of)):
        status = supervision_status(_facts(staff), as_of)
        if status is not None:
            rows.append(StaffSupervision(staff, status))
    return sorted(rows, key=lambda r: (not r.status.overdue, -r.status.days_overdue,
                                       r.staff.full_name))


def staff_supervision_status(staff: StaffMember, as_of: dt.date) -> SupervisionStatus | None:
    annotated = _with_latest_supervision(StaffMember.objects.filter(pk=staff.pk)).get()
    return supervision_status(_facts(annotated), as_of)


@dataclass(frozen=True)
class ThemeCoverage:
    theme: Any
    coverage: Coverage
    not_attested: list[StaffMember]
    new_starters: list[StaffMember]
    latest_briefing: Briefing | None


def _member_facts(staff: list[StaffMember]) -> list[StaffMemberFact]:
    return [StaffMemberFact(s.pk, s.start_date, s.leaving_date) for s in staff]


def _coverage_rows(themes: list[Any], staff: list[StaffMember], as_of: dt.date,
                   ) -> list[ThemeCoverage]:
    """Coverage for several themes at one location in a fixed number of queries."""
    by_id = {s.pk: s for s in staff}
    facts = _member_facts(staff)
    attested: dict[int, set[int]] = {t.pk: set() for t in themes}
    for theme_id, staff_id in Attestation.objects.filter(
            briefing__theme__in=themes, briefing__archived_at__isnull=True,
            archived_at__isnull=True).values_list("briefing__theme_id", "staff_id"):
        attested[theme_id].add(staff_id)
    latest: dict[int, Briefing] = {}
    for briefing in Briefing.objects.filter(theme__in=themes, archived_at__isnull=True) \
            .order_by("theme_id", "-delivered_at"):
        latest.setdefault(briefing.theme_id, briefing)
    rows = []
    for theme in themes:
        result = coverage(facts, attested[theme.pk], as_of)
        last = latest.get(theme.pk)
        latest_on = timezone.localdate(last.delivered_at) if last else None
        starters = new_starters_not_briefed(facts, attested[theme.pk], latest_on, theme.stage,
                                            as_of)
        rows.append(ThemeCoverage(theme, result, [by_id[i] for i in result.not_attested],
                                  [by_id[i] for i in starters], last))
    return rows


def theme_coverage(theme: Any, as_of: dt.date) -> ThemeCoverage:
    """Coverage of one theme's briefings among the current staff at its location."""
    return _coverage_rows([theme], list(staff_at(theme.location, as_of)), as_of)[0]


def location_coverage(location: Any, themes: QuerySet, as_of: dt.date) -> list[ThemeCoverage]:
    """Each active theme (in a briefed stage) at the location with its coverage."""
    active = list(themes.filter(location=location, archived_at__isnull=True,
                                stage__in=BRIEFED_STAGES).order_by("title"))
    return _coverage_rows(active, list(staff_at(location, as_of)), as_of) if active else []


def themes_not_briefed_for(staff: StaffMember, themes: QuerySet, as_of: dt.date) -> list[Any]:
    """Active themes at the staff member's locations they have not attested to."""
    attested = Attestation.objects.filter(staff=staff, archived_at__isnull=True,
                                          briefing__archived_at__isnull=True) \
        .values("briefing__theme_id")
    return list(themes.filter(location__in=staff.locations.all(), archived_at__isnull=True,
                              stage__in=BRIEFED_STAGES).exclude(pk__in=attested)
                .select_related("location").order_by("location__name", "title"))
