"""Background jobs for themes: thin entry points that call services."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(hour="2", minute="15"))
def themes_reevaluate_nightly_task() -> dict[str, int]:
    """Every night: move themes whose evidence (or the calendar) now supports another stage.
    Idempotent: running it twice changes nothing the second time."""
    from sustain.themes.services import themes_reevaluate

    return themes_reevaluate()


@db_task(retries=2, retry_delay=30)
def theme_reevaluate_task(theme_id: int) -> Any:
    from sustain.themes.models import Theme
    from sustain.themes.services import theme_reevaluate

    theme = Theme.objects.filter(pk=theme_id).first()
    if theme is not None:
        theme_reevaluate(theme=theme)
    return theme_id
