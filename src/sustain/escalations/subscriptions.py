"""Wire the escalation engine to record writes (`core.events`): evaluation on trigger-record
writes, fulfilment on fulfilment-record writes. Filled in by `services`."""

from __future__ import annotations


def connect() -> None:
    """Subscribe the handlers (idempotent)."""
