"""Reads for themes: scoped lists, and the facts the lifecycle engine evaluates."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from sustain.engine.governance_cycles import CycleKind
from sustain.engine.lifecycle import (
    ActionFact,
    AuditFact,
    Milestones,
    Rule,
    Stage,
    ThemeFacts,
)
from sustain.themes.embedding import active_channels, observed_channels, records_by_theme
from sustain.themes.models import Action, Theme, ThemeTransition
from sustain.themes.permissions import (
    filter_actions_visible,
    filter_themes_visible,
    filter_transitions_visible,
)

# How far back the embedding channels are read for the lifecycle: the last complete cycle
# (a quarter at most) before the current one.
EMBEDDING_LOOKBACK_DAYS = 200


OPEN_STATUSES = ("open", "in_progress")


def overdue_q(today: dt.date, prefix: str = "") -> Q:
    """Actions not done by their due date (open or in progress, due before today)."""
    return Q(**{f"{prefix}status__in": OPEN_STATUSES, f"{prefix}due_date__lt": today,
                f"{prefix}archived_at__isnull": True})


def _action_count(today: dt.date, condition: Q) -> Coalesce:
    sub = Action.objects.filter(condition, theme_id=OuterRef("pk"), archived_at__isnull=True) \
        .order_by().values("theme_id").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def with_action_counts(qs: QuerySet, today: dt.date | None = None) -> QuerySet:
    """Annotate each theme's plan: live actions (not cancelled or archived), done (done or
    effective), effective, and overdue. Correlated subqueries: one query for any number of
    themes, and filters that join other tables cannot multiply the counts."""
    today = today or timezone.localdate()
    return qs.annotate(
        actions_total=_action_count(today, ~Q(status="cancelled")),
        actions_done=_action_count(today, Q(status__in=("done", "effective"))),
        actions_effective=_action_count(today, Q(status="effective")),
        actions_overdue=_action_count(today, overdue_q(today)),
    )


def theme_list(*, actor: Any, include_archived: bool = False) -> QuerySet:
    """Themes the actor may see, with what list pages show, in a fixed number of queries."""
    qs = Theme.objects.all() if include_archived else Theme.objects.filter(
        archived_at__isnull=True)
    return with_action_counts(filter_themes_visible(qs, actor).select_related(
        "location", "owner", "playbook"))


def _action_fact(a: Action) -> ActionFact:
    return ActionFact(str(a.uuid), a.status, a.raised_on, a.completed_on, a.description[:80])


def facts_for_themes(themes: Iterable[Theme], as_of: dt.date) -> dict[int, ThemeFacts]:
    """Build engine inputs for many themes in two queries (actions, audits)."""
    from sustain.audits.models import Audit

    themes = list(themes)
    ids = [t.pk for t in themes]
    actions: dict[int, list[ActionFact]] = defaultdict(list)
    for a in Action.objects.filter(theme_id__in=ids, raised_on__lte=as_of,
                                   archived_at__isnull=True).only(
            "uuid", "theme_id", "status", "raised_on", "completed_on",
            "description").order_by("pk"):
        actions[a.theme_id].append(_action_fact(a))
    audits: dict[int, list[AuditFact]] = defaultdict(list)
    audit_rows = Audit.objects.filter(theme_id__in=ids, status="completed",
                                      audit_date__lte=as_of,
                                      archived_at__isnull=True).values_list(
        "theme_id", "uuid", "audit_date", "score", "critical_failures", "is_reaudit",
    ).order_by("audit_date", "completed_at", "pk")  # completion order, as the engine expects
    marks = {t.pk: float(t.pass_mark) for t in themes}
    for theme_id, uuid, day, score, critical, reaudit in audit_rows:
        # Judged against the theme's re-audit pass mark; a critical failure fails regardless.
        value = float(score or 0)
        mark = marks[theme_id]
        audits[theme_id].append(AuditFact(str(uuid), day, value, mark,
                                          not critical and value >= mark, bool(reaudit)))
    observed = observed_channels()
    channel_rows = records_by_theme(ids, as_of - dt.timedelta(days=EMBEDDING_LOOKBACK_DAYS),
                                    as_of)
    result: dict[int, ThemeFacts] = {}
    for t in themes:
        kind = CycleKind(t.organisation.governance_cycle) if hasattr(t, "organisation") \
            else CycleKind.MONTHLY
        required = frozenset(t.embedding_channels or ()) & observed
        result[t.pk] = ThemeFacts(
            stage=Stage(t.stage), as_of=as_of, actions=tuple(actions[t.pk]),
            audits=tuple(audits[t.pk]), embedding_required=required,
            embedding_active=active_channels(channel_rows.get(t.pk, ()), kind),
            milestones=Milestones(t.verified_on, t.sustaining_since, t.relapsed_on),
            rule=Rule(consecutive_passes=t.consecutive_passes, sustain_cycles=t.sustain_cycles),
            cycle=kind,
        )
    return result


def theme_facts(theme: Theme, as_of: dt.date | None = None) -> ThemeFacts:
    return facts_for_themes([theme], as_of or timezone.localdate())[theme.pk]


# --- what the pages and the API show ------------------------------------------------------


@dataclass(frozen=True)
class EvidenceLink:
    """A record a judgement rested on, as the reader may see it (`record` None: not visible
    to the reader, or not a record Sustain can show yet)."""

    id: str
    kind: str  # "action" | "audit" | "record"
    label: str
    record: Any = None


def resolve_evidence(ids: Iterable[str], actor: Any) -> dict[str, EvidenceLink]:
    """Evidence ids (actions and audits) resolved through the reader's scope: two queries for
    any number of ids. Ids the reader may not see are labelled but carry no record."""
    from sustain.audits.models import Audit
    from sustain.audits.permissions import filter_audits_visible

    wanted = sorted({str(i) for i in ids if _is_uuid(str(i))})
    found: dict[str, EvidenceLink] = {}
    if wanted:
        for action in filter_actions_visible(Action.objects.filter(uuid__in=wanted), actor):
            found[str(action.uuid)] = EvidenceLink(str(action.uuid), "action",
                                                   f"Action: {action.description[:80]}", action)
        audits = filter_audits_visible(Audit.objects.filter(uuid__in=wanted), actor) \
            .select_related("template")
        for audit in audits:
            kind = "Re-audit" if audit.is_reaudit else "Audit"
            score = f", {audit.score:.0f}%" if audit.score is not None else ""
            found[str(audit.uuid)] = EvidenceLink(
                str(audit.uuid), "audit",
                f"{kind}: {audit.template.title}, {_fmt(audit.audit_date)}{score}", audit)
    return {i: found.get(i, EvidenceLink(i, "record", "A record you cannot open here"))
            for i in (str(x) for x in ids)}


def _is_uuid(value: str) -> bool:
    try:
        uuid_module.UUID(value)
    except ValueError:
        return False
    return True


def _fmt(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def theme_timeline(theme: Theme, actor: Any) -> list[tuple[ThemeTransition, list[EvidenceLink]]]:
    """Every transition of the theme, oldest first, with its evidence resolved for the reader
    (three queries however long the timeline)."""
    transitions = list(filter_transitions_visible(
        ThemeTransition.objects.filter(theme=theme), actor).select_related("actor")
        .order_by("created_at", "pk"))
    links = resolve_evidence([e for t in transitions for e in (t.evidence or [])], actor)
    return [(t, [links[str(e)] for e in (t.evidence or [])]) for t in transitions]


def actions_of(theme: Theme, actor: Any) -> QuerySet:
    """The theme's plan as the reader may see it (not archived), due date first."""
    return filter_actions_visible(
        Action.objects.filter(theme=theme, archived_at__isnull=True), actor).select_related(
        "owner", "evidence_audit", "evidence_audit__template", "verified_by") \
        .order_by("due_date", "created_at", "pk")


