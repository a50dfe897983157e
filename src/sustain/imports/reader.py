"""Streaming spreadsheet reading: CSV through the csv module, XLSX through openpyxl in
read-only mode, one row at a time. The file type is decided by content, not the name."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings

from sustain.core.errors import InvalidInput
from sustain.engine.import_rows import normalise_header

CSV = "csv"
XLSX = "xlsx"
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
BINARY_MAGICS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0", b"\x7fELF",
                 b"\x1f\x8b", b"MZ")


def max_bytes() -> int:
    return int(getattr(settings, "SUSTAIN_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def check_size(size: int | None) -> None:
    """Refuse a file over the limit before reading any of it."""
    limit = max_bytes()
    if size is not None and size > limit:
        raise InvalidInput(
            f"The file is too large ({size / 1024 / 1024:,.0f} MB); the limit is "
            f"{limit / 1024 / 1024:,.0f} MB. Split it into smaller files.",
            {"file": [f"Larger than {limit:,} bytes."]})


def sniff(head: bytes) -> str:
    """CSV or XLSX from the first bytes; anything else is refused, naming the field."""
    if head.startswith(ZIP_MAGIC):
        return XLSX
    if not head or head.startswith(BINARY_MAGICS) or b"\x00" in head:
        raise InvalidInput("The file is not a CSV or XLSX spreadsheet.",
                           {"file": ["Upload a .csv or .xlsx file (this one is another "
                                     "type, or empty)."]})
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        try:
            head.decode("cp1252")
        except UnicodeDecodeError:
            raise InvalidInput("The file is not a CSV or XLSX spreadsheet.",
                               {"file": ["Save the spreadsheet as CSV (UTF-8) or XLSX."]}) from None
    return CSV


@dataclass
class Sheet:
    """A stream of rows: `headers` (normalised) then `rows()` yielding (row number, mapping).
    Row numbers are as a spreadsheet shows them (records, not lines, in a CSV; the header is row 1
    unless the file starts with `#` help lines, as the CSV template does)."""

    headers: list[str]
    _rows: Iterator[tuple[int, dict[str, Any]]]
    _close: Any = None
    _position: Any = None
    size: int | None = None
    format: str = XLSX
    # CSV only: the same rows as `rows()` (same numbers, blank rows skipped) as lists of
    # cells in the file's column order, for the PostgreSQL staging path (imports/fastpath.py).
    _cells: Iterator[tuple[int, list[str]]] | None = None

    def cells(self) -> Iterator[tuple[int, list[str]]]:
        """CSV only: (row number, cells) in file order; short rows are not padded."""
        if self._cells is None:
            raise TypeError("Only a CSV sheet gives raw cells.")
        try:
            yield from self._cells
        finally:
            self.close()

    def fraction(self) -> float | None:
        """How far through the file the reader is (0–1), when that can be known."""
        if self._position is None or not self.size:
            return None
        try:
            return min(1.0, self._position() / self.size)
        except (OSError, ValueError):
            return None

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            yield from self._rows
        finally:
            self.close()

    def close(self) -> None:
        if self._close is not None:
            self._close()
            self._close = None


def _csv_sheet(fh: IO[bytes]) -> Sheet:
    head = fh.read(4096)
    fh.seek(0)
    encoding = "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        encoding = "cp1252"
    text = io.TextIOWrapper(fh, encoding=encoding, newline="", errors="replace")
    reader = csv.reader(text)
    # Row numbers count records, as a spreadsheet shows them (a cell with a line break is
    # still one row), not the file's lines.
    number = 1
    try:
        raw_headers = next(reader)
        while raw_headers and raw_headers[0].lstrip().startswith("#"):  # template help lines
            raw_headers = next(reader)
            number += 1
    except (StopIteration, csv.Error):
        raise InvalidInput("The file has no header row.",
                           {"file": ["The first row must name the columns."]}) from None
    headers = [normalise_header(h) for h in raw_headers]

    def cells() -> Iterator[tuple[int, list[str]]]:
        current = number
        try:
            for row in reader:
                current += 1
                if not any(c.strip() for c in row):
                    continue
                yield current, row
        except csv.Error as exc:
            current += 1
            raise InvalidInput(f"Row {current}: the CSV cannot be read ({exc}).",
                               {f"row {current}": [str(exc)]}) from None

    raw = cells()

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, row in raw:
            yield number, dict(zip(headers, row, strict=False))

    return Sheet(headers, rows(), text.detach, fh.tell, format=CSV, _cells=raw)


def _xlsx_sheet(fh: IO[bytes]) -> Sheet:
    from openpyxl import load_workbook

    try:
        book = load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidInput("The file is not a readable XLSX spreadsheet.",
                           {"file": [f"It looks like a zip file but is not a workbook ({exc})."]}
                           ) from None
    sheet = book.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    try:
        raw_headers = next(iterator)
    except StopIteration:
        book.close()
        raise InvalidInput("The file has no header row.",
                           {"file": ["The first row must name the columns."]}) from None
    headers = [normalise_header(h) for h in raw_headers]

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        number = 1
        for cells in iterator:
            number += 1
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            yield number, dict(zip(headers, cells, strict=False))

    return Sheet(headers, rows(), book.close)


def open_sheet(fh: IO[bytes], *, size: int | None = None) -> Sheet:
    """Check the size, sniff the type from the content, and open a row stream."""
    check_size(size)
    head = fh.read(4096)
    fh.seek(0)
    kind = sniff(head)
    sheet = _xlsx_sheet(fh) if kind == XLSX else _csv_sheet(fh)
    sheet.size = size
    return sheet
