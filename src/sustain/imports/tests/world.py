"""A small world the import templates' example rows refer to, and helpers to fill a kind's
template at a place, so tests can run over every registered kind.

Each place (location) has: a person supported (`RH-0042` at the first place, as in the
templates), staff `S-0107` and `S-0212` (working at every place), a theme called
"Medicines recording" and a briefing on it (`BRF-2026-0031` at the first place). A kind whose
example row refers to anything else needs it added here (the meta-test in `test_every_kind`
fails until it is).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from sustain.core.models import HistoryEntry
from sustain.engine.import_rows import PERSON, STAFF
from sustain.imports.registry import ImportKind

STAFF_REFS = ("S-0107", "S-0212")
THEME = "Medicines recording"
BRIEFING_REF = "BRF-2026-0031"
BRIEFING_AT = dt.datetime(2026, 11, 18, 7, 45)  # UK time, as in the briefings template


@dataclass
class Place:
    location: Any
    tag: str
    person: str
    briefing: str


def build_world(org: Any, locations: Sequence[Any], *, omit: str = "") -> list[Place]:
    """The records the templates refer to, at each location. `omit` is a model label whose
    world record would share the key of that kind's example row (the kind imports it)."""
    from sustain.people.tests.factories import PersonFactory, StaffFactory
    from sustain.themes.tests.factories import ThemeFactory
    from sustain.workforce.services import briefing_create

    if omit != "people.staffmember":
        for ref in STAFF_REFS:
            StaffFactory(organisation=org, staff_reference=ref, locations=list(locations))
    places = []
    for index, location in enumerate(locations):
        tag = "ABCDEFGH"[index]
        person = "RH-0042" if index == 0 else f"RH-0042-{tag}"
        briefing = BRIEFING_REF if index == 0 else f"{BRIEFING_REF}-{tag}"
        if omit != "people.personsupported":
            PersonFactory(organisation=org, location=location, reference=person)
        theme = ThemeFactory(organisation=org, location=location, title=THEME)
        if omit != "workforce.briefing":
            briefing_create(actor="tests", organisation=org, location=location, theme=theme,
                            title="Night MAR checks", what_changed="Check every chart.",
                            why="Gaps were found late.", what_good_looks_like="No gaps.",
                            delivered_at=timezone.make_aware(BRIEFING_AT),
                            delivered_via="handover", external_ref=briefing)
        places.append(Place(location, tag, person, briefing))
    return places


def example_row(kind: ImportKind, place: Place) -> dict[str, str]:
    """The template's example row, with the references of `place` substituted."""
    row = {c.name: c.example for c in kind.columns}
    for column in kind.columns:
        if column.type == PERSON and row[column.name]:
            row[column.name] = place.person
    if kind.name == "people" and "location" in row:
        row["location"] = place.location.cqc_location_id
    if kind.name == "attestations":
        row["briefing"] = place.briefing
    return row


def swap_staff(row: dict[str, str], kind: ImportKind) -> dict[str, str]:
    """The row with S-0107 and S-0212 swapped in every staff column (a second, distinct
    record: e.g. another member of staff attesting to the same briefing)."""
    swapped = dict(row)
    a, b = STAFF_REFS
    for column in kind.columns:
        if column.type == STAFF and row.get(column.name) in STAFF_REFS:
            swapped[column.name] = b if row[column.name] == a else a
    return swapped


def csv_file(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(header))
    writer.writerows(rows)
    return out.getvalue().encode()


def xlsx_file(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """An XLSX whose cells are all text (a cell starting with `=` is text, as when typed
    after an apostrophe, not a formula without a cached value)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for r, row in enumerate([list(header), *rows], start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a CSV, skipping the template's `#` help lines."""
    lines = [r for r in csv.reader(io.StringIO(data.decode("utf-8-sig")))
             if r and not r[0].startswith("#")]
    return lines[0], lines[1:]


def read_xlsx(data: bytes, sheet: int = 0) -> tuple[list[str], list[list[Any]]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    rows = [list(r) for r in book.worksheets[sheet].iter_rows(values_only=True)]
    return [str(h) for h in rows[0]], rows[1:]


def tracked_count(model_label: str) -> int:
    """History entries about records of a model (not the import job's own bookkeeping)."""
    return HistoryEntry.objects.filter(object_type=model_label).count()


def history_outside_jobs() -> int:
    return HistoryEntry.objects.exclude(object_type="imports.importjob").count()
