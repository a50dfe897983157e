"""Exports of an import kind's records (CSV or XLSX, streamed, filtered, formula injection
neutralised) and the downloadable templates (headers, one example row, field help)."""

from __future__ import annotations

import csv
import importlib
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.db.models import QuerySet

from sustain.core.visibility import visibility_filters
from sustain.engine.import_rows import cell_text
from sustain.imports.registry import ImportKind

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def _filterset(kind: ImportKind) -> Any:
    model = kind.model_class
    try:
        module = importlib.import_module(f"sustain.{model._meta.app_label}.filters")
    except ModuleNotFoundError:
        return None
    for value in vars(module).values():
        meta = getattr(value, "_meta", None) or getattr(value, "Meta", None)
        if isinstance(value, type) and getattr(meta, "model", None) is model and \
                hasattr(value, "base_filters"):
            return value
    return None


def export_queryset(*, actor: Any, kind: ImportKind, location: Any = None,
                    params: Mapping[str, Any] | None = None) -> QuerySet:
    """The records of a kind the actor may see (the app's visibility filter), at a location
    if given, narrowed by the app's filterset with `params`, oldest first."""
    model = kind.model_class
    qs = visibility_filters()[model._meta.label_lower](
        model._default_manager.filter(archived_at__isnull=True), actor)
    if location is not None:
        qs = qs.filter(location=location) if any(
            f.name == "location" for f in model._meta.concrete_fields) else qs
    if kind.export_queryset is not None:
        qs = kind.export_queryset(qs, location)
    filterset = _filterset(kind)
    if filterset is not None and params:
        qs = filterset(data=params, queryset=qs).qs
    return qs.order_by("pk")


def rows_for(kind: ImportKind, qs: QuerySet) -> Iterator[list[str]]:
    assert kind.export_row is not None
    for obj in qs.iterator(chunk_size=2000):
        yield [cell_text(v) for v in kind.export_row(obj)]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[str]]) -> Iterator[str]:
    """CSV text line by line (for a streaming response); cells are already neutralised."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(list(header))
    for row in rows:
        yield writer.writerow(row)


def xlsx_bytes(sheets: Iterable[tuple[str, Iterable[Iterable[Any]]]]) -> bytes:
    """An XLSX workbook (write-only, so rows are not all kept in memory) as bytes. Every cell
    is written as text (neutralised by the caller): a spreadsheet never evaluates it."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_rows(kind: ImportKind) -> tuple[list[str], list[str], list[list[str]]]:
    """(header, example row, help rows: column, required, type, help, example)."""
    header = [c.name for c in kind.columns]
    example = [c.example for c in kind.columns]
    help_rows = [[c.name, "required" if c.required else "optional",
                  c.type + (f" ({', '.join(c.choices)})" if c.choices else ""), c.help,
                  c.example] for c in kind.columns]
    return header, example, help_rows


def template_csv(kind: ImportKind) -> str:
    """The CSV template: `#` help lines (skipped on import), the header, one example row."""
    header, example, help_rows = template_rows(kind)
    lines = [f"# {kind.label} import template. Delete the example row; keep the header."]
    lines += [f"# {name} ({req}, {typ}): {text}".rstrip(": ")
              for name, req, typ, text, _ in help_rows]
    out = io.StringIO()
    writer = csv.writer(out)
    for line in lines:
        writer.writerow([line])
    writer.writerow(header)
    writer.writerow(example)
    return out.getvalue()


def template_xlsx(kind: ImportKind) -> bytes:
    header, example, help_rows = template_rows(kind)
    return xlsx_bytes([("Data", [header, example]),
                       ("Help", [["column", "required", "type", "help", "example"],
                                 *help_rows])])
