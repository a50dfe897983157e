"""The supervisions, competency-assessments and training-records import kinds: the templates
import cleanly, a bad row is reported by row and column and writes nothing, and a re-import
creates no duplicates."""

from __future__ import annotations

import pytest

from sustain.core.models import HistoryEntry
from sustain.imports.exports import template_csv
from sustain.imports.registry import get_kind
from sustain.imports.services import job_commit, job_validate
from sustain.imports.tests.conftest import csv_bytes
from sustain.people.tests.factories import StaffFactory
from sustain.workforce.models import CompetencyAssessment, Supervision, TrainingRecord

SUPERVISION_HEAD = ["external_ref", "date", "supervisor", "supervisee", "topics"]
COMPETENCY_HEAD = ["external_ref", "assessment_type", "other_type", "assessor", "staff", "date",
                   "outcome", "next_due"]
TRAINING_HEAD = ["external_ref", "staff", "course", "completed_on", "expires_on"]
KINDS = [("supervisions", Supervision), ("competency-assessments", CompetencyAssessment),
         ("training-records", TrainingRecord)]


@pytest.fixture
def staff(org, location):
    for ref in ("S-0107", "S-0212"):
        StaffFactory(organisation=org, staff_reference=ref, locations=[location])


def _problems(upload, manager, kind, rows):
    job = job_validate(actor=manager, job=upload(kind, csv_bytes(rows)))
    assert job.status == "failed"
    return {(p["row"], p["column"]) for p in job.report["problems"]}


@pytest.mark.parametrize(("kind", "cls"), KINDS)
def test_template_round_trips(upload, manager, staff, kind, cls):
    job = job_validate(actor=manager, job=upload(kind, template_csv(get_kind(kind)).encode()))
    assert job.status == "validated", job.report
    job = job_commit(actor=manager, job=job)
    assert job.counts["created"] == 1 and cls.objects.count() == 1
    assert HistoryEntry.objects.filter(object_type=cls._meta.label_lower).count() == 1


def test_bad_rows_reported_and_nothing_written(upload, manager, staff):
    found = _problems(upload, manager, "supervisions", [
        SUPERVISION_HEAD, ["SU-1", "2026-01-05", "S-0107", "S-0212", ""],
        ["SU-2", "2999-01-01", "S-404", "S-0212", ""],
        ["SU-3", "2026-01-05", "S-0107", "S-0107", ""]])
    assert {(3, "date"), (3, "supervisor"), (4, "supervisee")} <= found
    found = _problems(upload, manager, "competency-assessments", [
        COMPETENCY_HEAD,
        ["CA-1", "other", "", "S-0107", "S-0212", "2026-01-05", "great", "2025-01-01"]])
    assert {(2, "outcome")} <= found
    found = _problems(upload, manager, "competency-assessments", [
        COMPETENCY_HEAD,
        ["CA-1", "other", "", "S-0107", "S-0212", "2026-01-05", "competent", "2025-01-01"]])
    assert {(2, "other_type"), (2, "next_due")} <= found
    found = _problems(upload, manager, "training-records", [
        TRAINING_HEAD, ["T-1", "S-0212", "", "2999-01-01", ""],
        ["T-2", "S-0212", "Fire safety", "2026-01-05", "2025-01-01"]])
    assert {(2, "course"), (2, "completed_on"), (3, "expires_on")} <= found
    assert not Supervision.objects.exists()
    assert not CompetencyAssessment.objects.exists() and not TrainingRecord.objects.exists()


def test_reimport_creates_no_duplicates(upload, manager, staff):
    files = {"supervisions": [SUPERVISION_HEAD, ["SU-1", "2026-01-05", "S-0107", "S-0212", ""]],
             "competency-assessments": [COMPETENCY_HEAD, [
                 "CA-1", "moving_and_handling", "", "S-0107", "S-0212", "2026-01-05",
                 "competent", ""]],
             "training-records": [TRAINING_HEAD, ["T-1", "S-0212", "Fire safety", "2026-01-05",
                                                  ""]]}
    for _ in range(2):
        for kind, rows in files.items():
            job = job_validate(actor=manager, job=upload(kind, csv_bytes(rows)))
            assert job.status == "validated", job.report
            job_commit(actor=manager, job=job)
    for _, cls in KINDS:
        assert cls.objects.count() == 1
    assert Supervision.objects.get().next_due > Supervision.objects.get().date
