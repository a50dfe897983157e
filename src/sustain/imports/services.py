"""Import use cases: upload a spreadsheet, validate it (dry run, every problem by row and
column), commit it (atomic: all rows or none; idempotent by the kind's key column)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

import psycopg
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files import File
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from sustain.core.errors import ApplicationError, InvalidInput, PermissionDenied
from sustain.core.services import tracked_create, tracked_update
from sustain.engine.access import Perm
from sustain.engine.import_rows import (
    PERSON,
    STAFF,
    ParsedRow,
    RowProblem,
    header_problems,
    parse_row,
)
from sustain.imports import fastpath
from sustain.imports.models import ImportJob
from sustain.imports.reader import Sheet, check_size, open_sheet
from sustain.imports.registry import ImportKind, RowContext, get_kind
from sustain.imports.writer import write_rows
from sustain.tenancy.permissions import has_perm_at

PROBLEM_LIMIT = 1000
CHUNK = 5000
Progress = Callable[[dict[str, int], float | None], None]


def _is_system(actor: Any) -> bool:
    return actor is None or isinstance(actor, str)


def can_import(actor: Any, kind: ImportKind, location_id: int) -> bool:
    """`import.run` and the kind's own write permission, both at the location."""
    return _is_system(actor) or (has_perm_at(actor, Perm.IMPORT_RUN, location_id)
                                 and has_perm_at(actor, kind.permission, location_id))


def _check_can_import(actor: Any, kind: ImportKind, location: Any) -> None:
    if not can_import(actor, kind, location.pk):
        raise PermissionDenied(f"Your role cannot import {kind.label} at {location.name}.")


