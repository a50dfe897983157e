"""Reads of inspections for pages and the API. Each runs a fixed number of queries, however
many inspections, locations or rows there are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from sustain.inspections.models import (
    EnforcementAction,
    EnforcementStatus,
    Finding,
    Inspection,
    KeyQuestionRating,
    RegulationBreach,
)
from sustain.inspections.permissions import filter_inspections_visible
from sustain.reference.models import KeyQuestion


def key_questions() -> list[KeyQuestion]:
    """The five key questions, in the library's order (the columns of a ratings table)."""
    return list(KeyQuestion.objects.filter(archived_at__isnull=True).order_by("position"))


@dataclass(frozen=True)
class RatingRow:
    """One inspection in a location's rating history: its ratings in key-question order."""

    inspection: Inspection
    ratings: list[KeyQuestionRating | None]


def rating_history(location: Any, actor: Any,
                   kqs: list[KeyQuestion] | None = None) -> list[RatingRow]:
    """Every live inspection of the location the actor may see, newest first, each with its
    key-question ratings lined up with `kqs` (2 queries, or 1 when there are none)."""
    kqs = key_questions() if kqs is None else kqs
    ratings = KeyQuestionRating.objects.filter(archived_at__isnull=True)
    qs = filter_inspections_visible(
        Inspection.objects.filter(location_id=location.pk, archived_at__isnull=True),
        actor).order_by("-inspection_date", "-pk").prefetch_related(
        Prefetch("keyquestionratings", queryset=ratings, to_attr="live_ratings"))
    rows = []
    for inspection in qs:
        by_kq = {r.key_question_id: r for r in inspection.live_ratings}
        rows.append(RatingRow(inspection, [by_kq.get(kq.pk) for kq in kqs]))
    return rows


def with_latest_rating(qs: QuerySet, actor: Any) -> QuerySet:
    """Annotate each location with its latest live inspection the actor may see:
    `latest_rating` (overall), `latest_inspection_date` and `latest_inspection_uuid`
    (correlated subqueries: one query for any number of locations)."""
    latest = filter_inspections_visible(
        Inspection.objects.filter(location_id=OuterRef("pk"), archived_at__isnull=True),
        actor).order_by("-inspection_date", "-pk")
    return qs.annotate(
        latest_rating=Subquery(latest.values("overall_rating")[:1]),
        latest_inspection_date=Subquery(latest.values("inspection_date")[:1]),
        latest_inspection_uuid=Subquery(latest.values("uuid")[:1]),
    )


def with_parts(qs: QuerySet, actor: Any) -> QuerySet:
    """Join or prefetch every live part of each inspection (a fixed number of queries), with
    the themes made from each finding that the actor may see."""
    from sustain.themes.models import Theme
    from sustain.themes.permissions import filter_themes_visible

    live = {"archived_at__isnull": True}
    themes = filter_themes_visible(Theme.objects.filter(**live), actor) \
        .select_related("owner").order_by("created_at")
    findings = Finding.objects.filter(**live).select_related("key_question").order_by("pk") \
        .prefetch_related("quality_statements",
                          Prefetch("themes", queryset=themes, to_attr="live_themes"))
    return qs.select_related("location", "organisation").prefetch_related(
        Prefetch("keyquestionratings", to_attr="live_ratings",
                 queryset=KeyQuestionRating.objects.filter(**live)
                 .select_related("key_question").order_by("key_question__position")),
        Prefetch("regulationbreachs", to_attr="live_breaches",
                 queryset=RegulationBreach.objects.filter(**live)
                 .select_related("regulation").order_by("regulation__position", "pk")),
        Prefetch("enforcementactions", to_attr="live_enforcement",
                 queryset=EnforcementAction.objects.filter(**live)
                 .select_related("enforcement_type").order_by("issued_on", "pk")),
        Prefetch("findings", to_attr="live_findings", queryset=findings),
    )


def inspection_detail_queryset(actor: Any) -> QuerySet:
    """Inspections the actor may see, with their parts (see `with_parts`)."""
    return with_parts(filter_inspections_visible(Inspection.objects.all(), actor), actor)


def is_overdue(action: EnforcementAction, today: dt.date | None = None) -> bool:
    """Open enforcement whose deadline has passed."""
    today = today or timezone.localdate()
    return action.status == EnforcementStatus.OPEN and action.deadline is not None \
        and action.deadline < today
