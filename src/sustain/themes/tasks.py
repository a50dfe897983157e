"""Background jobs for themes: thin entry points that call services."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


def reevaluate_themes() -> dict[str, int]:
    """Move themes whose evidence (or the calendar) now supports another stage. Idempotent:
    running it twice changes nothing the second time. Each run is recorded in the admin's
    "jobs" list (`governance.jobs`, as "themes.reevaluate") with its duration and outcome."""
    from sustain.governance.jobs import job_run
    from sustain.themes.services import themes_reevaluate

    with job_run("themes.reevaluate") as run:
        result = themes_reevaluate()
        if isinstance(result, dict):
            run.count(**result)
        return result


@db_periodic_task(crontab(hour="2", minute="15"))
def themes_reevaluate_nightly_task() -> dict[str, int]:
    """Every night: re-evaluate the themes' lifecycle stages (recorded in the jobs list)."""
    return reevaluate_themes()


@db_task(retries=2, retry_delay=30)
def theme_reevaluate_task(theme_id: int) -> Any:
    from sustain.themes.models import Theme
    from sustain.themes.services import theme_reevaluate

    theme = Theme.objects.filter(pk=theme_id).first()
    if theme is not None:
        theme_reevaluate(theme=theme)
    return theme_id
