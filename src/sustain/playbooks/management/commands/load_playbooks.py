"""`sustain load-playbooks`: validate and load the playbooks shipped with Sustain (idempotent)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sustain.core.errors import ApplicationError
from sustain.playbooks.services import PlaybookLoadSummary, playbooks_load


class Command(BaseCommand):
    help = ("Validate the playbooks shipped with Sustain (or the --file given) and load them in "
            "one transaction, with the CQC reference library first if it is not loaded yet. "
            "Running it again with the same content changes nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="Validate and report what would change, without writing.")
        parser.add_argument("--file", action="append", default=[], metavar="PATH",
                            dest="files", help="Load this playbook file instead of the shipped "
                                               "ones (repeatable).")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = playbooks_load(paths=options["files"] or None,
                                     dry_run=options["dry_run"])
        except ApplicationError as exc:
            for messages in exc.errors.values():
                for message in messages:
                    self.stderr.write(message)
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps({"dry_run": summary.dry_run,
                                          "changed": summary.changed,
                                          "reference_loaded": summary.reference_loaded,
                                          "playbooks": [asdict(o) for o in summary.playbooks]},
                                         indent=2))
        elif options["verbosity"] > 0:
            self._print(summary)

    def _print(self, summary: PlaybookLoadSummary) -> None:
        self.stdout.write("Playbooks (dry run: nothing written)" if summary.dry_run
                          else "Playbooks")
        if summary.reference_loaded:
            verb = "would be" if summary.dry_run else "was"
            self.stdout.write(f"  The CQC reference library {verb} loaded first.")
        for o in summary.playbooks:
            self.stdout.write(f"  {o.code} v{o.version} ({o.filename}): {o.action}; audit "
                              f"templates: {', '.join(o.templates)}")
        verb = "would change" if summary.dry_run else "changed"
        result = f"{verb} the database" if summary.changed else "no changes"
        self.stdout.write(self.style.SUCCESS(f"Result: {result}."))
