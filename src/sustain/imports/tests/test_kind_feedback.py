"""The feedback and visits import kinds: the templates import cleanly, a bad row is reported
by row and column and writes nothing, and a re-import creates no duplicates."""

from __future__ import annotations

import pytest

from sustain.core.models import HistoryEntry
from sustain.feedback.models import Feedback, Visit
from sustain.imports.exports import template_csv
from sustain.imports.registry import get_kind
from sustain.imports.services import job_commit, job_validate
from sustain.imports.tests.conftest import csv_bytes
from sustain.people.tests.factories import StaffFactory

FEEDBACK_HEAD = ["external_ref", "source", "channel", "received_on", "rating", "text",
                 "response", "responded_on", "response_by"]
VISIT_HEAD = ["external_ref", "visitor", "visitor_role", "date", "type", "looked_at",
              "findings", "actions_raised"]


@pytest.fixture
def staff(org, location):
    return StaffFactory(organisation=org, staff_reference="S-0107", locations=[location])


@pytest.mark.parametrize(("kind", "cls", "ref"), [
    ("feedback", Feedback, "FB-2026-0101"), ("visits", Visit, "VIS-2026-0044")])
def test_template_round_trips(upload, manager, staff, kind, cls, ref):
    data = template_csv(get_kind(kind)).encode()
    job = job_validate(actor=manager, job=upload(kind, data))
    assert job.status == "validated", job.report
    job = job_commit(actor=manager, job=job)
    assert job.counts["created"] == 1
    assert cls.objects.filter(external_ref=ref).exists()
    assert HistoryEntry.objects.filter(object_type=cls._meta.label_lower).count() == 1


def test_feedback_bad_row_reported_and_nothing_written(upload, manager, staff):
    rows = [FEEDBACK_HEAD,
            ["F-1", "family", "survey", "2026-01-05", "4", "Good.", "", "", ""],
            ["F-2", "family", "fax", "2999-01-01", "9", "Bad.", "", "", "S-404"]]
    job = job_validate(actor=manager, job=upload("feedback", csv_bytes(rows)))
    assert job.status == "failed"
    found = {(p["row"], p["column"]) for p in job.report["problems"]}
    assert {(3, "channel"), (3, "received_on"), (3, "response_by")} <= found
    assert not Feedback.objects.exists()


def test_feedback_rating_out_of_range_names_the_column(upload, manager, staff):
    rows = [FEEDBACK_HEAD, ["F-1", "family", "survey", "2026-01-05", "9", "Good.", "", "", ""]]
    job = job_validate(actor=manager, job=upload("feedback", csv_bytes(rows)))
    assert job.status == "failed"
    assert (2, "rating") in {(p["row"], p["column"]) for p in job.report["problems"]}
    assert not Feedback.objects.exists()


def test_visit_bad_row_reported_and_nothing_written(upload, manager, staff):
    rows = [VISIT_HEAD, ["V-1", "S-0107", "", "2026-01-05", "night", "MAR charts.", "", ""],
            ["V-2", "S-404", "", "2999-01-01", "daytime", "", "", ""]]
    job = job_validate(actor=manager, job=upload("visits", csv_bytes(rows)))
    assert job.status == "failed"
    found = {(p["row"], p["column"]) for p in job.report["problems"]}
    assert {(3, "visitor"), (3, "date"), (3, "type"), (3, "looked_at")} <= found
    assert not Visit.objects.exists()


def test_reimport_creates_no_duplicates(upload, manager, staff):
    feedback = [FEEDBACK_HEAD,
                ["F-1", "family", "survey", "2026-01-05", "", "Good.", "Thanks.",
                 "2026-01-06", "S-0107"]]
    visits = [VISIT_HEAD, ["V-1", "S-0107", "", "2026-01-05", "night", "MAR charts.", "", ""]]
    for _ in range(2):
        for kind, rows in (("feedback", feedback), ("visits", visits)):
            job = job_validate(actor=manager, job=upload(kind, csv_bytes(rows)))
            assert job.status == "validated", job.report
            job_commit(actor=manager, job=job)
    assert Feedback.objects.count() == 1 and Visit.objects.count() == 1
    assert Feedback.objects.get().response_by.staff_reference == "S-0107"
