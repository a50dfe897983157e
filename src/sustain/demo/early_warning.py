"""The demo's early warning: the indicator library, the nightly chain run once as of the demo's
date, and Rosewood's concern signals interpreted in writing.

Nothing here writes a value, a signal or a drift assessment directly: the records built by
`operational` and `governance` are shaped so that the real engines find the story
(`ops_care.PLANNED`, `ops_care.RH_FURTHER_DROP_DAYS`, `governance.meadowbank_audits`):

- **Meadowbank (drifting):** falls rise month by month over the last nine months, so the falls
  rate chart ends in special-cause concern and the alerting raises a concern signal that waits
  for interpretation (with overdue supervisions, care-plan reviews and unanswered feedback);
  its supervision notes are near-duplicates linked to no theme, its audits go late and then
  are not finished, its senior visits thin out and its quality meetings give updates only, so
  its drift index is "drifting" and it heads the provider dashboard.
- **Rosewood House (recovering):** MAR discrepancies fell after its medicines theme opened (an
  improvement run on the chart) and fell again over the last six weeks (an improvement signal
  on the weekly rate, noted); a spike of medicines errors four months ago (agency night
  nurses) raised a concern signal, which its registered manager has interpreted, linked to the
  medicines theme.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sustain.accounts.models import User
from sustain.demo.operational import THEME_KEYS
from sustain.indicators.services import library_install
from sustain.indicators.tasks import run_chain
from sustain.tenancy.models import Location, Organisation
from sustain.themes.models import Theme

ACTOR = "sustain demo"
INTERPRETER = "manager.rosewood"

# What Rosewood's registered manager wrote, by indicator code (the default for any other).
INTERPRETATIONS: dict[str, tuple[str, str]] = {
    "medicines-errors": (
        "A real change, not chance: most of the month's medicines errors were on nights, with "
        "agency nurses new to the home while two of our nurses were on leave. Their induction "
        "did not cover our MAR process or the double-signature check.",
        "The agency induction now includes the MAR checklist and a supervised first round; the "
        "agency confirms each nurse has read it before the shift. Added to the medicines "
        "theme; the next monthly MAR audit samples the night rounds."),
}
DEFAULT_INTERPRETATION = (
    "We looked at the records behind the change: it is real and has a cause we understand.",
    "Discussed at the quality meeting and added to the medicines theme's actions; the next "
    "audit will test whether the change has held.")


def build_early_warning(*, organisation: Organisation, locations: dict[str, Location],
                        as_of: dt.date) -> dict[str, Any]:
    """Install the indicator library, run the nightly chain as of `as_of`, then interpret
    Rosewood's open concern signals. Returns each step's counts and the interpretations."""
    from sustain.signals.models import Signal
    from sustain.signals.services import interpret

    library_install(actor=ACTOR, organisation=organisation)
    result = run_chain(until=as_of, organisation=organisation)
    if result.failed:
        names = "; ".join(f"{s.name}: {s.error}" for s in result.failed)
        raise RuntimeError(f"The demo's early-warning run failed ({names}).")
    counts: dict[str, Any] = dict(result.counts())
    rosewood = locations["RH"]
    key, plan = THEME_KEYS["RH:medicines"]
    theme = Theme.objects.get(location=locations[key], title=plan.title)
    manager = User.objects.get(username=INTERPRETER)
    interpreted = 0
    for signal in Signal.objects.filter(location=rosewood, direction="concern",
                                        status="open").select_related("indicator") \
            .order_by("period_start", "pk"):
        meaning, response = INTERPRETATIONS.get(signal.indicator.code, DEFAULT_INTERPRETATION)
        interpret(actor=manager, signal=signal, meaning=meaning, response=response, theme=theme)
        interpreted += 1
    counts["interpreted"] = interpreted
    return counts
