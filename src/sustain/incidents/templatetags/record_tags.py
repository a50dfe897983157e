"""`{% tagged_records theme %}`: on a theme's page, the operational records tagged with it —
for each record type the user may see, how many and the most recent few, each linked, with a
link to the whole filtered list where the list can filter by theme. One query per record type,
whatever the number of records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import template
from django.db.models import Count, QuerySet, Window
from django.urls import reverse

register = template.Library()

SHOWN = 5


@dataclass(frozen=True)
class TaggedType:
    label: str
    model: str  # app_label.ModelName
    visible: Callable[[QuerySet, Any], QuerySet]
    order: str  # newest first
    detail: Callable[[Any], str]
    list_url: str | None = None  # a list that filters by ?theme=
    related: tuple[str, ...] = ()


def _types() -> list[TaggedType]:
    from sustain.incidents.records import filter_records_visible
    from sustain.medicines.permissions import filter_checks_visible
    from sustain.safeguarding.permissions import filter_concerns_visible
    from sustain.workforce.permissions import filter_workforce_visible

    def named(name: str) -> Callable[[Any], str]:
        return lambda obj: reverse(name, kwargs={"uuid": obj.uuid})

    def staff_page(field: str) -> Callable[[Any], str]:
        return lambda obj: reverse("workforce:staff", kwargs={"uuid": getattr(obj, field).uuid})

    records = filter_records_visible
    return [
        TaggedType("Incidents", "incidents.Incident", records, "-occurred_at",
                   named("incidents:incident-detail"), "incidents:incident-list"),
        TaggedType("Complaints", "incidents.Complaint", records, "-received_on",
                   named("incidents:complaint-detail"), "incidents:complaint-list"),
        TaggedType("Compliments", "incidents.Compliment", records, "-received_on",
                   named("incidents:compliment-detail"), "incidents:compliment-list"),
        TaggedType("Care-plan reviews", "careplans.CarePlanReview", records, "-due_date",
                   named("careplans:review-detail"), "careplans:review-list", ("person",)),
        TaggedType("Care-plan actions", "careplans.CarePlanAction", records, "-due_date",
                   named("careplans:action-detail"), "careplans:action-list"),
        TaggedType("Feedback", "feedback.Feedback", records, "-received_on",
                   named("feedback:feedback-detail"), "feedback:feedback-list"),
        TaggedType("Senior visits and observations", "feedback.Visit", records, "-date",
                   named("feedback:visit-detail"), "feedback:visit-list"),
        TaggedType("Medicines checks", "medicines.MedicinesCheck", filter_checks_visible,
                   "-check_date", named("medicines:detail")),
        TaggedType("Safeguarding concerns", "safeguarding.SafeguardingConcern",
                   filter_concerns_visible, "-raised_at", named("safeguarding:detail")),
        TaggedType("Supervisions", "workforce.Supervision", filter_workforce_visible, "-date",
                   staff_page("supervisee"), related=("supervisee",)),
        TaggedType("Competency assessments", "workforce.CompetencyAssessment",
                   filter_workforce_visible, "-date", staff_page("staff"), related=("staff",)),
        TaggedType("Training records", "workforce.TrainingRecord", filter_workforce_visible,
                   "-completed_on", staff_page("staff"), related=("staff",)),
    ]


def _tagged(kind: TaggedType, theme: Any, user: Any) -> tuple[int, list[Any]]:
    from django.apps import apps

    model = apps.get_model(kind.model)
    base = kind.visible(model.objects.filter(themes=theme, archived_at__isnull=True), user)
    # A window count: every row carries the total before the limit (one query per type).
    rows = list(base.select_related(*kind.related)
                .annotate(total=Window(expression=Count("pk")))
                .order_by(kind.order, "-pk")[:SHOWN])
    return (rows[0].total if rows else 0), rows


@register.inclusion_tag("records/_tagged.html", takes_context=True)
def tagged_records(context: template.Context, theme: Any) -> dict[str, Any]:
    user = getattr(context.get("request"), "user", None)
    groups = []
    if user is not None:
        for kind in _types():
            total, rows = _tagged(kind, theme, user)
            if not total:
                continue
            groups.append({
                "label": kind.label, "total": total,
                "rows": [(str(obj), kind.detail(obj)) for obj in rows],
                "list_url": f"{reverse(kind.list_url)}?theme={theme.uuid}"
                if kind.list_url else None})
    return {"theme": theme, "groups": groups, "shown": SHOWN}
