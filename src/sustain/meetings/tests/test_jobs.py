"""The governance-cycles job: recorded in the jobs list, idempotent when run twice, and safe
when two run at once (threads on separate connections: no duplicate cycle or history)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, connections

from sustain.core.models import HistoryEntry
from sustain.governance.models import JobRun
from sustain.meetings import services, tasks
from sustain.meetings.models import GovernanceCycle

UP_TO = dt.date(2026, 11, 27)


@pytest.mark.django_db
def test_job_is_recorded_and_idempotent(org: Any, other_org: Any) -> None:
    services.governance_cycles_ensure(organisation=org, up_to=dt.date(2026, 1, 5),
                                      since=dt.date(2025, 12, 1))
    first = tasks.ensure_cycles(UP_TO)
    assert first["created"] > 0
    assert tasks.ensure_cycles(UP_TO) == {**first, "created": 0}
    runs = list(JobRun.objects.filter(name="meetings.governance-cycles").order_by("pk"))
    assert [r.outcome for r in runs] == ["succeeded", "succeeded"]
    assert runs[0].counts["created"] == first["created"] and runs[1].counts["created"] == 0
    labels = list(GovernanceCycle.objects.filter(organisation=org).values_list("label",
                                                                               flat=True))
    assert labels[0] == "Cycle 1 — December 2025" and labels[-1] == "Cycle 12 — November 2026"


def _run_concurrently(job: Any, count: int = 2) -> list[Any]:
    """`count` threads at once, each on its own connection. On PostgreSQL they overlap (the
    organisation row lock is what is tested); the in-memory SQLite test database refuses a
    second writer instead of waiting, so there the threads take turns."""
    results: list[Any] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)
    turns = threading.Lock() if connection.vendor == "sqlite" else None

    def worker() -> None:
        try:
            barrier.wait()
            if turns is None:
                results.append(job())
            else:
                with turns:
                    results.append(job())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_create_each_cycle_once(org: Any) -> None:
    results = _run_concurrently(lambda: len(services.governance_cycles_ensure(
        organisation=org, up_to=UP_TO, since=dt.date(2025, 6, 1))), count=3)
    assert sorted(results) == [0, 0, 18]
    numbers = list(GovernanceCycle.objects.filter(organisation=org)
                   .values_list("number", flat=True))
    assert numbers == list(range(1, 19))
    assert HistoryEntry.objects.filter(object_type="meetings.governancecycle",
                                       action="create").count() == 18
