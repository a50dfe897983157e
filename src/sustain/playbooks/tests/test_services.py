"""Organisation playbooks (upload, versions, archive) and applying a playbook to a theme:
permission, validation that names file/line/field and writes nothing, history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sustain.audits.models import AuditTemplate
from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.playbooks.models import Playbook
from sustain.playbooks.services import (
    PlaybookInvalid,
    playbook_apply,
    playbook_archive,
    playbook_upload,
)
from sustain.playbooks.tests.conftest import org_playbook
from sustain.reference.models import Regulation
from sustain.themes import services as theme_services
from sustain.themes.models import Theme

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int]:
    return (Playbook.objects.count(), AuditTemplate.objects.count(),
            HistoryEntry.objects.count())


# --- upload ---------------------------------------------------------------------------------


def test_upload_creates_an_organisation_playbook_with_history(shipped: Any, org: Any,
                                                              lead: Any) -> None:
    pb = playbook_upload(actor=lead, organisation=org, text=org_playbook(),
                         filename="night.yaml")
    assert (pb.organisation, pb.source, pb.code, pb.version) == (
        org, Playbook.Source.ORGANISATION, "night-rounds", 1)
    template = AuditTemplate.objects.get(code="night-rounds-audit")
    assert (template.organisation, template.playbook, template.template_version) == (
        org, pb, 1)
    entries = HistoryEntry.objects.filter(organisation=org, actor=lead, action="create")
    assert set(entries.values_list("object_type", flat=True)) == {"playbooks.playbook",
                                                                 "audits.audittemplate"}
    assert entries.get(object_uuid=pb.uuid).after["code"] == "night-rounds"


def test_upload_versions_must_rise(shipped: Any, org: Any, lead: Any) -> None:
    playbook_upload(actor=lead, organisation=org, text=org_playbook(), filename="n.yaml")
    before = _counts()
    with pytest.raises(PlaybookInvalid) as info:
        playbook_upload(actor=lead, organisation=org, text=org_playbook(), filename="n.yaml")
    issue = info.value.issues[0]
    assert (issue.filename, issue.line, issue.field) == ("n.yaml", 2, "version")
    assert "give a version above 1" in issue.message
    assert list(info.value.errors) == ["yaml"]
    assert _counts() == before
    v2 = playbook_upload(actor=lead, organisation=org, text=org_playbook(version=2),
                         filename="n.yaml")
    assert sorted(AuditTemplate.objects.filter(code="night-rounds-audit")
                  .values_list("template_version", flat=True)) == [1, 2]
    assert v2.version == 2


def test_same_code_in_two_organisations(shipped: Any, org: Any, other_org: Any, lead: Any,
                                        make_user: Callable[..., Any]) -> None:
    other_lead = make_user(other_org, "quality_lead", scope="organisation")
    playbook_upload(actor=lead, organisation=org, text=org_playbook(), filename="a.yaml")
    theirs = playbook_upload(actor=other_lead, organisation=other_org, text=org_playbook(),
                             filename="b.yaml")
    assert theirs.organisation == other_org


@pytest.mark.parametrize(("replace", "needle", "field", "fragment"), [
    ("quality_statements: [S8, S2]", "quality_statements: [S8, S99]",
     "theme.quality_statements[1]", "unknown quality statement 'S99'"),
    ("embedding_channels: [handovers, supervision]", "embedding_channels: [handovers, gossip]",
     "embedding_channels[1]", "unknown embedding channel 'gossip'"),
    ("owner_role: registered_manager", "owner_role: matron",
     "audit_templates[0] (night-rounds-audit).cadence.owner_role", "unknown role 'matron'"),
    ("sustain_cycles: 3", "sustain_cycles: 3\ncolour: blue", "colour", "unknown field"),
])
def test_invalid_upload_names_line_and_field_and_writes_nothing(
        shipped: Any, org: Any, lead: Any, replace: str, needle: str, field: str,
        fragment: str) -> None:
    text = org_playbook().replace(replace, needle)
    before = _counts()
    with pytest.raises(PlaybookInvalid) as info:
        playbook_upload(actor=lead, organisation=org, text=text, filename="mine.yaml")
    issue = info.value.issues[0]
    last = needle.splitlines()[-1]
    expected_line = next(i for i, line in enumerate(text.splitlines(), 1) if last in line)
    assert (issue.line, issue.field) == (expected_line, field)
    assert fragment in issue.message
    assert info.value.errors["yaml"][0].startswith(f"mine.yaml:{expected_line}: ")
    assert _counts() == before


def test_template_code_of_another_own_playbook_is_refused(shipped: Any, org: Any,
                                                          lead: Any) -> None:
    playbook_upload(actor=lead, organisation=org, text=org_playbook(), filename="a.yaml")
    text = org_playbook(code="day-rounds").replace("code: day-rounds-audit",
                                                   "code: night-rounds-audit") \
        .replace("reaudit_template: day-rounds-audit", "reaudit_template: night-rounds-audit")
    with pytest.raises(PlaybookInvalid, match="already belongs to playbook 'night-rounds'"):
        playbook_upload(actor=lead, organisation=org, text=text, filename="b.yaml")


@pytest.mark.parametrize("role", ["registered_manager", "care_staff"])
def test_upload_needs_playbook_manage(shipped: Any, org: Any, make_user: Callable[..., Any],
                                      role: str) -> None:
    user = make_user(org, role, scope="organisation")
    before = _counts()
    with pytest.raises(PermissionDenied):
        playbook_upload(actor=user, organisation=org, text=org_playbook(), filename="x.yaml")
    assert _counts() == before


def test_upload_for_another_organisation_is_refused(shipped: Any, other_org: Any,
                                                    lead: Any) -> None:
    with pytest.raises(PermissionDenied):
        playbook_upload(actor=lead, organisation=other_org, text=org_playbook(),
                        filename="x.yaml")
    assert not Playbook.objects.filter(organisation=other_org).exists()


def test_a_location_scoped_quality_lead_cannot_manage(shipped: Any, org: Any, location: Any,
                                                      make_user: Callable[..., Any]) -> None:
    user = make_user(org, "quality_lead", location=location)
    with pytest.raises(PermissionDenied):
        playbook_upload(actor=user, organisation=org, text=org_playbook(), filename="x.yaml")


# --- archive --------------------------------------------------------------------------------


def test_archive_and_restore_keep_the_content_version(shipped: Any, org: Any,
                                                      lead: Any) -> None:
    pb = playbook_upload(actor=lead, organisation=org, text=org_playbook(), filename="a.yaml")
    archived = playbook_archive(actor=lead, playbook=pb, reason="Replaced by v2")
    assert archived.archived_at is not None and archived.version == 1
    entry = HistoryEntry.objects.get(object_uuid=pb.uuid, action="archive")
    assert entry.message == "Replaced by v2" and entry.actor == lead
    restored = playbook_archive(actor=lead, playbook=archived, restore=True)
    assert restored.archived_at is None and restored.version == 1


def test_shipped_playbooks_cannot_be_archived(shipped: Any, lead: Any) -> None:
    pb = Playbook.objects.get(code="safeguarding")
    with pytest.raises(PermissionDenied):
        playbook_archive(actor=lead, playbook=pb)
    pb.refresh_from_db()
    assert pb.archived_at is None


# --- apply ----------------------------------------------------------------------------------


def test_apply_sets_the_rule_and_adds_the_references(theme: Theme, rm: Any) -> None:
    pb = Playbook.objects.get(code="medicines-governance")
    theme = theme_services.theme_update(
        actor=rm, theme=theme, changes={"regulations": Regulation.objects.filter(
            code="RA2014-18")}, expected_version=theme.version)
    history_before = HistoryEntry.objects.filter(object_uuid=theme.uuid).count()
    updated, schedule = playbook_apply(actor=rm, playbook=pb, theme=theme)
    assert updated.playbook == pb
    assert (float(updated.pass_mark), updated.consecutive_passes, updated.sustain_cycles) == (
        90.0, 2, 2)
    assert updated.embedding_channels == ["audit_cycles", "competency_checks",
                                          "incident_review", "supervision", "handovers",
                                          "board_reporting"]
    assert set(updated.quality_statements.values_list("code", flat=True)) == {"S8", "W5"}
    # Added to, not replaced: the regulation already on the theme stays.
    assert set(updated.regulations.values_list("code", flat=True)) == {
        "RA2014-12", "RA2014-17", "RA2014-18"}
    entry = HistoryEntry.objects.filter(object_uuid=theme.uuid, action="update").latest("seq")
    assert entry.actor == rm
    assert entry.after["playbook"] != entry.before["playbook"]
    assert HistoryEntry.objects.filter(object_uuid=theme.uuid).count() > history_before
    assert {(r.frequency, r.role) for r in schedule} >= {("weekly", "registered_manager"),
                                                         ("per_shift", "senior_carer")}
    # The evaluation was refreshed by theme_update (re-evaluation on every relevant write).
    assert updated.evaluation["as_of"]


def test_apply_an_organisation_playbook(theme: Theme, org: Any, lead: Any) -> None:
    pb = playbook_upload(actor=lead, organisation=org, text=org_playbook(), filename="a.yaml")
    updated, _ = playbook_apply(actor=lead, playbook=pb, theme=theme)
    assert (float(updated.pass_mark), updated.consecutive_passes, updated.sustain_cycles) == (
        95.0, 3, 3)


def test_apply_refused_for_another_organisations_playbook(
        theme: Theme, other_org: Any, make_user: Callable[..., Any], rm: Any) -> None:
    other_lead = make_user(other_org, "quality_lead", scope="organisation")
    theirs = playbook_upload(actor=other_lead, organisation=other_org, text=org_playbook(),
                             filename="b.yaml")
    version = theme.version
    with pytest.raises(InvalidInput) as info:
        playbook_apply(actor=rm, playbook=theirs, theme=theme)
    assert "playbook" in info.value.errors
    theme.refresh_from_db()
    assert theme.version == version and theme.playbook is None


def test_apply_refused_without_theme_change(theme: Theme, org: Any, location: Any,
                                            make_user: Callable[..., Any]) -> None:
    pb = Playbook.objects.get(code="care-planning")
    for role in ("deputy_manager", "care_staff"):
        user = make_user(org, role, location=location)
        with pytest.raises(PermissionDenied):
            playbook_apply(actor=user, playbook=pb, theme=theme)
    theme.refresh_from_db()
    assert theme.playbook is None


def test_apply_refused_at_a_location_the_manager_does_not_run(
        shipped: Any, org: Any, sibling_location: Any, rm: Any) -> None:
    elsewhere = theme_services.theme_create(actor="test", organisation=org,
                                            location=sibling_location, title="Falls",
                                            origin="incidents")
    with pytest.raises(PermissionDenied):
        playbook_apply(actor=rm, playbook=Playbook.objects.get(code="falls-and-risk"),
                       theme=elsewhere)


def test_apply_refused_for_an_archived_playbook(theme: Theme, org: Any, lead: Any) -> None:
    pb = playbook_upload(actor=lead, organisation=org, text=org_playbook(), filename="a.yaml")
    pb = playbook_archive(actor=lead, playbook=pb)
    with pytest.raises(InvalidInput) as info:
        playbook_apply(actor=lead, playbook=pb, theme=theme)
    assert "playbook" in info.value.errors
