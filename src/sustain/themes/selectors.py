"""Reads for themes: scoped lists, and the facts the lifecycle engine evaluates."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from sustain.engine.governance_cycles import CycleKind, cycle_of
from sustain.engine.lifecycle import (
    ActionFact,
    AuditFact,
    Milestones,
    Rule,
    Stage,
    ThemeFacts,
)
from sustain.themes.models import Action, Theme
from sustain.themes.permissions import filter_themes_visible

# Channels whose activity Sustain can see from its own records so far. Others named by a
# playbook are shown but not yet required for "embedded" (the governance-rhythm work adds the
# rest: supervision, team meetings, visits, handovers…).
OBSERVED_CHANNELS = frozenset({"audit_cycles"})


def theme_list(*, actor: Any) -> QuerySet:
    """Themes the actor may see, with what list pages show, in a fixed number of queries."""
    today = timezone.localdate()
    return filter_themes_visible(Theme.objects.all(), actor).select_related(
        "location", "owner", "playbook").annotate(
        actions_total=Count("actions", filter=~Q(actions__status="cancelled"), distinct=True),
        actions_done=Count("actions", filter=Q(actions__status__in=("done", "effective")),
                           distinct=True),
        actions_overdue=Count("actions", filter=Q(actions__status__in=("open", "in_progress"),
                                                  actions__due_date__lt=today), distinct=True),
    )


def _action_fact(a: Action) -> ActionFact:
    return ActionFact(str(a.uuid), a.status, a.raised_on, a.completed_on, a.description[:80])


def facts_for_themes(themes: Iterable[Theme], as_of: dt.date) -> dict[int, ThemeFacts]:
    """Build engine inputs for many themes in two queries (actions, audits)."""
    from sustain.audits.models import Audit

    themes = list(themes)
    ids = [t.pk for t in themes]
    actions: dict[int, list[ActionFact]] = defaultdict(list)
    for a in Action.objects.filter(theme_id__in=ids, raised_on__lte=as_of).only(
            "uuid", "theme_id", "status", "raised_on", "completed_on",
            "description").order_by("pk"):
        actions[a.theme_id].append(_action_fact(a))
    audits: dict[int, list[AuditFact]] = defaultdict(list)
    audit_rows = Audit.objects.filter(theme_id__in=ids, status="completed",
                                      audit_date__lte=as_of).values_list(
        "theme_id", "uuid", "audit_date", "score", "critical_failures", "is_reaudit",
    ).order_by("audit_date", "pk")
    marks = {t.pk: float(t.pass_mark) for t in themes}
    for theme_id, uuid, day, score, critical, reaudit in audit_rows:
        # Judged against the theme's re-audit pass mark; a critical failure fails regardless.
        value = float(score or 0)
        mark = marks[theme_id]
        audits[theme_id].append(AuditFact(str(uuid), day, value, mark,
                                          not critical and value >= mark, bool(reaudit)))
    result: dict[int, ThemeFacts] = {}
    for t in themes:
        kind = CycleKind(t.organisation.governance_cycle) if hasattr(t, "organisation") \
            else CycleKind.MONTHLY
        active: dict[int, set[str]] = defaultdict(set)
        for fact in audits[t.pk]:
            active[cycle_of(fact.completed_on, kind)].add("audit_cycles")
        required = frozenset(t.embedding_channels or ()) & OBSERVED_CHANNELS
        result[t.pk] = ThemeFacts(
            stage=Stage(t.stage), as_of=as_of, actions=tuple(actions[t.pk]),
            audits=tuple(audits[t.pk]), embedding_required=required,
            embedding_active={k: frozenset(v) for k, v in active.items()},
            milestones=Milestones(t.verified_on, t.sustaining_since, t.relapsed_on),
            rule=Rule(consecutive_passes=t.consecutive_passes, sustain_cycles=t.sustain_cycles),
            cycle=kind,
        )
    return result


def theme_facts(theme: Theme, as_of: dt.date | None = None) -> ThemeFacts:
    return facts_for_themes([theme], as_of or timezone.localdate())[theme.pk]
