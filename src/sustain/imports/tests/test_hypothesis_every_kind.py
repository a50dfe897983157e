"""Generated files for every registered kind (CSV and XLSX): rows built from the template's
example row, with cells replaced by bad values chosen for the column's type (bad and future
dates, dates before the one they follow, unknown person and staff references, bad choices,
over-long text, blank required cells, formula cells, repeated keys) or by arbitrary text.

Validation never crashes; every cell known to be bad is reported on its row and column; a
clean row is not reported; committing a file with any problem (even one forced past the
check) writes nothing — no record and no history entry — and a clean file writes exactly
its rows."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sustain.engine.access import Role
from sustain.engine.import_rows import (
    BOOL,
    CHOICE,
    DATE,
    DATETIME,
    INT,
    PERSON,
    STAFF,
    TEXT,
    Column,
)
from sustain.imports.models import ImportJob
from sustain.imports.registry import ImportKind, get_kind, kinds
from sustain.imports.services import job_commit, job_upload, job_validate
from sustain.imports.tests import world
from sustain.tenancy.tests.factories import LocationFactory

BAD = "bad"          # must be reported on its row and column
ALONE = "alone"      # must be reported when it is the row's only change (a service rule)
MAYBE = "maybe"      # may or may not be a problem: no expectation
FORMULA = "=cmd|' /C calc'!A0"
# Text columns that name another record: a value that names nothing is a problem.
UNKNOWN_REFS = {("attestations", "briefing"): "BRF-404", ("briefings", "theme"): "No such theme",
                ("care-plan-actions", "review_ref"): "CPR-404", ("people", "location"): "1-404"}
ARBITRARY = ("<arbitrary text>", MAYBE)
SERIAL = itertools.count()
text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)


def _typed(kind: ImportKind, column: Column) -> list[tuple[str, str]]:
    """(value, verdict) for the column's type."""
    follows = "not before" in column.help or "after the" in column.help
    future = "not in the future" in column.help
    if column.type == DATE:
        return [("2026-02-30", BAD), ("31/31/2026", BAD), ("next Tuesday", BAD),
                ("2999-01-01", ALONE if future else MAYBE),
                ("2000-01-01", ALONE if follows else MAYBE), ("14/11/2026", MAYBE)]
    if column.type == DATETIME:
        return [("2026-11-20 25:61", BAD), ("soon", BAD),
                ("2999-01-01 10:00", ALONE if future else MAYBE),
                ("2000-01-01 00:00", ALONE if follows else MAYBE)]
    if column.type == INT:
        return [("four", BAD), ("2.5", BAD), ("-3", MAYBE), ("99999", MAYBE)]
    if column.type == CHOICE:
        return [("not-a-choice", BAD), (column.choices[-1].upper(), MAYBE)]
    if column.type == BOOL:
        return [("perhaps", BAD), ("Y", MAYBE)]
    if column.type == PERSON:
        return [("ZZ-404", BAD), ("rh-0042", MAYBE)]
    if column.type == STAFF:
        return [("S-404", BAD), ("s-0107", MAYBE)]
    ref = UNKNOWN_REFS.get((kind.name, column.name))
    return [(ref, BAD)] if ref else []


def mutations(kind: ImportKind, column: Column) -> list[tuple[str, str]]:
    blank = BAD if column.required else MAYBE
    found = [("", blank), ("   ", blank), (FORMULA, MAYBE if column.type == TEXT else BAD),
             *_typed(kind, column)]
    if column.max_length:
        found.append(("x" * (column.max_length + 1), BAD))
    return found


@dataclass
class Plan:
    """A generated file and what the check must find in it."""

    rows: list[list[str]] = field(default_factory=list)
    expect: set[tuple[int, str]] = field(default_factory=set)
    clean: list[int] = field(default_factory=list)  # unchanged rows after only bad rows


