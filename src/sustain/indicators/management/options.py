"""Options shared by the early-warning commands: `--until DATE` and `--organisation SLUG`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError


def until_and_organisation(options: dict[str, Any]) -> tuple[dt.date | None, Any]:
    """The date and organisation the options name (None where not given); a clear error for a
    malformed date or an unknown organisation."""
    from sustain.tenancy.models import Organisation

    until = None
    if options.get("until"):
        try:
            until = dt.date.fromisoformat(options["until"])
        except ValueError as exc:
            raise CommandError("--until must be a date, YYYY-MM-DD.") from exc
    organisation = None
    if options.get("organisation"):
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation {options['organisation']!r}.")
    return until, organisation
