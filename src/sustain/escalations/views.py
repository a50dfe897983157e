"""Escalation pages (ADR 0014): the board (the provider's, or one location's: open, due soon,
overdue, escalated, done; filters by rule, theme and staff member), a firing's page (the rule
in plain English with its quoted source, the records that matched, each response task with
its state, owner, due date and ladder history, and forms to complete or cancel it), the board
report feed, and the rule library (every rule in force at the organisation, with the form to
add or edit an organisation rule and a preview over the last 90 days).

Phone-first: one column, plain forms, no script needed. Views never write: every change goes
through `escalations.services`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sustain.core.dates import uk_day
from sustain.core.errors import ApplicationError
from sustain.core.models import HistoryEntry
from sustain.core.visibility import visibility_filters
from sustain.engine.access import ROLE_LABELS, Perm
from sustain.engine.escalation_records import RECORD_TYPES, SUBJECTS, TASK_TYPES
from sustain.escalations import permissions as perms
from sustain.escalations import selectors
from sustain.escalations.filters import EscalationTaskFilter
from sustain.escalations.forms import (
    STATE_TABS,
    ArchiveRuleForm,
    BoardFilterForm,
    CancelTaskForm,
    CompleteTaskForm,
    RuleForm,
)
from sustain.escalations.models import EscalationRule, EscalationTask, Firing
from sustain.people.models import StaffMember
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_by_location
from sustain.themes.models import Theme
from sustain.web.views.base import (
    apply_errors,
    get_visible_or_404,
    paginate,
    preselected,
    require,
    require_perm_anywhere,
)
from sustain.web.views.history import can_view_history

ROLE_NAMES: dict[str, str] = {r.value: label for r, label in ROLE_LABELS.items()}
ROLE_NAMES["board"] = "Board report"
PREVIEW_DAYS = 90
MAX_CANDIDATES = 30


def _services() -> Any:
    from sustain.escalations import services

    return services


# --- small helpers ---------------------------------------------------------------------------

_date = uk_day


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def due_phrase(task: EscalationTask, now: dt.datetime) -> str:
    """"overdue by 2 days", "due in 5 hours", "done 3 Dec 2026"… for a task as of `now`."""
    if task.status == EscalationTask.Status.DONE:
        return f"done {_date(task.done_at)}" if task.done_at else "done"
    if task.status != EscalationTask.Status.OPEN:
        return task.get_status_display().lower()
    delta = task.due_at - now
    late = delta < dt.timedelta(0)
    span = -delta if late else delta
    if span >= dt.timedelta(days=1):
        amount = _count(span.days, "day")
    elif span >= dt.timedelta(hours=1):
        amount = _count(int(span.total_seconds() // 3600), "hour")
    else:
        amount = _count(max(1, int(span.total_seconds() // 60)), "minute")
    return f"overdue by {amount}" if late else f"due in {amount}"


def step_label(task: EscalationTask) -> str:
    """The task's place on the ladder, e.g. "Step 2: Quality lead"."""
    if task.at_board:
        return f"Step {task.step + 1}: in the board report"
    return f"Step {task.step + 1}: {ROLE_NAMES.get(task.owner_role, task.owner_role)}"


def done_by_text(task: EscalationTask) -> str:
    """"a supervision", "3 visits": what completes the task."""
    kind = RECORD_TYPES.get(task.fulfilled_by_type)
    if kind is None:
        return f"{task.count_needed} × {task.fulfilled_by_type}"
    if task.count_needed == 1:
        return f"{'an' if kind.label[:1] in 'aeiou' else 'a'} {kind.label}"
    return f"{task.count_needed} {kind.plural}"


def owner_text(task: EscalationTask) -> str:
    role = ROLE_NAMES.get(task.owner_role, task.owner_role)
    if task.owner_id is not None:
        return f"{task.owner.get_full_name() or task.owner.get_username()} ({role.lower()})"
    return f"{role} (nobody named)"


