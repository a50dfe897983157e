"""Access specs for `audit-templates/` and `audits/` (see tests/access/specs.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sustain.audits import services
from sustain.audits.models import AuditTemplate
from sustain.engine.access import Perm
from tests.access.specs import Rule, Spec
from tests.access.world import ACTOR, World


def _template(world: World | None = None, where: str = "") -> AuditTemplate:
    """A shared (shipped) template, as the playbook library would load it."""
    template, _ = AuditTemplate.objects.get_or_create(
        code="matrix-audit", template_version=1, organisation=None, defaults={
            "title": "Matrix audit", "pass_mark": 90, "sample_size": 0,
            "sections": [{"title": "Main", "questions": [
                {"code": "Q1", "text": "Is the MAR chart complete?",
                 "answer_type": "yes_no"}]}]})
    return template


def _audit(world: World, where: str) -> Any:
    return services.audit_start(actor=ACTOR, organisation=world.org(where),
                                location=world.location(where), template=_template(),
                                audit_date=dt.date(2026, 1, 10))


def _audit_payload(world: World, where: str) -> dict[str, Any]:
    return {"location": str(world.location(where).uuid), "template": str(_template().uuid),
            "audit_date": "2026-02-01", "kind": "self"}


SPECS_LIST: list[Spec] = [
    Spec("audit-template", "shared", Perm.AUDIT_VIEW, _template),
    Spec("audit", "location", Perm.AUDIT_VIEW, _audit,
         create=Rule(Perm.AUDIT_CONDUCT), create_payload=_audit_payload,
         location_field="location", update=Rule(Perm.AUDIT_CONDUCT),
         update_payload=lambda w, o: {"answers": {"Q1": "yes"},
                                      "analysis": "Matrix draft analysis."},
         archive=Rule(Perm.AUDIT_CONDUCT)),
]
