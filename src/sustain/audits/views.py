"""Audit pages: the list (filter by location, template, theme, status, re-audit; overdue and
late shown), starting an audit, archiving a draft, downloading evidence. The completion sheet
and the completed view are in `views_sheet`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from sustain.audits import services
from sustain.audits.forms import AuditFilterForm, AuditStartForm, latest_versions
from sustain.audits.models import Audit, AuditAttachment, AuditTemplate
from sustain.audits.permissions import (
    can_conduct_audit,
    filter_attachments_visible,
    filter_audits_visible,
)
from sustain.audits.selectors import audit_list, template_list, timeliness
from sustain.core.errors import ApplicationError
from sustain.engine.access import Perm
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_by_location, has_perm_anywhere
from sustain.themes.models import Theme
from sustain.themes.permissions import filter_themes_visible
from sustain.web.views.base import (
    archive_views,
    get_visible_or_404,
    is_visible,
    paginate,
    preselected,
    render_list,
    require,
    require_perm_anywhere,
    run_service,
)


def locations_for(user: Any, perm: Perm) -> QuerySet:
    return filter_by_location(Location.objects.filter(archived_at__isnull=True), user, perm,
                              field="pk").order_by("name")


def themes_for(user: Any, locations: QuerySet) -> QuerySet:
    return filter_themes_visible(Theme.objects.filter(
        archived_at__isnull=True, location__in=locations), user).select_related(
        "location").order_by("location__name", "title")


def _status_filter(qs: QuerySet, status: str) -> QuerySet:
    today = timezone.localdate()
    if status == "archived":
        return qs.filter(archived_at__isnull=False)
    qs = qs.filter(archived_at__isnull=True)
    if status in ("draft", "completed"):
        return qs.filter(status=status)
    if status == "overdue":
        return qs.filter(status=Audit.Status.DRAFT, due_date__lt=today)
    if status == "late":
        return qs.filter(status=Audit.Status.COMPLETED, due_date__isnull=False,
                         completed_at__date__gt=F("due_date"))
    return qs


@login_required
def audit_list_page(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.AUDIT_VIEW)
    user = request.user
    locations = locations_for(user, Perm.AUDIT_VIEW)
    newest = [t.pk for t in latest_versions(template_list(actor=user))]
    form = AuditFilterForm(request.GET or None, locations=locations,
                           templates=AuditTemplate.objects.filter(pk__in=newest).order_by(
                               "title"), themes=themes_for(user, locations))
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    qs = audit_list(actor=user)
    for field in ("location", "theme"):
        if filters.get(field):
            qs = qs.filter(**{field: filters[field]})
    if filters.get("template"):  # every version of the template
        chosen = filters["template"]
        qs = qs.filter(template__code=chosen.code,
                       template__organisation_id=chosen.organisation_id)
    if filters.get("reaudit") in ("yes", "no"):
        qs = qs.filter(is_reaudit=filters["reaudit"] == "yes")
    qs = _status_filter(qs, filters.get("status") or "")
    page = paginate(request, qs.order_by("-audit_date", "-created_at", "-pk"))
    today = timezone.localdate()
    rows = [{"audit": a, "timeliness": timeliness(a, today)} for a in page]
    return render_list(request, "audits/list.html", "audits/_results.html", {
        "form": form, "page": page, "rows": rows,
        "can_start": has_perm_anywhere(user, Perm.AUDIT_CONDUCT)})


def _playbook_reaudit_template(theme: Any, templates: Any) -> Any:
    """The template the theme's playbook names for re-audits, if the user may use it."""
    from sustain.playbooks.services import playbook_spec

    code = playbook_spec(theme.playbook).verification.reaudit_template
    return next((t for t in templates if t.code == code and t.playbook_id == theme.playbook_id),
                None)


@login_required
def audit_start_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(has_perm_anywhere(user, Perm.AUDIT_CONDUCT))
    locations = locations_for(user, Perm.AUDIT_CONDUCT)
    templates = latest_versions(template_list(actor=user))
    themes = themes_for(user, locations)
    initial: dict[str, Any] = {}
    theme = preselected(themes, request.GET.get("theme"))
    if theme is not None:
        initial.update(theme=theme, location=theme.location)
    location = preselected(locations, request.GET.get("location"))
    if location is not None:
        initial["location"] = location
    template = next((t for t in templates if str(t.uuid) == request.GET.get("template")), None)
    if template is None and theme is not None:
        # A re-audit repeats the theme's latest audit (its template's newest version).
        latest = filter_audits_visible(Audit.objects.filter(
            theme=theme, archived_at__isnull=True), user).select_related("template").order_by(
            "-audit_date", "-pk").first()
        if latest is not None:
            template = next((t for t in templates if t.code == latest.template.code
                             and t.organisation_id == latest.template.organisation_id), None)
    if template is None and theme is not None and theme.playbook_id:
        # Otherwise the playbook's re-audit template (its verification rule names it).
        template = _playbook_reaudit_template(theme, templates)
    if template is not None:
        initial["template"] = template
    if request.GET.get("reaudit") == "1":
        initial["is_reaudit"] = True
    form = AuditStartForm(request.POST or None, locations=locations, templates=templates,
                          themes=themes, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        audit = run_service(form, lambda: services.audit_start(
            actor=user, organisation=user.organisation, location=data["location"],
            template=data["template"], theme=data.get("theme"),
            is_reaudit=data.get("is_reaudit", False), kind=data["kind"],
            audit_date=data["audit_date"], due_date=data.get("due_date"),
            samples=data["samples"]), is_visible(filter_audits_visible, user))
        if audit is not None:
            messages.success(request, "The audit has been started. Answer each question, "
                             "then write your analysis and complete it.")
            return redirect("audits:detail", uuid=audit.uuid)
    return render(request, "audits/start.html", {"form": form, "no_templates": not templates})


def _archive(request: HttpRequest, uuid: Any, restore: bool) -> HttpResponse:
    user = request.user
    require_perm_anywhere(request, Perm.AUDIT_VIEW)
    audit = get_visible_or_404(Audit.objects.all(), filter_audits_visible, user, uuid)
    require(can_conduct_audit(user, audit.location_id))
    try:
        services.audit_archive(actor=user, audit=audit, restore=restore,
                               reason=str(request.POST.get("reason", ""))[:500])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The draft has been restored." if restore else
                         "The draft has been archived. Nothing is deleted.")
    return redirect("audits:detail", uuid=audit.uuid)


audit_archive, audit_restore = archive_views(_archive)


@login_required
def attachment_file(request: HttpRequest, uuid: Any, attachment: Any) -> FileResponse:
    """The stored evidence file, to readers of the audit only."""
    require_perm_anywhere(request, Perm.AUDIT_VIEW)
    audit = get_visible_or_404(Audit.objects.all(), filter_audits_visible, request.user, uuid)
    found = filter_attachments_visible(AuditAttachment.objects.filter(
        audit=audit, uuid=attachment), request.user).first()
    if found is None:
        raise Http404("No such attachment.")
    return FileResponse(found.file.open("rb"), as_attachment=True,
                        filename=found.original_name,
                        content_type=found.content_type or "application/octet-stream")
