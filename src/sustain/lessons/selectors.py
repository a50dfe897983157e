"""Reads for lessons (the adoption grid, summaries, evidence choices) and hand-over (themes
whose owner is leaving, the content of a hand-over note). Every read starts from a visibility
filter; the hand-over content is read for the theme's own location, where the note is kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from sustain.engine.lesson_rules import (
    DEFAULT_LEAVING_WITHIN_DAYS,
    DEFAULT_STALLED_AFTER_DAYS,
    RULE_VERSION,
    STATUS_LABELS,
    AdoptionFact,
    AdoptionState,
    AdoptionStatus,
    AdoptionSummary,
    OwnerDeparture,
    classify,
    most_stalled_first,
    owner_departure,
    summarise,
    summary_by_location,
)
from sustain.lessons.models import HandoverNote, Lesson, LessonAdoption
from sustain.lessons.permissions import (
    filter_adoptions_visible,
    filter_handover_notes_visible,
    filter_lessons_visible,
)

# --- lessons ----------------------------------------------------------------------------


def adoption_fact(a: LessonAdoption) -> AdoptionFact:
    return AdoptionFact(a.lesson_id, a.location_id, a.status, a.status_since)


def lesson_list(*, actor: Any, include_archived: bool = False) -> QuerySet:
    qs = Lesson.objects.all() if include_archived else Lesson.objects.filter(
        archived_at__isnull=True)
    return filter_lessons_visible(qs, actor).select_related(
        "origin_theme", "origin_location", "owner")


def visible_adoptions(*, actor: Any, lesson: Lesson | None = None) -> QuerySet:
    qs = LessonAdoption.objects.filter(archived_at__isnull=True,
                                       lesson__archived_at__isnull=True)
    if lesson is not None:
        qs = qs.filter(lesson=lesson)
    return filter_adoptions_visible(qs, actor).select_related("location", "location__region",
                                                              "lesson", "updated_by")


def lesson_summary(lesson: Lesson, adoptions: Iterable[LessonAdoption],
                   as_of: dt.date | None = None) -> AdoptionSummary:
    return summarise([adoption_fact(a) for a in adoptions], as_of or timezone.localdate(),
                     DEFAULT_STALLED_AFTER_DAYS)


@dataclass
class GridRow:
    location: Any
    summary: AdoptionSummary
    # (lesson, adoption or None where it does not apply, its state, its evidence page)
    cells: list[tuple[Lesson, LessonAdoption | None, AdoptionState | None, str | None]] = \
        field(default_factory=list)


@dataclass
class AdoptionGrid:
    lessons: list[Lesson]
    rows: list[GridRow]
    lesson_summaries: dict[int, AdoptionSummary]
    stalled_after_days: int
    rule_version: str = RULE_VERSION


def adoption_grid(*, actor: Any, region: Any = None, as_of: dt.date | None = None,
                  stalled_after_days: int = DEFAULT_STALLED_AFTER_DAYS) -> AdoptionGrid:
    """Locations × lessons the reader may see: each cell the location's adoption (or nothing
    when the lesson does not apply there); rows with the most stalled adoptions first.
    Two queries whatever the size."""
    as_of = as_of or timezone.localdate()
    adoptions = visible_adoptions(actor=actor)
    if region is not None:
        adoptions = adoptions.filter(location__region=region)
    adoptions = list(adoptions.order_by("location__name", "pk"))
    lessons = {a.lesson_id: a.lesson for a in adoptions}
    ordered_lessons = sorted(lessons.values(), key=lambda x: (-x.created_at.timestamp(), x.pk))
    facts = [adoption_fact(a) for a in adoptions]
    by_location = summary_by_location(facts, as_of, stalled_after_days)
    lesson_summaries = {pk: summarise([f for f in facts if f.lesson_id == pk], as_of,
                                      stalled_after_days) for pk in lessons}
    cells: dict[tuple[int, int], LessonAdoption] = {(a.location_id, a.lesson_id): a
                                                    for a in adoptions}
    locations = {a.location_id: a.location for a in adoptions}
    order: list[Hashable] = most_stalled_first(
        {pk: by_location[pk] for pk in sorted(locations, key=lambda k: locations[k].name)})
    rows = []
    for pk in order:
        row = GridRow(location=locations[pk], summary=by_location[pk])
        for lesson in ordered_lessons:
            adoption = cells.get((int(pk), lesson.pk))  # type: ignore[call-overload]
            state = classify(adoption_fact(adoption), as_of, stalled_after_days) \
                if adoption else None
            row.cells.append((lesson, adoption, state,
                              evidence_url(adoption) if adoption else None))
        rows.append(row)
    return AdoptionGrid(lessons=ordered_lessons, rows=rows, lesson_summaries=lesson_summaries,
                        stalled_after_days=stalled_after_days)


# Kinds offered as evidence on the adoption form (model label, label); any record with a
# visibility filter and a location can also be named through the API.
EVIDENCE_KINDS = (
    ("audits.audit", "Audit"),
    ("workforce.briefing", "Briefing"),
    ("workforce.supervision", "Supervision"),
    ("workforce.competencyassessment", "Competency assessment"),
    ("workforce.trainingrecord", "Training record"),
    ("themes.action", "Action"),
    ("meetings.meeting", "Meeting"),
    ("meetings.minuteentry", "Meeting minute"),
    ("careplans.careplanreview", "Care plan review"),
    ("feedback.visit", "Visit"),
    ("governance.occurrence", "Governance occurrence"),
)
EVIDENCE_PER_KIND = 15


def evidence_choices(*, actor: Any, location: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """Recent records at the location the reader may see, grouped by kind, as
    ("label:uuid", text) choices (newest first, a few of each kind)."""
    from sustain.core.visibility import visibility_filters

    filters = visibility_filters()
    groups = []
    for label, title in EVIDENCE_KINDS:
        app_label, _, model_name = label.partition(".")
        if label not in filters:
            continue
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        if not any(f.name == "location" for f in model._meta.get_fields()):
            continue
        qs = filters[label](model._default_manager.filter(location=location,
                                                          archived_at__isnull=True), actor)
        rows = list(qs.order_by("-created_at")[:EVIDENCE_PER_KIND])
        if rows:
            groups.append((title, [(f"{label}:{r.uuid}", str(r)[:120]) for r in rows]))
    return groups


# Pages of records that can be evidence (model label → URL name taking `uuid`).
EVIDENCE_PAGES = {
    "audits.audit": "audits:detail",
    "workforce.briefing": "workforce:briefing",
    "meetings.meeting": "meetings:detail",
    "medicines.medicinescheck": "medicines:detail",
    "safeguarding.safeguardingconcern": "safeguarding:detail",
    "themes.theme": "themes:detail",
}


def evidence_url(adoption: LessonAdoption) -> str | None:
    """The evidence record's page, when its kind has one."""
    from django.urls import NoReverseMatch, reverse

    name = EVIDENCE_PAGES.get(adoption.evidence_type)
    if not adoption.evidence_uuid or name is None:
        return None
    try:
        return reverse(name, kwargs={"uuid": adoption.evidence_uuid})
    except NoReverseMatch:
        return None


