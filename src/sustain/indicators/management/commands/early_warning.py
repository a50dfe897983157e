"""`sustain early-warning run [--until YYYY-MM-DD] [--organisation SLUG]`: run the nightly
early-warning chain now (indicator values, then signals, then drift), each step recorded as a
job run, and print the counts of each step. A failed step is reported and the following steps
still run (`indicators.tasks`); the command then fails."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sustain.indicators.management.options import until_and_organisation


class Command(BaseCommand):
    help = ("Early warning: `run` computes indicator values, detects signals and assesses "
            "drift (the nightly job).")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Run the nightly early-warning chain (idempotent).")
        run.add_argument("--until", help="Run as of this date, YYYY-MM-DD (default today).")
        run.add_argument("--organisation", help="Only this organisation (slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        from sustain.indicators.tasks import run_chain

        until, organisation = until_and_organisation(options)
        result = run_chain(until=until, organisation=organisation)
        for step in result.steps:
            if step.ok:
                counts = ", ".join(f"{k} {v}" for k, v in step.counts.items()) or "nothing"
                self.stdout.write(f"{step.name}: {counts}")
            else:
                self.stderr.write(f"{step.name}: failed: {step.error}")
        if result.failed:
            raise CommandError("Failed steps: " + ", ".join(s.name for s in result.failed))
