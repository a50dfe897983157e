"""Automatic completion and playbook instantiation, through `core.events`.

In `GovernanceConfig.ready()`, `connect()` subscribes to every model a cadence can be
completed by (see `governance.rules.RECORD_KINDS`; the `meetings.meeting` model only if that
app is installed) and to `themes.theme` (a playbook applied to a theme creates its declared
cadences at the theme's location). Handlers run in the writer's transaction.
"""

from __future__ import annotations

from django.apps import apps

from sustain.core import events
from sustain.governance.rules import RECORD_KINDS


def _model_exists(label: str) -> bool:
    try:
        apps.get_model(label)
    except (LookupError, ValueError):
        return False
    return True


def on_record_written(event: events.WriteEvent) -> None:
    if event.action == "archive":
        return
    from sustain.governance.services import handle_record_written

    handle_record_written(actor=event.actor, label=event.label, objs=event.objs)


def on_theme_written(event: events.WriteEvent) -> None:
    if event.action not in ("create", "update") or (
            event.action == "update" and "playbook" not in event.fields):
        return
    from sustain.governance.services import cadences_from_playbook

    for theme in event.objs:
        if getattr(theme, "playbook_id", None) and theme.archived_at is None:
            cadences_from_playbook(actor=event.actor, theme=theme)


def connected_labels() -> list[str]:
    return sorted({k.label for k in RECORD_KINDS if _model_exists(k.label)})


def connect() -> None:
    for label in connected_labels():
        events.subscribe(label, on_record_written)
    events.subscribe("themes.theme", on_theme_written)
