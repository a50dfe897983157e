"""The PostgreSQL path for bulk CSV imports (`imports/fastpath.py`) against the row-by-row
path (`imports/services._Run`), which is the reference.

Differential: the same generated files (good and bad rows mixed) are validated and committed
through each path in turn, each inside a savepoint that is rolled back, and the reports,
counts and written rows must be identical. On PostgreSQL the tests also assert that the SQL
path really ran (it may hand over to the row path, which would make the comparison empty);
on SQLite the SQL path must decline, so both runs are the row path.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sustain.core.errors import PermissionDenied
from sustain.core.history import verify_organisation
from sustain.core.models import HistoryEntry
from sustain.engine.access import Role
from sustain.imports import fastpath
from sustain.imports.models import ImportJob
from sustain.imports.services import PROBLEM_LIMIT, job_commit, job_upload, job_validate
from sustain.medicines.models import MedicinesCheck
from sustain.people.tests.factories import StaffFactory

HEAD = ["external_ref", "check_date", "shift", "checked_by", "charts_checked", "notes"]
FIELDS = ("external_ref", "check_date", "shift", "checked_by__staff_reference",
          "charts_checked", "notes", "location_id", "organisation_id", "version",
          "archived_at")
ON_PG = connection.vendor == "postgresql"


class _Undo(Exception):  # noqa: N818
    pass


@pytest.fixture
def world(org: Any, location: Any, sibling_location: Any, manager: Any) -> dict[str, Any]:
    """Staff at the location (one archived), one elsewhere, and two checks already imported."""
    from sustain.people.models import StaffMember

    here = StaffFactory(organisation=org, staff_reference="S-001", locations=[location])
    StaffFactory(organisation=org, staff_reference="s-Two", locations=[location])
    StaffFactory(organisation=org, staff_reference="S-ELSE", locations=[sibling_location])
    gone = StaffFactory(organisation=org, staff_reference="S-OLD", locations=[location])
    StaffMember.objects.filter(pk=gone.pk).update(archived_at=timezone.now())
    for ref in ("PRE-1", "PRE-2"):
        MedicinesCheck.objects.create(organisation=org, location=location, checked_by=here,
                                      check_date=dt.date(2026, 1, 1), shift="day",
                                      charts_checked=3, external_ref=ref)
    return {"org": org, "location": location, "manager": manager}


def _encode(rows: list[list[str]], *, bom: bool = False, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = out.getvalue().encode(encoding, errors="replace")
    return (codecs.BOM_UTF8 + data) if bom else data


def _through(world: dict[str, Any], data: bytes, *, sql: bool, force_commit: bool,
             django_settings: Any, calls: list[Any]) -> dict[str, Any]:
    """Validate then commit `data` through one path; everything rolled back afterwards."""
    django_settings.SUSTAIN_IMPORT_SQL_PATH = sql
    before = len(calls)
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            job = job_upload(actor=world["manager"], organisation=world["org"],
                             location=world["location"], kind="medicines-checks",
                             fileobj=io.BytesIO(data), name="gen.csv", size=len(data))
            job = job_validate(actor=world["manager"], job=job)
            result["validate"] = (job.status, job.counts, job.report)
            if job.status == "failed" and force_commit:
                ImportJob.objects.filter(pk=job.pk).update(status="validated")
                job.refresh_from_db()
            if job.status == "validated":
                job = job_commit(actor=world["manager"], job=job)
                result["commit"] = (job.status, job.counts, job.report)
            result["rows"] = list(MedicinesCheck.objects.filter(organisation=world["org"])
                                  .order_by("pk").values_list(*FIELDS))
            raise _Undo
    except _Undo:
        pass
    result["sql_runs"] = calls[before:]
    return result


@pytest.fixture
def compare(world: dict[str, Any], settings: Any,
            monkeypatch: pytest.MonkeyPatch) -> Any:
    calls: list[Any] = []
    real = fastpath.run

    def spy(*args: Any, **kwargs: Any) -> Any:
        outcome = real(*args, **kwargs)
        calls.append(outcome is not None)
        return outcome

    monkeypatch.setattr(fastpath, "run", spy)

    def _compare(data: bytes, *, force_commit: bool = False,
                 expect_sql: bool = True) -> dict[str, Any]:
        fast = _through(world, data, sql=True, force_commit=force_commit,
                        django_settings=settings, calls=calls)
        rows = _through(world, data, sql=False, force_commit=force_commit,
                        django_settings=settings, calls=calls)
        assert rows["sql_runs"] == []
        if ON_PG and expect_sql:
            # every validate and commit went through SQL, with no hand-over to the row path
            assert fast["sql_runs"] and all(fast["sql_runs"]), fast["sql_runs"]
        elif not ON_PG:
            assert fast["sql_runs"] == []
        for step in ("validate", "commit"):
            assert fast.get(step) == rows.get(step), (step, fast.get(step), rows.get(step))
        assert fast["rows"] == rows["rows"]
        return fast

    return _compare


TODAY = timezone.localdate()
cell_text = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
                    max_size=12)
COLUMN_CELLS = {
    "external_ref": st.one_of(
        st.sampled_from(["R1", "R2", "R3", " R1 ", "r1", "PRE-1", "PRE-2", "", "=1+1",
                         "x" * 100, "x" * 101, "é" * 101, "R\n4"]), cell_text),
    "check_date": st.one_of(
        st.sampled_from(["2026-11-20", "20/11/2026", "2026-02-29", "2024-02-29", "29/02/2024",
                         "30/02/2025", "31/04/2026", "2999-01-01", "0000-01-01", "0001-01-01",
                         TODAY.isoformat(), (TODAY + dt.timedelta(days=1)).isoformat(),
                         (TODAY + dt.timedelta(days=1)).strftime("%d/%m/%Y"),
                         "2026-W48-5", "2026-W53-1", "2026-1-5", "1/2/2026", " 2026-11-20 ",
                         "2026-11- 5", "２０２６-11-20", "2026-13-01", "00/10/2026", "yesterday",
                         "2026-11-20T10:00", "20261120", ""]), cell_text),
    "shift": st.one_of(st.sampled_from(["day", "night", "DAY", "Night", " night ", "evening",
                                        "ｄay", "", "dAy"]), cell_text),
    "checked_by": st.one_of(st.sampled_from(["S-001", "s-001", "S-TWO", "s-two", "S-ELSE",
                                             "S-OLD", "S-999", "", " S-001 ", "S-ＯＬD"]),
                            cell_text),
    "charts_checked": st.one_of(st.sampled_from(["0", "24", "500", "501", "-1", "+5", "007",
                                                 "1_0", "٣", "１２", "abc", "", "2.0", "1e3",
                                                 "99999999999999999999", " 12 ", "--1"]),
                                cell_text),
    "notes": st.one_of(st.sampled_from(["", "All signed.", "=cmd|' /C calc'!A0", "a\nb",
                                        "x" * 5000, "x" * 5001, '"quoted"']), cell_text),
}


@st.composite
def files(draw: Any) -> tuple[bytes, bool]:
    header = list(HEAD)
    for optional in ("notes", "external_ref"):
        if draw(st.booleans()) and draw(st.booleans()):
            header.remove(optional)
    header = draw(st.permutations(header))
    if draw(st.booleans()):
        header.insert(draw(st.integers(0, len(header))), "extra column")
    cased = [h.upper() if draw(st.booleans()) and h != "extra column" else h for h in header]
    rows: list[list[str]] = [cased]
    for _ in range(draw(st.integers(1, 12))):
        shape = draw(st.sampled_from(["row", "row", "row", "short", "long", "blank"]))
        if shape == "blank":
            rows.append(draw(st.sampled_from([[], ["", " "]])))
            continue
        row = [draw(COLUMN_CELLS[h]) if h in COLUMN_CELLS else draw(cell_text)
               for h in header]
        if shape == "short":
            row = row[:draw(st.integers(0, len(row)))]
        elif shape == "long":
            row += ["spare", "cells"]
        rows.append(row)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "cp1252"]))
    bom = encoding == "utf-8" and draw(st.booleans())  # a BOM says UTF-8
    return _encode(rows, bom=bom, encoding=encoding), draw(st.booleans())


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(generated=files())
def test_generated_files_same_through_both_paths(compare, generated):
    data, force_commit = generated
    compare(data, force_commit=force_commit)


def test_good_file_same_rows_both_paths(compare):
    rows = [HEAD, ["A-1", "2026-11-20", "night", "S-001", "24", "=cmd|' /C calc'!A0"],
            ["A-2", "20/11/2026", "DAY", "s-two", "0", "line\nbreak"],
            ["A-3", "2026-W48-1", "Night", "S-001", "+7", ""],
            ["", "2026-11-21", "day", "S-TWO", "1_0", "no key"],
            ["PRE-1", "2026-11-21", "day", "S-001", "3", "already imported"]]
    fast = compare(_encode(rows, bom=True))
    assert fast["validate"][0] == "validated"
    status, counts, _ = fast["commit"]
    assert status == "committed"
    assert counts["created"] == 4 and counts["skipped"] == 1 and counts["rows"] == 5
    written = [r for r in fast["rows"] if r[0] != "PRE-1" and r[0] != "PRE-2"]
    assert [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in written] == [
        ("A-1", dt.date(2026, 11, 20), "night", "S-001", 24, "=cmd|' /C calc'!A0"),
        ("A-2", dt.date(2026, 11, 20), "day", "s-Two", 0, "line\nbreak"),
        ("A-3", dt.date(2026, 11, 23), "night", "S-001", 7, ""),
        ("", dt.date(2026, 11, 21), "day", "s-Two", 10, "no key")]


def test_every_kind_of_problem_reported_alike(compare):
    future = (TODAY + dt.timedelta(days=1)).isoformat()
    rows = [HEAD, ["B-1", "2026-02-30", "evening", "S-999", "501", "x" * 5001],
            ["B-1", future, "", "S-ELSE", "-1", ""],
            ["B-2", "", "day", "S-OLD", "", ""],
            ["x" * 101, "yesterday", "night", "", "many", ""],
            ["PRE-2", "2026-11-01", "day", "S-001", "2", ""]]
    fast = compare(_encode(rows), force_commit=True)
    status, counts, report = fast["validate"]
    assert status == "failed"
    assert counts == {"rows": 5, "valid": 0, "invalid_rows": 4, "skipped": 1, "created": 0}
    assert {(p["row"], p["column"]) for p in report["problems"]} == {
        (2, "check_date"), (2, "shift"), (2, "checked_by"), (2, "charts_checked"),
        (2, "notes"), (3, "check_date"), (3, "shift"), (3, "checked_by"),
        (3, "charts_checked"), (3, "external_ref"), (4, "check_date"), (4, "checked_by"),
        (4, "charts_checked"), (5, "external_ref"), (5, "check_date"), (5, "checked_by"),
        (5, "charts_checked")}
    assert "Repeats row 2's 'B-1'." in {p["message"] for p in report["problems"]}
    assert fast["commit"][0] == "failed"  # forced past the dry run: still nothing written
    assert {r[0] for r in fast["rows"]} == {"PRE-1", "PRE-2"}


def test_more_problems_than_the_report_keeps(compare):
    rows = [HEAD] + [[f"C-{i}", "2026-11-20", "dusk", "S-001", str(i % 3), ""]
                     for i in range(PROBLEM_LIMIT + 200)]
    rows[-1][4] = "bad"  # a second problem on the last row
    fast = compare(_encode(rows))
    status, counts, report = fast["validate"]
    assert status == "failed" and report["truncated"]
    assert len(report["problems"]) == PROBLEM_LIMIT
    assert report["problem_total"] == PROBLEM_LIMIT + 201
    assert counts["invalid_rows"] == PROBLEM_LIMIT + 200


def test_nul_character_hands_over_to_the_row_path(compare):
    """PostgreSQL text cannot hold NUL: the SQL path steps aside and leaves nothing behind."""
    filler = [[f"D-{i}", "2026-11-20", "day", "S-001", "1", "x" * 60] for i in range(80)]
    rows = [HEAD, *filler, ["D-NUL", "2026-11-20", "day", "S-001", "1", "a\x00b"]]
    data = _encode(rows)
    assert b"\x00" not in data[:4096]  # past the sniffed head, so the upload accepts it
    fast = compare(data, expect_sql=False)
    if ON_PG:
        assert fast["sql_runs"] == [False, False]  # tried, handed over, for both steps
        # the row path cannot store it either: the commit fails whole, naming the rows
        status, counts, report = fast["commit"]
        assert status == "failed" and counts["created"] == 0
        assert "could not be written" in report["file"][0]
        assert {r[0] for r in fast["rows"]} == {"PRE-1", "PRE-2"}
    else:
        assert fast["commit"][0] == "committed" and fast["commit"][1]["created"] == 81


@pytest.mark.parametrize("path", ["sql", "rows"])
def test_failure_while_writing_leaves_nothing(world, settings, path):
    """A database failure in the middle of the write (here a trigger refusing one row)
    rolls the whole import back; the job fails and says which rows."""
    settings.SUSTAIN_IMPORT_SQL_PATH = path == "sql"
    table = MedicinesCheck._meta.db_table
    with connection.cursor() as cursor:
        if ON_PG:
            cursor.execute("CREATE FUNCTION pg_temp.refuse() RETURNS trigger LANGUAGE plpgsql "
                           "AS $$ BEGIN IF NEW.external_ref = 'E-BOOM' THEN RAISE EXCEPTION "
                           "'refused by test'; END IF; RETURN NEW; END $$")
            cursor.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON {table} FOR EACH ROW "
                           "EXECUTE FUNCTION pg_temp.refuse()")
        else:
            cursor.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON {table} WHEN "
                           "NEW.external_ref = 'E-BOOM' BEGIN SELECT RAISE(ABORT, "
                           "'refused by test'); END")
    rows = [HEAD] + [[f"E-{i}", "2026-11-20", "day", "S-001", "1", ""] for i in range(7000)]
    rows.insert(6000, ["E-BOOM", "2026-11-20", "day", "S-001", "1", ""])
    data = _encode(rows)
    job = job_upload(actor=world["manager"], organisation=world["org"],
                     location=world["location"], kind="medicines-checks",
                     fileobj=io.BytesIO(data), name="boom.csv", size=len(data))
    job = job_validate(actor=world["manager"], job=job)
    assert job.status == "validated", job.report
    job = job_commit(actor=world["manager"], job=job)
    assert job.status == "failed"
    assert job.counts["created"] == 0
    assert "refused by test" in " ".join(job.report["file"])
    assert set(MedicinesCheck.objects.values_list("external_ref", flat=True)) == \
        {"PRE-1", "PRE-2"}
    assert verify_organisation(world["org"].pk) is None


def test_reimport_creates_no_duplicates_and_history_names_the_file(world):
    rows = [HEAD] + [[f"F-{i}", "2026-11-20", "night", "S-001", "5", ""] for i in range(30)]
    data = _encode(rows)
    created = []
    for _ in range(2):
        job = job_upload(actor=world["manager"], organisation=world["org"],
                         location=world["location"], kind="medicines-checks",
                         fileobj=io.BytesIO(data), name="again.csv", size=len(data))
        job = job_commit(actor=world["manager"],
                         job=job_validate(actor=world["manager"], job=job))
        assert job.status == "committed"
        created.append((job.counts["created"], job.counts["skipped"]))
    assert created == [(30, 0), (0, 30)]
    assert MedicinesCheck.objects.filter(external_ref__startswith="F-").count() == 30
    uuids = list(MedicinesCheck.objects.filter(external_ref__startswith="F-")
                 .order_by("pk").values_list("uuid", flat=True))
    assert len(set(uuids)) == 30
    # the SQL path writes time-ordered (version 7) UUIDs; the row path random ones
    assert {u.version for u in uuids} == ({7} if ON_PG else {4})
    if ON_PG:
        assert uuids == sorted(uuids, key=lambda u: u.bytes[:6])  # time order = row order
    entries = HistoryEntry.objects.filter(object_type="imports.importjob",
                                          message__startswith="Imported 30 medicines checks")
    assert entries.count() == 1 and job.sha256 in entries.get().message
    assert verify_organisation(world["org"].pk) is None


def test_permission_still_checked(world, make_user, upload):
    rows = [HEAD, ["G-1", "2026-11-20", "day", "S-001", "5", ""]]
    job = upload("medicines-checks", _encode(rows))
    viewer = make_user(world["org"], Role.CARE_STAFF, location=world["location"])
    outsider_org_manager = make_user(world["org"], Role.REGISTERED_MANAGER,
                                     location=None, scope="organisation")
    with pytest.raises(PermissionDenied):
        job_validate(actor=viewer, job=job)
    assert job_validate(actor=outsider_org_manager, job=job).status == "validated"
    job.refresh_from_db()
    with pytest.raises(PermissionDenied):
        job_commit(actor=viewer, job=job)
    assert not MedicinesCheck.objects.filter(external_ref="G-1").exists()


def test_progress_reported(world):
    rows = [HEAD] + [[f"H-{i}", "2026-11-20", "day", "S-001", "5", ""] for i in range(10)]
    data = _encode(rows)
    seen: list[tuple[dict[str, int], float | None]] = []
    job = job_upload(actor=world["manager"], organisation=world["org"],
                     location=world["location"], kind="medicines-checks",
                     fileobj=io.BytesIO(data), name="p.csv", size=len(data))
    job_validate(actor=world["manager"], job=job,
                 progress=lambda counts, fraction: seen.append((dict(counts), fraction)))
    assert seen and seen[-1][1] == 1.0 and seen[-1][0]["rows"] == 10
