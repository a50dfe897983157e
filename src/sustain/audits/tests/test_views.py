"""Audit pages: list (filters, overdue and late), start, the completion sheet (save, refusal
with an error summary that links to the fields, complete), the completed view, raising an
action and attaching evidence in place (htmx) or as plain pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sustain.audits import services
from sustain.audits.models import Audit, AuditAttachment
from sustain.audits.tests.factories import ANALYSIS, CarePlanTemplateFactory
from sustain.themes import services as theme_services
from sustain.themes.models import Action

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x02" * 40


@pytest.fixture
def manager(make_user, org, location):
    return make_user(org, "registered_manager", location=location, first_name="Rhian")


@pytest.fixture
def browser(manager):
    client = Client()
    client.force_login(manager)
    return client


@pytest.fixture
def template(db):
    return CarePlanTemplateFactory()


@pytest.fixture
def theme(manager, org, location):
    return theme_services.theme_create(actor=manager, organisation=org, location=location,
                                       title="Care planning", origin="inspection",
                                       as_of=TODAY - dt.timedelta(days=30))


def _audit(manager, location, template, **kwargs):
    kwargs.setdefault("samples", ["RH-014", "RH-015"])
    kwargs.setdefault("audit_date", TODAY)
    return services.audit_start(actor=manager, organisation=location.organisation,
                                location=location, template=template, **kwargs)


def _sheet_post(audit, intent="save", analysis="", **answers):
    data = {"version": str(audit.version), "intent": intent, "analysis": analysis,
            "a-CP1": "yes", "a-CP2": "yes", "a-CP3": "4", "a-CP4": "0",
            "s-S1-0": "yes", "s-S1-1": "yes"}
    data.update(answers)
    return data


def test_nav_and_list_need_audit_view(browser, make_user, org, location):
    assert 'href="/audits/"' in browser.get("/").content.decode()
    carer = Client()
    carer.force_login(make_user(org, "care_staff", location=location))
    assert 'href="/audits/"' not in carer.get("/").content.decode()
    assert carer.get("/audits/").status_code == 403
    assert Client().get("/audits/").status_code == 302  # to sign in


def test_list_filters_and_shows_overdue_and_late(browser, manager, make_user, org, location,
                                                 sibling_location, template, theme):
    overdue = _audit(manager, location, template, due_date=TODAY - dt.timedelta(days=3))
    late = _audit(manager, location, template, due_date=TODAY - dt.timedelta(days=2))
    services.audit_save(actor=manager, audit=late, expected_version=1, analysis=ANALYSIS,
                        answers={"CP1": "yes", "CP2": "yes", "CP3": 4},
                        sample_answers={"S1": {"RH-014": "yes", "RH-015": "yes"}})
    services.audit_complete(actor=manager, audit=late, expected_version=2)
    reaudit = _audit(manager, location, template, theme=theme, is_reaudit=True)
    elsewhere_manager = make_user(org, "registered_manager", location=sibling_location)
    hidden = _audit(elsewhere_manager, sibling_location, template)

    html = browser.get("/audits/").content.decode()
    for audit in (overdue, late, reaudit):
        assert str(audit.uuid) in html
    assert str(hidden.uuid) not in html
    assert "Overdue" in html and "Late" in html and "Re-audit" in html

    only = browser.get("/audits/", {"status": "overdue"}).content.decode()
    assert str(overdue.uuid) in only and str(late.uuid) not in only
    only = browser.get("/audits/", {"status": "late"}).content.decode()
    assert str(late.uuid) in only and str(overdue.uuid) not in only
    only = browser.get("/audits/", {"reaudit": "yes"}).content.decode()
    assert str(reaudit.uuid) in only and str(overdue.uuid) not in only
    only = browser.get("/audits/", {"theme": str(theme.uuid)}).content.decode()
    assert str(reaudit.uuid) in only and str(late.uuid) not in only
    fragment = browser.get("/audits/", {"status": "draft"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and "hx-swap-oob" in \
        fragment.content.decode()


def test_list_query_count_is_constant(browser, manager, location, template):
    _audit(manager, location, template)
    with CaptureQueriesContext(connection) as few:
        browser.get("/audits/")
    for _ in range(6):
        _audit(manager, location, template, due_date=TODAY)
    with CaptureQueriesContext(connection) as many:
        browser.get("/audits/")
    assert len(many) == len(few)


def test_start_an_audit(browser, manager, location, template, theme):
    CarePlanTemplateFactory(title="Another audit")
    _audit(manager, location, template, theme=theme)
    page = browser.get(f"/audits/new/?theme={theme.uuid}&reaudit=1").content.decode()
    assert re.search(rf'<option value="{theme.uuid}" selected>', page)
    # The theme's latest audit's template is proposed for the re-audit.
    assert re.search(rf'<option value="{template.uuid}" selected>', page)
    assert 'name="is_reaudit"' in page and "checked" in page
    assert "samples 2 care plans" in page
    resp = browser.post("/audits/new/", {
        "location": str(location.uuid), "template": str(template.uuid), "kind": "self",
        "audit_date": TODAY.isoformat(), "samples": "RH-014"})
    assert resp.status_code == 200 and Audit.objects.count() == 1
    html = resp.content.decode()
    assert "error-summary" in html and "1 given" in html and 'href="#id_samples"' in html
    resp = browser.post("/audits/new/", {
        "location": str(location.uuid), "template": str(template.uuid), "kind": "self",
        "audit_date": TODAY.isoformat(), "samples": "RH-014\nRH-015\n", "theme": str(theme.uuid),
        "is_reaudit": "on"})
    audit = Audit.objects.get(is_reaudit=True)
    assert resp.status_code == 302 and resp["Location"] == f"/audits/{audit.uuid}/"
    assert audit.samples == ["RH-014", "RH-015"] and audit.is_reaudit and audit.theme == theme


def test_sheet_renders_questions_and_the_sample_grid(browser, manager, location, template):
    audit = _audit(manager, location, template)
    html = browser.get(f"/audits/{audit.uuid}/").content.decode()
    for value in ("yes", "no", "na"):
        assert f'id="a-CP1-{value}"' in html
    assert 'name="a-CP3"' in html and 'max="4"' in html
    assert 'name="s-S1-0"' in html and 'name="s-S1-1"' in html
    assert html.count('class="sample-card"') == 2
    assert "RH-014" in html and "Critical" in html and 'id="analysis"' in html
    assert 'form="audit-form"' in html and "Raise an action" not in html  # no theme


def test_save_then_complete_refused_then_completed(browser, manager, location, template):
    audit = _audit(manager, location, template)
    url = f"/audits/{audit.uuid}/"
    resp = browser.post(url, _sheet_post(audit, **{"a-CP3": "2"}))
    assert resp.status_code == 302
    audit.refresh_from_db()
    assert audit.answers["CP3"] == 2 and audit.version == 2

    resp = browser.post(url, _sheet_post(audit, intent="complete", **{"a-CP3": "2"}))
    html = resp.content.decode()
    assert resp.status_code == 200 and "error-summary" in html
    assert "cannot be completed yet" in html
    assert 'href="#analysis"' in html and 'href="#n-CP3"' in html
    assert 'id="n-CP3"' in html  # the failed item's note box is there to fill in
    audit.refresh_from_db()
    assert audit.status == "draft"

    resp = browser.post(url, _sheet_post(audit, intent="complete", analysis=ANALYSIS,
                                         **{"a-CP3": "1", "n-CP3": "Night notes are thin."}))
    assert resp.status_code == 302
    audit.refresh_from_db()
    assert audit.status == "completed" and audit.item_notes == {"CP3": "Night notes are thin."}
    page = browser.get(url).content.decode()
    assert f"{audit.score:g}%" in page or f"{float(audit.score):g}%" in page
    assert "Did not pass" in page and "Night notes are thin." in page
    # A completed audit is final.
    resp = browser.post(url, _sheet_post(audit, analysis="Changed"))
    assert resp.status_code == 302
    audit.refresh_from_db()
    assert audit.analysis == ANALYSIS


def test_bad_answer_links_to_its_field_and_saves_nothing(browser, manager, location,
                                                         template):
    audit = _audit(manager, location, template)
    resp = browser.post(f"/audits/{audit.uuid}/", _sheet_post(audit, **{"a-CP3": "9"}))
    html = resp.content.decode()
    assert 'href="#a-CP3"' in html and "0 to 4" in html and "have not been saved" in html
    assert 'value="9"' in html  # what was typed stays on the page
    audit.refresh_from_db()
    assert audit.answers == {} and audit.version == 1


def test_stale_version_is_reported(browser, manager, location, template):
    audit = _audit(manager, location, template)
    services.audit_save(actor=manager, audit=audit, expected_version=1, answers={"CP1": "no"})
    html = browser.post(f"/audits/{audit.uuid}/", _sheet_post(audit)).content.decode()
    assert "Someone else changed this record" in html
    audit.refresh_from_db()
    assert audit.answers == {"CP1": "no"}


def test_raise_an_action_in_place(browser, manager, location, template, theme):
    audit = _audit(manager, location, template, theme=theme)
    html = browser.get(f"/audits/{audit.uuid}/").content.decode()
    assert f'hx-get="/audits/{audit.uuid}/raise-action/?question=CP1"' in html
    url = f"/audits/{audit.uuid}/raise-action/?question=CP1"
    fragment = browser.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'name="ra-CP1-description"' in fragment
    refused = browser.post(url, {"ra-CP1-description": "", "ra-CP1-due_date": ""},
                           HTTP_HX_REQUEST="true").content.decode()
    assert "Say what will be done." in refused and 'aria-invalid="true"' in refused
    assert not Action.objects.exists()
    done = browser.post(url, {"ra-CP1-description": "Rewrite plans with families",
                              "ra-CP1-due_date": (TODAY + dt.timedelta(days=7)).isoformat()},
                        HTTP_HX_REQUEST="true")
    assert "Action raised" in done.content.decode()
    action = Action.objects.get()
    assert action.source_audit == audit and action.source_question == "CP1"
    # Without htmx: its own page, then back to the audit.
    page = browser.get(f"/audits/{audit.uuid}/raise-action/?question=S1")
    assert "<html" in page.content.decode()
    resp = browser.post(f"/audits/{audit.uuid}/raise-action/?question=S1", {
        "ra-S1-description": "Review RH-015", "ra-S1-due_date": TODAY.isoformat()})
    assert resp.status_code == 302 and Action.objects.count() == 2


def test_raise_action_needs_a_theme(browser, manager, location, template):
    audit = _audit(manager, location, template)
    assert browser.get(f"/audits/{audit.uuid}/raise-action/?question=CP1").status_code == 403


def test_attach_evidence_in_place_and_download(browser, manager, location, template):
    audit = _audit(manager, location, template)
    url = f"/audits/{audit.uuid}/attachments/"
    resp = browser.post(url, {"file": SimpleUploadedFile("mar.png", PNG),
                              "question_code": "CP1"}, HTTP_HX_REQUEST="true")
    html = resp.content.decode()
    digest = hashlib.sha256(PNG).hexdigest()
    assert "<html" not in html and digest in html and "has been attached" in html
    bad = browser.post(url, {"file": SimpleUploadedFile("x.exe", b"MZ")},
                       HTTP_HX_REQUEST="true").content.decode()
    assert "is not one of these" in bad
    plain = browser.post(url, {"file": SimpleUploadedFile("scan.pdf", b"%PDF-1.4 x")})
    assert plain.status_code == 302
    assert AuditAttachment.objects.count() == 2
    att = AuditAttachment.objects.get(original_name="mar.png")
    download = browser.get(f"/audits/{audit.uuid}/attachments/{att.uuid}/")
    assert b"".join(download.streaming_content) == PNG
    assert "attachment" in download["Content-Disposition"]


def test_completed_reaudit_shows_the_change(browser, manager, location, template, theme):
    earlier = _audit(manager, location, template, theme=theme,
                     audit_date=TODAY - dt.timedelta(days=20))
    services.audit_save(actor=manager, audit=earlier, expected_version=1, analysis=ANALYSIS,
                        answers={"CP1": "no", "CP2": "yes", "CP3": 4},
                        sample_answers={"S1": {"RH-014": "yes", "RH-015": "yes"}},
                        item_notes={"CP1": "Task lists, not people."})
    services.audit_complete(actor=manager, audit=earlier, expected_version=2)
    reaudit = _audit(manager, location, template, theme=theme, is_reaudit=True)
    services.audit_save(actor=manager, audit=reaudit, expected_version=1, analysis=ANALYSIS,
                        answers={"CP1": "yes", "CP2": "yes", "CP3": 4},
                        sample_answers={"S1": {"RH-014": "yes", "RH-015": "yes"}})
    services.audit_complete(actor=manager, audit=reaudit, expected_version=2)
    services.attachment_add(actor=manager, audit=reaudit,
                            uploaded_file=SimpleUploadedFile("mar.png", PNG))
    html = browser.get(f"/audits/{reaudit.uuid}/").content.decode()
    assert "Change since the audit of" in html and "Better (+100)" in html
    assert "Passed" in html and hashlib.sha256(PNG).hexdigest() in html


def test_other_locations_audits_are_404(make_user, org, sibling_location, manager, location,
                                        template):
    audit = _audit(manager, location, template)
    other = Client()
    other.force_login(make_user(org, "registered_manager", location=sibling_location))
    assert other.get(f"/audits/{audit.uuid}/").status_code == 404
    assert other.post(f"/audits/{audit.uuid}/", _sheet_post(audit)).status_code == 404


def test_viewer_without_conduct_sees_a_read_only_sheet(make_user, org, location, manager,
                                                       template):
    audit = _audit(manager, location, template)
    board = Client()
    board.force_login(make_user(org, "board_member", scope="organisation"))
    html = board.get(f"/audits/{audit.uuid}/").content.decode()
    assert "Complete the audit" not in html and "disabled" in html
    assert board.post(f"/audits/{audit.uuid}/", _sheet_post(audit)).status_code == 403
