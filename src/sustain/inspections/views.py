"""Inspection pages: record an inspection (details, five ratings, repeatable rows for breaches,
enforcement and findings), see one, correct it, archive it, update its enforcement and open a
theme from a finding. Views never write: every change goes through `inspections.services`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from sustain.core.errors import ApplicationError, Conflict
from sustain.engine.access import Perm
from sustain.inspections import forms as f
from sustain.inspections import permissions as perms
from sustain.inspections import selectors, services
from sustain.inspections.models import EnforcementAction, Finding, Inspection
from sustain.inspections.templatetags.inspections_tags import theme_url
from sustain.people.models import StaffMember
from sustain.people.permissions import filter_staff_visible
from sustain.reference.models import EnforcementType, KeyQuestion, Regulation
from sustain.reference.selectors import statements_in_force
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_locations_visible, has_perm_at
from sustain.web.views.base import (
    CONFLICT_MESSAGE,
    apply_errors,
    archive_views,
    get_visible_or_404,
    require,
)
from sustain.web.views.history import can_view_history

ROWS = (("breaches", f.BreachFormSet), ("enforcement", f.EnforcementFormSet),
        ("findings", f.FindingFormSet))


@dataclass(frozen=True)
class Problem:
    """One line of the error summary: what, and where to jump to fix it."""

    anchor: str
    label: str
    message: str


# --- recording --------------------------------------------------------------------------------


def _build(data: Any) -> tuple[f.InspectionForm, dict[str, forms.BaseFormSet]]:
    kqs = selectors.key_questions()
    statements = statements_in_force()
    kq_names = {kq.pk: kq.name for kq in kqs}
    form = f.InspectionForm(data, key_questions=kqs, prefix="inspection")
    kwargs = {
        "breaches": {"regulations": Regulation.objects.filter(archived_at__isnull=True)
                     .order_by("position")},
        "enforcement": {"enforcement_types": EnforcementType.objects.filter(
            archived_at__isnull=True).order_by("position")},
        "findings": {"key_questions": KeyQuestion.objects.filter(
            archived_at__isnull=True).order_by("position"), "statements": statements,
            "statement_groups": {s.code: kq_names.get(s.key_question_id, "Other")
                                 for s in statements}},
    }
    formsets = {prefix: cls(data, prefix=prefix, form_kwargs=kwargs[prefix])
                for prefix, cls in ROWS}
    return form, formsets


def _rows(formset: forms.BaseFormSet) -> tuple[list[dict[str, Any]], list[int]]:
    """The non-blank rows' data and, for each, its position in the formset."""
    data, where = [], []
    for i, row in enumerate(formset.forms):
        if not row.is_blank():
            data.append(row.row_data())
            where.append(i)
    return data, where


def _place(error: ApplicationError, form: f.InspectionForm,
           formsets: dict[str, forms.BaseFormSet], where: dict[str, list[int]]) -> None:
    """Put each service message beside the field and row it names (unless that field
    already shows why its value could not be read)."""
    for key, texts in error.errors.items():
        parts = key.split(".")
        target: forms.Form = form
        name = form.field_for(key)
        if parts[0] in formsets and len(parts) > 1 and parts[1].isdigit() and \
                int(parts[1]) < len(where[parts[0]]):
            target = formsets[parts[0]].forms[where[parts[0]][int(parts[1])]]
            name = parts[2] if len(parts) > 2 and parts[2] in target.fields else None
        if name is not None and target.has_error(name):
            continue
        for text in texts:
            target.add_error(name, text)
    if not error.errors:
        form.add_error(None, error.message)


def _problems(form: forms.Form, formsets: dict[str, forms.BaseFormSet]) -> list[Problem]:
    problems = [Problem("record-form", "", e) for e in form.non_field_errors()]
    problems += [Problem(bf.auto_id, str(bf.label), e) for bf in form for e in bf.errors]
    for prefix, formset in formsets.items():
        problems += [Problem(prefix, "", e) for e in formset.non_form_errors()]
        for i, row in enumerate(formset.forms):
            noun = f"{row.noun} {i + 1}"
            problems += [Problem(f"{prefix}-row-{i}", noun, e) for e in row.non_field_errors()]
            problems += [Problem(bf.auto_id, f"{noun}, {str(bf.label).lower()}", e)
                         for bf in row for e in bf.errors]
    return problems


