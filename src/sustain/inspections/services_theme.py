"""From an inspection finding to an improvement theme (and, optionally, its playbook)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from sustain.core.errors import PermissionDenied
from sustain.engine.access import Perm
from sustain.inspections.models import Finding, RegulationBreach
from sustain.inspections.services import Errors, _add, _refuse, _system
from sustain.reference.models import Regulation
from sustain.tenancy.permissions import has_perm_at


def finding_regulations(finding: Finding) -> list[Regulation]:
    """The inspection's breached regulations that match the finding, through the reference
    library's statement-to-regulation mapping: those mapped to the finding's quality
    statements, or, for a finding without statements, to any statement of its key question.
    (Matching on the key question alone is broad: most regulations touch a Safe statement.)"""
    breached = RegulationBreach.objects.filter(
        inspection_id=finding.inspection_id, archived_at__isnull=True).values("regulation_id")
    statement_ids = list(finding.quality_statements.values_list("pk", flat=True))
    match = Q(quality_statements__in=statement_ids) if statement_ids else \
        Q(quality_statements__key_question_id=finding.key_question_id)
    return list(Regulation.objects.filter(match, pk__in=breached).distinct()
                .order_by("position", "pk"))


def _playbook_apply() -> Any:
    """`sustain.playbooks.services.playbook_apply`, when that service exists."""
    try:
        from sustain.playbooks import services as playbook_services
    except ImportError:
        return None
    return getattr(playbook_services, "playbook_apply", None)


def finding_create_theme(*, actor: Any, finding: Finding, title: str, owner: Any = None,
                         playbook: Any = None, description: str = "") -> Any:
    """Open an improvement theme from an inspection finding.

    The theme takes the finding's quality statements and the inspection's breached
    regulations that match the finding's key question; when a playbook is given it is applied
    to the new theme in the same transaction. A finding makes at most one live theme.
    """
    from sustain.themes.models import Origin, Theme
    from sustain.themes.services import theme_create

    location_id = finding.location_id
    if not _system(actor) and not (has_perm_at(actor, Perm.INSPECTION_VIEW, location_id)
                                   and has_perm_at(actor, Perm.THEME_CHANGE, location_id)):
        raise PermissionDenied("Your role cannot open themes at this location.")
    errors: Errors = {}
    title = (title or "").strip()
    if not title:
        _add(errors, "title", "Give the theme a title.")
    elif len(title) > 200:
        _add(errors, "title", "Keep the title to 200 characters or fewer.")
    if finding.archived_at is not None or finding.inspection.archived_at is not None:
        _add(errors, "finding", "This finding's inspection is archived.")
    existing = Theme.objects.filter(finding=finding, archived_at__isnull=True).first()
    if existing is not None:
        _add(errors, "finding", f"A theme has already been created from this finding: "
                                f"“{existing.title}”.")
    if owner is not None and (owner.organisation_id != finding.organisation_id
                              or owner.archived_at is not None
                              or not owner.locations.filter(pk=location_id).exists()):
        _add(errors, "owner", "Choose a member of staff at this location.")
    apply = None
    if playbook is not None:
        if playbook.organisation_id not in (None, finding.organisation_id) or \
                playbook.archived_at is not None:
            _add(errors, "playbook", "Choose a playbook from the list.")
        apply = _playbook_apply()
        if apply is None:
            _add(errors, "playbook", "Playbooks cannot be applied yet in this version.")
    _refuse(errors, "The theme was not created")
    with transaction.atomic():
        theme = theme_create(
            actor=actor, organisation=finding.organisation, location=finding.location,
            title=title, origin=Origin.INSPECTION, finding=finding, owner=owner,
            description=(description or "").strip(),
            quality_statements=list(finding.quality_statements.all()),
            regulations=finding_regulations(finding))
        if apply is not None:
            theme.refresh_from_db()  # the rules may have re-evaluated it since
            apply(actor=actor, playbook=playbook, theme=theme)
            theme.refresh_from_db()
    return theme
