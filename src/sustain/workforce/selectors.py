"""Reads for workforce pages: overdue supervision per location and staff member, and briefing
coverage per theme. The judgements come from `engine.workforce_rules`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

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


def theme_coverage(theme: Any, as_of: dt.date, staff: list[StaffMember] | None = None,
                   ) -> ThemeCoverage:
    """Coverage of one theme's briefings among the current staff at its location."""
    staff = staff if staff is not None else list(staff_at(theme.location, as_of))
    by_id = {s.pk: s for s in staff}
    attested = set(Attestation.objects.filter(
        briefing__theme=theme, briefing__archived_at__isnull=True, archived_at__isnull=True)
        .values_list("staff_id", flat=True))
    latest = Briefing.objects.filter(theme=theme, archived_at__isnull=True) \
        .order_by("-delivered_at").first()
    result = coverage(_member_facts(staff), attested, as_of)
    latest_on = timezone_date(latest.delivered_at) if latest else None
    starters = new_starters_not_briefed(_member_facts(staff), attested, latest_on, theme.stage,
                                        as_of)
    return ThemeCoverage(theme, result, [by_id[i] for i in result.not_attested],
                         [by_id[i] for i in starters], latest)


def timezone_date(value: dt.datetime) -> dt.date:
    from django.utils import timezone

    return timezone.localdate(value)


def location_coverage(location: Any, themes: QuerySet, as_of: dt.date) -> list[ThemeCoverage]:
    """Each active theme (in a briefed stage) at the location with its coverage."""
    staff = list(staff_at(location, as_of))
    return [theme_coverage(theme, as_of, staff) for theme in themes.filter(
        location=location, archived_at__isnull=True, stage__in=BRIEFED_STAGES)
        .order_by("title")]


def themes_not_briefed_for(staff: StaffMember, themes: QuerySet, as_of: dt.date) -> list[Any]:
    """Active themes at the staff member's locations they have not attested to."""
    attested = Attestation.objects.filter(staff=staff, archived_at__isnull=True,
                                          briefing__archived_at__isnull=True) \
        .values("briefing__theme_id")
    return list(themes.filter(location__in=staff.locations.all(), archived_at__isnull=True,
                              stage__in=BRIEFED_STAGES).exclude(pk__in=attested)
                .select_related("location").order_by("location__name", "title"))