@login_required
def inspection_create(request: HttpRequest, uuid: Any) -> HttpResponse:
    """/locations/<uuid>/inspections/new/: the whole inspection on one page. "Add another"
    buttons return the page with one more empty row; nothing is saved until it all passes."""
    user = request.user
    location = get_visible_or_404(Location.objects.all(), filter_locations_visible, user, uuid)
    require(perms.can_change_inspection(user, location.pk))
    data = request.POST.copy() if request.method == "POST" else None
    adding = data.get("add") if data is not None else None
    if data is not None and adding in dict(ROWS):
        total = f"{adding}-TOTAL_FORMS"
        data[total] = str(min(int(data.get(total) or 0) + 1, 50)) if \
            str(data.get(total) or "0").isdigit() else "1"
    form, formsets = _build(data)
    problems: list[Problem] = []
    new_index = None
    if data is not None and adding in dict(ROWS):
        new_index = len(formsets[adding].forms) - 1  # focused when the page loads
    elif data is not None:
        checks = [form.is_valid()] + [fs.is_valid() for fs in formsets.values()]  # run all
        valid = all(checks)
        rows = {prefix: _rows(fs) for prefix, fs in formsets.items()}
        kwargs: dict[str, Any] = {**form.service_kwargs(),
                                  **{prefix: r[0] for prefix, r in rows.items()}}
        where = {prefix: r[1] for prefix, r in rows.items()}
        try:
            if valid:
                with transaction.atomic():
                    inspection = services.inspection_record(
                        actor=user, organisation=location.organisation, location=location,
                        **kwargs)
                messages.success(request, "The inspection has been recorded.")
                return redirect("inspections:detail", uuid=inspection.uuid)
            services.inspection_check(actor=user, organisation=location.organisation,
                                      location=location, **kwargs)
        except ApplicationError as error:
            _place(error, form, formsets, where)
        problems = _problems(form, formsets)
    return render(request, "inspections/record.html", {
        "location": location, "form": form, "breaches": formsets["breaches"],
        "enforcement": formsets["enforcement"], "findings": formsets["findings"],
        "problems": problems, "new_prefix": adding, "new_index": new_index})


# --- one inspection ---------------------------------------------------------------------------


def _get(request: HttpRequest, uuid: Any) -> Inspection:
    return get_visible_or_404(selectors.with_parts(Inspection.objects.all(), request.user),
                              perms.filter_inspections_visible, request.user, uuid)


def _staff_at(location: Location, user: Any) -> Any:
    return filter_staff_visible(StaffMember.objects.filter(
        locations=location, archived_at__isnull=True), user).order_by("full_name")


def _playbooks(user: Any) -> Any:
    """Playbooks the user may apply (None when there are none to offer)."""
    from sustain.playbooks.models import Playbook
    from sustain.playbooks.permissions import filter_playbooks_visible

    qs = filter_playbooks_visible(Playbook.objects.filter(archived_at__isnull=True),
                                  user).order_by("title", "-version")
    return qs if list(qs) else None  # read once: the forms reuse the rows


def _detail(request: HttpRequest, inspection: Inspection, *,
            theme_form: tuple[Any, f.CreateThemeForm] | None = None,
            enforcement_form: tuple[Any, f.EnforcementUpdateForm] | None = None,
            status: int = 200) -> HttpResponse:
    user = request.user
    location_id = inspection.location_id
    can_change = perms.can_change_inspection(user, location_id)
    can_theme = has_perm_at(user, Perm.THEME_CHANGE, location_id) and not \
        inspection.is_archived
    staff = _staff_at(inspection.location, user) if can_theme else None
    if staff is not None:
        list(staff)  # read once: every finding's form reuses the rows
    playbooks = _playbooks(user) if can_theme else None
    today = timezone.localdate()
    findings = []
    for finding in inspection.live_findings:
        form = None
        if can_theme and not finding.live_themes:
            if theme_form is not None and theme_form[0] == finding.pk:
                form = theme_form[1]
            else:
                form = f.CreateThemeForm(initial={"title": _title_from(finding)}, staff=staff,
                                         playbooks=playbooks, prefix=f"theme-{finding.pk}")
        themes = [(t, theme_url(t)) for t in finding.live_themes]
        findings.append({"finding": finding, "form": form, "themes": themes})
    enforcement = []
    for action in inspection.live_enforcement:
        form = None
        if can_change and not inspection.is_archived:
            if enforcement_form is not None and enforcement_form[0] == action.pk:
                form = enforcement_form[1]
            else:
                form = f.EnforcementUpdateForm(
                    initial={"status": action.status, "deadline": action.deadline,
                             "notes": action.notes, "version": action.version},
                    prefix=f"enforcement-{action.pk}")
        enforcement.append({"action": action, "overdue": selectors.is_overdue(action, today),
                            "form": form})
    bound = [x[1] for x in (theme_form, enforcement_form) if x is not None]
    problems = [p for form in bound for p in _problems(form, {})]
    return render(request, "inspections/detail.html", {
        "inspection": inspection, "location": inspection.location, "findings": findings,
        "enforcement": enforcement, "can_change": can_change,
        "can_history": can_view_history(user, inspection), "problems": problems,
        "archive_form": f.ArchiveForm(prefix="archive"),
    }, status=status)