# --- hand-over --------------------------------------------------------------------------


@dataclass
class ThemeNeedingOwner:
    theme: Any
    departure: OwnerDeparture
    note: HandoverNote | None


def themes_needing_owner(*, actor: Any, as_of: dt.date | None = None,
                         within_days: int = DEFAULT_LEAVING_WITHIN_DAYS) -> list[ThemeNeedingOwner]:
    """Current themes the reader may see whose owner has left or leaves within `within_days`,
    soonest departure first, with the open hand-over note if there is one."""
    from sustain.themes.models import Theme
    from sustain.themes.permissions import filter_themes_visible

    as_of = as_of or timezone.localdate()
    limit = as_of + dt.timedelta(days=within_days)
    themes = filter_themes_visible(Theme.objects.filter(
        archived_at__isnull=True, owner__leaving_date__isnull=False,
        owner__leaving_date__lte=limit), actor).select_related("owner", "location") \
        .prefetch_related(Prefetch("handover_notes", to_attr="open_notes",
                                   queryset=HandoverNote.objects.filter(
                                       acknowledged_at__isnull=True, archived_at__isnull=True)
                                   .order_by("-generated_at")))
    found = []
    for theme in themes:
        departure = owner_departure(theme.owner.leaving_date, as_of, within_days)
        if departure is not None:
            found.append(ThemeNeedingOwner(theme, departure,
                                           theme.open_notes[0] if theme.open_notes else None))
    found.sort(key=lambda t: (t.theme.owner.leaving_date, t.theme.location.name,
                              t.theme.title))
    return found


