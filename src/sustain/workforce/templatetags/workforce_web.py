"""Workforce summaries on other apps' pages: `{% location_workforce location %}` (overdue
supervision and briefing coverage of active themes, for roles with workforce.view),
`{% staff_workforce staff %}` (a staff member's workforce records, overdue flagged) and
`{% theme_briefings theme %}` (a theme's briefings and their coverage)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from sustain.engine.access import Perm
from sustain.tenancy.permissions import has_perm_at
from sustain.themes.models import Theme
from sustain.themes.permissions import filter_themes_visible
from sustain.workforce import selectors

register = template.Library()


@register.inclusion_tag("workforce/_location_workforce.html", takes_context=True)
def location_workforce(context: template.Context, location: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not has_perm_at(user, Perm.WORKFORCE_VIEW, location.pk):
        return {"shown": False}
    today = timezone.localdate()
    statuses = selectors.supervision_statuses(location, today)
    coverage = selectors.location_coverage(
        location, filter_themes_visible(Theme.objects.all(), user), today)
    return {"shown": True, "location": location, "staff_count": len(statuses),
            "overdue": [s for s in statuses if s.status.overdue], "coverage": coverage}


def current_competency_q() -> Q:
    """Competency assessments not followed by a later one of the same type for the same
    person (only the latest of each type can be overdue)."""
    from sustain.workforce.models import CompetencyAssessment

    return ~Q(Exists(CompetencyAssessment.objects.filter(
        staff_id=OuterRef("staff_id"), assessment_type=OuterRef("assessment_type"),
        other_type=OuterRef("other_type"), archived_at__isnull=True,
        date__gt=OuterRef("date"))))


def current_training_q() -> Q:
    """Training records not followed by a later completion of the same course by the same
    person (only the latest can have expired)."""
    from sustain.workforce.models import TrainingRecord

    return ~Q(Exists(TrainingRecord.objects.filter(
        staff_id=OuterRef("staff_id"), course__iexact=OuterRef("course"),
        archived_at__isnull=True, completed_on__gt=OuterRef("completed_on"))))


def _user(context: template.Context) -> Any:
    return getattr(context.get("request"), "user", None)


@register.inclusion_tag("workforce/_staff_workforce.html", takes_context=True)
def staff_workforce(context: template.Context, staff: Any) -> dict[str, Any]:
    """A staff member's page: links to their supervisions, competency assessments, training
    and briefing attestations, with what is overdue flagged (a fixed number of queries)."""
    from sustain.tenancy.permissions import filter_by_location
    from sustain.workforce.models import (
        Attestation,
        CompetencyAssessment,
        Supervision,
        TrainingRecord,
    )
    from sustain.workforce.permissions import filter_workforce_visible

    user = _user(context)
    if user is None or not filter_by_location(staff.locations.all(), user, Perm.WORKFORCE_VIEW,
                                              field="pk").exists():
        return {"shown": False}
    today = timezone.localdate()

    def visible(qs: Any) -> Any:
        return filter_workforce_visible(qs.filter(archived_at__isnull=True), user)

    competencies = visible(CompetencyAssessment.objects.filter(staff=staff)).aggregate(
        total=Count("pk"), overdue=Count("pk", filter=current_competency_q()
                                         & Q(next_due__lt=today)))
    training = visible(TrainingRecord.objects.filter(staff=staff)).aggregate(
        total=Count("pk"), expired=Count("pk", filter=current_training_q()
                                         & Q(expires_on__lt=today)))
    return {"shown": True, "staff": staff, "today": today,
            "status": selectors.staff_supervision_status(staff, today),
            "supervisions": visible(Supervision.objects.filter(supervisee=staff)).count(),
            "competencies": competencies, "training": training,
            "attestations": visible(Attestation.objects.filter(staff=staff)).count()}


@register.inclusion_tag("workforce/_theme_briefings.html", takes_context=True)
def theme_briefings(context: template.Context, theme: Any) -> dict[str, Any]:
    """A theme's page: its "what changed and why" briefings (with how many attested to each)
    and, for roles that see staff files, its coverage (current staff who attested / current
    staff). A fixed number of queries whatever the number of briefings or staff."""
    from sustain.workforce.models import Briefing
    from sustain.workforce.permissions import can_change_workforce, filter_briefings_visible

    user = _user(context)
    if user is None or not has_perm_at(user, Perm.BRIEFING_ATTEST, theme.location_id):
        return {"shown": False}
    briefings = list(filter_briefings_visible(Briefing.objects.filter(
        theme=theme, archived_at__isnull=True), user).select_related("delivered_by").annotate(
        attested=Count("attestations", filter=Q(attestations__archived_at__isnull=True)))
        .order_by("-delivered_at", "-pk"))
    see_staff = has_perm_at(user, Perm.WORKFORCE_VIEW, theme.location_id)
    return {"shown": True, "theme": theme, "briefings": briefings,
            "coverage": selectors.theme_coverage(theme, timezone.localdate())
            if see_staff else None,
            "can_record": not theme.is_archived and can_change_workforce(user,
                                                                          theme.location_id)}