def about_text(firing: Firing) -> str:
    if firing.group_label:
        return firing.group_label
    if firing.staff_member_id:
        return firing.staff_member.full_name
    if firing.person_id:
        return firing.person.reference
    return firing.location.name


@dataclass
class TaskRow:
    task: EscalationTask
    state: str
    state_label: str
    due: str
    step: str
    owner: str
    history: list[dict[str, str]] = field(default_factory=list)
    complete_form: CompleteTaskForm | None = None
    cancel_form: CancelTaskForm | None = None
    fulfilled: list[dict[str, Any]] = field(default_factory=list)
    next_steps: str = ""
    done_by: str = ""


def _row(task: EscalationTask, now: dt.datetime) -> TaskRow:
    state = selectors.task_state(task, now)
    ahead = [ROLE_NAMES.get(r, r) for r in (task.ladder or [])[task.step:]]
    return TaskRow(task=task, state=state, state_label=selectors.TASK_STATES.get(state, state),
                   due=due_phrase(task, now), step=step_label(task), owner=owner_text(task),
                   next_steps=", then ".join(ahead), done_by=done_by_text(task))


def _locations(user: Any) -> QuerySet:
    return filter_by_location(Location.objects.filter(archived_at__isnull=True), user,
                              Perm.ESCALATION_VIEW, field="pk").order_by("name")


# --- links to the records a firing names ----------------------------------------------------

def _record_url(model_label: str, row: Any) -> str | None:
    try:
        if model_label == "medicines.discrepancy":
            return reverse("medicines:detail", kwargs={"uuid": row.check_record.uuid})
        if model_label in ("safeguarding.safeguardingconcern", "audits.audit",
                           "meetings.meeting"):
            return reverse(f"{model_label.split('.')[0]}:detail", kwargs={"uuid": row.uuid})
        if model_label == "careplans.careplanreview":
            return reverse("careplans:review-detail", kwargs={"uuid": row.uuid})
        if model_label == "themes.action":
            return reverse("themes:detail", kwargs={"uuid": row.theme.uuid}) + \
                f"#action-{row.uuid}"
        if model_label == "workforce.supervision":
            return reverse("workforce:staff", kwargs={"uuid": row.supervisee.uuid})
        if model_label in ("workforce.competencyassessment", "workforce.trainingrecord"):
            return reverse("workforce:staff", kwargs={"uuid": row.staff.uuid})
    except (NoReverseMatch, AttributeError):
        return None
    return None


