"""`sustain indicators compute [--until YYYY-MM-DD] [--organisation SLUG]`: compute indicator
values now (the nightly job's work), recorded as a job run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sustain.indicators.management.options import until_and_organisation


class Command(BaseCommand):
    help = "Indicators: `compute` writes the values of every computed indicator."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        compute = sub.add_parser("compute", help="Compute indicator values (idempotent).")
        compute.add_argument("--until", help="Compute periods ending on or before this date "
                                             "(default today).")
        compute.add_argument("--organisation", help="Only this organisation (slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        from sustain.governance.jobs import job_run
        from sustain.indicators.services import compute_values

        until, organisation = until_and_organisation(options)
        with job_run("indicators.compute") as run:
            result = compute_values(organisation=organisation, until=until)
            run.count(**result.counts())
        self.stdout.write(
            f"Indicators: {result.created} values created, {result.updated} updated, "
            f"{result.unchanged} unchanged ({result.indicators} indicator runs, "
            f"{result.organisations} organisations).")
