"""The imports API: upload → validate → commit, the report as JSON and CSV, templates and
exports (formula injection neutralised, CSV and XLSX)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from sustain.engine.access import Role
from sustain.imports.tests.conftest import csv_bytes
from sustain.people.models import PersonSupported
from sustain.people.services import person_create

HEAD = ["reference", "initials", "admission_date"]


@pytest.fixture
def client(token_client, manager):
    return token_client(manager)


def _upload(client, location, rows, name="people.csv"):
    data = csv_bytes(rows)
    return client.post("/api/v1/imports/", {
        "kind": "people", "location": str(location.uuid),
        "file": SimpleUploadedFile(name, data, content_type="text/csv")}, format="multipart")


def test_upload_validate_commit(client, location):
    resp = _upload(client, location, [HEAD, ["RH-1", "JS", "2025-01-02"]])
    assert resp.status_code == 201, resp.json()
    job = resp.json()
    assert job["status"] == "uploaded" and len(job["sha256"]) == 64
    resp = client.post(f"/api/v1/imports/{job['id']}/commit/")
    assert resp.status_code == 400 and "status" in resp.json()["errors"]
    resp = client.post(f"/api/v1/imports/{job['id']}/validate/")
    assert resp.status_code == 200 and resp.json()["status"] == "validated"
    resp = client.post(f"/api/v1/imports/{job['id']}/commit/")
    assert resp.status_code == 200 and resp.json()["counts"]["created"] == 1
    assert PersonSupported.objects.filter(reference="RH-1").exists()


def test_report_json_and_csv(client, location):
    job = _upload(client, location, [HEAD, ["RH-1", "JS", "2025-01-02"],
                                     ["RH-2", "=1+1+1", "=2+2"]]).json()
    body = client.post(f"/api/v1/imports/{job['id']}/validate/").json()
    assert body["status"] == "failed"
    assert {(p["row"], p["column"]) for p in body["report"]["problems"]} == {
        (3, "initials"), (3, "admission_date")}
    resp = client.get(f"/api/v1/imports/{job['id']}/report.csv/")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[0] == ["row", "column", "message"]
    assert {(r[0], r[1]) for r in rows[1:]} == {("3", "initials"), ("3", "admission_date")}
    assert not any(cell.startswith("=") for row in rows for cell in row)
    assert not PersonSupported.objects.exists()


def test_wrong_type_and_missing_columns_named(client, location):
    resp = client.post("/api/v1/imports/", {
        "kind": "people", "location": str(location.uuid),
        "file": SimpleUploadedFile("x.csv", b"\x89PNG\r\n\x1a\n....")}, format="multipart")
    assert resp.status_code == 400 and "file" in resp.json()["errors"]
    resp = _upload(client, location, [["reference"], ["RH-1"]])
    assert resp.status_code == 400
    assert "initials" in resp.json()["message"] and "admission_date" in resp.json()["message"]


def test_export_neutralises_formulas(client, org, location):
    person_create(actor=None, organisation=org, location=location, reference="RH-1",
                  initials="JS", admission_date="2025-01-02")
    from sustain.people.models import StaffMember
    from sustain.people.services import staff_create

    staff_create(actor=None, organisation=org, locations=[location], full_name="=cmd|' /C calc'!A0",
                 job_role="@SUM(A1)", staff_reference="-S1", start_date="2024-01-01")
    resp = client.get("/api/v1/imports/export/", {"kind": "staff"})
    text = b"".join(resp.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["staff_reference", "full_name", "job_role", "start_date", "leaving_date"]
    assert rows[1][:3] == ["'-S1", "'=cmd|' /C calc'!A0", "'@SUM(A1)"]
    resp = client.get("/api/v1/imports/export/", {"kind": "staff", "file_type": "xlsx"})
    sheet = load_workbook(io.BytesIO(resp.content), read_only=True).worksheets[0]
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[1][1] == "'=cmd|' /C calc'!A0"
    assert StaffMember.objects.count() == 1
    resp = client.get("/api/v1/imports/export/",
                      {"kind": "people", "location": str(location.uuid)})
    text = b"".join(resp.streaming_content).decode("utf-8-sig")
    assert "RH-1" in text


def test_export_is_scoped(token_client, make_user, org, location, sibling_location):
    person_create(actor=None, organisation=org, location=sibling_location, reference="RH-7",
                  initials="JS", admission_date="2025-01-02")
    user = make_user(org, Role.REGISTERED_MANAGER, location=location)
    resp = token_client(user).get("/api/v1/imports/export/", {"kind": "people"})
    assert "RH-7" not in b"".join(resp.streaming_content).decode()


@pytest.mark.parametrize("file_type", ["csv", "xlsx"])
def test_templates_round_trip(client, location, file_type):
    resp = client.get("/api/v1/imports/template/", {"kind": "people", "file_type": file_type})
    assert resp.status_code == 200
    if file_type == "xlsx":
        book = load_workbook(io.BytesIO(resp.content), read_only=True)
        assert book.sheetnames == ["Data", "Help"]
        help_rows = list(book["Help"].iter_rows(values_only=True))
        assert help_rows[1][0] == "reference" and help_rows[1][3]
    else:
        assert resp.content.decode().startswith("# people supported")
    # The template itself imports: its example row validates.
    upload = client.post("/api/v1/imports/", {
        "kind": "people", "location": str(location.uuid),
        "file": SimpleUploadedFile(f"t.{file_type}", resp.content)}, format="multipart")
    assert upload.status_code == 201, upload.json()
    body = client.post(f"/api/v1/imports/{upload.json()['id']}/validate/").json()
    assert body["counts"]["rows"] == 1
    assert {p["column"] for p in body["report"]["problems"]} <= {"location"}


def test_large_files_run_in_the_background(client, location, settings):
    settings.SUSTAIN_IMPORT_BACKGROUND_BYTES = 10
    job = _upload(client, location, [HEAD, ["RH-1", "JS", "2025-01-02"]]).json()
    resp = client.post(f"/api/v1/imports/{job['id']}/validate/")
    assert resp.status_code == 202
    # Huey runs immediately in tests: the job is done and its progress stored.
    assert resp.json()["status"] == "validated"
    assert resp.json()["counts"]["valid"] == 1
