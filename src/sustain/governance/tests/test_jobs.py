"""The periodic jobs: each recorded in the jobs list, idempotent when run twice, and safe when
two run at once (threads, separate connections: no duplicate occurrence, no duplicate
history); automatic completion by a meeting of the type."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from sustain.core.models import HistoryEntry
from sustain.governance import services, tasks
from sustain.governance.jobs import job_run, last_runs
from sustain.governance.models import Cadence, JobRun, Occurrence


def _cadences(manager: Any, org: Any, location: Any, n: int = 4) -> list[Cadence]:
    return [services.cadence_create(
        actor=manager, organisation=org, location=location, title=f"Cadence {i}",
        owner_role="registered_manager", frequency=("daily", "weekly", "monthly", "per_shift")[
            i % 4], completes_with="note", generate=False) for i in range(n)]


@pytest.mark.django_db
def test_jobs_are_recorded_and_idempotent(manager: Any, org: Any, location: Any) -> None:
    _cadences(manager, org, location)
    first = tasks.generate_occurrences()
    assert first["cadences"] == 4 and first["created"] > 100
    rows = Occurrence.objects.count()
    history = HistoryEntry.objects.count()
    assert tasks.generate_occurrences() == {"cadences": 4, "created": 0}
    assert (Occurrence.objects.count(), HistoryEntry.objects.count()) == (rows, history)
    assert tasks.mark_missed() == {"missed": 0}
    runs = list(JobRun.objects.order_by("started_at", "pk"))
    assert [r.name for r in runs] == ["governance.generate-occurrences"] * 2 + [
        "governance.mark-missed"]
    assert all(r.outcome == "succeeded" and r.duration_ms is not None and r.finished_at
               for r in runs)
    assert runs[0].counts == first and runs[1].counts["created"] == 0
    assert {r.name for r in last_runs()} == {"governance.generate-occurrences",
                                             "governance.mark-missed"}


@pytest.mark.django_db
def test_mark_missed_job_twice(manager: Any, org: Any, location: Any) -> None:
    cadence = _cadences(manager, org, location, 1)[0]
    services.occurrences_generate(cadences=[cadence],
                                  start=timezone.now() - dt.timedelta(days=10))
    assert tasks.mark_missed()["missed"] >= 9
    history = HistoryEntry.objects.count()
    assert tasks.mark_missed() == {"missed": 0}
    assert HistoryEntry.objects.count() == history


@pytest.mark.django_db
def test_a_failed_job_is_recorded_with_its_error() -> None:
    with pytest.raises(RuntimeError), job_run("example.fails") as run:
        run.count(seen=3)
        raise RuntimeError("the database went away")
    failed = JobRun.objects.get(name="example.fails")
    assert failed.outcome == "failed" and failed.counts == {"seen": 3}
    assert "the database went away" in failed.error


@pytest.mark.django_db
def test_jobs_admin_list(admin_client: Any) -> None:
    tasks.mark_missed()
    page = admin_client.get("/admin/governance/jobrun/")
    assert page.status_code == 200
    assert b"governance.mark-missed" in page.content and b"Succeeded" in page.content


def _run_concurrently(job: Any, count: int = 2) -> list[Any]:
    """Run `job` in `count` threads at once, each on its own connection. On PostgreSQL they
    truly overlap (the row locks and the unique constraint are what is tested). The in-memory
    SQLite test database answers "table is locked" instead of waiting for a writer, so there
    the threads take turns (as SQLite's single writer does with a file database)."""
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
def test_two_runs_at_once_create_and_mark_each_row_once(make_user: Any, org: Any,
                                                         location: Any) -> None:
    manager = make_user(org, "registered_manager", location=location)
    cadences = _cadences(manager, org, location, 8)
    start = timezone.now() - dt.timedelta(days=14)
    results = _run_concurrently(lambda: services.occurrences_generate(start=start).created)
    expected = sum(len(services.engine.occurrences_between(c.rule, start, timezone.now()
                                                           + dt.timedelta(days=56)))
                   for c in cadences)
    assert Occurrence.objects.count() in (expected, expected + 8)  # the horizon may tick
    assert sum(results) == Occurrence.objects.count()
    pairs = list(Occurrence.objects.values_list("cadence", "due_at"))
    assert len(pairs) == len(set(pairs))
    # Each cadence's generation is recorded once per run that created something, with the
    # number created: together, every row, once.
    notes = HistoryEntry.objects.filter(object_type="governance.cadence",
                                        message__startswith="Generated ")
    assert sum(int(n.message.split()[1]) for n in notes) == Occurrence.objects.count()
    assert notes.count() == len(cadences)
    missed = _run_concurrently(lambda: services.occurrences_mark_missed())
    past = Occurrence.objects.filter(status="missed").count()
    assert past > 0 and sum(missed) == past
    updates = HistoryEntry.objects.filter(object_type="governance.occurrence",
                                          action="update").count()
    assert updates == past


@pytest.mark.django_db
def test_a_meeting_of_the_type_completes_the_occurrence(manager: Any, org: Any,
                                                        location: Any) -> None:
    from sustain.governance.completion import connected_labels
    from sustain.meetings import services as meeting_services

    assert "meetings.meeting" in connected_labels()
    cadence = services.cadence_create(
        actor=manager, organisation=org, location=location, title="Team meeting",
        owner_role="registered_manager", frequency="monthly", completes_with="meeting",
        completes_params={"meeting_type": "team_meeting"})
    meeting_services.meeting_create(actor=manager, organisation=org, location=location,
                                    meeting_type="governance_meeting",
                                    held_on=timezone.localdate())
    assert not cadence.occurrences.exclude(status="open").exists()
    meeting = meeting_services.meeting_create(actor=manager, organisation=org,
                                              location=location, meeting_type="team_meeting",
                                              held_on=timezone.localdate())
    done = cadence.occurrences.order_by("due_at").first()
    assert done.status == "done_on_time" and done.record_uuid == meeting.uuid


@pytest.mark.django_db
def test_a_weekly_safeguarding_review_completes_a_generic_safeguarding_review_cadence(
        manager: Any, org: Any, location: Any) -> None:
    """Playbooks ask for `safeguarding_review`; a weekly (or daily) safeguarding review meeting
    meets it, through `engine.meeting_rules.meeting_type_satisfies`, but a team meeting does
    not, and a cadence asking for the weekly review is not met by the generic one."""
    from sustain.meetings import services as meeting_services

    generic = services.cadence_create(
        actor=manager, organisation=org, location=location, title="Safeguarding review",
        owner_role="registered_manager", frequency="monthly", completes_with="meeting",
        completes_params={"meeting_type": "safeguarding_review"})
    weekly = services.cadence_create(
        actor=manager, organisation=org, location=location, title="Weekly review",
        owner_role="registered_manager", frequency="monthly", completes_with="meeting",
        completes_params={"meeting_type": "weekly_safeguarding_review"})
    meeting_services.meeting_create(actor=manager, organisation=org, location=location,
                                    meeting_type="team_meeting", held_on=timezone.localdate())
    meeting_services.meeting_create(actor=manager, organisation=org, location=location,
                                    meeting_type="safeguarding_review",
                                    held_on=timezone.localdate())
    assert not weekly.occurrences.exclude(status="open").exists()
    meeting = meeting_services.meeting_create(
        actor=manager, organisation=org, location=location,
        meeting_type="weekly_safeguarding_review", held_on=timezone.localdate())
    done = generic.occurrences.exclude(status="open").get()
    assert done.status == "done_on_time"
    assert weekly.occurrences.exclude(status="open").get().record_uuid == meeting.uuid


@pytest.mark.django_db
def test_theme_reevaluation_runs_are_in_the_jobs_list_and_idempotent(
        manager: Any, org: Any, location: Any) -> None:
    """The themes' nightly lifecycle re-evaluation records each run (name, duration, outcome,
    counts) in the jobs list; the second run moves nothing and writes no history."""
    from sustain.themes import services as theme_services
    from sustain.themes.models import ThemeTransition
    from sustain.themes.tasks import reevaluate_themes, themes_reevaluate_nightly_task
    from sustain.themes.tests.factories import AuditFactory

    theme = theme_services.theme_create(actor=manager, organisation=org, location=location,
                                        title="Medicines", origin="inspection",
                                        as_of=dt.date(2026, 1, 5))
    theme_services.action_create(actor=manager, theme=theme, description="Retrain",
                                 raised_on=dt.date(2026, 1, 5), due_date=dt.date(2026, 2, 1),
                                 status="done", completed_on=dt.date(2026, 2, 1))
    AuditFactory(theme=theme, audit_date=dt.date(2026, 2, 15), score=93)
    theme_services.theme_reevaluate(theme=theme, as_of=dt.date(2026, 2, 20))
    first = themes_reevaluate_nightly_task.call_local()
    assert first["themes"] == 1 and first["moved"] == 1
    history, transitions = HistoryEntry.objects.count(), ThemeTransition.objects.count()
    assert reevaluate_themes() == {"themes": 1, "moved": 0}
    assert (HistoryEntry.objects.count(), ThemeTransition.objects.count()) == \
        (history, transitions)
    runs = list(JobRun.objects.filter(name="themes.reevaluate").order_by("started_at", "pk"))
    assert [(r.outcome, r.counts) for r in runs] == [
        ("succeeded", first), ("succeeded", {"themes": 1, "moved": 0})]
    assert all(r.duration_ms is not None and r.finished_at for r in runs)
    assert [r.name for r in last_runs()] == ["themes.reevaluate"]