def draw_plan(data: Any, kind: ImportKind, place: world.Place) -> Plan:
    header = [c.name for c in kind.columns]
    others = [c for c in kind.columns if c.name != kind.key_column]
    key = kind.column(kind.key_column)
    assert key is not None
    plan = Plan()
    fresh_keys: list[str] = []
    only_bad_before = True  # no earlier row could be written (so none can clash with this)
    for index in range(data.draw(st.integers(1, 6), label="rows")):
        number = index + 2  # the header is row 1
        row = world.example_row(kind, place)
        base_key = row[kind.key_column]
        changed: list[tuple[str, str]] = []
        how = data.draw(st.sampled_from(["fresh", "fresh", "fresh", "repeat", "blank"]))
        if how == "repeat" and fresh_keys:
            row[kind.key_column] = data.draw(st.sampled_from(fresh_keys))
            changed.append((kind.key_column, BAD))
        elif how == "blank":
            row[kind.key_column] = ""
            changed.append((kind.key_column, BAD if key.required else MAYBE))
        else:
            row[kind.key_column] = f"{base_key}-H{next(SERIAL)}"
            fresh_keys.append(row[kind.key_column])
        most = min(3, len(others) - 1)
        least = data.draw(st.sampled_from([0, 1, 1, 1]), label="changed")  # 1 in 4 unchanged
        targets = data.draw(st.lists(st.sampled_from(others), unique_by=lambda c: c.name,
                                     min_size=least, max_size=most), label="columns")
        for column in targets:
            choices = [*mutations(kind, column), ARBITRARY]
            value, verdict = data.draw(st.sampled_from(choices), label=column.name)
            if (value, verdict) == ARBITRARY:
                value = data.draw(text, label=f"{column.name} text")
            row[column.name] = value
            changed.append((column.name, verdict))
        expected = {(number, name) for name, verdict in changed
                    if verdict == BAD or (verdict == ALONE and len(changed) == 1)}
        plan.expect |= expected
        bad = bool(expected)
        if not changed and only_bad_before:
            plan.clean.append(number)
        only_bad_before = only_bad_before and bad
        plan.rows.append([row[h] for h in header])
    return plan


@pytest.fixture
def home(org: Any, region: Any) -> Any:
    return LocationFactory(organisation=org, region=region, name="Oak House",
                           cqc_location_id="1-000000001")


@pytest.fixture
def manager(make_user: Any, org: Any, home: Any) -> Any:
    return make_user(org, Role.REGISTERED_MANAGER, location=home)


@pytest.mark.parametrize("name", sorted(kinds()))
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), ext=st.sampled_from(["csv", "xlsx"]), force=st.booleans())
def test_generated_rows_reported_and_all_or_nothing(org, home, manager, name, data, ext,
                                                    force):
    kind = get_kind(name)
    with transaction.atomic():  # each example starts from the same world
        place = world.build_world(org, [home], omit=kind.model)[0]
        plan = draw_plan(data, kind, place)
        _check(org, home, manager, kind, plan, ext, force)
        transaction.set_rollback(True)


def _check(org: Any, home: Any, manager: Any, kind: ImportKind, plan: Plan, ext: str,
           force: bool) -> None:
    header = [c.name for c in kind.columns]
    make = world.xlsx_file if ext == "xlsx" else world.csv_file
    body = make(header, plan.rows)
    model = kind.model_class
    count, history = model._default_manager.count(), world.history_outside_jobs()
    job = job_upload(actor=manager, organisation=org, location=home, kind=kind.name,
                     fileobj=io.BytesIO(body), name=f"gen.{ext}", size=len(body))
    job = job_validate(actor=manager, job=job)
    assert job.status in ("validated", "failed")
    assert not job.report["file"], job.report
    found = {(p["row"], p["column"]) for p in job.report["problems"]}
    numbers = range(2, len(plan.rows) + 2)
    for problem in job.report["problems"]:
        assert problem["message"] and problem["row"] in numbers, problem
        assert problem["column"] in header or problem["column"] == "", problem
    assert plan.expect <= found, (plan.rows, job.report)
    assert not {row for row, _ in found} & set(plan.clean), (plan.rows, job.report)
    assert (job.status == "validated") == (not found)
    assert model._default_manager.count() == count
    assert world.history_outside_jobs() == history
    if job.status == "failed" and force:  # a commit that skips the check still refuses
        ImportJob.objects.filter(pk=job.pk).update(status="validated")
        job.refresh_from_db()
    if job.status != "validated":
        return
    job = job_commit(actor=manager, job=job)
    if found:
        assert job.status == "failed", job.report
        assert model._default_manager.count() == count and job.counts["created"] == 0
        assert world.history_outside_jobs() == history
        return
    assert job.status == "committed", job.report
    created = job.counts["created"]
    assert created == len(plan.rows) - job.counts["skipped"]
    assert model._default_manager.count() == count + created
    if not kind.bulk:
        assert world.history_outside_jobs() == history + created
