"""`sustain import KIND FILE --location CQC_ID_OR_NAME [--commit] [--organisation SLUG]`:
validate a spreadsheet (and commit it with `--commit`) from the command line, with a progress
bar on stderr. Runs as a system job (history names "sustain import (command line)")."""

# ruff: noqa: N999 - the command is `sustain import`, so the module is import.py
from __future__ import annotations

import os
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from sustain.core.errors import ApplicationError
from sustain.imports.registry import kinds
from sustain.imports.services import job_commit, job_upload, job_validate
from sustain.tenancy.models import Location, Organisation

ACTOR = "sustain import (command line)"
SHOWN = 20


class ProgressBar:
    """A one-line progress bar on stderr (rows so far, and the share of the file read)."""

    def __init__(self, label: str, stream: Any = None, width: int = 30) -> None:
        self.label, self.stream, self.width = label, stream or sys.stderr, width
        self.started = time.monotonic()

    def __call__(self, counts: dict[str, int], fraction: float | None) -> None:
        rows = counts.get("rows", 0)
        rate = rows / max(time.monotonic() - self.started, 1e-6)
        if fraction is None:
            bar = f"{rows:,} rows"
        else:
            filled = int(self.width * fraction)
            bar = f"[{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%} {rows:,} rows"
        self.stream.write(f"\r{self.label}: {bar} ({rate:,.0f} rows/s)")
        if fraction is not None and fraction >= 1:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Validate (and with --commit, import) a CSV or XLSX file of one import kind."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="The import kind, e.g. people or medicines-checks.")
        parser.add_argument("file", help="The CSV or XLSX file.")
        parser.add_argument("--location", required=True,
                            help="The location's CQC id or name.")
        parser.add_argument("--organisation", metavar="SLUG",
                            help="The organisation's short name (needed when there are several).")
        parser.add_argument("--commit", action="store_true",
                            help="Import the rows if the file validates (all or nothing).")

    def _organisation(self, slug: str | None) -> Organisation:
        if slug:
            found = Organisation.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"No organisation with the short name {slug!r}.")
            return found
        organisations = list(Organisation.objects.all()[:2])
        if len(organisations) != 1:
            raise CommandError("Name the organisation with --organisation SLUG.")
        return organisations[0]

    def _location(self, organisation: Organisation, name: str) -> Location:
        matches = list(Location.objects.filter(organisation=organisation).filter(
            Q(cqc_location_id__iexact=name) | Q(name__iexact=name))[:2])
        if len(matches) != 1:
            raise CommandError(f"No single location {name!r} in {organisation.slug} (give its "
                               "CQC id or exact name).")
        return matches[0]

    def _raw_err(self) -> Any:
        return getattr(self.stderr, "_out", sys.stderr)  # no newline after each update

    def _report(self, job: Any) -> None:
        counts = job.counts
        self.stdout.write(
            f"{job.get_status_display()}: {counts.get('rows', 0):,} rows, "
            f"{counts.get('valid', 0):,} valid, {counts.get('invalid_rows', 0):,} with problems, "
            f"{counts.get('skipped', 0):,} already imported, {counts.get('created', 0):,} created.")
        for message in job.report.get("file", []):
            self.stderr.write(f"File: {message}")
        problems = job.report.get("problems", [])
        for p in problems[:SHOWN]:
            self.stderr.write(f"Row {p['row']}, {p['column'] or 'row'}: {p['message']}")
        total = job.report.get("problem_total", len(problems))
        if total > SHOWN:
            self.stderr.write(f"… and {total - SHOWN:,} more problems.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] not in kinds():
            raise CommandError(f"Unknown kind {options['kind']!r}; choose one of: "
                               f"{', '.join(kinds())}.")
        organisation = self._organisation(options.get("organisation"))
        location = self._location(organisation, options["location"])
        path = options["file"]
        if not os.path.isfile(path):
            raise CommandError(f"No file at {path}.")
        try:
            with open(path, "rb") as fh:
                job = job_upload(actor=ACTOR, organisation=organisation, location=location,
                                 kind=options["kind"], fileobj=fh,
                                 name=os.path.basename(path), size=os.path.getsize(path))
            job = job_validate(actor=ACTOR, job=job,
                               progress=ProgressBar("Validating", self._raw_err()))
            self._report(job)
            if job.status != job.Status.VALIDATED:
                raise CommandError("The file has problems; nothing was imported.")
            if options["commit"]:
                job = job_commit(actor=ACTOR, job=job,
                                 progress=ProgressBar("Importing", self._raw_err()))
                self._report(job)
                if job.status != job.Status.COMMITTED:
                    raise CommandError("Nothing was imported (see the problems above).")
            else:
                self.stdout.write("Validated only; run again with --commit to import.")
        except ApplicationError as exc:
            details = "; ".join(m for msgs in exc.errors.values() for m in msgs)
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        self.stdout.write(f"Import job {job.uuid}.")
