"""Background job: the nightly computation of indicator values, recorded in the admin's "jobs"
list (`governance.jobs`) and idempotent."""

from __future__ import annotations

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sustain.governance.jobs import recorded_job


@recorded_job("indicators.compute")
def compute(*, until: dt.date | None = None) -> dict[str, int]:
    """Every computed indicator's values for the last 24 months (26 weeks for weekly ones)."""
    from sustain.indicators.services import compute_values

    return compute_values(until=until).counts()


@db_periodic_task(crontab(hour="2", minute="15"))
def indicators_compute_task() -> dict[str, int]:
    return compute()
