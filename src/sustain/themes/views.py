"""Theme pages: the cross-location list, open and edit a theme, the theme page (stage and what
the next stage needs, the timeline, the action plan, audits and re-audit scores, the "move the
theme" form), archive and restore. Actions are in `views_actions`.

The list runs a fixed number of SQL queries however many themes and locations there are: the
action counts are correlated subqueries and related rows are joined.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from sustain.audits.models import Audit
from sustain.audits.permissions import filter_audits_visible
from sustain.core.errors import ApplicationError, InvalidInput
from sustain.drift.selectors import theme_flags
from sustain.engine.access import Perm
from sustain.engine.lifecycle import STAGE_LABELS, Stage
from sustain.people.models import StaffMember
from sustain.people.permissions import filter_staff_visible
from sustain.reference.models import KeyQuestion, QualityStatement, Regulation
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_by_location, has_perm_anywhere, has_perm_at
from sustain.themes import selectors, services
from sustain.themes.charts import reaudit_chart
from sustain.themes.forms import (
    ActionCancelForm,
    ActionDoneForm,
    ActionProgressForm,
    ActionVerifyForm,
    MoveForm,
    ThemeEditForm,
    ThemeFilterForm,
    ThemeForm,
)
from sustain.themes.models import Action, Theme
from sustain.themes.permissions import (
    can_change_action,
    can_change_theme,
    can_verify_action,
    filter_themes_visible,
)
from sustain.web.forms import ReasonForm
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
from sustain.web.views.history import can_view_history

LIST_PAGE_SIZE = 50


def locations_for(user: Any, perm: Perm) -> QuerySet:
    return filter_by_location(Location.objects.filter(archived_at__isnull=True), user, perm,
                              field="pk").order_by("name")


def staff_for(user: Any, locations: QuerySet) -> QuerySet:
    """Current staff at the given locations whom the user may see (owner choices)."""
    today = timezone.localdate()
    staff = StaffMember.objects.filter(locations__in=locations, archived_at__isnull=True) \
        .exclude(leaving_date__lt=today)
    return filter_staff_visible(staff, user).distinct().order_by("full_name")


def _reference() -> dict[str, QuerySet]:
    return {"statements": QualityStatement.objects.filter(archived_at__isnull=True)
            .select_related("key_question").order_by("key_question__position", "position"),
            "regulations": Regulation.objects.filter(archived_at__isnull=True)
            .order_by("position")}


# --- the cross-location list ------------------------------------------------------------


@login_required
def theme_list(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.THEME_VIEW)
    user = request.user
    visible = filter_themes_visible(Theme.objects.filter(archived_at__isnull=True), user)
    owners = StaffMember.objects.filter(
        Exists(visible.filter(owner_id=OuterRef("pk")))).order_by("full_name")
    form = ThemeFilterForm(
        request.GET or None, locations=locations_for(user, Perm.THEME_VIEW), owners=owners,
        key_questions=list(KeyQuestion.objects.filter(archived_at__isnull=True)
                           .order_by("position").values_list("code", "name")))
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    qs = selectors.theme_list(actor=user)
    for name in ("location", "owner"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    for name in ("stage", "origin"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("key_question"):
        through = Theme.quality_statements.through
        qs = qs.filter(Exists(through.objects.filter(
            theme_id=OuterRef("pk"),
            qualitystatement__key_question__code=filters["key_question"])))
    if filters.get("overdue"):
        qs = qs.filter(actions_overdue__gt=0)
    page = paginate(request, qs.order_by("location__name", "title", "pk"), LIST_PAGE_SIZE)
    return render_list(request, "themes/list.html", "themes/_results.html", {
        "form": form, "page": page,
        "can_create": has_perm_anywhere(user, Perm.THEME_CHANGE)})


# --- open and edit ------------------------------------------------------------------------


@login_required
def theme_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(has_perm_anywhere(user, Perm.THEME_CHANGE))
    locations = locations_for(user, Perm.THEME_CHANGE)
    initial: dict[str, Any] = {}
    chosen = preselected(locations, request.GET.get("location"))
    if chosen is not None:
        initial["location"] = chosen
    form = ThemeForm(request.POST or None, initial=initial, locations=locations,
                     staff=staff_for(user, locations), **_reference())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        theme = run_service(form, lambda: services.theme_create(
            actor=user, organisation=user.organisation, location=data.pop("location"),
            title=data.pop("title"), origin=data.pop("origin"),
            quality_statements=list(data.pop("quality_statements")),
            regulations=list(data.pop("regulations")), **data),
            is_visible(filter_themes_visible, user))
        if theme is not None:
            messages.success(request, f"The theme \u201c{theme.title}\u201d has been opened.")
            return redirect("themes:detail", uuid=theme.uuid)
    return render(request, "themes/form.html", {"form": form, "theme": None})


def visible_theme(request: HttpRequest, uuid: Any) -> Theme:
    require_perm_anywhere(request, Perm.THEME_VIEW)
    qs = selectors.with_action_counts(Theme.objects.select_related(
        "location", "owner", "playbook", "finding", "organisation"))
    return get_visible_or_404(qs, filter_themes_visible, request.user, uuid)


@login_required
def theme_edit(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    theme = visible_theme(request, uuid)
    require(can_change_theme(user, theme.location_id))
    initial = {"title": theme.title, "origin": theme.origin, "owner": theme.owner,
               "description": theme.description, "version": theme.version,
               "quality_statements": list(theme.quality_statements.all()),
               "regulations": list(theme.regulations.all())}
    form = ThemeEditForm(request.POST or None, initial=initial,
                         staff=staff_for(user, Location.objects.filter(pk=theme.location_id)),
                         **_reference())
    if request.method == "POST" and form.is_valid():
        updated = run_service(form, lambda: services.theme_update(
            actor=user, theme=theme, changes=form.changes(),
            expected_version=form.cleaned_data["version"]),
            is_visible(filter_themes_visible, user))
        if updated is not None:
            messages.success(request, f"Changes to \u201c{updated.title}\u201d have been saved.")
            return redirect("themes:detail", uuid=updated.uuid)
    return render(request, "themes/form.html", {"form": form, "theme": theme})


# --- the theme page -----------------------------------------------------------------------


def optional_url(name: str, **kwargs: Any) -> str | None:
    """A page of another app, if that app provides it."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def evidence_url(link: selectors.EvidenceLink, theme: Theme) -> str | None:
    if link.record is None:
        return None
    if link.kind == "action":
        if link.record.theme_id == theme.pk:
            return f"#action-{link.id}"
        return reverse("themes:detail", kwargs={"uuid": link.record.theme.uuid}) + \
            f"#action-{link.id}"
    return optional_url("audits:detail", uuid=link.record.uuid)


