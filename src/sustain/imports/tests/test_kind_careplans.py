"""The care-plan-reviews and care-plan-actions import kinds: the templates import cleanly, a
bad row is reported by row and column and writes nothing, and a re-import creates no
duplicates."""

from __future__ import annotations

import datetime as dt

import pytest

from sustain.careplans.models import CarePlanAction, CarePlanReview
from sustain.core.models import HistoryEntry
from sustain.imports.exports import template_csv
from sustain.imports.registry import get_kind
from sustain.imports.services import job_commit, job_validate
from sustain.imports.tests.conftest import csv_bytes
from sustain.people.services import person_create
from sustain.people.tests.factories import StaffFactory

REVIEW_HEAD = ["external_ref", "person", "key_worker", "due_date", "completed_on",
               "checked_daily_notes", "mismatch_found", "mismatch_detail"]
ACTION_HEAD = ["external_ref", "person", "review_ref", "what", "who", "due_date", "done_on"]


@pytest.fixture
def refs(org, location):
    person_create(actor=None, organisation=org, location=location, reference="RH-0042",
                  initials="JS", admission_date=dt.date(2024, 1, 1))
    StaffFactory(organisation=org, staff_reference="S-0107", locations=[location])


def _run(upload, manager, kind, data):
    job = job_validate(actor=manager, job=upload(kind, data))
    assert job.status == "validated", job.report
    return job_commit(actor=manager, job=job)


@pytest.mark.parametrize(("kind", "cls"), [
    ("care-plan-reviews", CarePlanReview), ("care-plan-actions", CarePlanAction)])
def test_template_round_trips(upload, manager, refs, kind, cls):
    job = _run(upload, manager, kind, template_csv(get_kind(kind)).encode())
    assert job.counts["created"] == 1
    assert HistoryEntry.objects.filter(object_type=cls._meta.label_lower).count() == 1


def test_review_bad_row_reported_and_nothing_written(upload, manager, refs):
    rows = [REVIEW_HEAD, ["R-1", "RH-0042", "", "2026-01-05", "2026-01-05", "yes", "no", ""],
            ["R-2", "RH-404", "S-404", "someday", "2999-01-01", "perhaps", "yes", ""]]
    job = job_validate(actor=manager, job=upload("care-plan-reviews", csv_bytes(rows)))
    assert job.status == "failed"
    found = {(p["row"], p["column"]) for p in job.report["problems"]}
    assert {(3, "person"), (3, "key_worker"), (3, "due_date"), (3, "completed_on"),
            (3, "checked_daily_notes")} <= found
    assert not CarePlanReview.objects.exists()


def test_review_rules_name_the_column(upload, manager, refs):
    rows = [REVIEW_HEAD, ["R-1", "RH-0042", "", "2026-01-05", "2026-01-05", "no", "yes", ""]]
    job = job_validate(actor=manager, job=upload("care-plan-reviews", csv_bytes(rows)))
    assert job.status == "failed"
    found = {(p["row"], p["column"]) for p in job.report["problems"]}
    assert {(2, "completed_on"), (2, "mismatch_detail")} <= found
    assert not CarePlanReview.objects.exists()


def test_action_bad_row_reported_and_nothing_written(upload, manager, refs):
    rows = [ACTION_HEAD, ["A-1", "RH-0042", "", "Update plan.", "S-0107", "2026-02-01", ""],
            ["A-2", "RH-0042", "R-404", "", "S-404", "2026-02-01", "2999-01-01"]]
    job = job_validate(actor=manager, job=upload("care-plan-actions", csv_bytes(rows)))
    assert job.status == "failed"
    found = {(p["row"], p["column"]) for p in job.report["problems"]}
    assert {(3, "review_ref"), (3, "what"), (3, "who"), (3, "done_on")} <= found
    assert not CarePlanAction.objects.exists()


def test_reimport_creates_no_duplicates_and_links_the_review(upload, manager, refs):
    reviews = [REVIEW_HEAD, ["R-1", "RH-0042", "S-0107", "2026-01-05", "2026-01-05", "yes",
                             "yes", "Plan says two carers."]]
    actions = [ACTION_HEAD, ["A-1", "RH-0042", "R-1", "Update plan.", "S-0107", "2026-02-01",
                             ""]]
    for _ in range(2):
        _run(upload, manager, "care-plan-reviews", csv_bytes(reviews))
        _run(upload, manager, "care-plan-actions", csv_bytes(actions))
    assert CarePlanReview.objects.count() == 1 and CarePlanAction.objects.count() == 1
    assert CarePlanAction.objects.get().review == CarePlanReview.objects.get()
