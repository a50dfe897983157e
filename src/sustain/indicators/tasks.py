"""Background jobs: the nightly early-warning chain.

Every night at 02:15 one periodic task runs three steps, in this order, each a recorded job in
the admin's "jobs" list (`governance.jobs`):

1. ``indicators.compute`` — every computed indicator's values (`services.compute_values`);
2. ``signals.detect`` — the alerting over every stored series (`signals.services.detect_signals`);
3. ``drift.assess`` — the drift signs and index per location (`drift.services.assess`).

**A failed step does not stop the chain.** Each step runs in its own transaction (a savepoint
when called inside one), so a failure rolls back that step's writes only; its job run is
recorded as failed with the error, and the following steps still run, on the data they have:
signal detection reads the indicator values as they were after the last successful
computation, drift reads the records themselves. After the last step the chain raises
`ChainFailed` naming the failed steps, so the periodic task (and `sustain early-warning run`)
fails loudly rather than quietly reporting success.

Every step is idempotent, so running the chain twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sustain.governance.jobs import recorded_job
from sustain.tenancy.models import Organisation

logger = logging.getLogger(__name__)


@recorded_job("indicators.compute")
def compute(*, until: dt.date | None = None,
            organisation: Organisation | None = None) -> dict[str, int]:
    """Every computed indicator's values for the last 24 months (26 weeks for weekly ones)."""
    from sustain.indicators.services import compute_values

    with transaction.atomic():
        return compute_values(organisation=organisation, until=until).counts()


@recorded_job("signals.detect")
def detect(*, until: dt.date | None = None,
           organisation: Organisation | None = None) -> dict[str, int]:
    """New alerts over every stored series; open ones whose alert no longer holds withdrawn."""
    from sustain.signals.services import detect_signals

    with transaction.atomic():
        return dict(detect_signals(organisation=organisation, until=until).counts())


@recorded_job("drift.assess")
def assess(*, until: dt.date | None = None,
           organisation: Organisation | None = None) -> dict[str, int]:
    """The drift signs and index of every location for the cycle containing `until`."""
    from sustain.drift.services import assess as drift_assess

    with transaction.atomic():
        return dict(drift_assess(organisation=organisation, as_of=until).counts())


Step = Callable[..., dict[str, int]]
STEPS: tuple[tuple[str, Step], ...] = (
    ("indicators.compute", compute),
    ("signals.detect", detect),
    ("drift.assess", assess),
)


@dataclass
class StepResult:
    name: str
    counts: dict[str, int] = field(default_factory=dict)
    error: str = ""  # empty when the step succeeded

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass
class ChainResult:
    steps: list[StepResult] = field(default_factory=list)

    @property
    def failed(self) -> list[StepResult]:
        return [s for s in self.steps if not s.ok]

    def counts(self) -> dict[str, dict[str, int]]:
        return {s.name: s.counts for s in self.steps}


class ChainFailed(RuntimeError):  # noqa: N818 (reads as what happened)
    def __init__(self, result: ChainResult) -> None:
        self.result = result
        names = ", ".join(f"{s.name} ({s.error})" for s in result.failed)
        super().__init__(f"The early-warning chain ran with failed steps: {names}")


def run_chain(*, until: dt.date | None = None, organisation: Organisation | None = None,
              steps: tuple[tuple[str, Step], ...] | None = None) -> ChainResult:
    """Run every step (default `STEPS`) in order, each recorded as its own job; a failed step
    is recorded and the next one still runs. Returns each step's counts or error (does not
    raise)."""
    result = ChainResult()
    for name, step in STEPS if steps is None else steps:
        try:
            counts = step(until=until, organisation=organisation)
        except Exception as exc:
            logger.exception("Early-warning step %s failed", name)
            error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            result.steps.append(StepResult(name, {}, error))
        else:
            result.steps.append(StepResult(name, dict(counts or {})))
    return result


def nightly(*, until: dt.date | None = None,
            organisation: Organisation | None = None) -> ChainResult:
    """`run_chain`, raising `ChainFailed` (after every step has run) when a step failed."""
    result = run_chain(until=until, organisation=organisation)
    if result.failed:
        raise ChainFailed(result)
    return result


@db_periodic_task(crontab(hour="2", minute="15"))
def early_warning_nightly_task() -> dict[str, Any]:
    return nightly().counts()
