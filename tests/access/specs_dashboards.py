"""Access for the dashboards API: `provider-dashboard/` and `locations/{uuid}/dashboard/`.

These are not router viewsets (no list/retrieve of one model), so the access matrix in
`tests/test_access_matrix.py` cannot run them and `SPECS_LIST` is empty. The same oracle
(`World.scope`, i.e. `engine.access.scope_for`) drives a targeted role-by-role test instead:
`src/sustain/dashboards/tests/test_access.py`, which runs every principal of the matrix
against the own, sibling and foreign locations and checks the expectations below.

- Both routes need `theme.view` somewhere (otherwise 403; anonymous 401).
- `provider-dashboard/` lists exactly the locations the principal's `theme.view` covers
  (never another organisation's).
- `locations/{uuid}/dashboard/` answers 200 where `theme.view` covers the location and 404
  elsewhere (another organisation's location, or one outside the principal's scope).
- Within a location's answer, each panel is present only where its permission covers the
  location (`PANEL_PERMS`), null otherwise; the row's counts follow the same rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sustain.engine.access import Perm

if TYPE_CHECKING:  # importing specs here first would import this module half-built
    from tests.access.specs import Spec

SPECS_LIST: list[Spec] = []

READ = Perm.THEME_VIEW
# Panel of the location dashboard API → the permission at the location that shows it.
PANEL_PERMS: dict[str, Perm] = {
    "themes": Perm.THEME_VIEW,
    "indicators": Perm.THEME_VIEW,
    "signals": Perm.THEME_VIEW,
    "governance_overdue": Perm.GOVERNANCE_VIEW,
    "escalations_open": Perm.ESCALATION_VIEW,
}
# Row counts (in both APIs) → the permission at the location that shows them (else null).
ROW_PERMS: dict[str, Perm] = {
    "overdue_governance": Perm.GOVERNANCE_VIEW,
    "open_escalations": Perm.ESCALATION_VIEW,
    "rating_shown": Perm.INSPECTION_VIEW,
    "drift_shown": Perm.GOVERNANCE_VIEW,
}
