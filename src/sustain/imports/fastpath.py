"""The PostgreSQL path for bulk import kinds read from CSV: stage the rows with `COPY`, check
them set-based in SQL, and write them with one `INSERT … SELECT`.

Same results as the row-by-row path in `imports/services.py` (`_Run`), which stays the
reference and is used for XLSX files, SQLite, and kinds this module does not describe:

1. **Staging.** The CSV is read by the same reader (`imports/reader.py`: encoding, BOM, help
   lines, quoted newlines, blank rows skipped, row numbers as a spreadsheet shows them) and
   each row's cells for the kind's columns are stripped and streamed with `COPY` into a
   temporary table of text columns with the row number. On the way each typed cell's shape
   is checked with a compiled regular expression (`[+-]digits`, `YYYY-MM-DD`, `DD/MM/YYYY`
   rearranged to `YYYY-MM-DD`, an ASCII choice); a cell in any other shape (a number with
   `_` or non-ASCII digits, an ISO week date, a non-ASCII choice) is parsed there by the
   engine's `parse_cell` and staged in canonical form, or as a marker no check accepts. A
   staff or person reference is also staged lower-cased by Python, as the row path compares
   them.
2. **Checks, set-based** (SQL generated from the kind's `Column`s and the rules below):
   required cells, maximum lengths, whole numbers, real calendar dates, choices (any
   case), references by a join to the staff or people at the location, the kind's row
   rules (not in the future, number ranges), keys repeated inside the file (naming the
   first row) and keys already imported (skipped). Each row gets its number of problems;
   the counts come from SQL.
3. **Messages.** Only the reported problems (the first `PROBLEM_LIMIT`) need wording: those
   rows are read again and checked by the row path itself, so every message is word for word
   the same. If the two paths ever disagree on a row's number of problems, or the staging
   cannot hold a cell (a NUL character), everything done here is rolled back to a savepoint
   and the row path runs instead.
4. **Write** (commit with no problems): one `INSERT … SELECT` in file order, inside the
   import's transaction, with every index, unique constraint and foreign key of the table,
   and time-ordered (version 7) UUIDs.

See docs/adr/0008-imports.md and docs/performance.md.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from sustain.core.errors import InvalidInput
from sustain.engine.import_rows import (
    CHOICE,
    DATE,
    INT,
    PERSON,
    STAFF,
    TEXT,
    Column,
    header_problems,
    parse_cell,
)
from sustain.imports.reader import CSV, Sheet

if TYPE_CHECKING:
    from sustain.imports.registry import ImportKind
    from sustain.imports.services import Outcome, _Run

log = logging.getLogger(__name__)

STAGE = "sustain_import_stage"
REFS = "sustain_import_refs"
CHECKED = "sustain_import_checked"
NO_PARSE = "\x01"  # staged for a cell the row path cannot parse: no SQL parse accepts it
SUPPORTED = (TEXT, INT, DATE, CHOICE, STAFF, PERSON)
_INT_SHAPE = re.compile(r"[+-]?[0-9]{1,4000}")
_ISO_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_UK_SHAPE = re.compile(r"[0-9]{2}/[0-9]{2}/[0-9]{4}")
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# A time-ordered UUID (version 7: milliseconds since 1970, then random bits) for each row:
# consecutive rows land on the same pages of the table's unique UUID index instead of
# random ones, which matters once that index no longer fits in shared buffers.
UUID7 = ("encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing "
         "substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) "
         "FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid")


@dataclass(frozen=True)
class NotFuture:
    """A date column that cannot be later than today (as `engine.future_problem`)."""

    column: str


@dataclass(frozen=True)
class IntRange:
    """A whole-number column that must be from `low` to `high`."""

    column: str
    low: int
    high: int


@dataclass(frozen=True)
class SqlKind:
    """What this path needs to know about a bulk kind besides its columns: its row rules
    (the SQL form of the kind's `check`) and which column fills which model field (the SQL
    form of its `to_fields`). The differential tests hold the two forms to the same results."""

    rules: tuple[NotFuture | IntRange, ...] = ()
    fields: Mapping[str, str] = field(default_factory=dict)


def _sql_kinds() -> dict[str, SqlKind]:
    from sustain.imports.kinds.medicines import MAX_CHARTS

    return {
        "medicines-checks": SqlKind(
            rules=(NotFuture("check_date"), IntRange("charts_checked", 0, MAX_CHARTS)),
            fields={name: name for name in ("check_date", "shift", "checked_by",
                                            "charts_checked", "notes", "external_ref")}),
    }


class _Fallback(Exception):  # noqa: N818 - control flow: use the row path
    pass


def applies(kind: ImportKind, sheet: Sheet) -> bool:
    """Whether this path handles the kind and sheet: PostgreSQL, a CSV, a bulk kind described
    here with supported column types, a text key, and a header without problems."""
    if connection.vendor != "postgresql" or sheet.format != CSV or not kind.bulk:
        return False
    if not getattr(settings, "SUSTAIN_IMPORT_SQL_PATH", True):
        return False
    if kind.name not in _sql_kinds() or header_problems(sheet.headers, kind.columns):
        return False
    key = kind.column(kind.key_column)
    return (key is not None and key.type == TEXT
            and all(c.type in SUPPORTED for c in kind.columns)
            and all(c.max_length is None for c in kind.columns
                    if c.type in (INT, DATE, CHOICE)))


def run(row_run: _Run, sheet: Sheet, reopen: Callable[[], Sheet]) -> Outcome | None:
    """Validate (and, for a commit, write) the sheet; None when the row path must run
    instead (nothing done here is left behind)."""
    try:
        with transaction.atomic():
            return _FastRun(row_run, sheet, reopen).execute()
    except _Fallback as exc:
        log.warning("Import %s: using the row path (%s).", row_run.job.pk, exc)
        return None


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


class _FastRun:
    def __init__(self, row_run: _Run, sheet: Sheet, reopen: Callable[[], Sheet]) -> None:
        self.row_run, self.sheet, self.reopen = row_run, sheet, reopen
        self.kind = row_run.kind
        self.spec = _sql_kinds()[self.kind.name]
        self.columns = list(self.kind.columns)
        self.refs = [c for c in self.columns if c.type in (STAFF, PERSON)]

    # -- 1. staging ---------------------------------------------------------------------
    def _stager(self, column: Column) -> Callable[[str], str]:
        """How a (stripped) cell is staged. After staging, a whole-number cell is blank,
        `NO_PARSE` or `[+-]digits`; a date cell is blank, `NO_PARSE` or `YYYY-MM-DD` digits
        (DD/MM/YYYY rearranged: for these two shapes the row path accepts exactly the real
        calendar dates from year 1, which SQL checks); a choice cell is blank, `NO_PARSE` or
        ASCII. Any other shape is parsed here by the engine (`parse_cell`)."""
        def unusual(text: str) -> str:
            value, message = parse_cell(column, text)
            if message is not None:
                return NO_PARSE
            return value.isoformat() if column.type == DATE else str(value)

        if column.type == INT:
            int_shape = _INT_SHAPE.fullmatch

            def stage(text: str) -> str:
                return text if not text or int_shape(text) else unusual(text)
        elif column.type == DATE:
            iso, uk = _ISO_SHAPE.fullmatch, _UK_SHAPE.fullmatch

            def stage(text: str) -> str:
                if not text or iso(text):
                    return text
                if uk(text):
                    return f"{text[6:10]}-{text[3:5]}-{text[0:2]}"
                return unusual(text)
        elif column.type == CHOICE:
            def stage(text: str) -> str:
                return text if text.isascii() else unusual(text)
        else:
            return str  # text and references: staged as they are (stripped)
        return stage

    def _stage(self) -> None:
        counts = self.row_run.outcome.counts
        progress = self.row_run.progress
        position = {h: i for i, h in enumerate(self.sheet.headers)}  # last wins, as dict(zip())
        plan = [(position.get(c.name), self._stager(c)) for c in self.columns]
        ref_at = [self.columns.index(c) for c in self.refs]
        names = [f"c{i} text" for i in range(len(self.columns))] + \
                [f"r{i} text" for i in range(len(self.refs))]
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
            cursor.execute(f"CREATE TEMP TABLE {STAGE} (n integer NOT NULL, "
                           f"{', '.join(names)}) ON COMMIT DROP")
            raw = cursor.cursor
            rows = 0
            try:
                with raw.copy(f"COPY {STAGE} FROM STDIN") as copy:
                    for number, cells in self.sheet.cells():
                        width = len(cells)
                        out: list[Any] = [number]
                        for at, stage in plan:
                            out.append(stage(cells[at].strip())
                                       if at is not None and at < width else "")
                        for i in ref_at:
                            out.append(out[i + 1].lower())
                        copy.write_row(out)
                        rows += 1
                        if progress and rows % 50_000 == 0:
                            counts["rows"] = rows
                            progress(counts, self.sheet.fraction())
            except psycopg.DataError as exc:  # e.g. a NUL character, which text cannot hold
                raise _Fallback(str(exc).splitlines()[0]) from exc
            counts["rows"] = rows
            cursor.execute(f"DROP TABLE IF EXISTS {REFS}")
            cursor.execute(f"CREATE TEMP TABLE {REFS} (kind text, ref text, id bigint) "
                           "ON COMMIT DROP")
            ctx = self.row_run.ctx
            refs = [("staff", k, v.pk) for k, v in ctx.staff.items()] + \
                   [("person", k, v.pk) for k, v in ctx.people.items()]
            if refs:
                with raw.copy(f"COPY {REFS} FROM STDIN") as copy:
                    for row in refs:
                        copy.write_row(row)
            cursor.execute(f"ANALYZE {STAGE}")

    # -- 2. checks ----------------------------------------------------------------------
    def _cell_sql(self, i: int, column: Column) -> tuple[list[str], str, str]:
        """(helper select items, problem expression (0/1), value expression) for column i,
        as `parse_cell` decides: blank (required?), too long, then the type's parse."""
        t = f"s.c{i}"
        extra: list[str] = []
        shaped = f"({t} <> chr(1))"  # blank cells are decided before the type
        if column.type == INT:
            ok = shaped
            value = f"CASE WHEN {ok} THEN {t}::numeric END"
        elif column.type == DATE:
            y, m, d = (f"d{i}_{part}" for part in "ymd")
            extra = [f"CASE WHEN {t} <> '' AND {shaped} THEN substr({t}, {start}, {size})::int "
                     f"END AS {name}" for name, start, size in ((y, 1, 4), (m, 6, 2), (d, 9, 2))]
            days = (f"CASE WHEN {m} = 2 THEN CASE WHEN (mod({y}, 4) = 0 AND mod({y}, 100) <> 0) "
                    f"OR mod({y}, 400) = 0 THEN 29 ELSE 28 END WHEN {m} IN (4, 6, 9, 11) "
                    "THEN 30 ELSE 31 END")
            ok = (f"({y} >= 1 AND {m} BETWEEN 1 AND 12 AND {d} >= 1 "
                  f"AND {d} <= {days})")
            ok = f"coalesce({ok}, false)"
            value = f"CASE WHEN {ok} THEN make_date({y}, {m}, {d}) END"
        elif column.type == CHOICE:
            low = f"translate({t}, '{_UPPER}', '{_UPPER.lower()}')"
            whens = " ".join(f"WHEN {_lit(c.lower())} THEN {_lit(c)}"
                             for c in column.choices)
            ok = f"{low} IN ({', '.join(_lit(c.lower()) for c in column.choices)})"
            value = f"CASE {low} {whens} END"
        else:
            ok, value = "true", t
        long = f"char_length({t}) > {column.max_length}" if column.max_length else "false"
        blank_value = "''" if column.type in (TEXT, CHOICE) else "NULL"
        problem = (f"CASE WHEN {t} = '' THEN {int(column.required)} WHEN {long} THEN 1 "
                   f"WHEN {ok} THEN 0 ELSE 1 END")
        value = (f"CASE WHEN {t} = '' THEN {blank_value} WHEN {long} THEN NULL "
                 f"ELSE {value} END")
        return extra, problem, value

    def _check(self) -> None:
        kind, job = self.kind, self.row_run.job
        helpers: list[str] = []
        items: list[str] = ["s.n"]
        problems: list[str] = []
        joins: list[str] = []
        for i, column in enumerate(self.columns):
            extra, problem, value = self._cell_sql(i, column)
            helpers += extra
            items += [f"{problem} AS p{i}", f"{value} AS v{i}"]
        for j, column in enumerate(self.refs):
            i = self.columns.index(column)
            what = "staff" if column.type == STAFF else "person"
            joins.append(f"LEFT JOIN {REFS} k{j} ON k{j}.kind = '{what}' AND k{j}.ref = s.r{j}")
            items.append(f"k{j}.id AS id{i}")
        for i, _column in enumerate(self.columns):
            problems.append(f"p{i}")
        index = {c.name: i for i, c in enumerate(self.columns)}
        for column in self.refs:
            i = index[column.name]
            problems.append(f"(p{i} = 0 AND coalesce(v{i}, '') <> '' AND id{i} IS NULL)::int")
        params: dict[str, Any] = {"today": self.row_run.ctx.now.date(),
                                  "org": job.organisation_id}
        for rule in self.spec.rules:
            i = index[rule.column]
            if isinstance(rule, NotFuture):
                problems.append(f"coalesce((v{i} > %(today)s), false)::int")
            else:
                problems.append(f"coalesce((v{i} NOT BETWEEN {int(rule.low)} AND "
                                f"{int(rule.high)}), false)::int")
        key = index[kind.key_column]
        model = kind.model_class
        key_col = _q(model._meta.get_field(kind.key_field).column)
        table = _q(model._meta.db_table)
        own = " + ".join(problems)
        # Each level is computed once per row: OFFSET 0 keeps PostgreSQL from pulling a
        # level into the next, which would repeat its expressions wherever they are used.
        sql = f"""
            CREATE TEMP TABLE {CHECKED} ON COMMIT DROP AS
            SELECT w.*,
                   own + (key IS NOT NULL AND n <> first_n)::int AS problems,
                   (own = 0 AND key IS NOT NULL AND n = first_n AND EXISTS (
                        SELECT 1 FROM {table} t WHERE t.organisation_id = %(org)s
                        AND t.{key_col} = w.key AND t.{key_col} <> '')) AS skip
            FROM (
                SELECT c.*, {own} AS own, nullif(v{key}, '') AS key,
                       min(n) OVER (PARTITION BY nullif(v{key}, '')) AS first_n
                FROM (
                    SELECT {', '.join(items)}
                    FROM (SELECT s.*{''.join(', ' + h for h in helpers)}
                          FROM {STAGE} s OFFSET 0) s
                    {' '.join(joins)}
                    OFFSET 0
                ) c
            ) w
        """  # noqa: S608 - names are quoted identifiers from the model, values are params
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {CHECKED}")
            cursor.execute(sql, params)

    # -- 3. counts and messages ---------------------------------------------------------
    def _report(self) -> None:
        from sustain.imports.services import PROBLEM_LIMIT

        outcome = self.row_run.outcome
        counts = outcome.counts
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FILTER (WHERE problems > 0), "  # noqa: S608
                           "coalesce(sum(problems), 0), count(*) FILTER (WHERE skip) "
                           f"FROM {CHECKED}")
            invalid, total, skipped = cursor.fetchone()
            cursor.execute(f"SELECT n, problems, key, first_n FROM {CHECKED} "  # noqa: S608
                           "WHERE problems > 0 ORDER BY n LIMIT %s", [PROBLEM_LIMIT])
            wanted = {n: (p, key, first) for n, p, key, first in cursor.fetchall()}
        counts["invalid_rows"], counts["skipped"] = invalid, skipped
        if not self.row_run.write:
            counts["valid"] = counts["rows"] - invalid - skipped
        if not wanted:
            return
        # Word the reported problems with the row path itself (same messages by
        # construction); it must find the same number of problems on each of those rows.
        self.row_run.seen = {key: first for _p, key, first in wanted.values() if key}
        last = max(wanted)
        sheet = self.reopen()
        found = 0
        for number, raw in sheet.rows():
            if number in wanted:
                found += 1
                parsed = self.row_run.check_row(number, raw)
                if len(parsed.problems) != wanted[number][0]:
                    sheet.close()
                    raise _Fallback(f"row {number}: {len(parsed.problems)} problems, "
                                    f"SQL found {wanted[number][0]}")
                outcome.add(parsed.problems)
            if number >= last:
                sheet.close()
                break
        if found != len(wanted):
            raise _Fallback(f"{len(wanted) - found} rows with problems not found again")
        outcome.problem_total = int(total)

    # -- 4. write -----------------------------------------------------------------------
    def _write(self) -> int:
        job, kind = self.row_run.job, self.kind
        model = kind.model_class
        index = {c.name: i for i, c in enumerate(self.columns)}
        columns: list[str] = []
        values: list[str] = []
        params: list[Any] = []
        now = timezone.now()
        for f in model._meta.concrete_fields:
            if f.primary_key:
                continue
            columns.append(_q(f.column))
            if f.name in self.spec.fields:
                column = kind.column(self.spec.fields[f.name])
                assert column is not None
                i = index[column.name]
                source = f"id{i}" if column.type in (STAFF, PERSON) else f"v{i}"
                if isinstance(f, models.ForeignKey) and column.type not in (STAFF, PERSON):
                    raise _Fallback(f"field {f.name} needs a reference column")
                blank = "''" if isinstance(f, models.CharField | models.TextField) else "NULL"
                values.append(f"CAST(coalesce({source}, {blank}) AS {f.db_type(connection)})")
            elif f.name == "organisation":
                values.append("%s")
                params.append(job.organisation_id)
            elif f.name == "location":
                values.append("%s")
                params.append(job.location_id)
            elif f.name in ("created_at", "updated_at"):
                values.append("%s")
                params.append(now)
            elif f.name == "uuid":
                values.append(UUID7)
            else:
                default = f.get_default()
                if isinstance(f, models.JSONField) and default is not None:
                    default = json.dumps(default)
                values.append("%s")
                params.append(default)
        sql = (f"INSERT INTO {_q(model._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
               f"SELECT {', '.join(values)} FROM {CHECKED} "
               "WHERE problems = 0 AND NOT skip ORDER BY n")
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, params)
                written = cursor.rowcount
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # foreign keys checked here
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        except (DatabaseError, psycopg.Error) as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT min(n), max(n) FROM {CHECKED}")  # noqa: S608
                first, last = cursor.fetchone()
            raise InvalidInput(f"Rows {first}–{last} could not be written: {message}",
                               {"file": [message]}) from exc
        return int(written)

    def execute(self) -> Outcome:
        outcome = self.row_run.outcome
        timings: list[str] = []

        def step(name: str, work: Callable[[], Any]) -> Any:
            started = time.perf_counter()
            result = work()
            timings.append(f"{name} {time.perf_counter() - started:.2f} s")
            return result

        step("stage", self._stage)
        step("check", self._check)
        step("report", self._report)
        if self.row_run.write and outcome.ok:
            outcome.counts["created"] = step("write", self._write)
        log.info("Import %s (%s rows): %s.", self.row_run.job.pk, outcome.counts["rows"],
                 ", ".join(timings))
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}, {REFS}, {CHECKED}")
        if self.row_run.progress:
            self.row_run.progress(outcome.counts, 1.0)
        return outcome


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
