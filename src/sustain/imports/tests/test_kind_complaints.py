"""The complaints and compliments import kinds: the templates import cleanly, a bad row is
reported by row and column and writes nothing, and a re-import creates no duplicates."""

from __future__ import annotations

import datetime as dt

import pytest

from sustain.core.models import HistoryEntry
from sustain.imports.exports import template_csv
from sustain.imports.registry import get_kind
from sustain.imports.services import job_commit, job_validate
from sustain.imports.tests.conftest import csv_bytes
from sustain.incidents.models import Complaint, Compliment
from sustain.people.services import person_create

COMPLAINT_HEAD = ["external_ref", "received_on", "received_from", "category", "summary",
                  "person", "response_due", "response_sent_on", "outcome", "upheld"]
COMPLIMENT_HEAD = ["external_ref", "received_on", "received_from", "summary"]


@pytest.mark.parametrize(("kind", "model", "ref"), [
    ("complaints", "incidents.complaint", "CMP-2026-0007"),
    ("compliments", "incidents.compliment", "CPL-2026-0031")])
def test_template_round_trips(upload, manager, org, location, kind, model, ref):
    person_create(actor=None, organisation=org, location=location, reference="RH-0042",
                  initials="JS", admission_date=dt.date(2024, 1, 1))
    data = template_csv(get_kind(kind)).encode()
    job = job_validate(actor=manager, job=upload(kind, data))
    assert job.status == "validated", job.report
    job = job_commit(actor=manager, job=job)
    assert job.counts["created"] == 1
    assert HistoryEntry.objects.filter(object_type=model).count() == 1
    cls = Complaint if kind == "complaints" else Compliment
    assert cls.objects.get(external_ref=ref).received_from == "family"


def test_complaint_bad_row_reported_and_nothing_written(upload, manager):
    rows = [COMPLAINT_HEAD,
            ["C-1", "2026-01-05", "family", "Care", "Late call.", "", "", "", "", ""],
            ["C-2", "2999-01-01", "neighbour", "Care", "Late.", "RH-404", "", "", "", "maybe"]]
    job = job_validate(actor=manager, job=upload("complaints", csv_bytes(rows)))
    assert job.status == "failed"
    found = {(p["row"], p["column"]) for p in job.report["problems"]}
    assert {(3, "received_on"), (3, "received_from"), (3, "person"), (3, "upheld")} <= found
    assert not Complaint.objects.exists()


def test_complaint_response_before_receipt_names_the_column(upload, manager):
    rows = [COMPLAINT_HEAD,
            ["C-1", "2026-01-05", "family", "Care", "Late.", "", "", "2026-01-01", "", ""]]
    job = job_validate(actor=manager, job=upload("complaints", csv_bytes(rows)))
    assert job.status == "failed"
    assert (2, "response_sent_on") in {(p["row"], p["column"]) for p in job.report["problems"]}
    assert not Complaint.objects.exists()


def test_compliment_bad_row_reported_and_nothing_written(upload, manager):
    rows = [COMPLIMENT_HEAD, ["P-1", "2026-01-05", "family", "Thanks."],
            ["P-2", "2999-01-01", "family", ""]]
    job = job_validate(actor=manager, job=upload("compliments", csv_bytes(rows)))
    assert job.status == "failed"
    found = {(p["row"], p["column"]) for p in job.report["problems"]}
    assert {(3, "received_on"), (3, "summary")} <= found
    assert not Compliment.objects.exists()


def test_reimport_creates_no_duplicates(upload, manager):
    complaints = [COMPLAINT_HEAD,
                  ["C-1", "2026-01-05", "family", "Care", "Late.", "", "", "", "", ""]]
    compliments = [COMPLIMENT_HEAD, ["P-1", "2026-01-05", "person", "Thanks."]]
    for _ in range(2):
        for kind, rows in (("complaints", complaints), ("compliments", compliments)):
            job = job_validate(actor=manager, job=upload(kind, csv_bytes(rows)))
            assert job.status == "validated", job.report
            job_commit(actor=manager, job=job)
    assert Complaint.objects.count() == 1 and Compliment.objects.count() == 1
    assert Complaint.objects.get().response_due == dt.date(2026, 2, 2)
