"""Generated rows (mostly bad) never crash an import and never write part of a file."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sustain.imports.models import ImportJob
from sustain.imports.services import job_commit, job_upload, job_validate
from sustain.imports.tests.conftest import csv_bytes
from sustain.people.models import PersonSupported

HEAD = ["reference", "initials", "location", "admission_date", "discharge_date"]

cell = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "RH-1", "rh-1", "JS", "j5", "2025-01-02", "31/12/2024", "2999-01-01",
                     "=cmd|' /C calc'!A0", "+1", "-1", "@x", "\t", "\r\n", '"', ",", "\x00"]),
)
good_row = st.builds(lambda n, i: [f"GEN-{n}", i, "", "2025-01-02", ""],
                     st.integers(0, 10_000), st.sampled_from(["JS", "AB", "XYZ"]))
row = st.one_of(good_row, st.lists(cell, min_size=0, max_size=7))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(row, min_size=1, max_size=8), skip_dry_run=st.booleans())
def test_generated_rows_all_or_nothing(manager, org, location, rows, skip_dry_run):
    data = csv_bytes([HEAD, *rows]).replace(b"\x00", b"")  # NUL bytes: refused as binary
    before = set(PersonSupported.objects.values_list("reference", flat=True))
    job = job_upload(actor=manager, organisation=org, location=location, kind="people",
                     fileobj=io.BytesIO(data), name="gen.csv", size=len(data))
    job = job_validate(actor=manager, job=job)
    assert job.status in ("validated", "failed")
    assert set(PersonSupported.objects.values_list("reference", flat=True)) == before
    for problem in job.report["problems"]:
        assert problem["message"] and isinstance(problem["row"], int)
    if skip_dry_run and job.status == "failed":
        ImportJob.objects.filter(pk=job.pk).update(status="validated")
        job.refresh_from_db()
    if job.status != "validated":
        return
    job = job_commit(actor=manager, job=job)
    after = set(PersonSupported.objects.values_list("reference", flat=True))
    if job.status == "committed":
        assert len(after - before) == job.counts["created"]
        assert job.counts["created"] + job.counts["skipped"] + job.counts["invalid_rows"] == \
            job.counts["rows"] and job.counts["invalid_rows"] == 0
    else:
        assert job.status == "failed" and after == before
        assert job.report["problems"] or job.report["file"]