def record_links(user: Any, refs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The records a firing or task names, each with a link to its page when there is one and
    the user may see the record."""
    from django.apps import apps

    from sustain.escalations.records import ADAPTERS

    refs = list(refs)
    wanted: dict[str, list[str]] = {}
    for ref in refs:
        adapter = ADAPTERS.get(str(ref.get("type", "")))
        if adapter is not None:
            wanted.setdefault(adapter.model, []).append(str(ref.get("id", "")))
    rows: dict[tuple[str, str], Any] = {}
    for label, ids in wanted.items():
        visible = visibility_filters().get(label)
        if visible is None:
            continue
        try:
            model = apps.get_model(label)
            for row in visible(model._default_manager.filter(uuid__in=ids), user):
                rows[(label, str(row.uuid))] = row
        except (LookupError, DjangoValidationError, ValueError):
            continue
    out = []
    for ref in refs:
        kind = RECORD_TYPES.get(str(ref.get("type", "")))
        adapter = ADAPTERS.get(str(ref.get("type", "")))
        row = rows.get((adapter.model, str(ref.get("id", "")))) if adapter else None
        at = ref.get("at")
        when = ""
        if at:
            try:
                when = _date(dt.datetime.fromisoformat(str(at)))
            except ValueError:
                when = ""
        out.append({"type": kind.label if kind else str(ref.get("type", "")),
                    "label": ref.get("label") or (kind.label if kind else "record"),
                    "when": when,
                    "url": _record_url(adapter.model, row) if row is not None else None})
    return out


# --- candidate records for completing a task ------------------------------------------------

def candidate_records(user: Any, task: EscalationTask) -> list[tuple[str, str]]:
    """Records the user can see of the task's fulfilling type at its location, on or after
    the day the rule fired, about the task's subject (staff member or person), newest first.
    The service checks the choice again."""
    from sustain.escalations import records

    record_type = task.fulfilled_by_type
    adapter = records.ADAPTERS.get(record_type)
    if adapter is None or record_type in ("note", "indicator_signal"):
        return []
    since = records.day_start(timezone.localtime(task.firing.triggered_at).date())
    try:
        recs = records.load(record_type, task.location, since)
    except Exception:  # noqa: BLE001 - no candidates rather than a broken page
        return []
    subject = task.subject or {}
    for key in ("staff_member", "person"):
        wanted = subject.get(key)
        if wanted and any(key in r.fields for r in recs):
            recs = [r for r in recs if str(r.fields.get(key)) == str(wanted)]
    visible = visibility_filters().get(adapter.model)
    if visible is None:
        return []
    from django.apps import apps

    model = apps.get_model(adapter.model)
    seen = {str(u) for u in visible(model._default_manager.filter(
        uuid__in=[r.id for r in recs]), user).values_list("uuid", flat=True)}
    done = {str(ref.get("id")) for ref in task.fulfilled_records or []}
    recs = [r for r in recs if r.id in seen and r.id not in done]
    recs.sort(key=lambda r: (r.at, r.id), reverse=True)
    return [(r.id, r.label or f"{RECORD_TYPES[record_type].label} {_date(r.at)}")
            for r in recs[:MAX_CANDIDATES]]


# --- the board --------------------------------------------------------------------------------

def _board_choices(user: Any, firings: QuerySet) -> dict[str, Any]:
    rules = sorted({(code, title) for code, title in firings.order_by().values_list(
        "rule_code", "rule_title").distinct()}, key=lambda pair: pair[1])
    theme_ids = firings.exclude(theme__isnull=True).values("theme_id")
    staff_ids = firings.exclude(staff_member__isnull=True).values("staff_member_id")
    return {"rules": rules,
            "themes": Theme.objects.filter(pk__in=theme_ids).order_by("title"),
            "staff": StaffMember.objects.filter(pk__in=staff_ids).order_by("full_name")}


@login_required
def board(request: HttpRequest, uuid: Any = None) -> HttpResponse:
    """The escalations board: the provider's (every location the user sees) or one
    location's."""
    require_perm_anywhere(request, Perm.ESCALATION_VIEW)
    user = request.user
    locations = _locations(user)
    if uuid is None and request.GET.get("location"):
        chosen = preselected(locations, request.GET.get("location"))
        if chosen is not None:
            return redirect("escalations:location-board", uuid=chosen.uuid)
    location = get_visible_or_404(locations, lambda qs, _: qs, user, uuid) \
        if uuid is not None else None
    firings = selectors.firings_visible(user).filter(archived_at__isnull=True)
    tasks = selectors.tasks_visible(user).filter(archived_at__isnull=True,
                                                 firing__archived_at__isnull=True)
    if location is not None:
        firings = firings.filter(location=location)
        tasks = tasks.filter(location=location)
    choices = _board_choices(user, firings)
    form = BoardFilterForm(request.GET or None, **choices)
    state = request.GET.get("state") or "outstanding"
    if state not in dict(STATE_TABS):
        state = "outstanding"
    form.is_valid()  # shows a value that is not a choice; the filterset reads the raw values
    data = {"state": state, **{name: request.GET.get(name, "") for name in (
        "rule_code", "theme_id", "staff_member_id")}}
    filtered = EscalationTaskFilter(data, queryset=tasks).qs.select_related(
        "firing__location", "firing__staff_member", "firing__person")
    filtered = filtered.order_by("-done_at", "pk") if state == "done" else \
        filtered.order_by("due_at", "pk")
    page = paginate(request, filtered)
    now = timezone.now()
    rows = [_row(t, now) for t in page.object_list]
    keep = {k: v for k, v in data.items() if k != "state" and v}
    from urllib.parse import urlencode

    tabs = [{"value": value, "label": label, "current": value == state,
             "query": urlencode({**keep, "state": value})} for value, label in STATE_TABS]
    return render(request, "escalations/board.html", {
        "location": location, "locations": locations, "form": form, "rows": rows,
        "page": page, "tabs": tabs, "state": state, "state_label": dict(STATE_TABS)[state],
        "filter_query": urlencode({**keep, "state": state}),
        "can_manage_rules": perms.can_manage_rules(user)})


@login_required
def board_report(request: HttpRequest) -> HttpResponse:
    """The board report feed: responses that climbed the whole ladder."""
    require_perm_anywhere(request, Perm.ESCALATION_VIEW)
    user = request.user
    now = timezone.now()
    qs = selectors.board_feed(user, include_closed=True).select_related(
        "firing__location", "firing__staff_member", "firing__person")
    page = paginate(request, qs)
    return render(request, "escalations/board_report.html", {
        "page": page, "rows": [_row(t, now) for t in page.object_list]})


# --- a firing ---------------------------------------------------------------------------------

def rule_for_firing(firing: Firing) -> Any:
    """The parsed rule a firing ran (the exact organisation rule version, or the playbook's
    rule), or None when it can no longer be read."""
    from sustain.escalations.rules import playbook_rules, rule_of_row

    try:
        if firing.rule_id is not None:
            return rule_of_row(firing.rule)
        if firing.playbook_code:
            from sustain.playbooks.models import Playbook

            version = firing.rule_version.rsplit(" v", 1)[-1]
            playbooks = Playbook.objects.filter(code=firing.playbook_code).filter(
                organisation_id__in=[firing.organisation_id]) | Playbook.objects.filter(
                code=firing.playbook_code, organisation__isnull=True)
            chosen = [p for p in playbooks if str(p.version) == version] or \
                sorted(playbooks, key=lambda p: -p.version)[:1]
            for playbook in chosen:
                for rule in playbook_rules(playbook):
                    if rule.id == firing.rule_code:
                        return rule
    except Exception:  # noqa: BLE001 - the page still shows the firing without the rule text
        return None
    return None


def _ladder_history(task: EscalationTask) -> list[dict[str, str]]:
    """Each time the task moved up the ladder (or finished), from its history entries."""
    out = []
    entries = HistoryEntry.objects.filter(object_type="escalations.escalationtask",
                                          object_uuid=task.uuid).order_by("seq")
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        if entry.action == "create":
            text = (f"Set up for {ROLE_NAMES.get(after.get('owner_role', ''), 'the owner')}, "
                    f"due {_iso_date(after.get('due_at'))}")
        elif before.get("step") != after.get("step") or \
                before.get("at_board") != after.get("at_board"):
            if after.get("at_board"):
                text = "Escalated to the board report"
            else:
                text = (f"Escalated to {ROLE_NAMES.get(after.get('owner_role', ''), '?')}, "
                        f"new deadline {_iso_date(after.get('due_at'))}")
        elif before.get("status") != after.get("status"):
            status = after.get("status", "")
            text = {"done": "Done", "cancelled": "Cancelled",
                    "withdrawn": "Withdrawn"}.get(status, f"Status {status}")
            reason = after.get("cancel_reason") or after.get("withdrawn_reason") or \
                after.get("completion_note") or entry.message
            if reason:
                text += f": {reason}"
        else:
            continue
        out.append({"when": _date(entry.at), "who": entry.actor_repr, "text": text})
    return out


def _iso_date(value: Any) -> str:
    try:
        return _date(dt.datetime.fromisoformat(str(value)))
    except (TypeError, ValueError):
        return str(value or "")


def _firing_context(request: HttpRequest, firing: Firing,
                    bound: Mapping[int, dict[str, Any]] | None = None) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    rule = rule_for_firing(firing)
    description = ""
    if rule is not None:
        from sustain.engine.escalation_rules import describe_rule

        description = describe_rule(rule)
    can_act = perms.can_act(user, firing.location_id)
    rows = []
    for task in selectors.firing_tasks(firing):
        row = _row(task, now)
        row.history = _ladder_history(task)
        row.fulfilled = record_links(user, task.fulfilled_records or [])
        if can_act and task.status == EscalationTask.Status.OPEN:
            forms = (bound or {}).get(task.pk, {})
            prefix = f"t{task.response_index}"
            row.complete_form = forms.get("complete") or CompleteTaskForm(
                prefix=f"{prefix}-done", initial={"version": task.version},
                records=candidate_records(user, task))
            row.cancel_form = forms.get("cancel") or CancelTaskForm(
                prefix=f"{prefix}-cancel", initial={"version": task.version})
        rows.append(row)
    return {
        "firing": firing, "rule": rule, "description": description,
        "source_text": getattr(rule, "source", ""), "about": about_text(firing),
        "subject_label": SUBJECTS.get(firing.group_field, firing.group_field),
        "records": record_links(user, firing.records or []), "rows": rows,
        "can_act": can_act, "can_history": can_view_history(user, firing),
        "task_types": TASK_TYPES,
    }


def _firings(user: Any) -> QuerySet:
    return perms.filter_firings_visible(Firing.objects.select_related(
        "location", "rule", "theme", "staff_member", "person"), user)


@login_required
def firing_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    require_perm_anywhere(request, Perm.ESCALATION_VIEW)
    firing = get_visible_or_404(_firings(request.user), lambda qs, _: qs, request.user, uuid)
    return render(request, "escalations/firing.html", _firing_context(request, firing))


def _task_for_action(request: HttpRequest, uuid: Any) -> EscalationTask:
    user = request.user
    task = get_visible_or_404(
        EscalationTask.objects.select_related("firing", "location", "owner"),
        perms.filter_tasks_visible, user, uuid)
    require(perms.can_act(user, task.location_id))
    return task


def _firing_url(task: EscalationTask) -> str:
    return reverse("escalations:firing", kwargs={"uuid": task.firing.uuid})


@login_required
@require_POST
def task_complete(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    task = _task_for_action(request, uuid)
    form = CompleteTaskForm(request.POST, prefix=f"t{task.response_index}-done",
                            records=candidate_records(user, task))
    if form.is_valid():
        record = form.cleaned_data.get("record") or None
        try:
            with transaction.atomic():
                _services().task_complete(
                    actor=user, task=task, expected_version=form.cleaned_data["version"],
                    record_type=task.fulfilled_by_type if record else None,
                    record_id=record, note=(form.cleaned_data.get("note") or "").strip())
        except ApplicationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"“{task.title}” marked done.")
            return redirect(_firing_url(task))
    firing = _firings(user).get(pk=task.firing_id)
    response = render(request, "escalations/firing.html", _firing_context(
        request, firing, {task.pk: {"complete": form}}))
    response.status_code = 400
    return response


@login_required
@require_POST
def task_cancel(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    task = _task_for_action(request, uuid)
    form = CancelTaskForm(request.POST, prefix=f"t{task.response_index}-cancel")
    if form.is_valid():
        try:
            with transaction.atomic():
                _services().task_cancel(actor=user, task=task,
                                        expected_version=form.cleaned_data["version"],
                                        reason=form.cleaned_data["reason"].strip())
        except ApplicationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"“{task.title}” cancelled.")
            return redirect(_firing_url(task))
    firing = _firings(user).get(pk=task.firing_id)
    response = render(request, "escalations/firing.html", _firing_context(
        request, firing, {task.pk: {"cancel": form}}))
    response.status_code = 400
    return response


# --- the rule library -------------------------------------------------------------------------

def rule_yaml(rule: Any) -> str:
    """A parsed rule written back as YAML (for playbook rules, which have no text of their
    own)."""
    import yaml

    data = rule.model_dump(mode="json", exclude_none=True)
    return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88))