def audits_of(theme: Theme, actor: Any) -> QuerySet:
    """Audits and re-audits of the theme the reader may see (audit.view), oldest first."""
    from sustain.audits.models import Audit
    from sustain.audits.permissions import filter_audits_visible

    return filter_audits_visible(
        Audit.objects.filter(theme=theme, archived_at__isnull=True), actor).select_related(
        "template").order_by("audit_date", "created_at", "pk")


def overdue_actions(*, actor: Any, today: dt.date | None = None) -> QuerySet:
    """Overdue actions the reader may see, oldest due first."""
    today = today or timezone.localdate()
    return filter_actions_visible(Action.objects.filter(overdue_q(today)), actor) \
        .filter(theme__archived_at__isnull=True) \
        .select_related("theme", "location", "owner").order_by("due_date", "pk")


def my_overdue_actions(*, actor: Any, today: dt.date | None = None) -> QuerySet:
    """The reader's own overdue actions: those they own, and those on themes they own (as
    the staff member linked to their account)."""
    mine = Q(owner__user_id=actor.pk) | Q(theme__owner__user_id=actor.pk)
    return overdue_actions(actor=actor, today=today).filter(mine)


def themes_at(*, actor: Any, location: Any) -> QuerySet:
    """Current themes at one location, in ladder order of their stage then title."""
    order = Case(*[When(stage=s.value, then=Value(n)) for n, s in enumerate(STAGE_ORDER)],
                 default=Value(99), output_field=IntegerField())
    return theme_list(actor=actor).filter(location=location).annotate(stage_order=order) \
        .order_by("stage_order", "title", "pk")


# Relapsed first: it needs attention; then the ladder.
STAGE_ORDER = (Stage.RELAPSED, Stage.IDENTIFIED, Stage.RECOVERING, Stage.ACTIONS_COMPLETE,
               Stage.VERIFIED, Stage.SUSTAINING, Stage.EMBEDDED)
