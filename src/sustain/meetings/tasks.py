"""Background jobs for meetings: record the governance cycles. Idempotent, and each run is
recorded in the admin's "jobs" list (`governance.jobs`)."""

from __future__ import annotations

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sustain.governance.jobs import recorded_job


@recorded_job("meetings.governance-cycles")
def ensure_cycles(up_to: dt.date | None = None) -> dict[str, int]:
    """Every organisation's governance cycles up to `up_to` (today): a new cycle appears on
    the day it starts. A second run creates nothing."""
    from sustain.meetings.services import governance_cycles_ensure_all

    return governance_cycles_ensure_all(up_to=up_to)


@db_periodic_task(crontab(hour="0", minute="20"))
def governance_cycles_task() -> dict[str, int]:
    return ensure_cycles()
