"""Per-request (or per-command) context: the request id that groups history entries."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("sustain_request_id", default=None)


def current_request_id() -> str:
    """The id of the request or command in progress; a fresh one outside any."""
    value = _request_id.get()
    if value is None:
        value = uuid.uuid4().hex
        _request_id.set(value)
    return value


def set_request_id(value: str | None = None) -> str:
    new = value or uuid.uuid4().hex
    _request_id.set(new)
    return new


def clear_request_id() -> None:
    _request_id.set(None)
