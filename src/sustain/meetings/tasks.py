"""Background jobs for meetings: record the governance cycles (idempotent)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="0", minute="20"))
def governance_cycles_task() -> dict[str, int]:
    """Every night: every organisation's governance cycles up to today (a new cycle appears on
    the day it starts). Idempotent: a second run creates nothing."""
    from sustain.meetings.services import governance_cycles_ensure_all

    return governance_cycles_ensure_all()
