"""Write events: let one app react to records another app writes, without that app knowing.

Every tracked write (`core.services.tracked_create / tracked_update / tracked_archive` and the
bulk writers in `core.bulk`) calls `emit` inside its transaction, after the rows and their
history are written. Apps subscribe in their `AppConfig.ready()`:

    events.subscribe("audits.audit", complete_occurrences)

A handler receives one `WriteEvent` per write (a bulk write is one event with many records)
and runs synchronously in the same transaction: what it writes commits or rolls back with
the record that caused it, and an exception it raises refuses the whole write. Handlers must
be idempotent (the same record may be written again) and must not assume the actor is a
person (system writers pass a string or None).

Used by the governance rhythm (an occurrence completes when its record is written) and, later,
by the escalation rules. Records written by an import's `COPY` path do not emit events; the
periodic sweeps that read records catch those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

ACTIONS = ("create", "update", "archive", "restore")


@dataclass(frozen=True)
class WriteEvent:
    """What was written: the action, the records (same model), and for updates the names of
    the fields the write set."""

    actor: Any
    action: str
    label: str  # "app_label.modelname"
    objs: Sequence[Any]
    fields: frozenset[str] = field(default_factory=frozenset)


Handler = Callable[[WriteEvent], None]

_handlers: dict[str, list[Handler]] = {}
_muted = 0


def subscribe(label: str, handler: Handler) -> None:
    """Call `handler` after every tracked write of the model `label` (added once)."""
    handlers = _handlers.setdefault(label.lower(), [])
    if handler not in handlers:
        handlers.append(handler)


def unsubscribe(label: str, handler: Handler) -> None:
    handlers = _handlers.get(label.lower(), [])
    if handler in handlers:
        handlers.remove(handler)


def subscribers(label: str) -> list[Handler]:
    return list(_handlers.get(label.lower(), []))


@contextmanager
def muted() -> Iterator[None]:
    """Write without emitting (for a writer that replays its own consequences in bulk
    afterwards, e.g. a demo builder); nests."""
    global _muted
    _muted += 1
    try:
        yield
    finally:
        _muted -= 1


def emit(*, actor: Any, action: str, objs: Sequence[Any],
         fields: frozenset[str] | set[str] = frozenset()) -> None:
    """Tell the subscribers of the records' model what was written."""
    if _muted or not objs:
        return
    if action not in ACTIONS:
        raise ValueError(f"Unknown write action {action!r}")
    label = objs[0]._meta.label_lower
    handlers = _handlers.get(label)
    if not handlers:
        return
    event = WriteEvent(actor=actor, action=action, label=label, objs=tuple(objs),
                       fields=frozenset(fields))
    for handler in list(handlers):
        handler(event)
