"""Pure helpers for spreadsheet imports and exports: column specs, cell parsing with messages
that name the column, header checks, and spreadsheet formula-injection neutralising.

No Django, no I/O: a row is a mapping of header -> raw cell value (text, number, date or None)
and the result is either parsed values or a list of `RowProblem`s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

TEXT = "text"
INT = "int"
DATE = "date"
DATETIME = "datetime"
CHOICE = "choice"
BOOL = "bool"
PERSON = "person"
STAFF = "staff"
TYPES = (TEXT, INT, DATE, DATETIME, CHOICE, BOOL, PERSON, STAFF)

TRUE_WORDS = frozenset({"yes", "y", "true", "1"})
FALSE_WORDS = frozenset({"no", "n", "false", "0"})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S",
                    "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M")


@dataclass(frozen=True)
class Column:
    """One column of an import kind: its header, whether it is required, its type, the
    choices (for `choice`), help text and an example value for the template."""

    name: str
    type: str = TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""
    example: str = ""
    max_length: int | None = None

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"Unknown column type {self.type!r} for {self.name!r}.")
        if self.type == CHOICE and not self.choices:
            raise ValueError(f"Choice column {self.name!r} needs choices.")


@dataclass(frozen=True)
class RowProblem:
    """A problem with one cell (or the whole row when `column` is empty)."""

    row: int
    column: str
    message: str


@dataclass
class ParsedRow:
    """A row's parsed values by column name, or the problems that stop it being used."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def normalise_header(name: object) -> str:
    """Headers match case-insensitively, ignoring surrounding space; spaces become `_`."""
    return str(name or "").strip().lower().replace(" ", "_")


def header_problems(headers: Sequence[object], columns: Sequence[Column]) -> list[str]:
    """Messages for missing required columns (each named) and duplicated headers."""
    seen = [normalise_header(h) for h in headers]
    problems = []
    missing = [c.name for c in columns if c.required and c.name not in seen]
    if missing:
        problems.append("Missing required column" + ("s" if len(missing) > 1 else "")
                        + ": " + ", ".join(missing) + ".")
    dupes = sorted({h for h in seen if h and seen.count(h) > 1})
    if dupes:
        problems.append("Duplicated column" + ("s" if len(dupes) > 1 else "") + ": "
                        + ", ".join(dupes) + ".")
    return problems


def _as_text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def parse_cell(column: Column, raw: object) -> tuple[Any, str | None]:
    """(value, None) or (None, message). Empty cells give None (or "" for text)."""
    if isinstance(raw, dt.datetime) and column.type in (DATE, DATETIME):
        return (raw.date() if column.type == DATE else raw), None
    if isinstance(raw, dt.date) and column.type == DATE:
        return raw, None
    text = _as_text(raw)
    if not text:
        if column.required:
            return None, "This column is required."
        return ("" if column.type in (TEXT, CHOICE) else None), None
    if column.max_length is not None and len(text) > column.max_length:
        return None, f"Use at most {column.max_length} characters (this has {len(text)})."
    kind = column.type
    if kind in (TEXT, PERSON, STAFF):
        return text, None
    if kind == INT:
        try:
            return int(text), None
        except ValueError:
            return None, f"Enter a whole number, not {text[:40]!r}."
    if kind == BOOL:
        low = text.lower()
        if low in TRUE_WORDS:
            return True, None
        if low in FALSE_WORDS:
            return False, None
        return None, f"Enter yes or no, not {text[:40]!r}."
    if kind == CHOICE:
        for choice in column.choices:
            if text.lower() == choice.lower():
                return choice, None
        return None, f"Choose one of: {', '.join(column.choices)} (not {text[:40]!r})."
    if kind == DATE and len(text) == 10 and text[4] == "-":
        try:  # the common case, ISO dates: much faster than strptime
            return dt.date.fromisoformat(text), None
        except ValueError:
            pass
    formats = DATE_FORMATS if kind == DATE else DATETIME_FORMATS + DATE_FORMATS
    for fmt in formats:
        try:
            value = dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - naive; caller localises
        except ValueError:
            continue
        return (value.date() if kind == DATE else value), None
    example = "2026-11-27" if kind == DATE else "2026-11-27 14:30"
    return None, f"Enter a {'date' if kind == DATE else 'date and time'} like {example}, " \
                 f"not {text[:40]!r}."


def parse_row(row_number: int, raw: Mapping[str, object],
              columns: Iterable[Column]) -> ParsedRow:
    """Parse every known column of a raw row (keys already normalised); unknown keys are
    ignored. Every problem is reported, not just the first."""
    parsed = ParsedRow(row=row_number)
    for column in columns:
        value, message = parse_cell(column, raw.get(column.name))
        if message:
            parsed.problems.append(RowProblem(row_number, column.name, message))
        else:
            parsed.values[column.name] = value
    return parsed


def future_problem(row_number: int, column: str, value: dt.date | dt.datetime | None,
                   now: dt.datetime) -> RowProblem | None:
    """A date or time that cannot be in the future but is."""
    if value is None:
        return None
    late = value > now if isinstance(value, dt.datetime) else value > now.date()
    return RowProblem(row_number, column, "This cannot be in the future.") if late else None


def neutralise(value: object) -> object:
    """Make a cell safe to open in a spreadsheet: text starting with =, +, -, @, tab or
    carriage return is prefixed with a single quote so it is shown, not evaluated."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cell_text(value: object) -> str:
    """A value as export text (dates ISO, booleans yes/no, None empty), neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    return str(neutralise(str(value)))