def _playbook_rules(user: Any) -> list[dict[str, Any]]:
    """Rules from the playbooks applied at the organisation (one entry per rule and playbook
    version), with where they run."""
    from sustain.escalations.rules import playbook_rules

    seen = set(_locations(user).values_list("pk", flat=True))
    themes = Theme.objects.filter(organisation_id=user.organisation_id,
                                  archived_at__isnull=True, playbook__isnull=False,
                                  playbook__archived_at__isnull=True,
                                  location__archived_at__isnull=True).select_related(
        "playbook", "location").order_by("playbook__code", "-playbook__version", "pk")
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for theme in themes:
        playbook = theme.playbook
        key = (playbook.code, playbook.version)
        if key not in found:
            try:
                rules = playbook_rules(playbook)
            except Exception:  # noqa: BLE001 - an unreadable playbook shows no rules
                rules = ()
            found[key] = {"playbook": playbook, "rules": rules, "locations": set()}
        if theme.location_id in seen:
            found[key]["locations"].add(theme.location.name)
    out = []
    from sustain.engine.escalation_rules import describe_rule

    for entry in found.values():
        for rule in entry["rules"]:
            out.append({"code": rule.id, "title": rule.title, "source": rule.source,
                        "description": describe_rule(rule), "yaml": rule_yaml(rule),
                        "from": f"Playbook “{entry['playbook'].title}” (version "
                                f"{entry['playbook'].version})",
                        "where": ", ".join(sorted(entry["locations"]))
                                 or "Locations you do not see", "row": None})
    return sorted(out, key=lambda r: (r["title"], r["from"]))


