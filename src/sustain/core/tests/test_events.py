"""`core.events`: every tracked write tells the subscribers of its model what was written,
inside the write's transaction (a refusing handler rolls the write back)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from sustain.core import events
from sustain.core.bulk import RowUpdate, tracked_create_many, tracked_update_many
from sustain.core.errors import InvalidInput
from sustain.core.services import tracked_archive, tracked_create, tracked_update
from sustain.tenancy.models import Location

pytestmark = pytest.mark.django_db

LABEL = "tenancy.location"


@pytest.fixture
def seen() -> Iterator[list[events.WriteEvent]]:
    got: list[events.WriteEvent] = []
    events.subscribe(LABEL, got.append)
    yield got
    events.unsubscribe(LABEL, got.append)


def _location(org: Any, n: int) -> Location:
    return Location(organisation=org, cqc_location_id=f"1-50000000{n}", name=f"Home {n}",
                    service_type="care_home", capacity=20, uuid=uuid.UUID(int=1000 + n))


def test_each_tracked_write_emits_one_event(org: Any, seen: list[events.WriteEvent]) -> None:
    home = tracked_create(actor="test", obj=_location(org, 1))
    home = tracked_update(actor="test", obj=home, changes={"capacity": 30},
                          expected_version=None)
    home = tracked_archive(actor="test", obj=home, reason="closed")
    tracked_archive(actor="test", obj=home, restore=True)
    assert [(e.action, e.label, [o.pk for o in e.objs]) for e in seen] == [
        ("create", LABEL, [home.pk]), ("update", LABEL, [home.pk]),
        ("archive", LABEL, [home.pk]), ("restore", LABEL, [home.pk])]
    assert seen[1].fields == {"capacity"}
    assert seen[1].objs[0].capacity == 30


def test_bulk_writes_emit_one_event_each(org: Any, seen: list[events.WriteEvent]) -> None:
    homes = [_location(org, n) for n in (1, 2, 3)]
    tracked_create_many(actor="test", objs=homes)
    tracked_update_many(actor="test", updates=[RowUpdate(obj=h, changes={"capacity": 9})
                                               for h in homes])
    assert [(e.action, len(e.objs)) for e in seen] == [("create", 3), ("update", 3)]
    assert seen[1].fields == {"capacity"}


def test_a_refusing_handler_rolls_the_write_back(org: Any) -> None:
    def refuse(event: events.WriteEvent) -> None:
        raise InvalidInput("refused", {"capacity": ["no"]})

    events.subscribe(LABEL, refuse)
    try:
        with pytest.raises(InvalidInput):
            tracked_create(actor="test", obj=_location(org, 4))
    finally:
        events.unsubscribe(LABEL, refuse)
    assert not Location.objects.filter(name="Home 4").exists()


def test_muted_writes_and_other_models_emit_nothing(org: Any,
                                                    seen: list[events.WriteEvent]) -> None:
    with events.muted():
        tracked_create(actor="test", obj=_location(org, 5))
    tracked_update(actor="test", obj=org, changes={"name": "Renamed"}, expected_version=None)
    assert seen == []