def _title_from(finding: Finding) -> str:
    text = " ".join(finding.text.split())
    if len(text) <= 120:
        return text.rstrip(".")
    return text[:117].rsplit(" ", 1)[0] + "…"


@login_required
def inspection_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    return _detail(request, _get(request, uuid))


@login_required
@require_POST
def finding_create_theme(request: HttpRequest, uuid: Any, finding_uuid: Any) -> HttpResponse:
    user = request.user
    inspection = _get(request, uuid)
    finding = next((x for x in inspection.live_findings if x.uuid == finding_uuid), None)
    if finding is None:
        return redirect("inspections:detail", uuid=inspection.uuid)
    require(has_perm_at(user, Perm.THEME_CHANGE, inspection.location_id))
    form = f.CreateThemeForm(request.POST, staff=_staff_at(inspection.location, user),
                             playbooks=_playbooks(user), prefix=f"theme-{finding.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                theme = services.finding_create_theme(
                    actor=user, finding=finding, title=data["title"], owner=data["owner"],
                    playbook=data.get("playbook"))
        except ApplicationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"The theme “{theme.title}” has been created.")
            return HttpResponseRedirect(theme_url(theme) or reverse(
                "inspections:detail", kwargs={"uuid": inspection.uuid}) + "#findings")
    return _detail(request, inspection, theme_form=(finding.pk, form), status=400)


@login_required
@require_POST
def enforcement_update(request: HttpRequest, uuid: Any, action_uuid: Any) -> HttpResponse:
    user = request.user
    inspection = _get(request, uuid)
    action = next((x for x in inspection.live_enforcement if x.uuid == action_uuid), None)
    if action is None:
        return redirect("inspections:detail", uuid=inspection.uuid)
    require(perms.can_change_inspection(user, inspection.location_id))
    form = f.EnforcementUpdateForm(request.POST, prefix=f"enforcement-{action.pk}")
    if form.is_valid():
        try:
            with transaction.atomic():
                services.enforcement_update(
                    actor=user, enforcement=EnforcementAction.objects.get(pk=action.pk),
                    changes=form.changes(), expected_version=form.cleaned_data["version"])
        except ApplicationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"The {action.enforcement_type.name.lower()} has been "
                                      "updated.")
            return HttpResponseRedirect(reverse("inspections:detail", kwargs={
                "uuid": inspection.uuid}) + "#enforcement")
    return _detail(request, inspection, enforcement_form=(action.pk, form), status=400)


@login_required
def inspection_edit(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    inspection = _get(request, uuid)
    require(perms.can_change_inspection(user, inspection.location_id)
            and not inspection.is_archived)
    initial = {name: getattr(inspection, name) for name in services.HEADER_FIELDS}
    initial["version"] = inspection.version
    form = f.InspectionEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.inspection_update(
                    actor=user, inspection=inspection, changes=form.changes(),
                    expected_version=form.cleaned_data["version"])
        except ApplicationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The inspection details have been corrected.")
            return redirect("inspections:detail", uuid=inspection.uuid)
    problems = _problems(form, {})
    return render(request, "inspections/edit.html", {
        "inspection": inspection, "form": form, "problems": problems,
        "conflict": CONFLICT_MESSAGE in form.non_field_errors()})


def _archive(request: HttpRequest, uuid: Any, restore: bool) -> HttpResponse:
    user = request.user
    inspection = _get(request, uuid)
    require(perms.can_change_inspection(user, inspection.location_id))
    form = f.ArchiveForm(request.POST, prefix="archive")
    reason = form.data.get("archive-reason", "")
    try:
        with transaction.atomic():
            services.inspection_archive(actor=user, inspection=inspection, reason=reason,
                                        restore=restore)
    except ApplicationError as error:
        messages.error(request, error.message if not isinstance(error, Conflict)
                       else CONFLICT_MESSAGE)
    else:
        messages.success(request, "The inspection has been restored." if restore else
                         "The inspection has been archived. It stays in the history.")
    return redirect("inspections:detail", uuid=inspection.uuid)


inspection_archive, inspection_restore = archive_views(_archive)
