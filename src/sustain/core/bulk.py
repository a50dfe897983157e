"""Tracked writes in bulk, for system writers (the stage rules, imports) that change many rows
at once. Same record as `core.services.tracked_create / tracked_update` — validated, versioned,
every change in the organisation's hash-chained history with before and after — but a few
queries per batch instead of a few dozen per row.

Validation is lighter than `full_clean`, on purpose: these helpers are for rows a system
writer built from records it has already read and validated, so

- every field is checked with `clean_fields` (choices, lengths, blank, dates, JSON, …) —
  except foreign keys, whose per-row existence query is what makes `full_clean` slow; the
  database's foreign-key constraints still refuse a dangling key;
- an update checks only the fields it changes;
- the model's `clean()` (cross-field and same-organisation rules) runs only with
  `run_clean=True`: pass it when `clean()` needs no query for these rows (it follows only
  foreign keys, which `tracked_update_many` loads with the rows and `tracked_create_many`
  callers set as objects, or it is the default no-op);
- unique checks and constraint validation are left to the database (an `IntegrityError`
  becomes `InvalidInput`, and the caller's transaction rolls back).

People's edits keep going through the one-by-one services, which run `full_clean`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connections, models, transaction
from django.db.models import Case, Value, When, prefetch_related_objects
from django.db.models.functions import Cast
from django.utils import timezone

from sustain.core import events
from sustain.core.errors import InvalidInput, from_django_validation
from sustain.core.history import PendingChange, record_changes_bulk, snapshot, tenant_id_of
from sustain.core.models import BaseModel

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class RowUpdate(Generic[M]):
    """One row to update: the object as the caller read it (its `version` is the version the
    change was computed from), the field values to set, and the history message."""

    obj: M
    changes: Mapping[str, Any]
    message: str = ""


@dataclass
class UpdateManyResult(Generic[M]):
    """What `tracked_update_many` did: the rows it updated (as saved, in the order asked),
    the rows changed by someone else since the caller read them (as they are now; left
    untouched, for the caller to redo one by one), and the history changes (written unless
    `record=False`)."""

    updated: list[M] = field(default_factory=list)
    conflicts: list[M] = field(default_factory=list)
    changes: list[PendingChange] = field(default_factory=list)


def _one_model(objs: Sequence[Any]) -> type[BaseModel]:
    model = type(objs[0])
    if any(type(o) is not model for o in objs):
        raise ValueError("A bulk write takes rows of one model.")
    return model


def _foreign_keys(model: type[BaseModel]) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def _snapshot_foreign_keys(model: type[BaseModel]) -> list[models.ForeignKey]:
    """Foreign keys a history snapshot names (by the target's UUID)."""
    exclude = set(getattr(model, "history_exclude", ("id",)))
    return [f for f in _foreign_keys(model) if f.name not in exclude]


def _validate(obj: BaseModel, *, fields: Iterable[str] | None, run_clean: bool) -> None:
    """`clean_fields` on `fields` (all when None) less foreign keys; `clean()` if asked."""
    names = {f.name for f in obj._meta.fields}
    exclude = {f.name for f in _foreign_keys(type(obj))}
    if fields is not None:
        exclude |= names - set(fields)
    errors: dict[str, Any] = {}
    try:
        obj.clean_fields(exclude=sorted(exclude))
    except DjangoValidationError as exc:
        errors = exc.update_error_dict(errors)
    if run_clean:
        try:
            obj.clean()
        except DjangoValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        raise from_django_validation(DjangoValidationError(errors))


def _prime_foreign_keys(objs: Sequence[BaseModel]) -> None:
    """Load, in one query per key for all rows, the foreign-key targets a snapshot names and
    the rows do not already hold, so that snapshots run no query per row."""
    for fk in _snapshot_foreign_keys(type(objs[0])):
        missing = [o for o in objs if getattr(o, fk.attname) is not None and not fk.is_cached(o)]
        if not missing:
            continue
        target = fk.target_field.attname
        ids = {getattr(o, fk.attname) for o in missing}
        found = {getattr(r, target): r for r in
                 fk.related_model._base_manager.filter(**{f"{target}__in": ids})}
        for obj in missing:
            if getattr(obj, fk.attname) in found:
                fk.set_cached_value(obj, found[getattr(obj, fk.attname)])


def _guarded(write: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        with transaction.atomic():
            return write(*args, **kwargs)
    except IntegrityError as exc:
        raise InvalidInput("The records conflict with existing ones.",
                           {"non_field_errors": [str(exc).splitlines()[0]]}) from exc


def record_pending(changes: Sequence[PendingChange]) -> None:
    """Append changes to their organisations' chains (one bulk append per organisation, in
    organisation order, each keeping the order given)."""
    by_org: dict[int, list[PendingChange]] = {}
    for change in changes:
        by_org.setdefault(tenant_id_of(change.obj), []).append(change)
    for org_id in sorted(by_org):
        record_changes_bulk(organisation_id=org_id, changes=by_org[org_id])


def tracked_create_many(*, actor: Any, objs: Sequence[M], message: str = "",
                        record: bool = True, run_clean: bool = False,
                        batch_size: int = 500) -> list[PendingChange]:
    """Validate (see the module docstring), insert with `bulk_create` and record a "create"
    entry per row, inside one transaction. The rows get their primary keys. Many-to-many
    values are not set here (the snapshot shows them empty, as they are).

    Returns the history changes, one per row in the order given; with `record=False` they
    are not written, and the caller passes them (perhaps interleaved with others) to
    `record_pending` or `core.history.record_changes_bulk` in the same transaction.
    """
    if not objs:
        return []
    model = _one_model(objs)
    with transaction.atomic():
        for obj in objs:
            _validate(obj, fields=None, run_clean=run_clean)
        _guarded(model._default_manager.bulk_create, objs, batch_size=batch_size)
        if any(o.pk is None for o in objs):  # a backend that does not return keys
            pks = dict(model._default_manager.filter(uuid__in=[o.uuid for o in objs])
                       .values_list("uuid", "pk"))
            for obj in objs:
                obj.pk = pks[obj.uuid]
        _prime_foreign_keys(objs)
        m2m = [f.name for f in model._meta.many_to_many]
        if m2m:
            prefetch_related_objects(list(objs), *m2m)
        changes = [PendingChange(actor=actor, obj=o, action="create", before=None,
                                 after=snapshot(o), message=message) for o in objs]
        if record:
            record_pending(changes)
        events.emit(actor=actor, action="create", objs=objs)
    return changes


def _value_key(value: Any) -> tuple[str, Any]:
    """A hashable key telling values apart (JSON values by their canonical text)."""
    try:
        hash(value)
    except TypeError:
        return ("json", json.dumps(value, sort_keys=True, default=str))
    return (type(value).__name__, value)


def _save_rows(model: type[M], rows: Sequence[M], fields: Sequence[str],
               batch_size: int) -> None:
    """`QuerySet.bulk_update`, with one `WHEN` per distinct value of a field instead of one
    per row (a field every row sets alike needs no `CASE` at all): building the per-row
    `CASE` in Python is most of `bulk_update`'s cost when thousands of rows change."""
    manager = model._default_manager
    opts = model._meta
    concrete = [opts.get_field(name) for name in fields]
    for row in rows:
        row._prepare_related_fields_for_save(operation_name="bulk_update", fields=concrete)
    connection = connections[manager.db]
    size = min(batch_size, connection.ops.bulk_batch_size([opts.pk, opts.pk, *concrete], rows))
    for start in range(0, len(rows), size):
        chunk = rows[start:start + size]
        values: dict[str, Any] = {}
        for fld in concrete:
            groups: dict[tuple[str, Any], tuple[Any, list[Any]]] = {}
            for row in chunk:
                value = getattr(row, fld.attname)
                groups.setdefault(_value_key(value), (value, []))[1].append(row.pk)
            if len(groups) == 1:
                values[fld.attname] = Value(next(iter(groups.values()))[0], output_field=fld)
                continue
            case: Any = Case(*[When(pk__in=pks, then=Value(value, output_field=fld))
                               for value, pks in groups.values()], output_field=fld)
            if connection.features.requires_casted_case_in_updates:
                case = Cast(case, output_field=fld)
            values[fld.attname] = case
        manager.filter(pk__in=[row.pk for row in chunk]).update(**values)


def _locked_rows(model: type[M], pks: Sequence[Any]) -> dict[Any, M]:
    """The rows as they are now, locked until the transaction ends, with the foreign-key
    targets a snapshot names and the many-to-many values (for snapshots: no query per row)."""
    fks = [f.name for f in _snapshot_foreign_keys(model)]
    m2m = [f.name for f in model._meta.many_to_many]
    rows = model._default_manager.filter(pk__in=pks).select_for_update(of=("self",)) \
        .select_related(*fks).prefetch_related(*m2m).order_by("pk")
    return {row.pk: row for row in rows}


def tracked_update_many(*, actor: Any, updates: Sequence[RowUpdate[M]], record: bool = True,
                        run_clean: bool = False, batch_size: int = 100) -> UpdateManyResult[M]:
    """Apply many updates with the optimistic version check, inside one transaction.

    The rows are re-read under a lock (one query, plus one per many-to-many field); a row
    whose version is no longer the version in `RowUpdate.obj` (someone saved it since the
    caller read it) is left alone and returned in `conflicts`, for the caller to redo through
    the one-by-one path. Every other row gets its changes (validated, see the module
    docstring), `version + 1` and a new `updated_at`, saved in a few `UPDATE`s (one `WHEN`
    per distinct value of a field, see `_save_rows`), and — as
    `tracked_update` does — a history entry with the before and after snapshots when
    something changed or a message is given. Many-to-many changes are not supported here.
    """
    if not updates:
        return UpdateManyResult()
    model = _one_model([u.obj for u in updates])
    concrete = {f.name for f in model._meta.concrete_fields}
    for update in updates:
        unknown = set(update.changes) - concrete
        if unknown:
            raise ValueError(f"Not concrete fields of {model.__name__}: {sorted(unknown)}")
    result: UpdateManyResult[M] = UpdateManyResult()
    with transaction.atomic():
        current = _locked_rows(model, [u.obj.pk for u in updates])
        now = timezone.now()
        fields = {"version", "updated_at"}
        for update in updates:
            row = current.get(update.obj.pk)
            if row is None or row.version != update.obj.version:
                result.conflicts.append(row if row is not None else update.obj)
                continue
            before = snapshot(row)
            for name, value in update.changes.items():
                setattr(row, name, value)
            _validate(row, fields=update.changes, run_clean=run_clean)
            row.version += 1
            row.updated_at = now
            fields.update(update.changes)
            after = snapshot(row)
            result.updated.append(row)
            if before != after or update.message:
                result.changes.append(PendingChange(actor=actor, obj=row, action="update",
                                                    before=before, after=after,
                                                    message=update.message))
        if result.updated:
            _guarded(_save_rows, model, result.updated, sorted(fields), batch_size)
        if record:
            record_pending(result.changes)
        events.emit(actor=actor, action="update", objs=result.updated, fields=fields - {
            "version", "updated_at"})
    return result
