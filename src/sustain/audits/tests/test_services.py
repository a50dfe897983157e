"""Audit services: starting (sampling, re-audits), saving drafts, completing (scored by the
engine, refused without answers or analysis), attachments, raising actions."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sustain.audits import services
from sustain.audits.models import Audit, AuditAttachment
from sustain.audits.selectors import audit_comparison, timeliness
from sustain.audits.tests.factories import ANALYSIS, CarePlanTemplateFactory
from sustain.core.errors import Conflict, InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.themes import services as theme_services
from sustain.themes.models import Action
from sustain.themes.tests.factories import AuditTemplateFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SAMPLES = ["RH-014", "RH-015"]


@pytest.fixture
def manager(make_user, org, location):
    return make_user(org, "registered_manager", location=location)


@pytest.fixture
def template(db):
    return CarePlanTemplateFactory()


def _start(manager, org, location, template, **kwargs):
    kwargs.setdefault("samples", SAMPLES)
    kwargs.setdefault("audit_date", TODAY)
    return services.audit_start(actor=manager, organisation=org, location=location,
                                template=template, **kwargs)


GOOD = {"CP1": "yes", "CP2": "yes", "CP3": 4, "CP4": 0}


def _fill(manager, audit, answers=None, samples=None, notes=None, analysis=ANALYSIS):
    return services.audit_save(
        actor=manager, audit=audit, answers=GOOD if answers is None else answers,
        sample_answers={"S1": samples or {"RH-014": "yes", "RH-015": "yes"}},
        item_notes=notes or {}, analysis=analysis, expected_version=audit.version)


# --- start ------------------------------------------------------------------------------


def test_start_records_a_draft_with_its_samples_in_history(manager, org, location, template):
    audit = _start(manager, org, location, template, samples=[" RH-014 ", "RH-015", ""])
    assert audit.status == "draft" and audit.samples == SAMPLES
    assert audit.auditor == manager and audit.kind == "self"
    entry = HistoryEntry.objects.get(object_uuid=audit.uuid)
    assert entry.action == "create" and entry.after["samples"] == SAMPLES


@pytest.mark.parametrize(("samples", "words"), [
    (["RH-014"], "samples 2 care plans: 1 given"),
    (["RH-014", "RH-014"], "RH-014 is listed twice"),
    ([], "0 given"),
])
def test_start_refuses_too_few_or_repeated_samples(manager, org, location, template, samples,
                                                    words):
    with pytest.raises(InvalidInput) as err:
        _start(manager, org, location, template, samples=samples)
    assert "samples" in err.value.errors
    assert words in " ".join(err.value.errors["samples"])
    assert not Audit.objects.exists() and not HistoryEntry.objects.exists()


def test_start_refusals_name_the_field(manager, org, location, template, other_org):
    with pytest.raises(InvalidInput) as err:
        _start(manager, org, location, template, audit_date=TODAY + dt.timedelta(days=1))
    assert "audit_date" in err.value.errors
    with pytest.raises(InvalidInput) as err:
        _start(manager, org, location, template, is_reaudit=True)
    assert "theme" in err.value.errors
    theirs = CarePlanTemplateFactory(organisation=other_org)
    with pytest.raises(InvalidInput) as err:
        _start(manager, org, location, theirs)
    assert "template" in err.value.errors
    assert not Audit.objects.exists()


def test_start_needs_audit_conduct_at_the_location(make_user, org, location,
                                                   sibling_location, template):
    carer = make_user(org, "care_staff", location=location)
    with pytest.raises(PermissionDenied):
        _start(carer, org, location, template)
    elsewhere = make_user(org, "registered_manager", location=sibling_location)
    with pytest.raises(PermissionDenied):
        _start(elsewhere, org, location, template)
    board = make_user(org, "board_member", scope="organisation")
    with pytest.raises(PermissionDenied):
        _start(board, org, location, template)
    assert not Audit.objects.exists()


def test_quality_lead_may_run_an_independent_sample(make_user, org, region, location,
                                                    template):
    lead = make_user(org, "quality_lead", scope="region", region=region)
    audit = _start(lead, org, location, template, kind="independent")
    assert audit.kind == "independent" and audit.auditor == lead


# --- save -------------------------------------------------------------------------------


def test_save_validates_each_answer_naming_question_and_sample(manager, org, location,
                                                               template):
    audit = _start(manager, org, location, template)
    history = HistoryEntry.objects.count()
    with pytest.raises(InvalidInput) as err:
        services.audit_save(
            actor=manager, audit=audit, expected_version=audit.version,
            answers={"CP1": "maybe", "CP3": 7, "CP4": "lots", "S1": "yes", "ZZ9": "yes"},
            sample_answers={"S1": {"RH-014": "perhaps", "RH-999": "yes"}})
    errors = err.value.errors
    assert set(errors) == {"answers.CP1", "answers.CP3", "answers.CP4", "answers.S1",
                           "answers.ZZ9", "sample_answers.S1@RH-014",
                           "sample_answers.S1@RH-999"}
    assert "CP1" in errors["answers.CP1"][0] and "0 to 4" in errors["answers.CP3"][0]
    assert "S1 for RH-014" in errors["sample_answers.S1@RH-014"][0]
    audit.refresh_from_db()
    assert audit.answers == {} and audit.version == 1
    assert HistoryEntry.objects.count() == history


def test_save_merges_answers_and_blanks_clear_them(manager, org, location, template):
    audit = _start(manager, org, location, template)
    audit = services.audit_save(actor=manager, audit=audit, expected_version=1,
                                answers={"CP1": "Yes", "CP3": "3", "CP4": "n/a"})
    assert audit.answers == {"CP1": "yes", "CP3": 3, "CP4": "na"} and audit.version == 2
    audit = services.audit_save(actor=manager, audit=audit, expected_version=2,
                                answers={"CP3": "", "CP2": "no"}, analysis="  Draft  ")
    assert audit.answers == {"CP1": "yes", "CP2": "no", "CP4": "na"}
    assert audit.analysis == "Draft"
    entry = HistoryEntry.objects.filter(object_uuid=audit.uuid).order_by("seq").last()
    assert entry.before["answers"]["CP3"] == 3 and "CP3" not in entry.after["answers"]


def test_save_with_a_stale_version_is_a_conflict(manager, org, location, template):
    audit = _start(manager, org, location, template)
    services.audit_save(actor=manager, audit=audit, expected_version=1, answers={"CP1": "yes"})
    with pytest.raises(Conflict):
        services.audit_save(actor=manager, audit=audit, expected_version=1,
                            answers={"CP1": "no"})
    audit.refresh_from_db()
    assert audit.answers == {"CP1": "yes"}


# --- complete ---------------------------------------------------------------------------


def test_complete_refuses_naming_what_is_missing_and_changes_nothing(manager, org, location,
                                                                    template):
    audit = _start(manager, org, location, template)
    audit = services.audit_save(actor=manager, audit=audit, expected_version=1,
                                answers={"CP1": "yes", "CP2": "yes", "CP3": 2},
                                sample_answers={"S1": {"RH-015": "no"}}, analysis="Short.")
    history = HistoryEntry.objects.count()
    with pytest.raises(InvalidInput) as err:
        services.audit_complete(actor=manager, audit=audit, expected_version=audit.version)
    errors = err.value.errors
    # CP4 and CP5 are optional; S1 is unanswered for RH-014; CP3 and S1 failed without notes.
    assert set(errors) == {"sample_answers.S1@RH-014", "analysis", "item_notes.CP3",
                           "item_notes.S1"}
    assert "S1 for RH-014" in err.value.message and "CP3" in err.value.message
    assert "60 characters" in errors["analysis"][0]
    audit.refresh_from_db()
    assert audit.status == "draft" and audit.score is None and audit.version == 2
    assert HistoryEntry.objects.count() == history


def test_complete_stores_the_engine_score(manager, org, location, template):
    audit = _start(manager, org, location, template)
    audit = _fill(manager, audit, answers={**GOOD, "CP3": 3},
                  samples={"RH-014": "yes", "RH-015": "no"},
                  notes={"CP3": "Night handovers lack detail.",
                         "S1": "RH-015 plan omits the new mobility aid."})
    audit = services.audit_complete(actor=manager, audit=audit, expected_version=audit.version)
    # Weights: CP1 2, CP2-CP4 and S1 1 each (CP5 is text, unscored). CP3 3/4, S1 1 of 2.
    expected = round(100 * (2 + 1 + 0.75 + 1 + 0.5) / 6, 2)
    assert audit.status == "completed" and audit.completed_at is not None
    assert audit.score == Decimal(str(expected)) and audit.passed is False
    assert audit.failed_items == ["CP3", "S1@RH-015"] and audit.critical_failures == []
    assert audit.scoring_version == "audit-scoring-1"
    entry = HistoryEntry.objects.filter(object_uuid=audit.uuid).order_by("seq").last()
    assert entry.message == "Audit completed" and entry.after["status"] == "completed"


def test_a_critical_failure_fails_the_audit_on_its_own(manager, org, location):
    template = CarePlanTemplateFactory(pass_mark=80)
    audit = _start(manager, org, location, template)
    audit = _fill(manager, audit, answers={**GOOD, "CP2": "no"},
                  notes={"CP2": "Two risk assessments were three months old."})
    audit = services.audit_complete(actor=manager, audit=audit, expected_version=audit.version)
    assert audit.score > audit.template.pass_mark
    assert audit.passed is False and audit.critical_failures == ["CP2"]


def test_not_applicable_is_left_out_of_the_score(manager, org, location, template):
    audit = _start(manager, org, location, template)
    audit = _fill(manager, audit, answers={**GOOD, "CP1": "na", "CP4": "na"},
                  samples={"RH-014": "yes", "RH-015": "na"})
    audit = services.audit_complete(actor=manager, audit=audit, expected_version=audit.version)
    assert audit.score == Decimal("100") and audit.passed is True


def test_completed_audits_cannot_be_edited(manager, org, location, template):
    audit = _start(manager, org, location, template)
    audit = services.audit_complete(actor=manager, audit=_fill(manager, audit),
                                    expected_version=2)
    history = HistoryEntry.objects.count()
    with pytest.raises(InvalidInput) as err:
        services.audit_save(actor=manager, audit=audit, expected_version=audit.version,
                            answers={"CP1": "no"})
    assert "status" in err.value.errors and "new audit" in err.value.message
    with pytest.raises(InvalidInput):
        services.audit_complete(actor=manager, audit=audit, expected_version=audit.version)
    with pytest.raises(InvalidInput):
        services.audit_archive(actor=manager, audit=audit, reason="mistake")
    audit.refresh_from_db()
    assert audit.answers["CP1"] == "yes" and audit.archived_at is None
    assert HistoryEntry.objects.count() == history


def test_a_draft_can_be_archived_and_restored(manager, org, location, template):
    audit = _start(manager, org, location, template)
    audit = services.audit_archive(actor=manager, audit=audit, reason="Started twice")
    assert audit.archived_at is not None
    with pytest.raises(InvalidInput):
        services.audit_save(actor=manager, audit=audit, expected_version=audit.version,
                            answers={"CP1": "yes"})
    audit = services.audit_archive(actor=manager, audit=audit, restore=True)
    assert audit.archived_at is None


# --- re-audits and themes ---------------------------------------------------------------


def _theme_with_actions_complete(manager, org, location):
    start = TODAY - dt.timedelta(days=40)
    theme = theme_services.theme_create(actor=manager, organisation=org, location=location,
                                        title="Care planning", origin="inspection",
                                        as_of=start)
    action = theme_services.action_create(actor=manager, theme=theme,
                                          description="Monthly care plan clinic",
                                          raised_on=start, due_date=TODAY)
    theme_services.action_update(actor=manager, action=action, changes={
        "status": "done", "completed_on": TODAY - dt.timedelta(days=5)},
        expected_version=action.version)
    theme.refresh_from_db()
    assert theme.stage == "actions_complete"
    return theme


def test_a_passing_reaudit_moves_the_theme_to_verified(manager, org, location, template):
    theme = _theme_with_actions_complete(manager, org, location)
    baseline = _start(manager, org, location, template, theme=theme,
                      audit_date=TODAY - dt.timedelta(days=30))
    baseline = _fill(manager, baseline, answers={**GOOD, "CP1": "no"},
                     notes={"CP1": "Plans read as task lists, not people."})
    baseline = services.audit_complete(actor=manager, audit=baseline, expected_version=2)
    theme.refresh_from_db()
    assert baseline.passed is False and theme.stage == "actions_complete"

    reaudit = _start(manager, org, location, template, theme=theme, is_reaudit=True)
    assert reaudit.earlier_audit == baseline  # the theme's latest completed audit
    reaudit = services.audit_complete(actor=manager, audit=_fill(manager, reaudit),
                                      expected_version=2)
    theme.refresh_from_db()
    assert reaudit.passed is True
    assert theme.stage == "verified" and theme.verified_on == TODAY
    last = theme.transitions.order_by("created_at").last()
    assert last.to_stage == "verified" and str(reaudit.uuid) in last.evidence

    comparison = audit_comparison(reaudit)
    rows = {row.code: row for row in comparison.rows}
    assert rows["CP1"].before == 0 and rows["CP1"].after == 100
    assert rows["CP1"].direction == "better" and rows["CP2"].direction == "same"
    assert comparison.earlier_score == float(baseline.score)
    assert comparison.change == float(reaudit.score - baseline.score)


def test_a_failing_reaudit_leaves_the_theme_short_of_verified(manager, org, location,
                                                              template):
    theme = _theme_with_actions_complete(manager, org, location)
    reaudit = _start(manager, org, location, template, theme=theme, is_reaudit=True)
    assert reaudit.earlier_audit is None
    reaudit = _fill(manager, reaudit, answers={**GOOD, "CP2": "no"},
                    notes={"CP2": "Risk reviews still late on two plans."})
    services.audit_complete(actor=manager, audit=reaudit, expected_version=2)
    theme.refresh_from_db()
    assert theme.stage == "actions_complete"
    assert any("re-audit" in m for m in theme.evaluation["missing"])


def test_reaudit_refuses_an_earlier_audit_of_another_template(manager, org, location,
                                                              template):
    theme = _theme_with_actions_complete(manager, org, location)
    other = AuditTemplateFactory()
    earlier = _start(manager, org, location, other, samples=[])
    with pytest.raises(InvalidInput) as err:
        _start(manager, org, location, template, theme=theme, is_reaudit=True,
               earlier_audit=earlier)
    assert "earlier_audit" in err.value.errors


def test_raise_action_adds_to_the_theme_plan(manager, org, location, template):
    theme = _theme_with_actions_complete(manager, org, location)
    audit = _start(manager, org, location, template, theme=theme)
    action = services.raise_action(actor=manager, audit=audit, question_code="S1",
                                   description="Review RH-015's mobility plan",
                                   due_date=TODAY + dt.timedelta(days=7))
    assert action.theme == theme and action.source_audit == audit
    assert action.source_question == "S1" and action.check_method == "reaudit"
    assert "at or above 90%" in action.check_criterion
    theme.refresh_from_db()
    assert theme.stage == "recovering"  # a new open action reopens the plan
    assert HistoryEntry.objects.filter(object_uuid=action.uuid, action="create").exists()


def test_raise_action_refusals(manager, org, location, template):
    audit = _start(manager, org, location, template)
    with pytest.raises(InvalidInput) as err:
        services.raise_action(actor=manager, audit=audit, question_code="S1",
                              description="Fix it", due_date=TODAY)
    assert "theme" in err.value.errors
    theme = _theme_with_actions_complete(manager, org, location)
    linked = _start(manager, org, location, template, theme=theme)
    with pytest.raises(InvalidInput) as err:
        services.raise_action(actor=manager, audit=linked, question_code="NOPE",
                              description="Fix it", due_date=TODAY)
    assert "question_code" in err.value.errors
    with pytest.raises(InvalidInput) as err:
        services.raise_action(actor=manager, audit=linked, question_code="CP1",
                              description="Fix it", due_date=TODAY - dt.timedelta(days=1))
    assert "due_date" in err.value.errors
    assert Action.objects.filter(source_audit__isnull=False).count() == 0


# --- attachments ------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_attachments_are_stored_with_sha256_and_never_overwritten(manager, org, location,
                                                                  template, media_root):
    audit = _start(manager, org, location, template)
    first = services.attachment_add(actor=manager, audit=audit, question_code="CP1",
                                    uploaded_file=SimpleUploadedFile("mar.png", PNG))
    second = services.attachment_add(actor=manager, audit=audit,
                                     uploaded_file=SimpleUploadedFile("mar.png", PNG))
    digest = hashlib.sha256(PNG).hexdigest()
    assert first.sha256 == second.sha256 == digest
    assert first.pk != second.pk and first.file.name != second.file.name
    assert digest in first.file.name and first.size == len(PNG)
    assert first.content_type == "image/png" and first.original_name == "mar.png"
    for att in (first, second):
        assert Path(att.file.path).read_bytes() == PNG
    entry = HistoryEntry.objects.get(object_uuid=first.uuid)
    assert entry.after["sha256"] == digest and digest in entry.message


def test_attachments_on_a_completed_audit(manager, org, location, template):
    audit = _start(manager, org, location, template)
    audit = services.audit_complete(actor=manager, audit=_fill(manager, audit),
                                    expected_version=2)
    att = services.attachment_add(actor=manager, audit=audit,
                                  uploaded_file=SimpleUploadedFile("notes.pdf", b"%PDF-1.7 x"))
    assert att.content_type == "application/pdf"


@pytest.mark.parametrize(("name", "content", "words"), [
    ("big.pdf", b"%PDF-" + b"0" * services.MAX_ATTACHMENT_BYTES, "limit is 20 MB"),
    ("tool.exe", b"MZ\x90\x00", "is not one of these"),
    ("photo.pdf", PNG, "does not match"),
    ("empty.png", b"", "empty"),
])
def test_attachment_refusals_name_the_file(manager, org, location, template, name, content,
                                           words, media_root):
    audit = _start(manager, org, location, template)
    history = HistoryEntry.objects.count()
    with pytest.raises(InvalidInput) as err:
        services.attachment_add(actor=manager, audit=audit,
                                uploaded_file=SimpleUploadedFile(name, content))
    assert "file" in err.value.errors and words in err.value.errors["file"][0]
    assert not AuditAttachment.objects.exists()
    assert HistoryEntry.objects.count() == history
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_attachment_needs_audit_conduct(make_user, org, location, manager, template):
    audit = _start(manager, org, location, template)
    senior = make_user(org, "senior_carer", location=location)  # may view, not conduct
    with pytest.raises(PermissionDenied):
        services.attachment_add(actor=senior, audit=audit,
                                uploaded_file=SimpleUploadedFile("a.png", PNG))


def test_timeliness(manager, org, location, template):
    audit = _start(manager, org, location, template, due_date=TODAY - dt.timedelta(days=1))
    assert timeliness(audit) == "overdue"
    audit = services.audit_complete(actor=manager, audit=_fill(manager, audit),
                                    expected_version=2)
    assert timeliness(audit) == "late"
    on_time = _start(manager, org, location, template, due_date=TODAY)
    assert timeliness(on_time) == ""


def test_a_past_completion_time_is_for_imports_only(manager, org, location, template):
    audit = _start(manager, org, location, template, audit_date=TODAY - dt.timedelta(days=9),
                   due_date=TODAY - dt.timedelta(days=7))
    audit = _fill(manager, audit)
    when = timezone.now() - dt.timedelta(days=8)
    with pytest.raises(InvalidInput) as err:
        services.audit_complete(actor=manager, audit=audit, expected_version=2,
                                completed_at=when)
    assert "completed_at" in err.value.errors
    with pytest.raises(InvalidInput):
        services.audit_complete(actor="demo", audit=audit, expected_version=2,
                                completed_at=timezone.now() - dt.timedelta(days=30))
    audit = services.audit_complete(actor="demo", audit=audit, expected_version=2,
                                    completed_at=when)
    assert audit.completed_at == when and timeliness(audit) == ""
