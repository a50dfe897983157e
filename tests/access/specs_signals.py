"""Access specs for `signals/` (see tests/access/specs.py).

Signals live at a location and are read with `theme.view` there; the router resource is
read-only (signals are written by detection; `POST signals/{id}/interpret/` needs
`signal.interpret` at the location and is tested in src/sustain/signals/tests/test_api.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sustain.core.services import tracked_create
from sustain.engine.access import Perm
from sustain.signals.models import Signal
from tests.access.specs import Spec
from tests.access.specs_indicators import _indicator
from tests.access.world import ACTOR, World


def _signal(world: World, where: str) -> Any:
    indicator = _indicator(world, where, "matrix-signal")
    found = Signal.objects.filter(indicator=indicator, location=world.location(where)).first()
    now = timezone.now()
    return found or tracked_create(actor=ACTOR, obj=Signal(
        organisation=world.org(where), indicator=indicator, location=world.location(where),
        period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 2, 1), direction="concern",
        method="poisson_gamma_changepoint(P>0.75)", strength=0.9,
        explanation="Poisson–Gamma changepoint: probability 0.90 that falls rose.",
        raised_at=now, due_at=now + dt.timedelta(days=7)))


SPECS_LIST: list[Spec] = [
    Spec("signal", "location", Perm.THEME_VIEW, _signal),
]