@dataclass
class Outcome:
    """What a validation or commit run found."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("rows", "valid", "invalid_rows", "skipped", "created"), 0))
    problems: list[RowProblem] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)
    problem_total: int = 0

    @property
    def ok(self) -> bool:
        return not self.file_problems and self.problem_total == 0

    def add(self, problems: list[RowProblem]) -> None:
        self.problem_total += len(problems)
        room = PROBLEM_LIMIT - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])

    def report(self) -> dict[str, Any]:
        return {"file": self.file_problems,
                "problems": [{"row": p.row, "column": p.column, "message": p.message}
                             for p in self.problems],
                "problem_total": self.problem_total,
                "truncated": self.problem_total > len(self.problems)}


class _Rollback(Exception):  # noqa: N818 - control flow, never shown
    pass


def _sha256(fh: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for block in iter(lambda: fh.read(1024 * 1024), b""):
        digest.update(block)
        size += len(block)
    fh.seek(0)
    return digest.hexdigest(), size


def job_upload(*, actor: Any, organisation: Any, location: Any, kind: str, fileobj: IO[bytes],
               name: str, size: int | None = None) -> ImportJob:
    """Store an uploaded spreadsheet for a location after checking who may import
    (`import.run` there; validating and committing also need the kind's own permission), its
    size (before reading it), its type (by content) and its header row (missing required
    columns are named). Nothing is stored when any check fails."""
    import_kind = get_kind(kind)
    if location.organisation_id != organisation.pk:
        raise InvalidInput("The location belongs to another organisation.",
                           {"location": ["Not found in this organisation."]})
    if not _is_system(actor) and not has_perm_at(actor, Perm.IMPORT_RUN, location.pk):
        raise PermissionDenied(f"Your role cannot run imports at {location.name}.")
    check_size(size)
    sheet = open_sheet(fileobj, size=size)
    problems = header_problems(sheet.headers, import_kind.columns)
    sheet.close()
    if problems:
        raise InvalidInput(" ".join(problems), {"file": problems})
    fileobj.seek(0)
    sha, real_size = _sha256(fileobj)
    check_size(real_size)
    job = ImportJob(organisation=organisation, location=location, kind=import_kind.name,
                    original_name=name[:255], size=real_size, sha256=sha,
                    created_by=None if _is_system(actor) else actor)
    job.file.save(f"{sha[:16]}-{name[-80:]}", File(fileobj), save=False)
    return tracked_create(actor=actor, obj=job, message=f"Uploaded {name} ({real_size:,} bytes)")


def _context(job: ImportJob, kind: ImportKind, actor: Any) -> RowContext:
    from sustain.people.models import PersonSupported, StaffMember

    ctx = RowContext(actor=actor, organisation=job.organisation, location=job.location,
                     now=timezone.localtime().replace(tzinfo=None))
    if kind.needs_people:
        ctx.people = {p.reference.lower(): p for p in PersonSupported.objects.filter(
            organisation=job.organisation, location=job.location, archived_at__isnull=True)}
    if kind.needs_staff:
        ctx.staff = {s.staff_reference.lower(): s for s in StaffMember.objects.filter(
            organisation=job.organisation, locations=job.location, archived_at__isnull=True
        ).exclude(staff_reference="")}
    return ctx


def _resolve_refs(parsed: ParsedRow, kind: ImportKind, ctx: RowContext) -> None:
    for column in kind.columns:
        value = parsed.values.get(column.name)
        if column.type not in (PERSON, STAFF) or not value:
            continue
        lookup = ctx.people if column.type == PERSON else ctx.staff
        found = lookup.get(str(value).lower())
        if found is None:
            what = "person supported with reference" if column.type == PERSON \
                else "staff member with staff reference"
            parsed.problems.append(RowProblem(parsed.row, column.name,
                                              f"No {what} {value!r} at {ctx.location.name}."))
        else:
            parsed.values[column.name] = found


def _field_problems(row: int, kind: ImportKind, errors: dict[str, list[str]]) -> list[RowProblem]:
    return [RowProblem(row, kind.column_for_field(name), message)
            for name, messages in errors.items() for message in messages]


class _Run:
    """One pass over the file: parse, check, skip existing keys, and (for a commit, or a
    service kind's dry run inside a rolled-back transaction) write."""

    def __init__(self, job: ImportJob, kind: ImportKind, actor: Any, *, write: bool,
                 progress: Progress | None) -> None:
        self.job, self.kind, self.actor, self.write = job, kind, actor, write
        self.progress = progress
        self.outcome = Outcome()
        self.ctx = _context(job, kind, actor)
        self.model = kind.model_class
        self.seen: dict[str, int] = {}
        self.fk_names = [f.name for f in self.model._meta.concrete_fields
                         if isinstance(f, models.ForeignKey)]

    def run(self, sheet: Sheet) -> Outcome:
        problems = header_problems(sheet.headers, self.kind.columns)
        if problems:
            self.outcome.file_problems = problems
            return self.outcome
        pending: list[tuple[int, str, dict[str, Any]]] = []
        counts = self.outcome.counts
        for number, raw in sheet.rows():
            counts["rows"] += 1
            parsed = self.check_row(number, raw)
            key = str(parsed.values.get(self.kind.key_column) or "")
            if parsed.problems:
                counts["invalid_rows"] += 1
                self.outcome.add(parsed.problems)
                continue
            pending.append((number, key, parsed.values))
            if len(pending) >= CHUNK:
                self._flush(pending)
                pending = []
                if self.progress:
                    self.progress(counts, sheet.fraction())
        self._flush(pending)
        if self.progress:
            self.progress(counts, 1.0)
        return self.outcome

    def check_row(self, number: int, raw: dict[str, Any]) -> ParsedRow:
        """Parse and check one row: cells, refs, the kind's rules, a key seen before."""
        parsed = parse_row(number, raw, self.kind.columns)
        _resolve_refs(parsed, self.kind, self.ctx)
        if self.kind.check is not None:
            parsed.problems.extend(self.kind.check(parsed, self.ctx))
        key = str(parsed.values.get(self.kind.key_column) or "")
        if key:
            first = self.seen.setdefault(key, number)
            if first != number:
                parsed.problems.append(RowProblem(
                    number, self.kind.key_column, f"Repeats row {first}'s {key!r}."))
        return parsed

    def _existing(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        if connection.vendor == "postgresql":  # one array parameter, not one per key
            field = self.model._meta.get_field(self.kind.key_field)
            table = connection.ops.quote_name(self.model._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {connection.ops.quote_name(field.column)} FROM {table} "  # noqa: S608
                    "WHERE organisation_id = %s AND "
                    f"{connection.ops.quote_name(field.column)} = ANY(%s) "
                    # lets PostgreSQL use a partial unique index (external_ref <> '')
                    f"AND {connection.ops.quote_name(field.column)} <> ''",
                    [self.job.organisation_id, keys])
                return {row[0] for row in cursor.fetchall()}
        found = self.model._default_manager.filter(
            organisation=self.job.organisation,
            **{f"{self.kind.key_field}__in": keys}).values_list(self.kind.key_field, flat=True)
        return set(found)

    def _flush(self, pending: list[tuple[int, str, dict[str, Any]]]) -> None:
        if not pending:
            return
        counts = self.outcome.counts
        existing = self._existing([k for _, k, _ in pending if k])
        rows: list[dict[str, Any]] = []
        for number, key, values in pending:
            if key and key in existing:
                counts["skipped"] += 1
                continue
            fields = self.kind.to_fields(values, self.ctx)
            if self.kind.bulk:
                if not self._bulk_row_ok(number, fields):
                    continue
                rows.append({"organisation": self.job.organisation,
                             "location": self.job.location, **fields})
            elif self._service_row_ok(number, fields):
                counts["created" if self.write else "valid"] += 1
        if self.kind.bulk:
            if self.write and self.outcome.ok:
                counts["created"] += self._write(pending[0][0], pending[-1][0], rows)
            elif not self.write:
                counts["valid"] += len(rows)

    def _write(self, first: int, last: int, rows: list[dict[str, Any]]) -> int:
        try:
            with transaction.atomic():
                return write_rows(self.model, rows)
        except (DatabaseError, psycopg.Error) as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InvalidInput(f"Rows {first}–{last} could not be written: {message}",
                               {"file": [message]}) from exc

    def _bulk_row_ok(self, number: int, fields: dict[str, Any]) -> bool:
        """Model field checks (lengths, choices, ranges) on the dry run; a commit relies on
        the same column checks plus the database's constraints."""
        if self.write:
            return True
        obj = self.model(organisation=self.job.organisation, location=self.job.location,
                         **fields)
        try:
            obj.clean_fields(exclude=self.fk_names)
        except DjangoValidationError as exc:
            self.outcome.counts["invalid_rows"] += 1
            self.outcome.add(_field_problems(number, self.kind, exc.message_dict))
            return False
        return True

    def _service_row_ok(self, number: int, fields: dict[str, Any]) -> bool:
        assert self.kind.create is not None
        try:
            with transaction.atomic():
                self.kind.create(actor=self.actor, organisation=self.job.organisation,
                                 location=self.job.location, **fields)
        except ApplicationError as exc:
            self.outcome.counts["invalid_rows"] += 1
            self.outcome.add(_field_problems(number, self.kind, exc.errors)
                             or [RowProblem(number, "", exc.message)])
            return False
        return True


def _set_status(actor: Any, job: ImportJob, status: str, outcome: Outcome | None = None,
                message: str = "") -> ImportJob:
    changes: dict[str, Any] = {"status": status}
    if outcome is not None:
        changes["counts"] = outcome.counts
        changes["report"] = outcome.report()
    return tracked_update(actor=actor, obj=job, changes=changes, expected_version=None,
                          message=message)


def _open(job: ImportJob) -> Sheet:
    job.file.open("rb")
    return open_sheet(job.file, size=job.size)


def _execute(job: ImportJob, kind: ImportKind, actor: Any, *, write: bool,
             progress: Progress | None) -> Outcome:
    """Check (and, for a commit, write) the job's file: set-based in PostgreSQL for a CSV of
    a bulk kind (`imports/fastpath.py`), otherwise row by row (`_Run`). Same results."""
    sheet = _open(job)
    if fastpath.applies(kind, sheet):
        outcome = fastpath.run(_Run(job, kind, actor, write=write, progress=progress), sheet,
                               reopen=lambda: _open(job))
        if outcome is not None:
            return outcome
        sheet = _open(job)
    return _Run(job, kind, actor, write=write, progress=progress).run(sheet)


def job_validate(*, actor: Any, job: ImportJob, progress: Progress | None = None) -> ImportJob:
    """Dry run: read every row, report every problem (row, column, message) and the counts
    (rows, valid, invalid, already imported). Nothing is written; a service kind's rows are
    written and rolled back so the service's own checks run too."""
    kind = get_kind(job.kind)
    _check_can_import(actor, kind, job.location)
    if job.status in (ImportJob.Status.COMMITTING, ImportJob.Status.COMMITTED):
        raise InvalidInput("This import has already been committed.",
                           {"status": [job.get_status_display()]})
    job = _set_status(actor, job, ImportJob.Status.VALIDATING)
    try:
        with transaction.atomic():
            outcome = _execute(job, kind, actor, write=False, progress=progress)
            raise _Rollback
    except _Rollback:
        pass
    except ApplicationError as exc:
        outcome = Outcome(file_problems=[exc.message])
    finally:
        job.file.close()
    status = ImportJob.Status.VALIDATED if outcome.ok else ImportJob.Status.FAILED
    return _set_status(actor, job, status, outcome)


def job_commit(*, actor: Any, job: ImportJob, progress: Progress | None = None) -> ImportJob:
    """Write every row in one transaction, or none: any problem found while writing (data
    changed since the validation, a constraint) rolls everything back and the job fails with
    the report. Rows whose key already exists are skipped and counted."""
    kind = get_kind(job.kind)
    _check_can_import(actor, kind, job.location)
    if job.status != ImportJob.Status.VALIDATED:
        raise InvalidInput("Validate the file without problems before committing it.",
                           {"status": [job.get_status_display()]})
    job = _set_status(actor, job, ImportJob.Status.COMMITTING)
    outcome = Outcome()
    try:
        with transaction.atomic():
            outcome = _execute(job, kind, actor, write=True, progress=progress)
            if not outcome.ok:
                raise _Rollback
            counts = outcome.counts
            return _set_status(
                actor, job, ImportJob.Status.COMMITTED, outcome,
                message=f"Imported {counts['created']:,} {kind.label} from "
                        f"{job.original_name} (SHA-256 {job.sha256}); {counts['skipped']:,} "
                        "already imported rows skipped.")
    except _Rollback:
        pass
    except ApplicationError as exc:
        outcome.file_problems.append(exc.message)
        outcome.counts["created"] = 0
    finally:
        job.file.close()
    outcome.counts["created"] = 0
    return _set_status(actor, job, ImportJob.Status.FAILED, outcome,
                       message="Nothing was imported: the file has problems.")


def save_progress(job: ImportJob) -> Progress:
    """A progress callback storing counts on the job (bookkeeping, not history)."""
    def store(counts: dict[str, int], fraction: float | None) -> None:
        data = {**counts, "percent": round(100 * fraction) if fraction is not None else -1}
        ImportJob.objects.filter(pk=job.pk).update(counts=data)
    return store