def _organisation_rules(user: Any) -> list[dict[str, Any]]:
    from sustain.engine.escalation_rules import describe_rule
    from sustain.escalations.rules import rule_of_row

    seen = set(_locations(user).values_list("pk", flat=True))
    out = []
    for row in selectors.rules_visible(user).filter(is_current=True).prefetch_related(
            "locations").order_by("title"):
        try:
            rule = rule_of_row(row)
            description, source = describe_rule(rule), rule.source
        except Exception:  # noqa: BLE001 - show the text even if it no longer parses
            description, source = "", ""
        places = [loc.name for loc in row.locations.all() if loc.pk in seen]
        hidden = len(row.locations.all()) > len(places)
        out.append({"code": row.code, "title": row.title, "source": source,
                    "description": description, "yaml": row.yaml, "row": row,
                    "from": f"Organisation rule (version {row.rule_version})"
                            + ("" if row.active else ", not active"),
                    "where": (", ".join(sorted(places)) + (" (and locations you do not see)"
                                                            if hidden and places else ""))
                             or ("Locations you do not see" if hidden else "Every location")})
    return out


@login_required
def rule_library(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.ESCALATION_VIEW)
    user = request.user
    return render(request, "escalations/rules.html", {
        "organisation_rules": _organisation_rules(user),
        "playbook_rules": _playbook_rules(user),
        "can_manage": perms.can_manage_rules(user)})


