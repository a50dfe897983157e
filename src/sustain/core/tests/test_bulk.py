"""`core.bulk`: many tracked creates and updates in a few queries, recording what the
one-by-one `tracked_create` / `tracked_update` record; stale rows come back as conflicts; bad
values name the field and write nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sustain.core.bulk import RowUpdate, tracked_create_many, tracked_update_many
from sustain.core.errors import InvalidInput
from sustain.core.history import verify_organisation
from sustain.core.models import HistoryEntry
from sustain.core.services import tracked_create, tracked_update
from sustain.people.models import StaffMember
from sustain.people.tests.factories import StaffFactory
from sustain.tenancy.models import Location

pytestmark = pytest.mark.django_db

# What an entry says about the change (its own UUID, time and chain links aside).
CONTENT = ("seq", "actor_id", "actor_repr", "action", "object_type", "object_uuid",
           "object_repr", "location_id", "before", "after", "message")


def _new_location(org: Any, n: int, region: Any = None, **fields: Any) -> Location:
    values = {"cqc_location_id": f"1-40000000{n}", "name": f"Home {n}",
              "service_type": "care_home", "capacity": 20 + n, "uuid": uuid.UUID(int=n)}
    return Location(organisation=org, region=region, **{**values, **fields})


def _entries(since: int) -> list[tuple[Any, ...]]:
    rows = HistoryEntry.objects.filter(pk__gt=since).order_by("organisation_id", "seq")
    return [tuple(getattr(e, f) for f in CONTENT) for e in rows]


def _last_entry() -> int:
    last = HistoryEntry.objects.order_by("-pk").first()
    return last.pk if last else 0


def test_create_many_records_what_tracked_create_records(org: Any, region: Any) -> None:
    start = _last_entry()
    with transaction.atomic():
        for n in range(1, 4):
            tracked_create(actor="import", obj=_new_location(org, n, region))
        one_by_one = _entries(start)
        transaction.set_rollback(True)
    assert not Location.objects.filter(organisation=org).exists()
    changes = tracked_create_many(actor="import", run_clean=True,
                                  objs=[_new_location(org, n, region) for n in range(1, 4)])
    # A location's history is scoped to the location itself, by its key: the rolled-back
    # rows' keys are not reused on PostgreSQL, so that one column is compared on its own.
    scope = CONTENT.index("location_id")
    assert [e[:scope] + e[scope + 1:] for e in _entries(start)] == \
        [e[:scope] + e[scope + 1:] for e in one_by_one]
    pks = list(Location.objects.filter(organisation=org).order_by("pk").values_list(
        "pk", flat=True))
    assert [c.obj.pk for c in changes] == [e[scope] for e in _entries(start)] == pks
    assert verify_organisation(org.pk) is None


def test_update_many_records_what_tracked_update_records(org: Any, region: Any) -> None:
    tracked_create_many(actor="import", objs=[_new_location(org, n, region) for n in (1, 2)])
    rows = list(Location.objects.filter(organisation=org).order_by("pk"))
    start = _last_entry()
    plan = [(rows[0], {"capacity": 50, "town": "Leeds"}, "Reviewed"),
            (rows[1], {"capacity": rows[1].capacity}, "")]  # only the version changes
    with transaction.atomic():
        for row, changes, message in plan:
            tracked_update(actor="rules", obj=row, changes=changes, expected_version=1,
                           message=message)
        one_by_one = _entries(start)
        transaction.set_rollback(True)
    result = tracked_update_many(actor="rules", run_clean=True, updates=[
        RowUpdate(obj=row, changes=changes, message=message) for row, changes, message in plan])
    assert _entries(start) == one_by_one
    assert len(one_by_one) == 2 and not result.conflicts
    saved = {loc.pk: loc for loc in Location.objects.filter(organisation=org)}
    assert (saved[rows[0].pk].capacity, saved[rows[0].pk].town) == (50, "Leeds")
    assert [saved[r.pk].version for r in rows] == [2, 2]  # tracked_update bumps it too
    assert saved[rows[0].pk].updated_at > rows[0].updated_at
    assert verify_organisation(org.pk) is None


def test_stale_rows_come_back_as_conflicts(org: Any) -> None:
    tracked_create_many(actor="import", objs=[_new_location(org, n) for n in (1, 2, 3)])
    rows = list(Location.objects.filter(organisation=org).order_by("pk"))
    edited = tracked_update(actor="someone", obj=rows[1], changes={"name": "Renamed"},
                            expected_version=1)
    start = _last_entry()
    result = tracked_update_many(actor="rules", updates=[
        RowUpdate(obj=row, changes={"capacity": 99}, message="Reviewed") for row in rows])
    assert [r.pk for r in result.updated] == [rows[0].pk, rows[2].pk]
    assert [(r.pk, r.version, r.name) for r in result.conflicts] == \
        [(edited.pk, 2, "Renamed")]
    untouched = Location.objects.get(pk=edited.pk)
    assert (untouched.capacity, untouched.version) == (edited.capacity, 2)
    assert [e[CONTENT.index("object_uuid")] for e in _entries(start)] == \
        [rows[0].uuid, rows[2].uuid]
    assert verify_organisation(org.pk) is None


def test_bad_values_name_the_field_and_write_nothing(org: Any) -> None:
    tracked_create_many(actor="import", objs=[_new_location(org, 1), _new_location(org, 2)])
    rows = list(Location.objects.filter(organisation=org).order_by("pk"))
    start, versions = _last_entry(), [r.version for r in rows]
    with pytest.raises(InvalidInput) as caught:
        tracked_update_many(actor="rules", updates=[
            RowUpdate(obj=rows[0], changes={"capacity": 30}),
            RowUpdate(obj=rows[1], changes={"capacity": 0})])
    assert "capacity" in caught.value.errors
    with pytest.raises(InvalidInput) as caught:
        tracked_create_many(actor="import", objs=[
            _new_location(org, 3), _new_location(org, 4, service_type="castle")])
    assert "service_type" in caught.value.errors
    same_time = dt.time(8, 0)
    with pytest.raises(InvalidInput) as caught:  # the model's clean(), when asked for
        tracked_update_many(actor="rules", run_clean=True, updates=[
            RowUpdate(obj=rows[0], changes={"night_shift_start": same_time})])
    assert "night_shift_start" in caught.value.errors
    with pytest.raises(InvalidInput):  # the database's unique constraint
        tracked_create_many(actor="import", objs=[_new_location(org, 5),
                                                  _new_location(org, 6, cqc_location_id=(
                                                      rows[0].cqc_location_id))])
    assert _last_entry() == start
    assert Location.objects.filter(organisation=org).count() == 2
    assert [r.version for r in Location.objects.filter(organisation=org).order_by("pk")] == \
        versions


def test_queries_do_not_grow_with_rows(org: Any, location: Any, sibling_location: Any) -> None:
    """Foreign keys and many-to-many values for the snapshots are loaded for all rows at
    once; so the number of queries is the same for 2 rows as for 12."""
    for n in range(12):
        StaffFactory(organisation=org, full_name=f"Staff {n}", start_date=dt.date(2024, 1, 1),
                     locations=[location, sibling_location][: 1 + n % 2])
    staff = list(StaffMember.objects.filter(organisation=org).order_by("pk"))
    tracked_create_many(actor="import", objs=[_new_location(org, 1)])  # the chain's head exists
    counts = []
    for rows in (staff[:2], staff[2:]):
        with CaptureQueriesContext(connection) as queries:
            tracked_update_many(actor="rules", run_clean=True, updates=[
                RowUpdate(obj=s, changes={"job_role": "Senior carer"}) for s in rows])
        counts.append(len(queries))
    assert counts[0] == counts[1]
    entry = HistoryEntry.objects.get(object_uuid=staff[1].uuid)
    assert entry.after["locations"] == sorted([str(location.uuid), str(sibling_location.uuid)])
    assert entry.before["job_role"] != "Senior carer" and entry.after["job_role"] == "Senior carer"
    counts = []
    for n, size in ((10, 2), (20, 10)):
        with CaptureQueriesContext(connection) as queries:
            tracked_create_many(actor="import", objs=[
                _new_location(org, n + k, region=None) for k in range(size)])
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert verify_organisation(org.pk) is None
