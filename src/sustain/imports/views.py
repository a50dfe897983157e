"""Import pages: upload (choose the kind and location), the job page (status, progress,
counts, the row report; Validate, and Commit only once validation passed), templates and
exports. Large files are validated and committed in the background (Huey)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sustain.core.errors import ApplicationError
from sustain.engine.access import Perm
from sustain.imports import exports, services
from sustain.imports.api import background_threshold, export_response
from sustain.imports.forms import ExportForm, UploadForm
from sustain.imports.models import ImportJob
from sustain.imports.permissions import filter_import_jobs_visible
from sustain.imports.registry import get_kind, kinds
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_by_location
from sustain.web.views.base import (
    apply_errors,
    get_visible_or_404,
    paginate,
    require_perm_anywhere,
)

RUNNING = (ImportJob.Status.VALIDATING, ImportJob.Status.COMMITTING)


def _locations(user: Any) -> Any:
    return filter_by_location(Location.objects.filter(archived_at__isnull=True), user,
                              Perm.IMPORT_RUN, field="pk").order_by("name")


@login_required
def index(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.IMPORT_RUN)
    locations = _locations(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, locations=locations)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.job_upload(
                actor=request.user, organisation=request.user.organisation,
                location=form.cleaned_data["location"], kind=form.cleaned_data["kind"],
                fileobj=upload, name=upload.name, size=upload.size)
        except ApplicationError as error:
            apply_errors(form, error)
        else:
            return redirect("imports:job", uuid=job.uuid)
    jobs = filter_import_jobs_visible(ImportJob.objects.select_related("location"),
                                      request.user).order_by("-created_at")
    return render(request, "imports/index.html", {
        "form": form, "page": paginate(request, jobs), "kinds": kinds().values(),
        "export_form": ExportForm(locations=locations),
    }, status=400 if form.errors else 200)


@login_required
def job_page(request: HttpRequest, uuid: Any) -> HttpResponse:
    job = get_visible_or_404(ImportJob.objects.select_related("location", "created_by"),
                             filter_import_jobs_visible, request.user, uuid)
    kind = get_kind(job.kind)
    return render(request, "imports/job.html", {
        "job": job, "kind": kind, "running": job.status in RUNNING,
        "can_validate": job.status in (ImportJob.Status.UPLOADED, ImportJob.Status.FAILED),
        "can_commit": job.status == ImportJob.Status.VALIDATED,
        "problems": job.report.get("problems", []), "file_problems": job.report.get("file", []),
    })


def _step(request: HttpRequest, uuid: Any, step: str) -> HttpResponse:
    from sustain.imports import tasks

    job = get_visible_or_404(ImportJob.objects.select_related("location"),
                             filter_import_jobs_visible, request.user, uuid)
    try:
        if job.size > background_threshold():
            task = tasks.import_validate_task if step == "validate" else tasks.import_commit_task
            task(job.pk, request.user.pk)
        elif step == "validate":
            services.job_validate(actor=request.user, job=job)
        else:
            services.job_commit(actor=request.user, job=job)
    except ApplicationError as error:
        from django.contrib import messages

        messages.error(request, error.message)
    return redirect("imports:job", uuid=job.uuid)


@login_required
@require_POST
def validate(request: HttpRequest, uuid: Any) -> HttpResponse:
    return _step(request, uuid, "validate")


@login_required
@require_POST
def commit(request: HttpRequest, uuid: Any) -> HttpResponse:
    return _step(request, uuid, "commit")


@login_required
def template(request: HttpRequest, kind: str, file_type: str) -> HttpResponse:
    require_perm_anywhere(request, Perm.IMPORT_RUN)
    if kind not in kinds() or file_type not in ("csv", "xlsx"):
        raise Http404("No such template.")
    import_kind = get_kind(kind)
    if file_type == "xlsx":
        response = HttpResponse(exports.template_xlsx(import_kind), content_type=exports.XLSX_TYPE)
    else:
        response = HttpResponse(exports.template_csv(import_kind), content_type=exports.CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{file_type}"'
    return response


@login_required
def export(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.IMPORT_RUN)
    if request.GET.get("kind") not in kinds():
        raise Http404("No such export.")
    try:
        return export_response(request.user, request.GET)
    except ApplicationError as error:
        raise Http404(error.message) from error
