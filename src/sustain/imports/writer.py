"""The bulk write path for import kinds with `bulk=True`: rows (field dicts, already
validated) are written in chunks inside the import's one transaction — with PostgreSQL's
`COPY` when the database is PostgreSQL, otherwise `bulk_create`.

History: the rows get no entry each; the import job's own history entry (written when the
job is committed, in the same transaction) names the kind, the file's SHA-256 and the number
of rows created. See docs/adr/0008-imports.md.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _row_values(fields_list: Sequence[models.Field], values: Mapping[str, Any],
                now: Any) -> list[Any]:
    out: list[Any] = []
    for f in fields_list:
        if f.name in values:
            value = values[f.name]
            if isinstance(f, models.ForeignKey) and value is not None and \
                    not isinstance(value, int):
                value = value.pk
        elif f.attname in values:
            value = values[f.attname]
        elif f.name in ("created_at", "updated_at"):
            value = now
        elif f.name == "uuid":
            value = uuid.uuid4()
        else:
            value = f.get_default()
        if isinstance(f, models.JSONField) and value is not None:
            value = json.dumps(value)
        out.append(value)
    return out


def write_rows(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert the rows (field name -> value; foreign keys as objects or ids) in the current
    transaction. Returns how many were written."""
    if not rows:
        return 0
    now = timezone.now()
    fields_list = _columns(model)
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(f.column) for f in fields_list)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3 cursor, same connection and transaction
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:  # noqa: S608
                for values in rows:
                    copy.write_row(_row_values(fields_list, values, now))
        return len(rows)
    objs = []
    for values in rows:
        data = dict(zip([f.attname for f in fields_list],
                        _row_values(fields_list, values, now), strict=True))
        for f in fields_list:
            if isinstance(f, models.JSONField) and data[f.attname] is not None:
                data[f.attname] = json.loads(data[f.attname])
        objs.append(model(**data))
    model._default_manager.bulk_create(objs, batch_size=500)
    return len(objs)
