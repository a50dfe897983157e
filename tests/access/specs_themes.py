"""Access specs for `themes/` and `actions/` (see tests/access/specs.py).

The theme's own routes beyond the five matrix actions (`transition/`, `timeline/`, and the
action's `verify/`) are covered by `src/sustain/themes/tests/test_api.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sustain.engine.access import Perm
from sustain.themes import services
from sustain.themes.models import Theme
from tests.access.specs import Rule, Spec
from tests.access.world import ACTOR, World

START = dt.date(2026, 1, 5)


def _theme(world: World, where: str) -> Theme:
    return services.theme_create(actor=ACTOR, organisation=world.org(where),
                                 location=world.location(where),
                                 title=f"Matrix medicines governance {where}",
                                 origin="inspection", as_of=START)


def _action(world: World, where: str) -> Any:
    return services.action_create(actor=ACTOR, theme=_theme(world, where),
                                  description=f"Matrix weekly MAR audit {where}",
                                  raised_on=START, due_date=dt.date(2026, 2, 1))


def _theme_payload(world: World, where: str) -> dict[str, Any]:
    return {"location": str(world.location(where).uuid), "title": "Matrix new theme",
            "origin": "internal_audit", "description": "Opened by the access matrix."}


def _action_payload(world: World, where: str) -> dict[str, Any]:
    theme = world.objects[("theme", where)]
    return {"theme": str(theme.uuid), "description": "Matrix new action",
            "due_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat()}


SPECS_LIST: list[Spec] = [
    Spec("theme", "location", Perm.THEME_VIEW, _theme,
         create=Rule(Perm.THEME_CHANGE), create_payload=_theme_payload,
         location_field="location", update=Rule(Perm.THEME_CHANGE),
         update_payload=lambda w, o: {"title": "Matrix renamed theme"},
         archive=Rule(Perm.THEME_CHANGE)),
    # The theme named by the payload is the record that fixes the location (400 "theme" when
    # the user cannot see it).
    Spec("action", "location", Perm.THEME_VIEW, _action,
         create=Rule(Perm.ACTION_CHANGE), create_payload=_action_payload,
         location_field="theme", update=Rule(Perm.ACTION_CHANGE),
         update_payload=lambda w, o: {"status": "in_progress"},
         archive=Rule(Perm.ACTION_CHANGE)),
]
