"""Records → the engine's drift facts (`engine.drift`, `engine.assurance`).

Every reader takes an organisation, many locations and a date window, reads the live (not
archived) records of all those locations with a few `values_list` queries (never a query per
location or per record), and returns the facts grouped by location id, plus a reference for
each record ({type, uuid, label}) so a stored sign can name and link the records behind it.
Record ids in the facts are the records' public UUIDs (as strings).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """What to read: live records of these locations dated `start`..`end` (inclusive)."""

    organisation_id: int
    location_ids: tuple[int, ...]
    start: dt.date
    end: dt.date


Ref = dict[str, str]  # {"type", "uuid", "label"}


def ref(kind: str, uuid: object, label: str) -> Ref:
    return {"type": kind, "uuid": str(uuid), "label": label}


def day(value: dt.date | None) -> str:
    """"3 Nov 2026"."""
    return "" if value is None else f"{value.day} {value:%b %Y}"
