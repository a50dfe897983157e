"""The nightly early-warning chain (`indicators.tasks`) and `sustain early-warning run`: each
step a recorded job, in order; a failed step recorded and rolled back while the following steps
still run on the data they have; the command prints each step's counts; a second run changes
nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from sustain.governance.jobs import recorded_job
from sustain.governance.models import JobRun
from sustain.incidents.models import Incident
from sustain.indicators import tasks
from sustain.indicators.models import Indicator, IndicatorValue
from sustain.people.tests.factories import PersonFactory

LONDON = ZoneInfo("Europe/London")
UNTIL = dt.date(2026, 11, 27)

pytestmark = pytest.mark.django_db


def falls(location: Any, day: dt.date, n: int) -> None:
    for k in range(n):
        Incident.objects.create(
            organisation=location.organisation, location=location, type="fall",
            severity="no_harm",
            occurred_at=dt.datetime(day.year, day.month, 1 + 2 * k, 10, tzinfo=LONDON))


def rising_falls(location: Any) -> None:
    """Two years of 20 people and two falls a month, then nine a month for the last four."""
    for _ in range(20):
        PersonFactory(location=location, admission_date=dt.date(2023, 1, 1))
    for k in range(24):
        index = 2024 * 12 + 10 + k  # Nov 2024 … Oct 2026
        month = dt.date(index // 12, index % 12 + 1, 1)
        falls(location, month, 9 if k >= 20 else 2 + k % 2)


@recorded_job("test.fails")
def failing(*, until: dt.date | None = None, organisation: Any = None) -> dict[str, int]:
    from django.db import transaction

    with transaction.atomic():
        Indicator.objects.filter(code="falls-rate").update(name="Changed by a failing step")
        raise ValueError("the engine broke")


def test_a_failed_step_is_recorded_rolled_back_and_the_next_step_still_runs(
        org: Any, location: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rising_falls(location)
    seen: dict[str, int] = {}

    @recorded_job("test.after")
    def after(*, until: dt.date | None = None, organisation: Any = None) -> dict[str, int]:
        seen["values"] = IndicatorValue.objects.filter(location=location).count()
        return {"values": seen["values"]}

    monkeypatch.setattr(tasks, "STEPS", (("indicators.compute", tasks.compute),
                                         ("test.fails", failing), ("test.after", after)))
    result = tasks.run_chain(until=UNTIL, organisation=org)
    assert [s.name for s in result.steps] == ["indicators.compute", "test.fails", "test.after"]
    assert [s.ok for s in result.steps] == [True, False, True]
    assert "the engine broke" in result.steps[1].error
    assert seen["values"] > 0  # the last step ran on the values the first one computed
    runs = {r.name: r for r in JobRun.objects.all()}
    assert runs["indicators.compute"].outcome == JobRun.Outcome.SUCCEEDED
    assert runs["indicators.compute"].counts["created"] > 0
    assert runs["test.fails"].outcome == JobRun.Outcome.FAILED
    assert "ValueError: the engine broke" in runs["test.fails"].error
    assert runs["test.after"].outcome == JobRun.Outcome.SUCCEEDED
    assert runs["test.after"].counts == {"values": seen["values"]}
    # The failing step's write was rolled back with it.
    assert Indicator.objects.get(organisation=org, code="falls-rate").name.startswith("Falls")

    with pytest.raises(tasks.ChainFailed, match=r"test\.fails \(ValueError: the engine broke"):
        tasks.nightly(until=UNTIL, organisation=org)
    assert JobRun.objects.filter(name="test.after").count() == 2

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="Failed steps: test.fails"):
        call_command("early_warning", "run", "--until", UNTIL.isoformat(), stdout=out,
                     stderr=err)
    assert "indicators.compute: organisations 1, indicators" in out.getvalue()
    assert "test.after: values" in out.getvalue()
    assert "test.fails: failed: ValueError: the engine broke" in err.getvalue()


def test_command_rejects_bad_input(org: Any) -> None:
    with pytest.raises(CommandError, match="--until must be a date"):
        call_command("early_warning", "run", "--until", "27/11/2026")
    with pytest.raises(CommandError, match="No organisation 'nowhere'"):
        call_command("early_warning", "run", "--organisation", "nowhere")
    assert not JobRun.objects.exists()


def test_the_periodic_task_keeps_its_time() -> None:
    task = tasks.early_warning_nightly_task.s()
    schedule = task.validate_datetime
    assert schedule(dt.datetime(2026, 11, 27, 2, 15))
    assert not schedule(dt.datetime(2026, 11, 27, 2, 16))


def test_the_chain_runs_every_step_and_a_second_run_changes_nothing(org: Any,
                                                                     location: Any) -> None:
    from sustain.core.models import HistoryEntry
    from sustain.drift.models import DriftAssessment
    from sustain.signals.models import Signal

    rising_falls(location)
    out = io.StringIO()
    call_command("early_warning", "run", "--until", UNTIL.isoformat(), "--organisation",
                 org.slug, stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == list(dict(tasks.STEPS))
    assert "created 0," not in lines[0] and "raised 0," not in lines[1], lines
    runs = list(JobRun.objects.order_by("pk").values_list("name", "outcome"))
    assert runs == [(name, JobRun.Outcome.SUCCEEDED) for name, _ in tasks.STEPS]
    falls = Signal.objects.get(location=location, indicator__code="falls-rate")
    assert (falls.direction, falls.status) == ("concern", "open")
    assert DriftAssessment.objects.filter(location=location).exists()

    def state() -> tuple[Any, ...]:
        return (sorted(IndicatorValue.objects.values_list("pk", "numerator", "denominator")),
                sorted(Signal.objects.values_list("pk", "status", "strength", "explanation")),
                sorted(DriftAssessment.objects.values_list("pk", "value", "band", "signs")),
                HistoryEntry.objects.count())

    before = state()
    again = tasks.nightly(until=UNTIL, organisation=org)
    assert state() == before
    counts = again.counts()
    assert counts["indicators.compute"]["created"] == counts["indicators.compute"]["updated"] == 0
    assert counts["signals.detect"]["raised"] == counts["signals.detect"]["withdrawn"] == 0
    assert counts["drift.assess"]["created"] == counts["drift.assess"]["updated"] == 0