def _rule_errors(form: RuleForm, error: ApplicationError) -> None:
    """A refused rule: messages that name a line or a field of the YAML go under the YAML box
    with that place ("rule:12: trigger.within_days: …"); form fields get their own."""
    placed = False
    for key, msgs in error.errors.items():
        key = "locations" if key == "location_ids" else key
        for message in msgs:
            if key in form.fields and key != "version":
                form.add_error(key, message)
            elif key in ("non_field_errors", "__all__", "version"):
                form.add_error(None, message)
            else:
                form.add_error("yaml", message if str(key) in message else f"{key}: {message}")
            placed = True
    if not placed:
        form.add_error("yaml", error.message)


def _rule_form_page(request: HttpRequest, rule: EscalationRule | None) -> HttpResponse:
    user = request.user
    require(perms.can_manage_rules(user))
    locations = _locations(user)
    initial: dict[str, Any] = {"active": True}
    if rule is not None:
        initial = {"yaml": rule.yaml, "active": rule.active, "version": rule.version,
                   "locations": list(rule.locations.all())}
    data = request.POST if request.method == "POST" else None
    form = RuleForm(data, initial=initial, locations=locations)
    if rule is None:
        del form.fields["active"]  # a new rule is active; deactivate it by editing
    preview = None
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        location_ids = list(cleaned.get("locations") or [])
        if "preview" in data:
            try:
                with transaction.atomic():
                    result = _services().rule_preview(
                        actor=user, yaml_text=cleaned["yaml"],
                        location_ids=location_ids or None, days=PREVIEW_DAYS)
            except ApplicationError as error:
                _rule_errors(form, error)
            else:
                from sustain.escalations.api import preview_payload
                from sustain.escalations.serializers import describe_yaml

                preview = preview_payload(result)
                preview["description"] = describe_yaml(cleaned["yaml"])
        else:
            try:
                with transaction.atomic():
                    if rule is None:
                        saved = _services().rule_create(actor=user, yaml_text=cleaned["yaml"],
                                                        location_ids=location_ids)
                    else:
                        saved = _services().rule_update(
                            actor=user, rule=rule,
                            expected_version=cleaned.get("version") or rule.version,
                            yaml_text=cleaned["yaml"], active=cleaned.get("active", True),
                            location_ids=location_ids)
            except ApplicationError as error:
                _rule_errors(form, error)
            else:
                messages.success(request, f"Rule “{saved.title}” saved (version "
                                          f"{saved.rule_version}).")
                return redirect(reverse("escalations:rules") + f"#rule-{saved.code}")
    archive_form = ArchiveRuleForm(initial={"version": rule.version}) if rule else None
    return render(request, "escalations/rule_form.html", {
        "form": form, "rule": rule, "preview": preview, "preview_days": PREVIEW_DAYS,
        "archive_form": archive_form,
        "can_history": rule is not None and can_view_history(user, rule)},
        status=400 if form.errors else 200)


