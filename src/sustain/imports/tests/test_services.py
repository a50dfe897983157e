"""Import jobs through the services: upload checks, the dry-run report, atomic commit,
idempotent re-import, refs, and the bulk path for medicines checks."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.engine.access import Role
from sustain.imports.models import ImportJob
from sustain.imports.services import job_commit, job_upload, job_validate
from sustain.imports.tests.conftest import csv_bytes
from sustain.medicines.models import MedicinesCheck
from sustain.people.models import PersonSupported
from sustain.people.tests.factories import StaffFactory

PEOPLE_HEAD = ["reference", "initials", "location", "admission_date", "discharge_date"]
GOOD_PEOPLE = [PEOPLE_HEAD, ["RH-1", "JS", "", "2025-01-02", ""],
               ["RH-2", "AB", "", "14/03/2025", "2025-04-01"]]


def test_validate_then_commit_people(upload, manager, location):
    job = upload("people", csv_bytes(GOOD_PEOPLE))
    assert job.status == "uploaded" and len(job.sha256) == 64
    job = job_validate(actor=manager, job=job)
    assert job.status == "validated", job.report
    assert job.counts["valid"] == 2 and job.counts["created"] == 0
    assert PersonSupported.objects.count() == 0  # the dry run wrote nothing
    job = job_commit(actor=manager, job=job)
    assert job.status == "committed"
    assert job.counts["created"] == 2
    assert set(PersonSupported.objects.values_list("reference", flat=True)) == {"RH-1", "RH-2"}
    assert HistoryEntry.objects.filter(object_type="people.personsupported").count() == 2


def test_report_names_row_column_and_message(upload, manager):
    rows = [PEOPLE_HEAD, ["RH-1", "JS", "", "2025-01-02", ""],
            ["RH 2", "toolong", "", "2099-01-01", ""],
            ["RH-3", "AB", "", "2025-01-02", "2024-01-01"],
            ["RH-1", "CD", "", "yesterday", ""]]
    job = job_validate(actor=manager, job=upload("people", csv_bytes(rows)))
    assert job.status == "failed"
    found = {(p["row"], p["column"]) for p in job.report["problems"]}
    assert (3, "initials") in found and (3, "admission_date") in found
    assert (4, "discharge_date") in found
    assert (5, "admission_date") in found and (5, "reference") in found
    assert all(p["message"] for p in job.report["problems"])
    assert job.counts["invalid_rows"] == 3 and job.counts["rows"] == 4
    with pytest.raises(InvalidInput, match="Validate"):
        job_commit(actor=manager, job=job)
    assert PersonSupported.objects.count() == 0


def test_commit_is_atomic_when_a_row_fails_late(upload, manager, org, location):
    job = job_validate(actor=manager, job=upload("people", csv_bytes(GOOD_PEOPLE)))
    assert job.status == "validated"
    # Someone else records RH-2 elsewhere before the commit: its key is taken but not here.
    from sustain.people.services import person_create
    from sustain.tenancy.tests.factories import LocationFactory

    elsewhere = LocationFactory(organisation=org)
    person_create(actor=None, organisation=org, location=elsewhere, reference="RH-2",
                  initials="ZZ", admission_date=dt.date(2025, 1, 1))
    job = job_commit(actor=manager, job=job)
    assert job.status == "committed" and job.counts["skipped"] == 1
    # Now a file whose second row breaks a rule the service checks (initials) fails whole.
    bad = [PEOPLE_HEAD, ["RH-5", "JS", "", "2025-01-02", ""], ["RH-6", "J5", "", "2025-01-02", ""]]
    job = upload("people", csv_bytes(bad))
    ImportJob.objects.filter(pk=job.pk).update(status="validated")  # skip the dry run
    job.refresh_from_db()
    job = job_commit(actor=manager, job=job)
    assert job.status == "failed"
    assert job.report["problems"][0]["row"] == 3
    assert job.report["problems"][0]["column"] == "initials"
    assert not PersonSupported.objects.filter(reference__in=["RH-5", "RH-6"]).exists()


def test_reimport_is_idempotent(upload, manager):
    for _ in range(2):
        job = job_validate(actor=manager, job=upload("people", csv_bytes(GOOD_PEOPLE)))
        job = job_commit(actor=manager, job=job)
        assert job.status == "committed"
    assert job.counts == {**job.counts, "created": 0, "skipped": 2}
    assert PersonSupported.objects.count() == 2


def test_wrong_type_missing_columns_and_oversize_refused(upload, settings):
    with pytest.raises(InvalidInput) as exc:
        upload("people", b"%PDF-1.4 not a sheet", name="people.csv")
    assert "file" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        upload("people", csv_bytes([["reference", "initials"], ["RH-1", "JS"]]))
    assert "admission_date" in exc.value.message
    settings.SUSTAIN_IMPORT_MAX_BYTES = 100
    with pytest.raises(InvalidInput, match="too large"):
        upload("people", csv_bytes(GOOD_PEOPLE * 5))
    assert not ImportJob.objects.exists()


def test_two_gigabyte_file_refused_before_reading(manager, org, location):
    class Unreadable(io.RawIOBase):
        def read(self, *args):
            raise AssertionError("read a file that should have been refused")

    with pytest.raises(InvalidInput, match="too large"):
        job_upload(actor=manager, organisation=org, location=location, kind="people",
                   fileobj=Unreadable(), name="huge.csv", size=2 * 1024 ** 3)
    assert not ImportJob.objects.exists()


def test_xlsx_is_read(upload, manager):
    book = Workbook()
    sheet = book.active
    for row in GOOD_PEOPLE:
        sheet.append(row)
    sheet.append(["RH-3", "CD", None, dt.datetime(2025, 5, 6), None])
    buf = io.BytesIO()
    book.save(buf)
    job = job_validate(actor=manager, job=upload("people", buf.getvalue(), name="p.xlsx"))
    assert job.status == "validated", job.report
    assert job.counts["valid"] == 3


def test_permission_needed(upload, make_user, org, location):
    carer = make_user(org, Role.CARE_STAFF, location=location)
    with pytest.raises(PermissionDenied):
        upload("people", csv_bytes(GOOD_PEOPLE), actor=carer)
    assert not ImportJob.objects.exists()


MED_HEAD = ["external_ref", "check_date", "shift", "checked_by", "charts_checked", "notes"]


def test_medicines_bulk_path(upload, manager, org, location, sibling_location):
    StaffFactory(organisation=org, staff_reference="S-1", locations=[location])
    StaffFactory(organisation=org, staff_reference="S-2", locations=[sibling_location])
    rows = [MED_HEAD, ["M-1", "2026-01-05", "night", "S-1", "12", "=cmd|' /C calc'!A0"],
            ["M-2", "2026-01-06", "Day", "s-1", "8", ""]]
    job = job_commit(actor=manager, job=job_validate(actor=manager,
                                                      job=upload("medicines-checks",
                                                                 csv_bytes(rows))))
    assert job.status == "committed", job.report
    assert MedicinesCheck.objects.filter(location=location).count() == 2
    assert HistoryEntry.objects.filter(object_type="imports.importjob",
                                       message__startswith="Imported 2").count() == 1
    bad = [MED_HEAD, ["M-3", "2026-01-05", "night", "S-2", "12", ""],
           ["M-4", "2999-01-05", "evening", "S-9", "900", ""]]
    job = job_validate(actor=manager, job=upload("medicines-checks", csv_bytes(bad)))
    found = {(p["row"], p["column"]) for p in job.report["problems"]}
    assert found == {(2, "checked_by"), (3, "shift"), (3, "checked_by"), (3, "check_date"),
                     (3, "charts_checked")}
    assert job.status == "failed"
    again = job_validate(actor=manager, job=upload("medicines-checks", csv_bytes(rows)))
    assert again.counts["skipped"] == 2 and again.status == "validated"


@pytest.mark.parametrize("data", [b"PK\x03\x04not really a zip", b"", b"\x00\x01\x02binary"])
def test_not_a_spreadsheet_refused(upload, data):
    with pytest.raises(InvalidInput) as exc:
        upload("people", data, name="people.xlsx")
    assert "file" in exc.value.errors
    assert not ImportJob.objects.exists()


def test_zip_that_is_not_a_workbook_refused(upload):
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("word/document.xml", "<x/>")
    with pytest.raises(InvalidInput, match="not a readable XLSX"):
        upload("people", buf.getvalue(), name="people.xlsx")
    assert not ImportJob.objects.exists()


def test_incidents_through_their_service(upload, manager, org, location):
    from sustain.incidents.models import Incident
    from sustain.people.services import person_create

    person_create(actor=None, organisation=org, location=location, reference="RH-1",
                  initials="JS", admission_date=dt.date(2024, 1, 1))
    head = ["external_ref", "type", "severity", "occurred_at", "person", "description"]
    rows = [head, ["I-1", "Fall", "no_harm", "2026-01-05 14:30", "RH-1", "Found on floor."],
            ["I-2", "near_miss", "low", "05/01/2026 09:00", "", ""]]
    job = job_validate(actor=manager, job=upload("incidents", csv_bytes(rows)))
    assert job.status == "validated", job.report
    job = job_commit(actor=manager, job=job)
    assert job.status == "committed" and job.counts["created"] == 2
    first = Incident.objects.get(external_ref="I-1")
    assert first.person.reference == "RH-1" and first.type == "fall"
    bad = [head, ["I-3", "fall", "no_harm", "2999-01-01 10:00", "RH-404", ""]]
    job = job_validate(actor=manager, job=upload("incidents", csv_bytes(bad)))
    assert {(p["row"], p["column"]) for p in job.report["problems"]} == {
        (2, "occurred_at"), (2, "person")}
    assert Incident.objects.count() == 2
