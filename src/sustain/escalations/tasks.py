"""Background jobs for escalation rules: thin entry points that call services, each recorded
in the admin's "jobs" list (the services record the run) and idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


def sweep() -> dict[str, int]:
    """Evaluate every rule at every location (catches records written without events, e.g.
    an import's COPY path, and timeliness deadlines that pass with nothing written)."""
    from sustain.escalations.services import sweep as run_sweep

    return run_sweep()


def escalate() -> dict[str, int]:
    """Move open tasks past due one step up their ladder."""
    from sustain.escalations.services import escalate_overdue

    return escalate_overdue()


@db_periodic_task(crontab(minute="20"))
def escalations_sweep_task() -> dict[str, int]:
    """Hourly."""
    return sweep()


@db_periodic_task(crontab(minute="*/15"))
def escalations_escalate_task() -> dict[str, int]:
    """Every 15 minutes."""
    return escalate()
