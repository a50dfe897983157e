"""`record_changes_bulk`: many entries under one head lock, hashed exactly as `record_change`
hashes them one by one, so the chain verifies (and tampering is caught) as before."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sustain.core.history import (
    PendingChange,
    entry_payload,
    record_change,
    record_changes_bulk,
    snapshot,
    verify_organisation,
)
from sustain.core.models import HistoryEntry, HistoryHead
from sustain.tenancy import services as tenancy_services
from sustain.tenancy.tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

# Fields of an entry that name what happened (not where in the chain or when).
CONTENT = ("organisation_id", "seq", "actor_id", "actor_repr", "request_id", "action",
           "object_type", "object_uuid", "object_repr", "location_id", "before", "after",
           "message")


def _changes(locations: list[Any], actor: Any = "rules") -> list[PendingChange]:
    """An update entry per location (capacity + 1), as a system writer would record it."""
    changes = []
    for loc in locations:
        before = snapshot(loc)
        changes.append(PendingChange(actor=actor, obj=loc, action="update", before=before,
                                     after={**before, "capacity": loc.capacity + 1},
                                     message=f"Capacity of {loc.name} reviewed"))
    return changes


def _location(org: Any, n: int) -> Any:
    return tenancy_services.location_create(
        actor="test", organisation=org, cqc_location_id=f"1-30000000{n}", name=f"Home {n}",
        service_type="care_home", capacity=20 + n)


def test_bulk_between_single_writes_keeps_the_chain(org: Any, other_org: Any) -> None:
    first, second = _location(org, 1), _location(org, 2)  # two single entries
    elsewhere = LocationFactory(organisation=other_org)
    record_change(organisation=other_org, actor="test", obj=elsewhere, action="update",
                  before=None, after=None, message="unrelated chain")
    written = record_changes_bulk(organisation_id=org.pk, changes=_changes([first, second] * 3))
    tenancy_services.location_update(actor="test", location=first, changes={"capacity": 40},
                                      expected_version=1)  # a single write after the bulk one
    entries = list(HistoryEntry.objects.filter(organisation=org).order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, 10))
    assert [e.uuid for e in entries[2:8]] == [e.uuid for e in written]
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.hash
    head = HistoryHead.objects.get(organisation=org)
    assert (head.seq, head.hash) == (9, entries[-1].hash)
    assert verify_organisation(org.pk) is None
    assert verify_organisation(other_org.pk) is None
    out = StringIO()
    call_command("verify_history", stdout=out)
    assert f"OK {org.slug}: 9 entries" in out.getvalue()


def test_bulk_entries_read_back_as_hashed(org: Any) -> None:
    """What was hashed in memory is what the database returns (dates, UUIDs, JSON)."""
    loc = _location(org, 1)
    written = record_changes_bulk(organisation_id=org.pk, changes=_changes([loc]))
    stored = HistoryEntry.objects.get(uuid=written[0].uuid)
    assert entry_payload(stored) == entry_payload(written[0])
    assert stored.hash == written[0].hash


def test_tamper_after_a_bulk_write_is_named(org: Any) -> None:
    locations = [_location(org, n) for n in range(1, 4)]
    written = record_changes_bulk(organisation_id=org.pk, changes=_changes(locations))
    target = written[1]
    tampered = json.dumps({**target.after, "capacity": 999})
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE core_historyentry SET after = %s{cast} WHERE id = %s",  # noqa: S608
                       [tampered, target.pk])
    found = verify_organisation(org.pk)
    assert found is not None
    assert (found.entry_id, found.seq) == (str(target.uuid), target.seq)
    assert "altered" in found.reason
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_history", stdout=StringIO(), stderr=err)
    assert str(target.uuid) in err.getvalue()


def test_same_entries_as_one_by_one(org: Any, make_user: Any, monkeypatch: Any) -> None:
    """The bulk path writes the entries `record_change` writes, field for field (only the
    entries' own UUIDs differ, and so the hashes that cover them)."""
    person = make_user(org, "registered_manager", scope="organisation")
    locations = [_location(org, n) for n in range(1, 4)]
    changes = _changes(locations[:2]) + _changes(locations[2:], actor=person)
    frozen = dt.datetime(2026, 6, 15, 2, 15, 0, 123456, tzinfo=dt.UTC)  # as now() gives
    monkeypatch.setattr("sustain.core.history.timezone.now", lambda: frozen)
    with transaction.atomic():
        single = [record_change(organisation=org, actor=c.actor, obj=c.obj, action=c.action,
                                before=c.before, after=c.after, message=c.message)
                  for c in changes]
        single_rows = [(e.at, *(getattr(e, f) for f in CONTENT)) for e in single]
        transaction.set_rollback(True)
    assert not HistoryEntry.objects.filter(uuid__in=[e.uuid for e in single]).exists()
    bulk = record_changes_bulk(organisation_id=org.pk, changes=changes)
    stored = list(HistoryEntry.objects.filter(uuid__in=[e.uuid for e in bulk]).order_by("seq"))
    assert [(e.at, *(getattr(e, f) for f in CONTENT)) for e in stored] == single_rows
    assert stored[2].actor_id == person.pk and stored[0].actor_repr == "rules"
    assert stored[0].prev_hash == single[0].prev_hash  # both follow the same head
    assert verify_organisation(org.pk) is None


def test_one_head_lock_and_constant_queries(org: Any) -> None:
    locations = [_location(org, n) for n in range(1, 7)]
    counts = []
    for size in (1, 6):
        with CaptureQueriesContext(connection) as queries:
            record_changes_bulk(organisation_id=org.pk, changes=_changes(locations[:size]))
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert verify_organisation(org.pk) is None


def test_a_change_of_another_organisation_is_refused(org: Any, other_org: Any) -> None:
    mine, theirs = _location(org, 1), LocationFactory(organisation=other_org)
    before = HistoryEntry.objects.count()
    with pytest.raises(ValueError, match="another organisation"):
        record_changes_bulk(organisation_id=org.pk, changes=_changes([mine, theirs]))
    assert HistoryEntry.objects.count() == before
    assert record_changes_bulk(organisation_id=org.pk, changes=[]) == []
