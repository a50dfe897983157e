"""Access specs for `indicators/` and `indicator-values/` (see tests/access/specs.py).

Indicators are organisation-level configuration seen by every user of the organisation whose
roles give `theme.view` somewhere: the oracle's "shared" level, run on an indicator owned by
organisation A (as escalation rules); another organisation's indicator is never visible,
tested in src/sustain/indicators/tests/test_api.py. Custom indicators are created, changed
and archived with `indicator.manage` over the whole organisation (a library copy's target
too). Values live at a location and are read-only (the nightly computation and uploads write
them). `funnels/{code}/` is not on the router: its role-by-role test is in
src/sustain/indicators/tests/test_funnels.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sustain.core.services import tracked_create
from sustain.engine.access import Perm
from sustain.indicators.models import Indicator, IndicatorValue
from tests.access.specs import Rule, Spec
from tests.access.world import ACTOR, World


def _indicator(world: World, where: str, prefix: str = "matrix-falls") -> Any:
    found = Indicator.objects.filter(organisation=world.org(where),
                                     code=f"{prefix}-{where}").first()
    return found or tracked_create(actor=ACTOR, obj=Indicator(
        organisation=world.org(where), code=f"{prefix}-{where}",
        name=f"Falls per 1,000 occupied bed days ({where})", unit="per 1,000 occupied bed days",
        numerator="falls", denominator="occupied_bed_days", multiplier=1000.0,
        direction="higher_is_worse", kind="rate"))


def _value(world: World, where: str) -> Any:
    indicator = _indicator(world, where, "matrix-value")
    found = IndicatorValue.objects.filter(indicator=indicator,
                                          location=world.location(where)).first()
    return found or tracked_create(actor=ACTOR, obj=IndicatorValue(
        organisation=world.org(where), indicator=indicator, location=world.location(where),
        period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 2, 1), numerator=3,
        denominator=620, value=3 / 620 * 1000, computed_at=timezone.now()))


SPECS_LIST: list[Spec] = [
    Spec("indicator", "shared", Perm.THEME_VIEW, _indicator,
         create=Rule(Perm.INDICATOR_MANAGE, "organisation"),
         create_payload=lambda w, where: {
             "code": "matrix-new-indicator", "name": "Night falls per 1,000 bed days",
             "unit": "per 1,000 occupied bed days", "numerator": "falls",
             "denominator": "occupied_bed_days", "multiplier": 1000,
             "direction": "higher_is_worse", "kind": "rate"},
         update=Rule(Perm.INDICATOR_MANAGE, "organisation"),
         update_payload=lambda w, o: {"target": 4.5, "minimum_points": 10},
         archive=Rule(Perm.INDICATOR_MANAGE, "organisation")),
    Spec("indicator-value", "location", Perm.THEME_VIEW, _value),
]
