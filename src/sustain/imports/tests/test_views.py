"""Import pages: upload form, job page with the report, Commit only after a clean check,
templates and exports, access."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sustain.engine.access import Role
from sustain.imports.models import ImportJob
from sustain.imports.tests.conftest import csv_bytes
from sustain.people.models import PersonSupported

HEAD = ["reference", "initials", "admission_date"]


@pytest.fixture
def browser(manager):
    client = Client()
    client.force_login(manager)
    return client


def _upload(browser, location, rows):
    return browser.post("/imports/", {
        "kind": "people", "location": location.pk,
        "file": SimpleUploadedFile("people.csv", csv_bytes(rows))})


def test_upload_check_and_commit(browser, location):
    html = browser.get("/imports/").content.decode()
    assert 'enctype="multipart/form-data"' in html and "CSV template" in html
    assert 'href="/imports/"' in browser.get("/").content.decode()  # in the navigation
    resp = _upload(browser, location, [HEAD, ["RH-1", "JS", "2025-01-02"]])
    assert resp.status_code == 302
    job = ImportJob.objects.get()
    page = browser.get(resp["Location"]).content.decode()
    assert "Check the file" in page and "Commit" not in page
    browser.post(f"/imports/{job.uuid}/validate/")
    page = browser.get(f"/imports/{job.uuid}/").content.decode()
    assert "Commit 1 rows" in page
    browser.post(f"/imports/{job.uuid}/commit/")
    page = browser.get(f"/imports/{job.uuid}/").content.decode()
    assert "Imported: 1 records created" in page
    assert PersonSupported.objects.filter(reference="RH-1").exists()


def test_report_table_escapes_and_hides_commit(browser, location):
    resp = _upload(browser, location, [HEAD, ["RH-1", "<script>x</script>", "2025-01-02"]])
    job = ImportJob.objects.get()
    browser.post(f"/imports/{job.uuid}/validate/")
    page = browser.get(resp["Location"]).content.decode()
    assert '<th scope="row" class="num">2</th>' in page and "initials" in page
    assert "<script>x</script>" not in page
    assert "/commit/" not in page
    assert browser.post(f"/imports/{job.uuid}/commit/").status_code == 302
    assert not PersonSupported.objects.exists()


def test_upload_errors_shown_on_the_form(browser, location):
    resp = _upload(browser, location, [["reference"], ["RH-1"]])
    assert resp.status_code == 400
    assert "Missing required columns: initials, admission_date." in resp.content.decode()
    assert not ImportJob.objects.exists()


def test_templates_and_export(browser, location):
    resp = browser.get("/imports/templates/people.xlsx")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd")
    assert browser.get("/imports/templates/people.csv").content.startswith(b"# people")
    assert browser.get("/imports/templates/nope.csv").status_code == 404
    resp = browser.get("/imports/export/", {"kind": "people", "file_type": "csv"})
    assert resp.status_code == 200


def test_access(make_user, org, location, sibling_location, browser):
    _upload(browser, location, [HEAD, ["RH-1", "JS", "2025-01-02"]])
    job = ImportJob.objects.get()
    carer = Client()
    carer.force_login(make_user(org, Role.CARE_STAFF, location=location))
    assert carer.get("/imports/").status_code == 403
    elsewhere = Client()
    elsewhere.force_login(make_user(org, Role.REGISTERED_MANAGER, location=sibling_location))
    assert elsewhere.get(f"/imports/{job.uuid}/").status_code == 404
    assert elsewhere.post(f"/imports/{job.uuid}/validate/").status_code == 404
    assert Client().get("/imports/").status_code == 302
