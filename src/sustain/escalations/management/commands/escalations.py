"""`sustain escalations sweep [--escalate] [--organisation SLUG]`: evaluate every escalation
rule at every location, as the hourly job does (and, with `--escalate`, move overdue tasks up
their ladder, as the 15-minute job does). `sustain escalations escalate` does only the latter.

Idempotent: a second run creates no firing. Prints the counts.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sustain.tenancy.models import Organisation


class Command(BaseCommand):
    help = "Evaluate escalation rules (sweep) and escalate overdue tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["sweep", "escalate"],
                            help="sweep: evaluate every rule at every location; escalate: "
                                 "move overdue tasks up their ladder.")
        parser.add_argument("--escalate", action="store_true",
                            help="With sweep: also escalate overdue tasks afterwards.")
        parser.add_argument("--organisation", metavar="SLUG",
                            help="Only this organisation (its short name).")

    def handle(self, *args: Any, **options: Any) -> None:
        from sustain.escalations.services import escalate_overdue, sweep

        organisation = None
        slug = options.get("organisation")
        if slug:
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                raise CommandError(f"No organisation with the short name {slug!r}.")
        if options["action"] == "sweep":
            counts = sweep(organisation=organisation)
            self.stdout.write(
                f"{counts['locations']} location(s), {counts['rules']} rule evaluation(s): "
                f"{counts['new']} new firing(s) with {counts['tasks']} task(s), "
                f"{counts['withdrawn']} withdrawn, {counts['reinstated']} reinstated, "
                f"{counts['kept']} still holding.")
        if options["action"] == "escalate" or options.get("escalate"):
            moved = escalate_overdue(organisation=organisation)
            self.stdout.write(f"{moved['escalated']} task(s) escalated, "
                              f"{moved['to_board']} to the board report.")
