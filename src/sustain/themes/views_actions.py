"""Action plan pages: add and edit an action, and its workflow steps from the theme page
(in progress, done with a date, cancel with a reason, verify effective with an audit or an
evidence note). A refused step is shown on the theme page with the reason, next to the
action; nothing is changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from sustain.engine.access import Perm
from sustain.tenancy.models import Location
from sustain.themes import services
from sustain.themes.forms import ActionEditForm, ActionForm
from sustain.themes.models import Action, ActionStatus, Theme
from sustain.themes.permissions import (
    can_change_action,
    can_verify_action,
    filter_actions_visible,
    filter_themes_visible,
)
from sustain.themes.views import (
    evidence_audits,
    render_theme,
    staff_for,
    step_form,
    visible_theme,
)
from sustain.web.views.base import (
    get_visible_or_404,
    is_visible,
    require,
    require_perm_anywhere,
    run_service,
)


def _theme_url(theme: Theme, action: Action | None = None) -> str:
    url = reverse("themes:detail", kwargs={"uuid": theme.uuid})
    return url + (f"#action-{action.uuid}" if action is not None else "#action-plan")


@login_required
def action_create(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    require_perm_anywhere(request, Perm.THEME_VIEW)
    theme = get_visible_or_404(Theme.objects.select_related("location", "organisation"),
                               filter_themes_visible, user, uuid)
    require(can_change_action(user, theme.location_id))
    staff = staff_for(user, Location.objects.filter(pk=theme.location_id))
    form = ActionForm(request.POST or None, staff=staff, initial={
        "owner": theme.owner, "check_method": "reaudit",
        "due_date": timezone.localdate() + dt.timedelta(days=28)})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        action = run_service(form, lambda: services.action_create(
            actor=user, theme=theme, description=data.pop("description"),
            due_date=data.pop("due_date"), **data),
            is_visible(filter_actions_visible, user))
        if action is not None:
            messages.success(request, "The action has been added to the plan.")
            return redirect(_theme_url(theme, action))
    return render(request, "themes/action_form.html", {"form": form, "theme": theme,
                                                       "action": None})


@login_required
def action_edit(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    require_perm_anywhere(request, Perm.THEME_VIEW)
    action = get_visible_or_404(Action.objects.select_related("theme", "theme__location"),
                                filter_actions_visible, user, uuid)
    theme = action.theme
    require(can_change_action(user, action.location_id))
    require(action.status not in (ActionStatus.EFFECTIVE, ActionStatus.CANCELLED))
    initial = {name: getattr(action, name) for name in ActionForm.base_fields}
    initial["version"] = action.version
    form = ActionEditForm(request.POST or None, initial=initial,
                          staff=staff_for(user, Location.objects.filter(pk=theme.location_id)))
    if request.method == "POST" and form.is_valid():
        updated = run_service(form, lambda: services.action_update(
            actor=user, action=action, changes=form.changes(),
            expected_version=form.cleaned_data["version"]),
            is_visible(filter_actions_visible, user))
        if updated is not None:
            messages.success(request, "Changes to the action have been saved.")
            return redirect(_theme_url(theme, updated))
    return render(request, "themes/action_form.html", {"form": form, "theme": theme,
                                                       "action": action})


SUCCESS = {"progress": "The action is now in progress.",
           "done": "The action is marked done. Done is not effective: run its "
                   "effectiveness check when the evidence is in.",
           "cancel": "The action has been cancelled.",
           "verify": "The effectiveness check passed: the action is effective."}


@login_required
@require_POST
def action_step(request: HttpRequest, uuid: Any, step: str) -> HttpResponse:
    """One workflow step of an action, posted from the theme page."""
    user = request.user
    require_perm_anywhere(request, Perm.THEME_VIEW)
    action = get_visible_or_404(Action.objects.select_related("theme"), filter_actions_visible,
                                user, uuid)
    if step not in ("progress", "done", "cancel", "verify"):
        raise Http404("No such step.")
    require(can_verify_action(user, action.location_id) if step == "verify"
            else can_change_action(user, action.location_id))
    theme_view = action.theme
    audits = list(evidence_audits(theme_view, user)) if step == "verify" else None
    form = step_form(step, action, request.POST, audit_choices=audits)
    done = None
    if form.is_valid():
        data = form.cleaned_data
        if step == "verify":
            done = run_service(form, lambda: services.action_verify(
                actor=user, action=action, evidence_audit=data["evidence_audit"],
                evidence_note=data["evidence_note"], verified_on=data["verified_on"]))
        else:
            changes: dict[str, Any] = {"status": {
                "progress": ActionStatus.IN_PROGRESS, "done": ActionStatus.DONE,
                "cancel": ActionStatus.CANCELLED}[step]}
            if step == "done":
                changes["completed_on"] = data["completed_on"]
            if step == "cancel":
                changes["cancelled_reason"] = data["cancelled_reason"]
            done = run_service(form, lambda: services.action_update(
                actor=user, action=action, changes=changes,
                expected_version=data["version"]))
    if done is not None:
        messages.success(request, SUCCESS[step])
        return redirect(_theme_url(action.theme, action))
    theme = visible_theme(request, action.theme.uuid)
    return render_theme(request, theme, bound=(action, step, form))
