"""The safeguarding-concerns import kind: the template imports cleanly, a bad row is reported
by row and column and writes nothing, and a re-import creates no duplicates."""

from __future__ import annotations

import datetime as dt

from sustain.core.models import HistoryEntry
from sustain.imports.exports import template_csv
from sustain.imports.registry import get_kind
from sustain.imports.services import job_commit, job_validate
from sustain.imports.tests.conftest import csv_bytes
from sustain.people.services import person_create
from sustain.people.tests.factories import StaffFactory
from sustain.safeguarding.models import SafeguardingConcern

HEAD = ["external_ref", "raised_at", "raised_by", "person", "category", "description",
        "shift_lead_notified_at"]


def _people(org, location):
    person_create(actor=None, organisation=org, location=location, reference="RH-0042",
                  initials="JS", admission_date=dt.date(2024, 1, 1))
    StaffFactory(organisation=org, staff_reference="S-0107", locations=[location])


def test_template_round_trips(upload, manager, org, location):
    _people(org, location)
    data = template_csv(get_kind("safeguarding-concerns")).encode()
    job = job_validate(actor=manager, job=upload("safeguarding-concerns", data))
    assert job.status == "validated", job.report
    job = job_commit(actor=manager, job=job)
    assert job.counts["created"] == 1
    concern = SafeguardingConcern.objects.get(external_ref="SG-2026-0012")
    assert concern.person.reference == "RH-0042" and concern.category == "neglect"
    assert HistoryEntry.objects.filter(
        object_type="safeguarding.safeguardingconcern").count() == 1


def test_bad_row_reported_and_nothing_written(upload, manager, org, location):
    _people(org, location)
    rows = [HEAD, ["SG-1", "2026-01-05 10:00", "S-0107", "RH-0042", "neglect", "Seen.", ""],
            ["SG-2", "2999-01-01 10:00", "S-404", "RH-0042", "bullying", "Seen.", ""]]
    job = job_validate(actor=manager, job=upload("safeguarding-concerns", csv_bytes(rows)))
    assert job.status == "failed"
    found = {(p["row"], p["column"]) for p in job.report["problems"]}
    assert {(3, "raised_at"), (3, "raised_by"), (3, "category")} <= found
    assert not SafeguardingConcern.objects.exists()


def test_reimport_creates_no_duplicates(upload, manager, org, location):
    _people(org, location)
    rows = [HEAD, ["SG-1", "2026-01-05 10:00", "S-0107", "RH-0042", "neglect", "Seen.",
                   "2026-01-05 10:20"]]
    for _ in range(2):
        job = job_validate(actor=manager, job=upload("safeguarding-concerns", csv_bytes(rows)))
        assert job.status == "validated", job.report
        job_commit(actor=manager, job=job)
    assert SafeguardingConcern.objects.filter(external_ref="SG-1").count() == 1


def test_shift_lead_told_before_raised_names_the_column(upload, manager, org, location):
    _people(org, location)
    rows = [HEAD, ["SG-1", "2026-01-05 10:00", "S-0107", "RH-0042", "neglect", "Seen.",
                   "2026-01-05 09:00"]]
    job = job_validate(actor=manager, job=upload("safeguarding-concerns", csv_bytes(rows)))
    assert job.status == "failed"
    assert (2, "shift_lead_notified_at") in {
        (p["row"], p["column"]) for p in job.report["problems"]}
    assert not SafeguardingConcern.objects.exists()
