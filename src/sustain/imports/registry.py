"""The import kinds: what a spreadsheet of one record type looks like, how a row becomes a
record, and how the records are exported again.

Each app that can be imported exposes `sustain.<app>.imports` with a `KINDS` list of
`ImportKind`s; `kinds()` discovers them (installed apps only) and checks names are unique.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet

from sustain.core.errors import NotFound
from sustain.engine.import_rows import Column, ParsedRow, RowProblem


@dataclass
class RowContext:
    """What a row needs besides its cells: who imports, where, the local time (naive), and
    the people and staff at the location it may refer to (loaded once per import: lower-case
    reference -> record), and `cache`, where a kind may keep other look-ups for the run
    (e.g. the themes at the location)."""

    actor: Any
    organisation: Any
    location: Any
    now: Any
    people: dict[str, Any] = field(default_factory=dict)
    staff: dict[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportKind:
    """One importable and exportable record type.

    - `columns`: the sheet's columns (header, type, required, help, example).
    - `key_column` / `key_field`: the column that makes re-imports idempotent and the model
      field it is stored in (a row whose key already exists is skipped and counted).
    - `to_fields(values, ctx)`: parsed cell values -> the record's field values (refs
      resolved through `ctx`). Raise nothing: problems come from `check`.
    - `check(row, ctx)`: extra row rules (dates in the future, order of times) -> problems.
    - `create`: the app's service, `<thing>_create(*, actor, organisation, location,
      **fields)`, called one row at a time (full validation and a history entry per row);
      or `bulk=True`: rows are built as model instances and written in chunks (see
      `imports.writer`) with one import-level history entry.
    - `permission`: what the importer needs at the location besides `import.run`.
    - `export_queryset(qs, location)` narrows the visible records; `export_row(obj)` gives the
      cells in `export_columns` order.
    - `field_columns`: model field -> column, to report a service's field errors by column.
    """

    name: str
    label: str
    model: str
    columns: tuple[Column, ...]
    key_column: str
    key_field: str
    to_fields: Callable[[Mapping[str, Any], RowContext], dict[str, Any]]
    permission: str
    create: Callable[..., Model] | None = None
    bulk: bool = False
    check: Callable[[ParsedRow, RowContext], list[RowProblem]] | None = None
    export_columns: tuple[str, ...] = ()
    export_row: Callable[[Any], Sequence[Any]] | None = None
    export_queryset: Callable[[QuerySet, Any], QuerySet] | None = None
    field_columns: Mapping[str, str] = field(default_factory=dict)
    needs_people: bool = False
    needs_staff: bool = False

    @property
    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def column_for_field(self, name: str) -> str:
        if name in self.field_columns:
            return self.field_columns[name]
        return name if self.column(name) else ""


# Kinds kept in this app (for apps whose owners had not written an `imports` module yet).
BUILT_IN = ("people", "medicines", "incidents", "safeguarding", "complaints",
            "feedback", "careplans", "workforce")


@cache
def kinds() -> dict[str, ImportKind]:
    """Every registered kind by name, from each installed app's `imports` module."""
    found: dict[str, ImportKind] = {}
    modules = [importlib.import_module(f"sustain.imports.kinds.{name}") for name in BUILT_IN]
    for config in apps.get_app_configs():
        if not config.name.startswith("sustain."):
            continue
        module_name = f"{config.name}.imports"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        modules.append(module)
    for module in modules:
        for kind in getattr(module, "KINDS", ()):
            if kind.name in found:
                raise ValueError(f"Two import kinds are called {kind.name!r}.")
            found[kind.name] = kind
    return dict(sorted(found.items()))


def get_kind(name: str) -> ImportKind:
    kind = kinds().get(name)
    if kind is None:
        raise NotFound(f"There is no import type called {name!r}.",
                       {"kind": [f"Choose one of: {', '.join(kinds())}."]})
    return kind
