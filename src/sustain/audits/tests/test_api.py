"""The audits API: start, save drafts, complete, attach evidence, raise actions; templates."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sustain.audits import services
from sustain.audits.models import Audit
from sustain.audits.tests.factories import ANALYSIS, CarePlanTemplateFactory
from sustain.core.models import HistoryEntry
from sustain.themes import services as theme_services

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32


@pytest.fixture
def manager(make_user, org, location):
    return make_user(org, "registered_manager", location=location)


@pytest.fixture
def client(token_client, manager):
    return token_client(manager)


@pytest.fixture
def template(db):
    return CarePlanTemplateFactory()


def _start(client, location, template, **extra):
    body = {"location": str(location.uuid), "template": str(template.uuid),
            "audit_date": TODAY.isoformat(), "samples": ["RH-014", "RH-015"], **extra}
    return client.post("/api/v1/audits/", body, format="json")


FILLED = {"answers": {"CP1": "yes", "CP2": "yes", "CP3": 4, "CP4": 0},
          "sample_answers": {"S1": {"RH-014": "yes", "RH-015": "yes"}}}


def test_start_save_complete(client, location, template):
    resp = _start(client, location, template)
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["status"] == "draft" and body["samples"] == ["RH-014", "RH-015"]
    url = f"/api/v1/audits/{body['id']}/"

    resp = client.patch(url, {**FILLED, "version": body["version"]}, format="json")
    assert resp.status_code == 200, resp.json()
    version = resp.json()["version"]

    refused = client.post(f"{url}complete/", {"version": version}, format="json")
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"analysis"}
    assert "analysis" in refused.json()["message"]

    resp = client.patch(url, {"analysis": ANALYSIS, "version": version}, format="json")
    resp = client.post(f"{url}complete/", {"version": resp.json()["version"]}, format="json")
    assert resp.status_code == 200, resp.json()
    done = resp.json()
    assert done["status"] == "completed" and done["passed"] is True
    assert float(done["score"]) == 100.0 and done["failed_items"] == []

    again = client.patch(url, {"analysis": "Edited later", "version": done["version"]},
                         format="json")
    assert again.status_code == 400 and "status" in again.json()["errors"]


def test_start_refusal_names_samples_and_writes_nothing(client, location, template):
    resp = _start(client, location, template, samples=["RH-014"])
    assert resp.status_code == 400
    assert "samples" in resp.json()["errors"]
    assert not Audit.objects.exists() and not HistoryEntry.objects.exists()


def test_start_does_not_take_answers(client, location, template):
    resp = _start(client, location, template, analysis="Too soon")
    assert resp.status_code == 400 and "analysis" in resp.json()["errors"]
    assert not Audit.objects.exists()


def test_save_names_the_question_and_sample(client, manager, location, template):
    audit = services.audit_start(actor=manager, organisation=location.organisation,
                                 location=location, template=template, audit_date=TODAY,
                                 samples=["RH-014", "RH-015"])
    url = f"/api/v1/audits/{audit.uuid}/"
    resp = client.patch(url, {"answers": {"CP1": "perhaps"},
                              "sample_answers": {"S1": {"RH-015": 3}}, "version": 1},
                        format="json")
    assert resp.status_code == 400
    assert set(resp.json()["errors"]) == {"answers.CP1", "sample_answers.S1@RH-015"}
    resp = client.patch(url, {"location": str(location.uuid), "version": 1}, format="json")
    assert resp.status_code == 400 and "location" in resp.json()["errors"]
    stale = client.patch(url, {"answers": {"CP1": "yes"}, "version": 1}, format="json")
    assert stale.status_code == 200
    conflict = client.patch(url, {"answers": {"CP1": "no"}, "version": 1}, format="json")
    assert conflict.status_code == 409
    audit.refresh_from_db()
    assert audit.answers == {"CP1": "yes"}


def test_attachments_upload_and_download(client, manager, location, template):
    audit = services.audit_start(actor=manager, organisation=location.organisation,
                                 location=location, template=template, audit_date=TODAY,
                                 samples=["RH-014", "RH-015"])
    url = f"/api/v1/audits/{audit.uuid}/attachments/"
    resp = client.post(url, {"file": SimpleUploadedFile("mar.png", PNG),
                             "question_code": "CP1"}, format="multipart")
    assert resp.status_code == 201, resp.json()
    att = resp.json()
    assert att["sha256"] == hashlib.sha256(PNG).hexdigest() and att["size"] == len(PNG)
    assert att["content_type"] == "image/png" and att["question_code"] == "CP1"
    download = client.get(f"{url}{att['id']}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    bad = client.post(url, {"file": SimpleUploadedFile("x.exe", b"MZ")}, format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()["errors"]
    detail = client.get(f"/api/v1/audits/{audit.uuid}/").json()
    assert [a["id"] for a in detail["attachments"]] == [att["id"]]


def test_raise_action_and_reaudit_comparison(client, manager, org, location, template):
    start = TODAY - dt.timedelta(days=40)
    theme = theme_services.theme_create(actor=manager, organisation=org, location=location,
                                        title="Care planning", origin="inspection",
                                        as_of=start)
    baseline = services.audit_start(actor=manager, organisation=org, location=location,
                                    template=template, audit_date=start, theme=theme,
                                    samples=["RH-001", "RH-002"])
    baseline = services.audit_save(
        actor=manager, audit=baseline, expected_version=1,
        answers={**FILLED["answers"], "CP1": "no"},
        sample_answers={"S1": {"RH-001": "no", "RH-002": "yes"}},
        item_notes={"CP1": "Plans read as task lists.", "S1": "RH-001 plan is out of date."},
        analysis=ANALYSIS)
    baseline = services.audit_complete(actor=manager, audit=baseline, expected_version=2)

    resp = client.post(f"/api/v1/audits/{baseline.uuid}/raise-action/", {
        "question_code": "CP1", "description": "Rewrite plans with residents and families",
        "due_date": (TODAY + dt.timedelta(days=14)).isoformat()}, format="json")
    assert resp.status_code == 201, resp.json()
    assert resp.json()["theme"] == str(theme.uuid) and resp.json()["source_question"] == "CP1"

    resp = _start(client, location, template, theme=str(theme.uuid), is_reaudit=True)
    assert resp.status_code == 201, resp.json()
    reaudit = resp.json()
    assert reaudit["earlier_audit"] == str(baseline.uuid)
    url = f"/api/v1/audits/{reaudit['id']}/"
    resp = client.patch(url, {**FILLED, "analysis": ANALYSIS, "version": 1}, format="json")
    resp = client.post(f"{url}complete/", {"version": resp.json()["version"]}, format="json")
    comparison = resp.json()["comparison"]
    assert comparison["earlier_audit"] == str(baseline.uuid)
    rows = {r["code"]: r for r in comparison["questions"]}
    assert rows["CP1"]["before"] == 0 and rows["CP1"]["after"] == 100
    assert rows["CP1"]["direction"] == "better" and rows["S1"]["before"] == 50
    assert comparison["change"] == round(float(resp.json()["score"])
                                         - float(baseline.score), 2)


def test_templates_shared_and_own_only(client, org, other_org):
    shared = CarePlanTemplateFactory()
    own = CarePlanTemplateFactory(organisation=org)
    CarePlanTemplateFactory(organisation=other_org)
    rows = client.get("/api/v1/audit-templates/").json()["results"]
    assert {r["id"] for r in rows} == {str(shared.uuid), str(own.uuid)}
    detail = client.get(f"/api/v1/audit-templates/{own.uuid}/").json()
    assert detail["shared"] is False and detail["sample_size"] == 2
    q = detail["sections"][0]["questions"][0]
    assert q["code"] == "CP1" and q["weight"] == 2 and q["critical"] is False
    assert detail["sections"][0]["questions"][1]["critical"] is True


def test_list_query_count_is_constant(client, manager, org, location, template):
    def make(n):
        for i in range(n):
            a = services.audit_start(actor=manager, organisation=org, location=location,
                                     template=template, audit_date=TODAY,
                                     samples=[f"X-{i}a", f"X-{i}b"])
            services.attachment_add(actor=manager, audit=a,
                                    uploaded_file=SimpleUploadedFile("p.png", PNG))

    make(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/audits/").status_code == 200
    make(6)
    with CaptureQueriesContext(connection) as many:
        resp = client.get("/api/v1/audits/")
    assert resp.json()["count"] == 8
    assert len(many) == len(few)


def test_other_locations_audits_are_not_found(token_client, make_user, org, location,
                                              sibling_location, manager, template):
    audit = services.audit_start(actor=manager, organisation=org, location=location,
                                 template=template, audit_date=TODAY,
                                 samples=["RH-014", "RH-015"])
    outsider = token_client(make_user(org, "registered_manager", location=sibling_location))
    assert outsider.get(f"/api/v1/audits/{audit.uuid}/").status_code == 404
    resp = outsider.post(f"/api/v1/audits/{audit.uuid}/complete/", {"version": 1},
                         format="json")
    assert resp.status_code == 404
