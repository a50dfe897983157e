"""A record of every background job run, for the admin's "jobs" list.

    with job_run("governance.generate") as run:
        result = occurrences_generate()
        run.count(created=result.created, cadences=result.cadences)

or, on a function returning a mapping of counts:

    @recorded_job("themes.reevaluate")
    def nightly() -> dict[str, int]: ...

The run is written when it starts (outcome "running") and again when it ends ("succeeded" or
"failed" with the error), with its duration; outside the job's own transaction, so a failed
job's run is kept. Later jobs (digests, lifecycle re-evaluation) use the same helpers.
"""

from __future__ import annotations

import functools
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from django.utils import timezone

from sustain.governance.models import JobRun

F = TypeVar("F", bound=Callable[..., Any])


class RunningJob:
    def __init__(self, run: JobRun) -> None:
        self.run = run
        self.counts: dict[str, Any] = {}

    def count(self, **counts: Any) -> None:
        self.counts.update(counts)


@contextmanager
def job_run(name: str) -> Iterator[RunningJob]:
    started = time.monotonic()
    run = JobRun.objects.create(name=name, started_at=timezone.now())
    running = RunningJob(run)
    try:
        yield running
    except BaseException as exc:
        _finish(run, started, JobRun.Outcome.FAILED, running.counts,
                "".join(traceback.format_exception_only(type(exc), exc)).strip())
        raise
    _finish(run, started, JobRun.Outcome.SUCCEEDED, running.counts, "")


def _finish(run: JobRun, started: float, outcome: str, counts: Mapping[str, Any],
            error: str) -> None:
    JobRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), duration_ms=int((time.monotonic() - started) * 1000),
        outcome=outcome, counts=dict(counts), error=error[:5000])


def recorded_job(name: str) -> Callable[[F], F]:
    """Record each call of a job function; its returned mapping (if any) is the counts."""
    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with job_run(name) as run:
                result = func(*args, **kwargs)
                if isinstance(result, Mapping):
                    run.count(**result)
                return result
        return wrapper  # type: ignore[return-value]
    return decorate


def last_runs() -> list[JobRun]:
    """The latest run of each job name."""
    names = JobRun.objects.values_list("name", flat=True).distinct()
    return [r for n in sorted(set(names))
            if (r := JobRun.objects.filter(name=n).order_by("-started_at", "-pk").first())]