STEPS = ("progress", "done", "cancel", "verify")


@dataclass
class ActionRow:
    """One action of the plan with the forms its next steps need."""

    action: Action
    overdue: bool
    forms: dict[str, forms.Form] = field(default_factory=dict)
    open_step: str = ""


def step_form(step: str, action: Action, data: Any = None,
              audit_choices: list[Audit] | None = None) -> forms.Form:
    prefix = f"a{action.uuid.hex[:12]}-{step}"
    initial = {"version": action.version}
    if step == "progress":
        return ActionProgressForm(data, prefix=prefix, initial=initial)
    if step == "done":
        return ActionDoneForm(data, prefix=prefix, initial=initial)
    if step == "cancel":
        return ActionCancelForm(data, prefix=prefix, initial=initial)
    return ActionVerifyForm(data, prefix=prefix, audits=audit_choices or [])


def steps_for(action: Action, can_act: bool, can_verify: bool) -> list[str]:
    found = []
    if can_act and action.status == "open":
        found.append("progress")
    if can_act and action.status in ("open", "in_progress"):
        found.append("done")
    if can_act and action.status in ("open", "in_progress", "done"):
        found.append("cancel")
    if can_verify and action.status == "done":
        found.append("verify")
    return found


def evidence_audits(theme: Theme, user: Any) -> QuerySet:
    """Completed audits at the theme's location (of this theme or of none), newest first:
    the choices for an effectiveness check (the service judges whether one passes)."""
    from django.db.models import Q

    qs = Audit.objects.filter(location_id=theme.location_id, status="completed",
                              archived_at__isnull=True).filter(
        Q(theme=theme) | Q(theme__isnull=True)).select_related("template")
    return filter_audits_visible(qs, user).order_by("-audit_date", "-pk")[:30]


