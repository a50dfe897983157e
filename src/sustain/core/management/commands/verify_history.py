"""`sustain verify-history`: recompute every organisation's history chain.

Prints OK with the entry count for each organisation whose chain holds; otherwise names the
organisation and the first broken entry (uuid, sequence number, reason) and exits non-zero.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sustain.core.history import verify_organisation
from sustain.core.models import HistoryEntry
from sustain.tenancy.models import Organisation


class Command(BaseCommand):
    help = "Check the tamper-evident history chain of every organisation (or one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", metavar="SLUG",
                            help="Check only this organisation (its short name).")

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = Organisation.objects.order_by("slug")
        slug = options.get("organisation")
        if slug:
            organisations = organisations.filter(slug=slug)
            if not organisations.exists():
                raise CommandError(f"No organisation with the short name {slug!r}.")
        broken = 0
        checked = 0
        for organisation in organisations:
            checked += 1
            count = HistoryEntry.objects.filter(organisation_id=organisation.pk).count()
            found = verify_organisation(organisation.pk)
            if found is None:
                self.stdout.write(f"OK {organisation.slug}: {count} entries, chain intact")
                continue
            broken += 1
            self.stderr.write(
                f"BROKEN {organisation.slug}: first broken entry {found.entry_id or '(none)'} "
                f"(seq {found.seq}): {found.reason}")
        if broken:
            raise CommandError(
                f"History chain broken for {broken} of {checked} organisation(s); see above.")
        self.stdout.write(f"OK: {checked} organisation(s) checked, every chain intact.")
