"""The audit completion sheet (a draft: questions, sampled items, evidence, analysis, Save
draft / Complete) and the completed view (score, pass or fail, critical failures, failed items
with their notes, analysis, evidence with SHA-256, and for a re-audit the change from the
earlier audit). "Raise an action" and uploads work in place with htmx and as plain pages
without it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from sustain.audits import services
from sustain.audits.forms import AttachmentForm, RaiseActionForm
from sustain.audits.models import Audit
from sustain.audits.permissions import can_conduct_audit, filter_audits_visible
from sustain.audits.questions import (
    ANSWER_LABELS,
    TemplateQuestion,
    answer_label,
    sample_noun,
    template_questions,
    template_sections,
)
from sustain.audits.selectors import attachments_of, audit_comparison, timeliness
from sustain.core.errors import ApplicationError, Conflict
from sustain.engine.access import Perm
from sustain.people.models import StaffMember
from sustain.people.permissions import filter_staff_visible
from sustain.themes.models import Action
from sustain.themes.permissions import can_change_action, filter_actions_visible
from sustain.web.views.base import (
    CONFLICT_MESSAGE,
    get_visible_or_404,
    require,
    require_perm_anywhere,
    run_service,
)

AUDIT_QS = Audit.objects.select_related("location", "template", "theme", "auditor",
                                        "earlier_audit__template")
YES_NO = ("yes", "no", "na")


def _get_audit(request: HttpRequest, uuid: Any) -> Audit:
    require_perm_anywhere(request, Perm.AUDIT_VIEW)
    return get_visible_or_404(AUDIT_QS, filter_audits_visible, request.user, uuid)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _field(q: TemplateQuestion, name: str, value: Any, errors: list[str],
           legend: str) -> dict[str, Any]:
    """One answer control: radios for yes/no, a number box for scale and number, a text box."""
    value = _text(value)
    field: dict[str, Any] = {"q": q, "name": name, "value": value, "errors": errors,
                             "legend": legend, "kind": q.answer_type, "id": name}
    if q.answer_type == "yes_no":
        field["choices"] = [{"value": v, "label": ANSWER_LABELS[v], "id": f"{name}-{v}",
                             "checked": value == v} for v in YES_NO]
        field["id"] = f"{name}-yes"
    return field


def _anchor(key: str, samples: list[str]) -> str | None:
    """The name of the control a service error is about (for the error summary's links)."""
    if key == "analysis":
        return "analysis"
    part, _, rest = key.partition(".")
    if part == "item_notes":
        return f"n-{rest}"
    if part == "answers":
        return f"a-{rest}"
    if part == "sample_answers" and "@" in rest:
        code, sample = rest.split("@", 1)
        if sample in samples:
            return f"s-{code}-{samples.index(sample)}"
    return None


def _sheet(audit: Audit, data: Mapping[str, Any] | None,
           errors: Mapping[str, list[str]]) -> dict[str, Any]:
    """Everything the completion sheet shows, from the stored draft or the posted values."""
    preview = services.score_of(audit)
    failed = {item.split("@", 1)[0] for item in preview.failed_items}
    sections = []
    for section in template_sections(audit.template):
        ordinary, grid = [], []
        for q in section["questions"]:
            if not q.per_sample:
                name = f"a-{q.code}"
                value = data.get(name) if data is not None else audit.answers.get(q.code)
                ordinary.append({**_field(q, name, value, errors.get(f"answers.{q.code}", []),
                                          f"{q.code}. {q.text}"), "failed": q.code in failed})
            else:
                grid.append(q)
        cards = []
        for i, sample in enumerate(audit.samples):
            cells = []
            for row, q in enumerate(grid, start=2):
                name = f"s-{q.code}-{i}"
                stored = audit.sample_answers.get(q.code, {}).get(sample)
                value = data.get(name) if data is not None else stored
                cell = _field(q, name, value,
                              errors.get(f"sample_answers.{q.code}@{sample}", []),
                              f"{q.code}. {q.text}")
                cell["row"] = row
                cells.append(cell)
            cards.append({"sample": sample, "index": i, "col": i + 2, "cells": cells})
        sections.append({"title": section["title"], "ordinary": ordinary,
                         "grid": [{"q": q, "row": r} for r, q in enumerate(grid, start=2)],
                         "cards": cards, "columns": len(audit.samples)})
    questions = template_questions(audit.template)
    note_codes = failed | set(audit.item_notes) | {
        k.split(".", 1)[1] for k in errors if k.startswith("item_notes.")}
    notes = []
    for q in questions:
        if q.code in note_codes:
            name = f"n-{q.code}"
            value = data.get(name) if data is not None and name in data else \
                audit.item_notes.get(q.code, "")
            notes.append({"q": q, "name": name, "value": value, "failed": q.code in failed,
                          "errors": errors.get(f"item_notes.{q.code}", []),
                          "samples": [i.split("@", 1)[1] for i in preview.failed_items
                                      if i.startswith(f"{q.code}@")]})
    ids = {f["name"]: f["id"] for sec in sections for f in sec["ordinary"]}
    ids.update({c["name"]: c["id"] for sec in sections for card in sec["cards"]
                for c in card["cells"]})
    summary = []
    for key, found in errors.items():
        name = _anchor(key, audit.samples)
        for message in found:
            summary.append({"anchor": ids.get(name or "", name), "message": message})
    analysis = data.get("analysis", "") if data is not None else audit.analysis
    return {"sections": sections, "notes": notes, "preview": preview, "summary": summary,
            "analysis": analysis, "analysis_errors": errors.get("analysis", []),
            "has_samples": bool(audit.samples)}


def _posted(audit: Audit, data: Mapping[str, Any]) -> dict[str, Any]:
    """Service arguments from the posted sheet (every question: blanks clear answers)."""
    answers: dict[str, Any] = {}
    sample_answers: dict[str, dict[str, Any]] = {}
    for q in template_questions(audit.template):
        if q.per_sample:
            sample_answers[q.code] = {s: data.get(f"s-{q.code}-{i}", "")
                                      for i, s in enumerate(audit.samples)}
        else:
            answers[q.code] = data.get(f"a-{q.code}", "")
    notes = {k[2:]: v for k, v in data.items() if k.startswith("n-")}
    return {"answers": answers, "sample_answers": sample_answers, "item_notes": notes,
            "analysis": data.get("analysis", "")}


def _context(request: HttpRequest, audit: Audit) -> dict[str, Any]:
    user = request.user
    can_conduct = can_conduct_audit(user, audit.location_id)
    questions = template_questions(audit.template)
    raised = filter_actions_visible(Action.objects.filter(source_audit=audit), user) \
        .select_related("owner").order_by("created_at")
    return {
        "audit": audit, "template": audit.template, "can_conduct": can_conduct,
        "editable": (audit.status == Audit.Status.DRAFT and audit.archived_at is None
                     and can_conduct),
        "can_raise": bool(audit.theme_id) and audit.archived_at is None
        and can_change_action(user, audit.location_id),
        "can_upload": can_conduct and audit.archived_at is None,
        "attachments": attachments_of(audit, user), "raised": raised,
        "attachment_form": AttachmentForm(questions=[(q.code, f"{q.code}. {q.text}")
                                                     for q in questions]),
        "timeliness": timeliness(audit), "today": timezone.localdate(),
        "question_texts": {q.code: q.text for q in questions},
        "sample_noun": sample_noun(audit.template, len(audit.samples)),
    }


def _completed(audit: Audit) -> dict[str, Any]:
    """The completed view: answers in words, failed items with notes, the comparison."""
    failed: dict[str, list[str]] = {}
    for item in audit.failed_items:
        code, _, sample = item.partition("@")
        failed.setdefault(code, [])
        if sample:
            failed[code].append(sample)
    sections = []
    for section in template_sections(audit.template):
        rows = [{"q": q, "answer": answer_label(q.question, audit.answers.get(q.code)),
                 "failed": q.code in failed} for q in section["questions"]
                if not q.per_sample]
        grid = [{"q": q, "failed": q.code in failed, "cells": [
            answer_label(q.question, audit.sample_answers.get(q.code, {}).get(s))
            for s in audit.samples]} for q in section["questions"] if q.per_sample]
        sections.append({"title": section["title"], "rows": rows, "grid": grid})
    by_code = {q.code: q for q in template_questions(audit.template)}
    failed_rows = [{"q": by_code.get(code), "code": code, "samples": samples,
                    "note": audit.item_notes.get(code, ""),
                    "critical": code in audit.critical_failures}
                   for code, samples in failed.items()]
    return {"sections": sections, "failed_rows": failed_rows,
            "critical": [by_code.get(c) or c for c in audit.critical_failures]}


@login_required
def audit_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    audit = _get_audit(request, uuid)
    context = _context(request, audit)
    if request.method == "POST":
        return _post_sheet(request, audit, context)
    if audit.status == Audit.Status.COMPLETED:
        context.update(_completed(audit), comparison=audit_comparison(audit))
        return render(request, "audits/completed.html", context)
    context.update(_sheet(audit, None, {}), comparison=None)
    return render(request, "audits/sheet.html", context)


def _post_sheet(request: HttpRequest, audit: Audit, context: dict[str, Any]) -> HttpResponse:
    user = request.user
    require(context["can_conduct"])
    if not context["editable"]:
        messages.error(request, "This audit is completed or archived: it cannot be changed. "
                       "Correct a completed audit by starting a new one.")
        return redirect("audits:detail", uuid=audit.uuid)
    intent = request.POST.get("intent", "save")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        with transaction.atomic():
            saved = services.audit_save(actor=user, audit=audit, expected_version=version,
                                        **_posted(audit, request.POST))
    except ApplicationError as error:
        errors = dict(error.errors)
        if isinstance(error, Conflict):
            errors = {"version": [CONFLICT_MESSAGE]}
        context.update(_sheet(audit, request.POST, errors), posted_version=version,
                       problem="Your answers have not been saved.")
        return render(request, "audits/sheet.html", context)
    if intent != "complete":
        messages.success(request, "Your draft has been saved.")
        return redirect("audits:detail", uuid=saved.uuid)
    try:
        with transaction.atomic():
            done = services.audit_complete(actor=user, audit=saved,
                                           expected_version=saved.version)
    except ApplicationError as error:
        saved = AUDIT_QS.get(pk=saved.pk)
        context = _context(request, saved)
        context.update(_sheet(saved, None, error.errors or {"status": [error.message]}),
                       problem="Your answers have been saved, but the audit cannot be "
                       "completed yet.")
        return render(request, "audits/sheet.html", context)
    outcome = "passed" if done.passed else "did not pass"
    score = f"{float(done.score):g}%" if done.score is not None else "no score"
    messages.success(request, f"The audit is complete: {score}, {outcome} (pass mark "
                     f"{float(done.template.pass_mark):g}%).")
    return redirect("audits:detail", uuid=done.uuid)


# --- raise an action (in place with htmx, or as its own page) ------------------------------


def _staff_for(user: Any, audit: Audit) -> Any:
    today = timezone.localdate()
    from django.db.models import Q

    return filter_staff_visible(StaffMember.objects.filter(
        locations=audit.location, archived_at__isnull=True).filter(
        Q(leaving_date__isnull=True) | Q(leaving_date__gte=today)), user).order_by("full_name")


@login_required
def raise_action(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    audit = _get_audit(request, uuid)
    require(bool(audit.theme_id) and can_change_action(user, audit.location_id))
    codes = {q.code: q for q in template_questions(audit.template)}
    code = request.GET.get("question") or ""
    question = codes.get(code)
    if question is None:
        messages.error(request, "Choose a question of this audit to raise an action from.")
        return redirect("audits:detail", uuid=audit.uuid)
    htmx = bool(getattr(request, "htmx", False))
    form = RaiseActionForm(request.POST or None, staff=_staff_for(user, audit),
                           prefix=f"ra-{code}")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = run_service(form, lambda: services.raise_action(
            actor=user, audit=audit, question_code=code, description=data["description"],
            due_date=data["due_date"], owner=data.get("owner")))
        if created is not None:
            if htmx:
                return render(request, "audits/_action_raised.html",
                              {"action": created, "question": question, "audit": audit})
            messages.success(request, f"Action raised on {audit.theme} from {code}.")
            return redirect("audits:detail", uuid=audit.uuid)
    context = {"form": form, "audit": audit, "question": question}
    return render(request, "audits/_raise_action.html" if htmx else "audits/raise_action.html",
                  context)


# --- evidence -------------------------------------------------------------------------------


@login_required
@require_POST
def attachment_add(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    audit = _get_audit(request, uuid)
    require(can_conduct_audit(user, audit.location_id))
    context = _context(request, audit)
    form = AttachmentForm(request.POST, request.FILES,
                          questions=context["attachment_form"].fields["question_code"].choices[1:])
    added = None
    if form.is_valid():
        added = run_service(form, lambda: services.attachment_add(
            actor=user, audit=audit, uploaded_file=form.cleaned_data["file"],
            question_code=form.cleaned_data.get("question_code") or ""))
    if getattr(request, "htmx", False):
        context.update(attachment_form=context["attachment_form"] if added else form,
                       added=added, attachments=attachments_of(audit, user))
        return render(request, "audits/_attachments.html", context)
    if added is not None:
        messages.success(request, f"{added.original_name} has been attached.")
    else:
        messages.error(request, "The file has not been attached: " + " ".join(
            str(e) for errs in form.errors.values() for e in errs))
    return redirect("audits:detail", uuid=audit.uuid)
