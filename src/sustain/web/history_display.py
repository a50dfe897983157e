"""Turn history snapshots (JSON: ISO dates, related records by UUID) into readable rows.

Related records are resolved in one query per related model, through the same scoped
querysets as the rest of the interface: a record the reader may not see is shown only as
"a record you cannot see", never by name.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils import dateformat, timezone

from sustain.core.models import HistoryEntry

HIDDEN_FIELDS = frozenset({"version", "uuid", "organisation", "password"})
EMPTY = "—"
HIDDEN_RECORD = "a record you cannot see"

Resolver = Callable[[QuerySet, Any], QuerySet]


@dataclass(frozen=True)
class ChangeRow:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class EntryView:
    entry: HistoryEntry
    rows: list[ChangeRow]


def _label(model: type[models.Model], name: str) -> str:
    try:
        verbose = str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a field since removed from the model
        verbose = name.replace("_", " ")
    return verbose[:1].upper() + verbose[1:]


def _field(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except Exception:  # noqa: BLE001
        return None


def _fmt_scalar(field: Any, value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(field, models.DateTimeField):
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return dateformat.format(moment, "j M Y, H:i")
    if isinstance(field, models.DateField):
        try:
            return dateformat.format(dt.date.fromisoformat(str(value)), "j M Y")
        except ValueError:
            return str(value)
    if isinstance(field, models.TimeField):
        return str(value)[:5]
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


class RelatedNames:
    """UUID → name for the related records named in a set of snapshots."""

    def __init__(self, model: type[models.Model], entries: Iterable[HistoryEntry],
                 actor: Any, resolvers: dict[type[models.Model], Resolver]) -> None:
        wanted: dict[type[models.Model], set[str]] = defaultdict(set)
        for entry in entries:
            for snap in (entry.before or {}, entry.after or {}):
                for name, value in snap.items():
                    field = _field(model, name)
                    if field is None or not field.is_relation or value in (None, ""):
                        continue
                    values = value if isinstance(value, list) else [value]
                    wanted[field.related_model].update(str(v) for v in values)
        self.names: dict[str, str] = {}
        for related, uuids in wanted.items():
            resolve = resolvers.get(related)
            if resolve is None or not any(f.name == "uuid" for f in related._meta.fields):
                continue
            rows = resolve(related._default_manager.filter(uuid__in=sorted(uuids)), actor)
            for obj in rows:
                self.names[str(obj.uuid)] = str(obj)

    def name(self, value: Any) -> str:
        return self.names.get(str(value), HIDDEN_RECORD)


def _fmt(model: type[models.Model], name: str, value: Any, related: RelatedNames) -> str:
    field = _field(model, name)
    if field is not None and field.is_relation:
        if value in (None, "", []):
            return EMPTY
        values = value if isinstance(value, list) else [value]
        return ", ".join(sorted(related.name(v) for v in values))
    return _fmt_scalar(field, value)


def entry_rows(model: type[models.Model], entry: HistoryEntry,
               related: RelatedNames) -> list[ChangeRow]:
    before = entry.before or {}
    after = entry.after or {}
    rows = []
    for name in sorted(set(before) | set(after)):
        if name in HIDDEN_FIELDS or before.get(name) == after.get(name):
            continue
        old = _fmt(model, name, before.get(name), related) if entry.before is not None else EMPTY
        new = _fmt(model, name, after.get(name), related) if entry.after is not None else EMPTY
        if old == new == EMPTY:
            continue
        rows.append(ChangeRow(_label(model, name), old, new))
    return rows


def describe(model: type[models.Model], entries: list[HistoryEntry], actor: Any,
             resolvers: dict[type[models.Model], Resolver]) -> list[EntryView]:
    related = RelatedNames(model, entries, actor, resolvers)
    return [EntryView(entry, entry_rows(model, entry, related)) for entry in entries]
