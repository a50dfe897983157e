"""The playbook library (web): list, one playbook in plain English, upload an organisation
playbook, apply a playbook to a theme, archive/restore an organisation playbook.

Views only read through scoped selectors and write through the playbook services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sustain.engine.access import Perm
from sustain.playbooks import selectors, services
from sustain.playbooks.forms import ApplyPlaybookForm, PlaybookUploadForm
from sustain.playbooks.models import Playbook
from sustain.playbooks.permissions import can_manage_playbooks, filter_playbooks_visible
from sustain.web.forms import ReasonForm
from sustain.web.views.base import (
    archive_views,
    get_visible_or_404,
    is_visible,
    require,
    require_perm_anywhere,
    run_service,
)


@login_required
def playbook_list(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.THEME_VIEW)
    archived = request.GET.get("archived") == "1"
    rows = selectors.playbook_list(actor=request.user, include_archived=archived)
    return render(request, "playbooks/list.html", {
        "playbooks": rows, "archived": archived,
        "can_manage": can_manage_playbooks(request.user)})


def _detail_context(request: HttpRequest, playbook: Playbook,
                    apply_form: ApplyPlaybookForm | None = None) -> dict[str, Any]:
    themes = selectors.themes_actor_may_change(request.user)
    return {
        "playbook": playbook,
        "view": selectors.playbook_view(playbook),
        "apply_form": apply_form or ApplyPlaybookForm(themes=themes),
        "can_apply": playbook.archived_at is None and themes.exists(),
        "can_archive": playbook.organisation_id is not None and
        can_manage_playbooks(request.user),
    }


def _visible_playbook(request: HttpRequest, uuid: Any) -> Playbook:
    require_perm_anywhere(request, Perm.THEME_VIEW)
    return get_visible_or_404(Playbook.objects.select_related("organisation"),
                              filter_playbooks_visible, request.user, uuid)


@login_required
def playbook_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    playbook = _visible_playbook(request, uuid)
    return render(request, "playbooks/detail.html", _detail_context(request, playbook))


@login_required
@require_POST
def playbook_apply(request: HttpRequest, uuid: Any) -> HttpResponse:
    playbook = _visible_playbook(request, uuid)
    themes = selectors.themes_actor_may_change(request.user)
    require(themes.exists())
    form = ApplyPlaybookForm(request.POST, themes=themes)
    if form.is_valid():
        theme = form.cleaned_data["theme"]
        result = run_service(form, lambda: services.playbook_apply(
            actor=request.user, playbook=playbook, theme=theme))
        if result is not None:
            theme, schedule = result
            messages.success(request, (
                f"Applied “{playbook.title}” to the theme “{theme.title}” at "
                f"{theme.location.name}: re-audit pass mark {float(theme.pass_mark):g} %, "
                f"{theme.consecutive_passes} pass(es) in a row, {theme.sustain_cycles} sustain "
                f"cycles, {len(schedule)} scheduled tasks (below)."))
            return redirect("playbooks:detail", uuid=playbook.uuid)
    return render(request, "playbooks/detail.html",
                  _detail_context(request, playbook, apply_form=form), status=400)


@login_required
def playbook_upload(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.THEME_VIEW)
    require(can_manage_playbooks(request.user))
    form = PlaybookUploadForm(request.POST, request.FILES) if request.method == "POST" \
        else PlaybookUploadForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = run_service(form, lambda: services.playbook_upload(
            actor=request.user, organisation=request.user.organisation, text=data["text"],
            filename=data["filename"], field=form.source_field),
            check_visible=is_visible(filter_playbooks_visible, request.user))
        if created is not None:
            messages.success(request, f"Added “{created.title}” version {created.version} to "
                                      "your organisation's playbooks.")
            return redirect("playbooks:detail", uuid=created.uuid)
    status = 400 if request.method == "POST" else 200
    return render(request, "playbooks/upload.html", {"form": form}, status=status)


def _archive(request: HttpRequest, uuid: Any, *, restore: bool) -> HttpResponse:
    playbook = _visible_playbook(request, uuid)
    require(playbook.organisation_id is not None and can_manage_playbooks(request.user))
    form = ReasonForm(request.POST)
    if form.is_valid() and run_service(form, lambda: services.playbook_archive(
            actor=request.user, playbook=playbook, reason=form.cleaned_data["reason"],
            restore=restore)) is not None:
        messages.success(request, f"{'Restored' if restore else 'Archived'} “{playbook.title}” "
                                  f"version {playbook.version}.")
    else:
        messages.error(request, " ".join(str(e) for e in form.non_field_errors()) or
                       "The playbook could not be changed.")
    return redirect("playbooks:detail", uuid=playbook.uuid)


playbook_archive, playbook_restore = archive_views(_archive)
