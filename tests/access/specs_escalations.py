"""Access specs for `escalation-rules/`, `escalations/` (firings) and `tasks/` (see
tests/access/specs.py).

Rules are organisation-level policy: every user of the organisation whose roles give
`escalation.view` somewhere sees its rules (not only those with it over the whole
organisation), and only `escalation.rule_manage` over the whole organisation writes them.
That is the oracle's "shared" level (visible wherever the read permission is held anywhere),
as for playbooks, run on a rule **owned by organisation A** so that create, update and
archive are real writes with history; another organisation's rule is never visible (404),
tested in src/sustain/escalations/tests/test_api.py. Firings and tasks live at a
location and are read-only on the router (tasks change through their `complete/` and
`cancel/` actions, tested in `escalations/tests/test_api.py`).

Records are built with `core.services.tracked_create`, so each has its history entry, as the
services write them: a rule version, a firing of it at the place, and the firing's task.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sustain.core.services import tracked_create
from sustain.engine.access import Perm
from sustain.escalations.tests.conftest import SUPERVISION_RULE
from tests.access.specs import Rule, Spec
from tests.access.world import ACTOR, World

# The shared one-response rule, with the id and title each spec's record needs.
RULE_YAML = (SUPERVISION_RULE
             .replace("id: repeated-mar-discrepancy", "id: {code}", 1)
             .replace("title: Repeated MAR discrepancy by the same staff member",
                      "title: {title}", 1))


def rule_yaml(code: str, title: str) -> str:
    return RULE_YAML.format(code=code, title=title)


def _rule(world: World, where: str) -> Any:
    from sustain.escalations.models import EscalationRule

    code = f"matrix-rule-{where}"
    text = rule_yaml(code, f"Repeated MAR discrepancy ({where})")
    return tracked_create(actor=ACTOR, obj=EscalationRule(
        organisation=world.org(where), code=code, rule_version=1,
        title=f"Repeated MAR discrepancy ({where})", yaml=text, checksum="0" * 64))


def _records(now: dt.datetime) -> list[dict[str, str]]:
    return [{"type": "medicines_discrepancy", "id": str(n), "label": f"Discrepancy {n}",
             "at": (now - dt.timedelta(days=n)).isoformat()} for n in (1, 3)]


def _firing(world: World, where: str) -> Any:
    from sustain.escalations.models import Firing

    now = timezone.now()
    return tracked_create(actor=ACTOR, obj=Firing(
        organisation=world.org(where), location=world.location(where),
        source=Firing.Source.ORGANISATION, rule_code=f"matrix-firing-{where}",
        rule_title="Repeated MAR discrepancy", rule_version="1", key=f"matrix-{where}",
        group_field="staff_member", group_value="0", group_label="A staff member",
        records=_records(now), triggered_at=now - dt.timedelta(days=1),
        explanation="Two medicines discrepancies within 28 days."))


def _task(world: World, where: str) -> Any:
    from sustain.escalations.models import EscalationTask

    firing = _task_firing(world, where)
    due = timezone.now() + dt.timedelta(days=1)
    return tracked_create(actor=ACTOR, obj=EscalationTask(
        organisation=world.org(where), location=world.location(where), firing=firing,
        response_index=0, task_type="supervision",
        title="Immediate supervision on the discrepancies", fulfilled_by_type="supervision",
        owner_role="registered_manager", due_at=due, original_due_at=due))


def _task_firing(world: World, where: str) -> Any:
    from sustain.escalations.models import Firing

    return tracked_create(actor=ACTOR, obj=Firing(
        organisation=world.org(where), location=world.location(where),
        source=Firing.Source.ORGANISATION, rule_code=f"matrix-task-{where}",
        rule_title="Repeated MAR discrepancy", rule_version="1", key=f"matrix-task-{where}",
        records=_records(timezone.now()), triggered_at=timezone.now() - dt.timedelta(days=1),
        explanation="Two medicines discrepancies within 28 days."))


SPECS_LIST: list[Spec] = [
    Spec("escalation-rule", "shared", Perm.ESCALATION_VIEW, _rule,
         create=Rule(Perm.ESCALATION_RULE_MANAGE, "organisation"),
         create_payload=lambda w, where: {"yaml": rule_yaml("matrix-new-rule",
                                                            "A new organisation rule")},
         update=Rule(Perm.ESCALATION_RULE_MANAGE, "organisation"),
         update_payload=lambda w, o: {"yaml": rule_yaml(o.code, "Renamed by the matrix")},
         archive=Rule(Perm.ESCALATION_RULE_MANAGE, "organisation")),
    Spec("escalation", "location", Perm.ESCALATION_VIEW, _firing),
    Spec("escalation-task", "location", Perm.ESCALATION_VIEW, _task),
]
