"""Background jobs for the governance calendar: thin entry points that call services, each
recorded in the admin's "jobs" list (`governance.jobs`) and idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sustain.governance.jobs import recorded_job


@recorded_job("governance.generate-occurrences")
def generate_occurrences() -> dict[str, int]:
    """Create the occurrences due in the next 8 weeks that do not exist yet."""
    from sustain.governance.services import occurrences_generate

    result = occurrences_generate()
    return {"cadences": result.cadences, "created": result.created}


@recorded_job("governance.mark-missed")
def mark_missed() -> dict[str, int]:
    """Open occurrences past their due time and grace become missed."""
    from sustain.governance.services import occurrences_mark_missed

    return {"missed": occurrences_mark_missed()}


@db_periodic_task(crontab(hour="1", minute="5"))
def governance_generate_task() -> dict[str, int]:
    return generate_occurrences()


@db_periodic_task(crontab(minute="10"))
def governance_mark_missed_task() -> dict[str, int]:
    """Hourly (per-shift occurrences are due twice a day)."""
    return mark_missed()
