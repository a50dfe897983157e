"""The framework browser (web): read-only pages over the reference library.

Open to every signed-in member of an organisation, as the API is. Each page runs a fixed
number of queries (related rows are joined or prefetched).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from sustain.engine.reference_schema import STATUS_MARKS
from sustain.reference import selectors
from sustain.reference.models import (
    EnforcementType,
    EvidenceCategory,
    RatingLevel,
    ReferenceLibrary,
    Regulation,
    ScoreLevel,
)
from sustain.tenancy.permissions import actor_organisation_id

View = Callable[..., HttpResponse]


def member_required(view: View) -> View:
    """Signed in (else redirect to sign in) and a member of an organisation (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if actor_organisation_id(request.user) is None:
            raise PermissionDenied("The framework is available to members of an organisation.")
        return view(request, *args, **kwargs)

    return wrapped


def _live(qs: Any) -> Any:
    return qs.filter(archived_at__isnull=True)


@member_required
def index(request: HttpRequest) -> HttpResponse:
    """Key questions with their number of statements, evidence categories, the libraries."""
    version = selectors.framework_version_in_force()
    kqs = selectors.key_questions().annotate(statement_count=Count(
        "quality_statements", filter=Q(quality_statements__framework_version=version,
                                       quality_statements__archived_at__isnull=True)))
    return render(request, "reference/index.html", {
        "framework_version": version,
        "key_questions": kqs,
        "evidence_categories": _live(EvidenceCategory.objects.filter(
            framework_version=version)),
        "libraries": ReferenceLibrary.objects.order_by("urn", "-version"),
        "status_marks": STATUS_MARKS.items(),
    })


@member_required
def key_question(request: HttpRequest, code: str) -> HttpResponse:
    """One key question and its quality statements (we and I statements, evidence)."""
    kq = selectors.key_questions().filter(code=code).first()
    if kq is None:
        raise Http404("No such key question.")
    statements = selectors.statements_in_force().filter(key_question=kq).prefetch_related(
        Prefetch("evidence_categories", queryset=EvidenceCategory.objects.order_by("position")))
    return render(request, "reference/key_question.html", {
        "kq": kq, "statements": statements, "trail": [(None, kq.name)],
        "framework_version": selectors.framework_version_in_force()})


@member_required
def statement(request: HttpRequest, code: str) -> HttpResponse:
    """One quality statement with its evidence categories and regulations."""
    qs = selectors.statements_in_force().filter(code__iexact=code).prefetch_related(
        Prefetch("evidence_categories", queryset=EvidenceCategory.objects.order_by("position")),
        Prefetch("regulations", queryset=Regulation.objects.order_by("position")))
    item = qs.first()
    if item is None:
        raise Http404("No such quality statement.")
    kq = item.key_question
    trail = [(reverse("reference:key-question", kwargs={"code": kq.code}), kq.name),
             (None, f"{item.code} {item.title}")]
    return render(request, "reference/statement.html", {"qs": item, "kq": kq, "trail": trail})


@member_required
def regulations(request: HttpRequest) -> HttpResponse:
    """Every regulation, grouped by the instrument it belongs to."""
    groups: dict[str, list[Regulation]] = {}
    for reg in _live(Regulation.objects.order_by("position")):
        groups.setdefault(reg.instrument, []).append(reg)
    return render(request, "reference/regulations.html", {
        "groups": groups.items(), "trail": [(None, "Regulations")]})


@member_required
def regulation(request: HttpRequest, code: str) -> HttpResponse:
    """One regulation, its paragraphs, and the quality statements mapped to it."""
    reg = _live(Regulation.objects.filter(code__iexact=code)).select_related("library").first()
    if reg is None:
        raise Http404("No such regulation.")
    statements = selectors.statements_in_force().filter(regulations=reg)
    trail = [(reverse("reference:regulations"), "Regulations"),
             (None, f"Regulation {reg.number} ({reg.code})")]
    return render(request, "reference/regulation.html", {
        "reg": reg, "statements": statements, "trail": trail})


@member_required
def ratings_enforcement(request: HttpRequest) -> HttpResponse:
    """The rating scale, quality statement scores and CQC's enforcement powers."""
    powers = _live(EnforcementType.objects.order_by("position"))
    tracks = [(label, [p for p in powers if p.track == value])
              for value, label in EnforcementType.Track.choices]
    return render(request, "reference/ratings_enforcement.html", {
        "ratings": _live(RatingLevel.objects.order_by("-rank")),
        "scores": _live(ScoreLevel.objects.order_by("-value")),
        "tracks": [(label, items) for label, items in tracks if items],
        "trail": [(None, "Ratings and enforcement")],
    })