def handover_notes(*, actor: Any, include_acknowledged: bool = True) -> QuerySet:
    qs = HandoverNote.objects.filter(archived_at__isnull=True)
    if not include_acknowledged:
        qs = qs.filter(acknowledged_at__isnull=True)
    return filter_handover_notes_visible(qs, actor).select_related(
        "theme", "location", "from_owner", "to_owner", "acknowledged_by")


def _fmt(day: dt.date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else ""


def _staff(staff: Any) -> dict[str, Any] | None:
    if staff is None:
        return None
    return {"id": str(staff.uuid), "name": staff.full_name, "job_role": staff.job_role,
            "leaving_date": staff.leaving_date.isoformat() if staff.leaving_date else None}


def _open_occurrences(theme: Any, as_of: dt.date) -> list[dict[str, Any]]:
    """Overdue governance occurrences of the theme's cadences (open past their due time, or
    missed), when the `governance` app is installed."""
    if not apps.is_installed("sustain.governance"):
        return []
    try:
        model = apps.get_model("governance", "occurrence")
    except LookupError:
        return []
    start_of_day = timezone.make_aware(dt.datetime.combine(as_of, dt.time.min))
    qs = model._default_manager.filter(
        cadence__theme=theme, archived_at__isnull=True, status__in=("open", "missed"),
        due_at__lt=start_of_day).select_related("cadence").order_by("due_at", "pk")
    return [{"id": str(o.uuid), "label": str(o)[:200], "status": o.get_status_display(),
             "due": timezone.localdate(o.due_at).isoformat()} for o in qs[:50]]


def handover_content(theme: Any, *, from_owner: Any, to_owner: Any, as_of: dt.date,
                     leaving_date: dt.date | None) -> dict[str, Any]:
    """What the next owner needs, as plain data: the theme's history (stage moves with
    reasons), what changed and why (briefings), open items (open and overdue actions, overdue
    occurrences, failed or late audits) and key records."""
    from sustain.audits.models import Audit
    from sustain.engine.lifecycle import STAGE_LABELS, Stage
    from sustain.themes.models import Action, ThemeTransition
    from sustain.workforce.models import Briefing

    transitions = ThemeTransition.objects.filter(theme=theme).order_by("created_at", "pk")
    history = [{"on": t.effective_on.isoformat(),
                "from": STAGE_LABELS[Stage(t.from_stage)] if t.from_stage else "",
                "to": STAGE_LABELS[Stage(t.to_stage)], "moved_by": t.moved_by,
                "reason": t.reason} for t in transitions]
    briefings = Briefing.objects.filter(theme=theme, archived_at__isnull=True) \
        .order_by("delivered_at", "pk")
    changes = [{"id": str(b.uuid), "title": b.title, "what_changed": b.what_changed,
                "why": b.why, "delivered_on": timezone.localdate(b.delivered_at).isoformat(),
                "via": b.get_delivered_via_display()} for b in briefings]
    actions = Action.objects.filter(theme=theme, archived_at__isnull=True,
                                    status__in=("open", "in_progress")) \
        .select_related("owner").order_by("due_date", "pk")
    open_actions = [{"id": str(a.uuid), "description": a.description,
                     "due": a.due_date.isoformat(), "status": a.get_status_display(),
                     "overdue": a.due_date < as_of,
                     "owner": a.owner.full_name if a.owner else None} for a in actions]
    audits = list(Audit.objects.filter(theme=theme, archived_at__isnull=True)
                  .select_related("template").order_by("audit_date", "pk"))
    problem_audits = []
    for audit in audits:
        done_on = timezone.localdate(audit.completed_at) if audit.completed_at else None
        failed = audit.status == Audit.Status.COMPLETED and audit.passed is False
        late = bool(audit.due_date) and ((done_on or as_of) > audit.due_date)
        if failed or late:
            problem_audits.append({
                "id": str(audit.uuid), "label": str(audit), "audit_date":
                audit.audit_date.isoformat(), "status": audit.get_status_display(),
                "score": float(audit.score) if audit.score is not None else None,
                "failed": failed, "late": late})
    key_records = []
    if theme.finding_id:
        key_records.append({"kind": "Inspection finding", "id": str(theme.finding.uuid),
                            "label": theme.finding.text[:200]})
    if theme.playbook_id:
        key_records.append({"kind": "Playbook", "id": str(theme.playbook.uuid),
                            "label": f"{theme.playbook.title} (version "
                                     f"{theme.playbook.version})"})
    completed = [a for a in audits if a.status == Audit.Status.COMPLETED]
    if completed:
        latest = completed[-1]
        key_records.append({"kind": "Latest audit", "id": str(latest.uuid),
                            "label": f"{latest} — "
                                     f"{'passed' if latest.passed else 'not passed'}"
                                     + (f", {latest.score}%" if latest.score is not None
                                        else "")})
    for lesson in Lesson.objects.filter(origin_theme=theme, archived_at__isnull=True):
        key_records.append({"kind": "Lesson shared", "id": str(lesson.uuid),
                            "label": lesson.title})
    return {
        "theme": {"id": str(theme.uuid), "title": theme.title, "location": theme.location.name,
                  "stage": theme.stage, "stage_label": theme.get_stage_display(),
                  "stage_since": theme.stage_since.isoformat()},
        "from_owner": _staff(from_owner), "to_owner": _staff(to_owner),
        "leaving_date": leaving_date.isoformat() if leaving_date else None,
        "as_of": as_of.isoformat(),
        "history": history,
        "changes": changes,
        "open_items": {"actions": open_actions, "overdue_occurrences":
                       _open_occurrences(theme, as_of), "audits": problem_audits},
        "key_records": key_records,
    }


def _day(iso: str | None) -> str:
    return _fmt(dt.date.fromisoformat(iso)) if iso else ""


def _audit_problem(audit: dict[str, Any]) -> str:
    return " and ".join(w for w, on in (("failed", audit["failed"]), ("late", audit["late"]))
                        if on)


def render_handover_text(content: dict[str, Any]) -> str:
    """The note as plain text (for reading, printing or e-mailing)."""
    theme = content["theme"]
    lines = [f"Hand-over note: {theme['title']} ({theme['location']})",
             f"Stage: {theme['stage_label']} since {_day(theme['stage_since'])}."]
    old, new = content.get("from_owner"), content.get("to_owner")
    if old:
        leaving = content.get("leaving_date")
        lines.append(f"From: {old['name']}" + (f", leaving {_day(leaving)}" if leaving else "")
                     + ".")
    lines.append(f"To: {new['name']}." if new else "To: a new owner is needed.")
    lines += ["", "History"]
    lines += [f"- {_day(h['on'])}: {(h['from'] + ' → ') if h['from'] else ''}{h['to']} — "
              f"{h['reason']}" for h in content["history"]] or ["- No stage moves recorded."]
    lines += ["", "What changed and why"]
    lines += [f"- {_day(c['delivered_on'])}, {c['title']}: {c['what_changed']} Why: {c['why']}"
              for c in content["changes"]] or ["- No briefings recorded."]
    items = content["open_items"]
    lines += ["", "Open items"]
    lines += [f"- Action{' (overdue)' if a['overdue'] else ''}, due {_day(a['due'])}: "
              f"{a['description']}" + (f" (owner {a['owner']})" if a["owner"] else "")
              for a in items["actions"]]
    lines += [f"- Overdue governance ({o['status'].lower()}): {o['label']}"
              for o in items["overdue_occurrences"]]
    lines += [f"- Audit {_audit_problem(a)}: {a['label']}" for a in items["audits"]]
    if not (items["actions"] or items["overdue_occurrences"] or items["audits"]):
        lines.append("- Nothing open.")
    lines += ["", "Key records"]
    lines += [f"- {k['kind']}: {k['label']}" for k in content["key_records"]] or ["- None."]
    return "\n".join(lines)


__all__ = ["STATUS_LABELS", "AdoptionStatus", "adoption_grid", "handover_content",
           "lesson_list", "render_handover_text", "themes_needing_owner"]
