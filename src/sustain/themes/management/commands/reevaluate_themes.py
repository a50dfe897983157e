"""`sustain reevaluate-themes [--organisation SLUG] [--as-of DATE]`: move every theme whose
evidence (or the calendar) now supports another stage, as the nightly job does.

Idempotent: a second run for the same date moves nothing. Prints how many themes were
evaluated and how many moved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sustain.tenancy.models import Organisation
from sustain.themes.services import themes_reevaluate


class Command(BaseCommand):
    help = "Re-evaluate the stage of every current theme (or one organisation's)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", metavar="SLUG",
                            help="Only this organisation's themes (its short name).")
        parser.add_argument("--as-of", metavar="DATE",
                            help="Evaluate as on this date (YYYY-MM-DD); default today.")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation_id = None
        slug = options.get("organisation")
        if slug:
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                raise CommandError(f"No organisation with the short name {slug!r}.")
            organisation_id = organisation.pk
        as_of = None
        if options.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError(f"--as-of: {options['as_of']!r} is not a date "
                                   "(use YYYY-MM-DD, e.g. 2026-11-27).") from exc
        summary = themes_reevaluate(organisation_id=organisation_id, as_of=as_of)
        self.stdout.write(f"{summary['themes']} theme(s) evaluated, {summary['moved']} moved.")