def _rules_for_manager(user: Any) -> QuerySet:
    return selectors.rules_visible(user).filter(is_current=True).prefetch_related("locations")


@login_required
@require_http_methods(["GET", "POST"])
def rule_new(request: HttpRequest) -> HttpResponse:
    return _rule_form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, uuid: Any) -> HttpResponse:
    rule = get_visible_or_404(_rules_for_manager(request.user), lambda qs, _: qs,
                              request.user, uuid)
    return _rule_form_page(request, rule)


@login_required
@require_POST
def rule_archive(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    rule = get_visible_or_404(_rules_for_manager(user), lambda qs, _: qs, user, uuid)
    require(perms.can_manage_rules(user))
    form = ArchiveRuleForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                _services().rule_archive(actor=user, rule=rule,
                                         expected_version=form.cleaned_data["version"],
                                         reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Rule “{rule.title}” archived: it no longer runs.")
            return redirect("escalations:rules")
    locations = _locations(user)
    return render(request, "escalations/rule_form.html", {
        "form": RuleForm(initial={"yaml": rule.yaml, "active": rule.active,
                                  "version": rule.version,
                                  "locations": list(rule.locations.all())},
                         locations=locations),
        "rule": rule, "preview": None, "preview_days": PREVIEW_DAYS,
        "archive_form": form, "can_history": can_view_history(user, rule)}, status=400)
