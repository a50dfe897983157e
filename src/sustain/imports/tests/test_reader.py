"""The CSV reader numbers rows as a spreadsheet shows them: records, not lines (a quoted cell
with a line break is one row), counting blank rows and template help lines."""

from __future__ import annotations

import io

from sustain.imports.reader import open_sheet


def _numbers(text: str) -> list[tuple[int, str]]:
    data = text.encode()
    sheet = open_sheet(io.BytesIO(data), size=len(data))
    return [(n, row["b"]) for n, row in sheet.rows()]


def test_a_cell_with_a_line_break_is_one_row() -> None:
    assert _numbers('a,b\n1,"two\nlines"\n3,x\n') == [(2, "two\nlines"), (3, "x")]


def test_blank_rows_and_help_lines_still_count() -> None:
    assert _numbers("# help\n# more help\na,b\n1,x\n\n2,y\n") == [(4, "x"), (6, "y")]
