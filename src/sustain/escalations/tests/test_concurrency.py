"""Two sweeps (and two ladder runs) at once: on PostgreSQL they truly overlap, each in its own
connection, and every firing, task and escalation is written once (the per-location lock and
the unique key). On SQLite the shared helper lets the threads take turns (one writer)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from sustain.core import events
from sustain.core.models import HistoryEntry
from sustain.escalations import services
from sustain.escalations.models import EscalationTask, Firing
from sustain.escalations.tests.conftest import (
    CARE_PLAN_RULE,
    MEDICINES_RULE,
    _staff,
    days_ago,
    discrepancy_check,
    mismatch_review,
)
from sustain.governance.tests.test_jobs import _run_concurrently


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_create_each_firing_once(
        org: Any, location: Any, sibling_location: Any, owners: dict[str, Any],
        make_user: Any, make_rule: Any, alex: Any, blake: Any, person: Any) -> None:
    make_user(org, "registered_manager", location=sibling_location)
    make_user(org, "senior_carer", location=sibling_location)
    make_rule(MEDICINES_RULE)
    make_rule(CARE_PLAN_RULE)
    carer = _staff(org, sibling_location, "Casey Carer")
    with events.muted():
        for n in (27, 25, 20, 18, 15, 12, 10, 8):
            discrepancy_check(org, location, days_ago(n), alex, blake)
            discrepancy_check(org, sibling_location, days_ago(n), carer, carer)
        for n in (9, 7, 5, 3):
            mismatch_review(org, location, days_ago(n), person, blake)
    results = _run_concurrently(lambda: services.sweep())
    expected = 4 + 4 + 2
    assert sum(r["new"] for r in results) == expected
    assert Firing.objects.count() == expected
    keys = list(Firing.objects.values_list("organisation", "rule_code", "key"))
    assert len(keys) == len(set(keys))
    assert EscalationTask.objects.count() == 3 * expected
    assert HistoryEntry.objects.filter(object_type="escalations.firing",
                                       action="create").count() == expected
    assert HistoryEntry.objects.filter(object_type="escalations.escalationtask",
                                       action="create").count() == 3 * expected

    overdue = EscalationTask.objects.filter(status="open", due_at__lt=timezone.now()).count()
    moved = _run_concurrently(lambda: services.escalate_overdue())
    assert sum(m["escalated"] for m in moved) == overdue > 0
    assert HistoryEntry.objects.filter(object_type="escalations.escalationtask",
                                       message__startswith="Escalated").count() == overdue
    assert EscalationTask.objects.filter(step=1).count() == overdue
    assert not EscalationTask.objects.filter(step__gt=1).exists()
