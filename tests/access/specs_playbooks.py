"""Access spec for `playbooks/` (see tests/access/specs.py).

Who sees a playbook does not depend on a location: every user of the organisation whose roles
give `theme.view` somewhere sees the shipped playbooks and the organisation's own (they are
what themes at any of their locations are built from). That is exactly the oracle's "shared"
level — visible wherever the read permission is held anywhere — so the matrix runs the route
at that level, on a playbook **owned by organisation A** (the principals' organisation), so
that upload (create) and archive are real writes recorded in history and need
`playbook.manage` over the whole organisation. Another organisation's playbook is never
visible (404); that case and `apply/` are covered by src/sustain/playbooks/tests/test_api.py.
"""

from __future__ import annotations

from typing import Any

from sustain.engine.access import Perm
from sustain.playbooks import services
from tests.access.specs import Rule, Spec
from tests.access.world import ACTOR, World

MATRIX_PLAYBOOK = """\
code: {code}
version: 1
title: Matrix playbook {code}
summary: A playbook for the access matrix.
source:
  document: Seed
  section: Example
  quotes: [A quoted sentence.]
theme:
  title: Medicines
  description: Missed medicines.
  quality_statements: [S8]
  regulations: [RA2014-12]
audit_templates:
  - code: {code}-audit
    title: Matrix audit
    purpose: Recording accuracy.
    pass_mark: 90
    cadence: {{frequency: weekly, owner_role: registered_manager}}
    sections:
      - title: Main
        questions:
          - {{code: Q1, text: Is the MAR chart complete?, answer_type: yes_no}}
verification: {{reaudit_template: {code}-audit, pass_mark: 90}}
"""


def _playbook(world: World, where: str) -> Any:
    return services.playbook_upload(actor=ACTOR, organisation=world.org(where),
                                    text=MATRIX_PLAYBOOK.format(code="matrix-owned"),
                                    filename="matrix-owned.yaml")


def _payload(world: World, where: str) -> dict[str, Any]:
    return {"filename": "matrix-new.yaml", "yaml": MATRIX_PLAYBOOK.format(code="matrix-new")}


SPECS_LIST: list[Spec] = [
    Spec("playbook", "shared", Perm.THEME_VIEW, _playbook,
         create=Rule(Perm.PLAYBOOK_MANAGE, "organisation"), create_payload=_payload,
         update=None, archive=Rule(Perm.PLAYBOOK_MANAGE, "organisation")),
]
