"""Use cases for themes and actions. Every relevant write re-evaluates the theme's stage."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from django.db import transaction
from django.utils import timezone

from sustain.core.bulk import RowUpdate, record_pending, tracked_create_many, tracked_update_many
from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.history import PendingChange
from sustain.core.services import tracked_archive, tracked_create, tracked_update
from sustain.engine.lifecycle import (
    RULE_VERSION,
    STAGE_LABELS,
    Evaluation,
    Milestones,
    Stage,
    ThemeFacts,
    evaluate,
    manual_transition_blockers,
)
from sustain.themes import permissions as perms
from sustain.themes.models import Action, ActionStatus, CheckMethod, Theme, ThemeTransition
from sustain.themes.selectors import facts_for_themes, theme_facts

THEME_FIELDS = ("title", "description", "origin", "finding", "owner", "pass_mark",
                "consecutive_passes", "sustain_cycles", "embedding_channels",
                "playbook")  # playbook: set by playbooks.services.playbook_apply
ACTION_FIELDS = ("description", "owner", "raised_on", "due_date", "status", "completed_on",
                 "cancelled_reason", "check_method", "check_criterion")
RULES_ACTOR = "rules"
MIN_REASON = 10


def _system(actor: Any) -> bool:
    return actor is None or isinstance(actor, str)


def _same_org(organisation_id: int, field: str, obj: Any) -> None:
    if obj is not None and obj.organisation_id != organisation_id:
        raise InvalidInput(f"The {field.replace('_', ' ')} belongs to another organisation.",
                           {field: ["Not found in this organisation."]})


def _unknown(fields: Iterable[str], allowed: Sequence[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise InvalidInput("Unknown fields: " + ", ".join(unknown),
                           {f: ["Unknown field."] for f in unknown})


# --- themes -----------------------------------------------------------------------------


def theme_create(*, actor: Any, organisation: Any, location: Any, title: str, origin: str,
                 quality_statements: Sequence[Any] = (), regulations: Sequence[Any] = (),
                 as_of: dt.date | None = None, **fields: Any) -> Theme:
    """Open an improvement theme at a location. It starts identified; the rules take it on."""
    _unknown(fields, THEME_FIELDS)
    _same_org(organisation.pk, "location", location)
    _same_org(organisation.pk, "owner", fields.get("owner"))
    if not _system(actor) and not perms.can_change_theme(actor, location.pk):
        raise PermissionDenied("Your role cannot open themes at this location.")
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        theme = tracked_create(actor=actor, obj=Theme(
            organisation=organisation, location=location, title=title, origin=origin,
            stage=Stage.IDENTIFIED.value, stage_since=as_of, **fields),
            m2m={"quality_statements": list(quality_statements),
                 "regulations": list(regulations)})
        _record_transition(theme, "", Stage.IDENTIFIED, as_of, actor,
                           f"Theme identified ({theme.get_origin_display().lower()}).", ())
        return theme_reevaluate(theme=theme, as_of=as_of)


def theme_update(*, actor: Any, theme: Theme, changes: dict[str, Any],
                 expected_version: int | None) -> Theme:
    changes = dict(changes)
    m2m = {k: list(changes.pop(k)) for k in ("quality_statements", "regulations")
           if k in changes}
    _unknown(changes, THEME_FIELDS)
    _same_org(theme.organisation_id, "owner", changes.get("owner"))
    if not _system(actor) and not perms.can_change_theme(actor, theme.location_id):
        raise PermissionDenied("Your role cannot change this theme.")
    with transaction.atomic():
        theme = tracked_update(actor=actor, obj=theme, changes=changes,
                               expected_version=expected_version, m2m=m2m or None)
        theme_reevaluate(theme=theme)
    return theme


def theme_archive(*, actor: Any, theme: Theme, reason: str = "",
                  restore: bool = False) -> Theme:
    """Archive a theme opened in error or merged into another (it is kept, with its history,
    and leaves lists and the nightly re-evaluation), or bring it back."""
    if not _system(actor) and not perms.can_change_theme(actor, theme.location_id):
        raise PermissionDenied("Your role cannot archive this theme.")
    if not restore and len(reason.strip()) < MIN_REASON:
        raise InvalidInput("Say why the theme is archived.",
                           {"reason": [f"At least {MIN_REASON} characters."]})
    with transaction.atomic():
        theme = tracked_archive(actor=actor, obj=theme, reason=reason.strip(), restore=restore)
        if restore:
            theme = theme_reevaluate(theme=theme)
    return theme


def _transition(theme: Theme, from_stage: str, to_stage: Stage, on: dt.date, actor: Any,
                reason: str, evidence: Sequence[str],
                moved_by: str = ThemeTransition.MovedBy.RULES) -> ThemeTransition:
    """The transition row (not saved yet)."""
    return ThemeTransition(
        organisation=theme.organisation, theme=theme, location=theme.location,
        from_stage=from_stage, to_stage=to_stage.value, effective_on=on, moved_by=moved_by,
        actor=None if _system(actor) else actor, reason=reason, evidence=list(evidence),
        rule_version=RULE_VERSION)


def _record_transition(theme: Theme, from_stage: str, to_stage: Stage, on: dt.date,
                       actor: Any, reason: str, evidence: Sequence[str],
                       moved_by: str = ThemeTransition.MovedBy.RULES) -> ThemeTransition:
    return tracked_create(actor=actor if actor is not None else RULES_ACTOR, obj=_transition(
        theme, from_stage, to_stage, on, actor, reason, evidence, moved_by))


def _milestone_changes(theme: Theme, stage: Stage, on: dt.date) -> dict[str, Any]:
    changes: dict[str, Any] = {"stage": stage.value, "stage_since": on}
    if stage == Stage.VERIFIED:
        changes["verified_on"] = on
        changes["sustaining_since"] = None
    elif stage == Stage.SUSTAINING:
        changes["sustaining_since"] = on
    elif stage == Stage.RELAPSED:
        changes["relapsed_on"] = on
    return changes


def _move(theme: Theme, result: Evaluation, actor: Any, reason: str,
          moved_by: str) -> Theme:
    old = theme.stage
    _record_transition(theme, old, result.stage, result.since, actor, reason, result.evidence,
                       moved_by)
    return tracked_update(actor=actor if actor is not None else RULES_ACTOR, obj=theme,
                          changes=_milestone_changes(theme, result.stage, result.since),
                          expected_version=None,
                          message=f"{STAGE_LABELS[Stage(old)]} → {STAGE_LABELS[result.stage]}")


def _evaluation_json(result: Evaluation, as_of: dt.date) -> dict[str, Any]:
    return {"stage": result.stage.value, "since": result.since.isoformat(),
            "reasons": list(result.reasons), "missing": list(result.missing),
            "evidence": list(result.evidence), "rule_version": result.rule_version,
            "as_of": as_of.isoformat()}


def _advance(facts: ThemeFacts) -> tuple[list[Evaluation], Evaluation]:
    """Every move the evidence supports from the theme's stage, applied in memory (the facts
    about actions and audits do not change between moves; the stage and milestones do), and
    the final evaluation."""
    steps: list[Evaluation] = []
    result = evaluate(facts)
    for _ in range(len(Stage) + 1):
        if result.stage == facts.stage:
            break
        steps.append(result)
        ms = facts.milestones
        if result.stage == Stage.VERIFIED:
            ms = Milestones(result.since, None, ms.relapsed_on)
        elif result.stage == Stage.SUSTAINING:
            ms = Milestones(ms.verified_on, result.since, ms.relapsed_on)
        elif result.stage == Stage.RELAPSED:
            ms = Milestones(ms.verified_on, ms.sustaining_since, result.since)
        facts = replace(facts, stage=result.stage, milestones=ms)
        result = evaluate(facts)
    return steps, result


def _move_plan(theme: Theme, steps: Sequence[Evaluation], final: Evaluation,
               as_of: dt.date) -> tuple[list[ThemeTransition], dict[str, Any], str]:
    """What applying the rules' moves writes: each move as the rules' transition (unsaved),
    the theme's changes (new stage, milestones and explanation) and the message of its one
    update, naming the whole path (e.g. "Actions complete → Verified → Sustaining")."""
    path = [theme.stage]
    changes: dict[str, Any] = {}
    transitions: list[ThemeTransition] = []
    for step in steps:
        transitions.append(_transition(theme, path[-1], step.stage, step.since, None,
                                       " ".join(step.reasons), step.evidence,
                                       ThemeTransition.MovedBy.RULES))
        changes.update(_milestone_changes(theme, step.stage, step.since))
        path.append(step.stage.value)
    changes["evaluation"] = _evaluation_json(final, as_of)
    return transitions, changes, " → ".join(STAGE_LABELS[Stage(s)] for s in path)


def _apply_moves(theme: Theme, steps: Sequence[Evaluation], final: Evaluation,
                 as_of: dt.date, expected_version: int | None) -> Theme:
    """Record each move as the rules' transition, then update the theme once (one history
    entry naming the whole path) with its new stage, milestones and explanation."""
    transitions, changes, message = _move_plan(theme, steps, final, as_of)
    for transition in transitions:
        tracked_create(actor=RULES_ACTOR, obj=transition)
    return tracked_update(actor=RULES_ACTOR, obj=theme, changes=changes,
                          expected_version=expected_version, message=message)


def theme_reevaluate(*, theme: Theme, as_of: dt.date | None = None) -> Theme:
    """Apply every move the evidence supports (recorded as the rules' transitions), then
    store the latest explanation. Idempotent: a second call changes nothing."""
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        theme = Theme.objects.select_for_update().select_related(
            "organisation", "location").get(pk=theme.pk)
        steps, result = _advance(theme_facts(theme, as_of))
        if steps:
            return _apply_moves(theme, steps, result, as_of, None)
        explanation = _evaluation_json(result, as_of)
        if theme.evaluation != explanation:
            # A cached explanation, not a change of the record: no history entry.
            Theme.objects.filter(pk=theme.pk).update(evaluation=explanation)
            theme.evaluation = explanation
    return theme


def _apply_moves_bulk(moving: Sequence[tuple[Theme, list[Evaluation], Evaluation]],
                      as_of: dt.date) -> int:
    """Apply the moves of many themes of one organisation in one transaction, writing what
    `_apply_moves` writes theme by theme — the transitions, the theme update and their
    history entries, in the same order — with a few queries in all (`core.bulk`). A theme
    saved by someone else since it was read is re-evaluated on its own afterwards, under a
    lock. Returns the number of themes moved."""
    plans = {theme.pk: _move_plan(theme, steps, final, as_of)
             for theme, steps, final in moving}
    with transaction.atomic():
        result = tracked_update_many(actor=RULES_ACTOR, run_clean=True, record=False, updates=[
            RowUpdate(obj=theme, changes=plans[theme.pk][1], message=plans[theme.pk][2])
            for theme, _, _ in moving])
        created = tracked_create_many(actor=RULES_ACTOR, run_clean=True, record=False, objs=[
            t for row in result.updated for t in plans[row.pk][0]])
        by_theme: dict[int, list[PendingChange]] = {}
        for change in created:
            by_theme.setdefault(change.obj.theme_id, []).append(change)
        updates = {change.obj.pk: change for change in result.changes}
        ordered: list[PendingChange] = []  # per theme: its transitions, then its update
        for row in result.updated:
            ordered += by_theme.get(row.pk, [])
            if row.pk in updates:
                ordered.append(updates[row.pk])
        record_pending(ordered)
        moved = len(result.updated)
        for current in result.conflicts:
            if current.archived_at is not None:
                continue  # archived meanwhile: it leaves the re-evaluation
            if theme_reevaluate(theme=current, as_of=as_of).version != current.version:
                moved += 1
    return moved


def themes_reevaluate(*, organisation_id: int | None = None,
                      as_of: dt.date | None = None, batch: int = 500) -> dict[str, int]:
    """Re-evaluate every current (not archived) theme: the periodic job.

    Organisation by organisation, `batch` themes at a time: the facts are read in bulk
    (three queries per batch), the rules run in memory, explanations that changed are
    refreshed with one bulk update, and the themes whose stage moves are written together
    in one transaction (`_apply_moves_bulk`: their transitions, theme updates and
    hash-chained history, exactly as the one-theme path writes them). A theme changed by
    someone else while the batch ran is re-evaluated on its own, under a lock. Idempotent:
    a second run on the same date moves nothing.
    """
    as_of = as_of or timezone.localdate()
    qs = Theme.objects.filter(archived_at__isnull=True).select_related(
        "organisation", "location").order_by("pk")
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    summary = {"themes": 0, "moved": 0}
    by_org: dict[int, list[int]] = {}
    for org_id, pk in qs.values_list("organisation_id", "pk"):
        by_org.setdefault(org_id, []).append(pk)
    for ids in (by_org[org_id] for org_id in sorted(by_org)):
        for start in range(0, len(ids), batch):
            themes = list(qs.filter(pk__in=ids[start:start + batch]))
            facts = facts_for_themes(themes, as_of)
            stale: list[Theme] = []
            moving: list[tuple[Theme, list[Evaluation], Evaluation]] = []
            for theme in themes:
                summary["themes"] += 1
                steps, result = _advance(facts[theme.pk])
                if steps:
                    moving.append((theme, steps, result))
                    continue
                explanation = _evaluation_json(result, as_of)
                if theme.evaluation != explanation:
                    theme.evaluation = explanation
                    stale.append(theme)
            Theme.objects.bulk_update(stale, ["evaluation"])
            if moving:
                summary["moved"] += _apply_moves_bulk(moving, as_of)
    return summary


def theme_transition(*, actor: Any, theme: Theme, target: str, reason: str,
                     as_of: dt.date | None = None) -> Theme:
    """A person moves the theme, where the rules allow, with a written reason."""
    if not _system(actor) and not perms.can_change_theme(actor, theme.location_id):
        raise PermissionDenied("Your role cannot move this theme.")
    _not_archived(theme)
    try:
        stage = Stage(target)
    except ValueError as exc:
        raise InvalidInput("Unknown stage.", {"target": [f"Choose one of: {', '.join(Stage)}"]}) \
            from exc
    if len(reason.strip()) < MIN_REASON:
        raise InvalidInput("Give a written reason for moving the theme.",
                           {"reason": [f"At least {MIN_REASON} characters."]})
    as_of = as_of or timezone.localdate()
    facts = theme_facts(theme, as_of)
    blockers = manual_transition_blockers(facts, stage)
    if blockers:
        raise InvalidInput(
            f"The theme cannot move to {STAGE_LABELS[stage].lower()}: " + " ".join(blockers),
            {"target": list(blockers)})
    with transaction.atomic():
        result = Evaluation(stage, as_of, (reason,), (), ())
        theme = _move(theme, result, actor, reason.strip(), ThemeTransition.MovedBy.PERSON)
        theme = theme_reevaluate(theme=theme, as_of=as_of)
    return theme


# --- actions ----------------------------------------------------------------------------


def _check_action_status(status: str, fields: dict[str, Any]) -> None:
    if status == ActionStatus.EFFECTIVE:
        raise InvalidInput("An action becomes effective only through its effectiveness check.",
                           {"status": ["Use verify, with the evidence."]})
    if status == ActionStatus.DONE and not fields.get("completed_on"):
        fields["completed_on"] = timezone.localdate()
    if status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS):
        fields.setdefault("completed_on", None)  # reopened: no longer done


def _not_archived(theme: Theme) -> None:
    if theme.archived_at is not None:
        raise InvalidInput("The theme is archived: restore it first.",
                           {"theme": ["This theme is archived."]})


def action_create(*, actor: Any, theme: Theme, description: str, due_date: dt.date,
                  **fields: Any) -> Action:
    """Add a step to a theme's plan (optionally raised from an audit question)."""
    extra = dict(fields)
    source_audit = extra.pop("source_audit", None)
    source_question = extra.pop("source_question", "")
    _unknown(extra, ACTION_FIELDS)
    _same_org(theme.organisation_id, "owner", extra.get("owner"))
    if not _system(actor) and not perms.can_change_action(actor, theme.location_id):
        raise PermissionDenied("Your role cannot add actions to this theme.")
    _not_archived(theme)
    status = extra.setdefault("status", ActionStatus.OPEN)
    _check_action_status(status, extra)
    with transaction.atomic():
        action = tracked_create(actor=actor, obj=Action(
            organisation=theme.organisation, theme=theme, location=theme.location,
            description=description, due_date=due_date, source_audit=source_audit,
            source_question=source_question, **extra))
        theme_reevaluate(theme=theme)
    return action


def action_update(*, actor: Any, action: Action, changes: dict[str, Any],
                  expected_version: int | None) -> Action:
    """Change an action: progress, done (with date), cancel (with reason)."""
    changes = dict(changes)
    _unknown(changes, ACTION_FIELDS)
    _same_org(action.organisation_id, "owner", changes.get("owner"))
    if not _system(actor) and not perms.can_change_action(actor, action.location_id):
        raise PermissionDenied("Your role cannot change this action.")
    if action.status == ActionStatus.EFFECTIVE and changes.get("status", "effective") != \
            "effective":
        raise InvalidInput("An effective action is closed; raise a new action instead.",
                           {"status": ["Already verified effective."]})
    if "status" in changes:
        _check_action_status(changes["status"], changes)
    with transaction.atomic():
        action = tracked_update(actor=actor, obj=action, changes=changes,
                                expected_version=expected_version)
        theme_reevaluate(theme=action.theme)
    return action


def action_archive(*, actor: Any, action: Action, reason: str = "",
                   restore: bool = False) -> Action:
    """Archive an action recorded in error (it leaves the plan and the stage rules; history
    keeps it), or bring it back. To drop a real step from the plan, cancel it with a reason."""
    if not _system(actor) and not perms.can_change_action(actor, action.location_id):
        raise PermissionDenied("Your role cannot archive this action.")
    if not restore and len(reason.strip()) < MIN_REASON:
        raise InvalidInput("Say why the action is archived.",
                           {"reason": [f"At least {MIN_REASON} characters."]})
    with transaction.atomic():
        action = tracked_archive(actor=actor, obj=action, reason=reason.strip(),
                                 restore=restore)
        theme_reevaluate(theme=action.theme)
    return action


_THRESHOLD = re.compile(r"(\d+(?:\.\d+)?)\s*%")


def action_verify(*, actor: Any, action: Action, evidence_audit: Any = None,
                  evidence_note: str = "", verified_on: dt.date | None = None) -> Action:
    """Run the effectiveness check: done becomes effective only with evidence that passes."""
    if not _system(actor) and not perms.can_verify_action(actor, action.location_id):
        raise PermissionDenied("Your role cannot verify actions.")
    if action.status != ActionStatus.DONE:
        raise InvalidInput("Only a done action can be verified effective.",
                           {"status": [f"The action is {action.get_status_display().lower()}."]})
    verified_on = verified_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if action.check_method == CheckMethod.REAUDIT or evidence_audit is not None:
        if evidence_audit is None:
            errors["evidence_audit"] = ["A re-audit check needs the re-audit as evidence."]
        else:
            _same_org(action.organisation_id, "evidence_audit", evidence_audit)
            errors.update(_audit_evidence_problems(action, evidence_audit))
    elif len(evidence_note.strip()) < 20:
        errors["evidence_note"] = [
            "Describe the evidence (what was observed or sampled, when, by whom)."]
    if errors:
        raise InvalidInput("The effectiveness check has not passed: "
                           + " ".join(m for ms in errors.values() for m in ms), errors)
    with transaction.atomic():
        action = tracked_update(actor=actor, obj=action, changes={
            "status": ActionStatus.EFFECTIVE, "evidence_audit": evidence_audit,
            "evidence_note": evidence_note.strip(), "verified_on": verified_on,
            "verified_by": None if _system(actor) else actor}, expected_version=None,
            message="Effectiveness check passed")
        theme_reevaluate(theme=action.theme)
    return action


def _audit_evidence_problems(action: Action, audit: Any) -> dict[str, list[str]]:
    problems: list[str] = []
    if audit.status != "completed":
        problems.append("The audit is not completed.")
    if audit.location_id != action.location_id:
        problems.append("The audit was at another location.")
    if audit.theme_id not in (None, action.theme_id):
        problems.append("The audit tested another theme.")
    if action.completed_on and audit.audit_date < action.completed_on:
        problems.append("The audit took place before the action was done, so it cannot show "
                        "the change.")
    if audit.status == "completed" and not audit.passed:
        problems.append(f"The audit did not pass (score {audit.score}%).")
    match = _THRESHOLD.search(action.check_criterion or "")
    if match and audit.score is not None and float(audit.score) < float(match.group(1)):
        problems.append(f"The criterion needs {match.group(1)}% and the audit scored "
                        f"{audit.score}%.")
    return {"evidence_audit": problems} if problems else {}