def render_theme(request: HttpRequest, theme: Theme, *, move_form: MoveForm | None = None,
                 refusal: list[str] | None = None,
                 bound: tuple[Action, str, forms.Form] | None = None) -> HttpResponse:
    """The theme page; a refused move or action step is shown with its form and errors."""
    user = request.user
    today = timezone.localdate()
    can_change = can_change_theme(user, theme.location_id)
    can_act = can_change_action(user, theme.location_id)
    can_verify = can_verify_action(user, theme.location_id)
    can_audits = has_perm_at(user, Perm.AUDIT_VIEW, theme.location_id)
    audit_choices = None
    if can_verify:
        # Evaluated once and shared by every verify form on the page.
        audit_choices = list(evidence_audits(theme, user))
    rows = []
    for action in selectors.actions_of(theme, user):
        row = ActionRow(action, action.status in selectors.OPEN_STATUSES
                        and action.due_date < today)
        for step in steps_for(action, can_act, can_verify):
            row.forms[step] = step_form(step, action, audit_choices=audit_choices)
        if bound is not None and bound[0].pk == action.pk:
            row.forms[bound[1]] = bound[2]
            row.open_step = bound[1]
        rows.append(row)
    audits = list(selectors.audits_of(theme, user)) if can_audits else []
    evaluation = theme.evaluation or {}
    links = selectors.resolve_evidence(evaluation.get("evidence", []), user)
    timeline = [(t, [(link, evidence_url(link, theme)) for link in found])
                for t, found in selectors.theme_timeline(theme, user)]
    if move_form is None and can_change and not theme.is_archived:
        move_form = MoveForm(current=theme.stage)
    return render(request, "themes/detail.html", {
        "theme": theme,
        "stage_label": STAGE_LABELS[Stage(theme.stage)],
        "evaluation": evaluation,
        "evaluated_on": _date(evaluation.get("as_of")),
        "evaluation_evidence": [(link, evidence_url(link, theme)) for link in links.values()],
        "next_stage": _next_stage_label(theme.stage),
        "rows": rows,
        "overdue_count": sum(1 for r in rows if r.overdue),
        "audits": audits,
        "chart": reaudit_chart(audits, float(theme.pass_mark)),
        "timeline": timeline,
        "move_form": move_form,
        "refusal": refusal,
        "can_change": can_change,
        "can_act": can_act and not theme.is_archived,
        "can_audits": can_audits,
        "reaudit_url": _reaudit_url(theme) if has_perm_at(
            user, Perm.AUDIT_CONDUCT, theme.location_id) and not theme.is_archived else None,
        "playbook_url": optional_url("playbooks:detail", uuid=theme.playbook.uuid)
        if theme.playbook_id else None,
        "can_history": can_view_history(user, theme),
        "statements": list(theme.quality_statements.select_related("key_question")
                           .order_by("key_question__position", "position")),
        "regulations": list(theme.regulations.order_by("position")),
        "drift_flags": theme_flags(theme, user),
    })


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _reaudit_url(theme: Theme) -> str | None:
    url = optional_url("audits:start")
    if url is None:
        return None
    return f"{url}?location={theme.location.uuid}&theme={theme.uuid}&reaudit=1"


def _next_stage_label(stage: str) -> str:
    order = [s.value for s in (Stage.IDENTIFIED, Stage.RECOVERING, Stage.ACTIONS_COMPLETE,
                               Stage.VERIFIED, Stage.SUSTAINING, Stage.EMBEDDED)]
    if stage == Stage.RELAPSED:
        return STAGE_LABELS[Stage.RECOVERING]
    if stage in order and order.index(stage) + 1 < len(order):
        return STAGE_LABELS[Stage(order[order.index(stage) + 1])]
    return ""


@login_required
def theme_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    return render_theme(request, visible_theme(request, uuid))


@login_required
@require_POST
def theme_move(request: HttpRequest, uuid: Any) -> HttpResponse:
    """A person moves the theme where the rules allow; a refusal lists what is missing."""
    user = request.user
    theme = visible_theme(request, uuid)
    require(can_change_theme(user, theme.location_id))
    form = MoveForm(request.POST, current=theme.stage)
    if not form.is_valid():
        return render_theme(request, theme, move_form=form)
    target = form.cleaned_data["target"]
    try:
        services.theme_transition(actor=user, theme=theme, target=target,
                                  reason=form.cleaned_data["reason"])
    except InvalidInput as error:
        blockers = error.errors.get("target", [])
        for message in error.errors.get("reason", []):
            form.add_error("reason", message)
        if blockers:
            form.add_error("target", f"The theme cannot move to "
                                     f"{STAGE_LABELS[Stage(target)].lower()} yet.")
        elif not error.errors:
            form.add_error(None, error.message)
        return render_theme(request, theme, move_form=form, refusal=blockers or None)
    except ApplicationError as error:
        form.add_error(None, error.message)
        return render_theme(request, theme, move_form=form)
    messages.success(request, f"\u201c{theme.title}\u201d has moved to "
                              f"{STAGE_LABELS[Stage(target)].lower()}.")
    return redirect(reverse("themes:detail", kwargs={"uuid": theme.uuid}) + "#timeline")


def _archive(request: HttpRequest, uuid: Any, restore: bool) -> HttpResponse:
    user = request.user
    theme = visible_theme(request, uuid)
    require(can_change_theme(user, theme.location_id))
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.theme_archive(actor=user, theme=theme, reason=reason, restore=restore)
    except ApplicationError as error:
        detail = " ".join(m for ms in error.errors.values() for m in ms)
        messages.error(request, f"{error.message} {detail}".strip())
    else:
        messages.success(request, f"\u201c{theme.title}\u201d has been "
                                  f"{'restored' if restore else 'archived'}.")
    return redirect("themes:detail", uuid=theme.uuid)


theme_archive, theme_restore = archive_views(_archive)
