"""Theme and action services: the lifecycle through the public service surface."""

from __future__ import annotations

import datetime as dt

import pytest

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.themes import services
from sustain.themes.models import Theme, ThemeTransition
from sustain.themes.tests.factories import AuditFactory

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def manager(make_user, org, location):
    return make_user(org, "registered_manager", location=location)


START = D(2026, 1, 5)


def _theme(manager, org, location, as_of=START):
    return services.theme_create(actor=manager, organisation=org, location=location,
                                 title="Medicines governance", origin="inspection",
                                 as_of=as_of)


def test_theme_moves_only_on_evidence(manager, org, location):
    theme = _theme(manager, org, location)
    assert theme.stage == "identified"
    action = services.action_create(actor=manager, theme=theme, description="Weekly MAR audit",
                                    raised_on=D(2026, 1, 5), due_date=D(2026, 2, 1))
    theme.refresh_from_db()
    assert theme.stage == "recovering"
    services.action_update(actor=manager, action=action,
                           changes={"status": "done", "completed_on": D(2026, 2, 1)},
                           expected_version=action.version)
    theme.refresh_from_db()
    assert theme.stage == "actions_complete"
    assert any("re-audit" in m for m in theme.evaluation["missing"])
    # A failing re-audit changes nothing; a passing one after the actions verifies.
    AuditFactory(theme=theme, audit_date=D(2026, 2, 10), score=70, passed=False)
    theme = services.theme_reevaluate(theme=theme, as_of=D(2026, 2, 20))
    assert theme.stage == "actions_complete"
    audit = AuditFactory(theme=theme, audit_date=D(2026, 2, 15), score=93)
    theme = services.theme_reevaluate(theme=theme, as_of=D(2026, 2, 20))
    assert theme.stage == "verified" and theme.verified_on == D(2026, 2, 15)
    last = ThemeTransition.objects.filter(theme=theme).order_by("created_at").last()
    assert last.to_stage == "verified" and str(audit.uuid) in last.evidence
    assert last.moved_by == "rules"
    # Next cycle: formal closure by the rules.
    theme = services.theme_reevaluate(theme=theme, as_of=D(2026, 3, 2))
    assert theme.stage == "sustaining" and theme.sustaining_since == D(2026, 3, 1)
    # Re-running changes nothing (idempotent).
    count = ThemeTransition.objects.count()
    services.theme_reevaluate(theme=theme, as_of=D(2026, 3, 2))
    assert ThemeTransition.objects.count() == count


def test_manual_move_without_evidence_is_refused_and_changes_nothing(manager, org, location):
    theme = _theme(manager, org, location)
    before = HistoryEntry.objects.count()
    with pytest.raises(InvalidInput) as err:
        services.theme_transition(actor=manager, theme=theme, target="verified",
                                  reason="We think it is fixed now.")
    assert "target" in err.value.errors
    theme.refresh_from_db()
    assert theme.stage == "identified"
    assert HistoryEntry.objects.count() == before


def test_manual_move_needs_a_reason(manager, org, location):
    theme = _theme(manager, org, location)
    with pytest.raises(InvalidInput) as err:
        services.theme_transition(actor=manager, theme=theme, target="recovering", reason="")
    assert "reason" in err.value.errors


def test_failed_reaudit_relapses_a_sustaining_theme(manager, org, location):
    theme = _theme(manager, org, location)
    action = services.action_create(actor=manager, theme=theme, description="Retrain",
                                    raised_on=D(2026, 1, 5), due_date=D(2026, 2, 1), status="done",
                                    completed_on=D(2026, 2, 1))
    assert action.status == "done"
    AuditFactory(theme=theme, audit_date=D(2026, 2, 15), score=93)
    theme = services.theme_reevaluate(theme=theme, as_of=D(2026, 3, 5))
    assert theme.stage == "sustaining"
    AuditFactory(theme=theme, audit_date=D(2026, 4, 3), score=60, passed=False)
    theme = services.theme_reevaluate(theme=theme, as_of=D(2026, 4, 5))
    assert theme.stage == "relapsed" and theme.relapsed_on == D(2026, 4, 3)
    services.action_create(actor=manager, theme=theme, description="Spot checks",
                           raised_on=D(2026, 4, 4), due_date=D(2026, 5, 1))
    theme.refresh_from_db()
    assert theme.stage == "recovering"


def test_effective_needs_passing_evidence(manager, org, location):
    theme = _theme(manager, org, location)
    action = services.action_create(actor=manager, theme=theme, description="MAR training",
                                    raised_on=D(2026, 1, 5), due_date=D(2026, 2, 1),
                                    check_criterion="re-audit ≥ 90 %")
    with pytest.raises(InvalidInput):
        services.action_update(actor=manager, action=action, changes={"status": "effective"},
                               expected_version=action.version)
    action = services.action_update(actor=manager, action=action,
                                    changes={"status": "done", "completed_on": D(2026, 2, 1)},
                                    expected_version=action.version)
    with pytest.raises(InvalidInput) as err:
        services.action_verify(actor=manager, action=action)
    assert "evidence_audit" in err.value.errors
    early = AuditFactory(theme=theme, audit_date=D(2026, 1, 20), score=95)
    with pytest.raises(InvalidInput, match="before the action was done"):
        services.action_verify(actor=manager, action=action, evidence_audit=early)
    low = AuditFactory(theme=theme, audit_date=D(2026, 2, 20), score=88, passed=True)
    with pytest.raises(InvalidInput, match="90"):
        services.action_verify(actor=manager, action=action, evidence_audit=low)
    good = AuditFactory(theme=theme, audit_date=D(2026, 2, 21), score=96)
    action = services.action_verify(actor=manager, action=action, evidence_audit=good)
    assert action.status == "effective" and action.verified_by == manager


def test_roles_without_theme_change_cannot_open_themes(make_user, org, location):
    carer = make_user(org, "care_staff", location=location)
    with pytest.raises(PermissionDenied):
        _theme(carer, org, location)
    assert not Theme.objects.exists()


def test_bulk_reevaluation_matches_single(manager, org, location):
    theme = _theme(manager, org, location)
    services.action_create(actor=manager, theme=theme, description="Retrain",
                           raised_on=D(2026, 1, 5), due_date=D(2026, 2, 1), status="done",
                           completed_on=D(2026, 2, 1))
    AuditFactory(theme=theme, audit_date=D(2026, 2, 15), score=93)
    summary = services.themes_reevaluate(as_of=D(2026, 3, 5))
    assert summary == {"themes": 1, "moved": 1}
    theme.refresh_from_db()
    assert theme.stage == "sustaining"
    assert services.themes_reevaluate(as_of=D(2026, 3, 5)) == {"themes": 1, "moved": 0}
