"""`sustain load-reference`: validate and load the CQC reference library (idempotent)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sustain.core.errors import ApplicationError
from sustain.reference.services import LoadSummary, reference_load


class Command(BaseCommand):
    help = ("Validate the CQC reference library shipped with Sustain (and any --file) and load "
            "it in one transaction. Running it again with the same content changes nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="Validate and report what would change, without writing.")
        parser.add_argument("--file", action="append", default=[], metavar="PATH",
                            dest="files", help="An extra library file to validate and load "
                                               "(repeatable).")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = reference_load(extra_paths=options["files"], dry_run=options["dry_run"])
        except ApplicationError as exc:
            for where, messages in exc.errors.items():
                for message in messages:
                    self.stderr.write(f"{where}: {message}")
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(_as_json(summary), indent=2))
        elif options["verbosity"] > 0:
            self._print(summary)

    def _print(self, summary: LoadSummary) -> None:
        title = "Reference library (dry run: nothing written)" if summary.dry_run else \
            "Reference library"
        self.stdout.write(title)
        for lib in summary.libraries:
            stored = f", stored v{lib.stored_version}" if lib.stored_version and \
                lib.stored_version != lib.version else ""
            self.stdout.write(f"  {lib.urn} v{lib.version} ({lib.filename}): "
                              f"{lib.action}{stored}")
            for label, c in lib.counts.items():
                self.stdout.write(f"    {label}: created={c.created} updated={c.updated} "
                                  f"unchanged={c.unchanged} archived={c.archived}")
        verb = "would change" if summary.dry_run else "changed"
        result = f"{verb} the database" if summary.changed else "no changes"
        self.stdout.write(self.style.SUCCESS(f"Result: {result}."))


def _as_json(summary: LoadSummary) -> dict[str, Any]:
    return {
        "dry_run": summary.dry_run,
        "changed": summary.changed,
        "libraries": [
            {"urn": o.urn, "version": o.version, "file": o.filename, "checksum": o.checksum,
             "action": o.action, "stored_version": o.stored_version,
             "counts": {label: asdict(c) for label, c in o.counts.items()}}
            for o in summary.libraries
        ],
    }
