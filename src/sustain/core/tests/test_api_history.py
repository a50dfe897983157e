"""`/api/v1/history/`: scoped, filterable, newest first, read-only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.core.models import HistoryEntry
from sustain.people import services as people_services

pytestmark = pytest.mark.django_db

URL = "/api/v1/history/"


@pytest.fixture
def records(org: Any, other_org: Any, location: Any, sibling_location: Any,
            foreign_location: Any, make_user: Any) -> dict[str, Any]:
    """People at two locations of `org` and one elsewhere, a staff record, some edits."""
    actor = make_user(org, "administrator", scope="organisation")
    here = people_services.person_create(actor=actor, organisation=org, location=location,
                                         reference="P-1", initials="AB",
                                         admission_date=dt.date(2024, 1, 1))
    people_services.person_update(actor=actor, person=here, changes={"initials": "AC"},
                                  expected_version=1)
    there = people_services.person_create(actor=actor, organisation=org,
                                          location=sibling_location, reference="P-2",
                                          initials="CD", admission_date=dt.date(2024, 1, 1))
    staff = people_services.staff_create(actor=actor, organisation=org, locations=[location],
                                         full_name="Sam Carer", job_role="Carer",
                                         start_date=dt.date(2023, 1, 1))
    foreign = people_services.person_create(actor="system", organisation=other_org,
                                            location=foreign_location, reference="P-9",
                                            initials="ZZ", admission_date=dt.date(2024, 1, 1))
    return {"actor": actor, "here": here, "there": there, "staff": staff, "foreign": foreign}


def _ids(resp: Any) -> list[str]:
    assert resp.status_code == 200, resp.json()
    return [row["object_id"] for row in resp.json()["results"]]


def test_registered_manager_sees_only_their_locations_history(
        records: dict[str, Any], make_user: Any, token_client: Any, org: Any,
        location: Any) -> None:
    manager = make_user(org, "registered_manager", location=location)
    ids = _ids(token_client(manager).get(URL))
    here = str(records["here"].uuid)
    assert ids == [here, here]  # created and updated; nothing from elsewhere
    # Staff records span locations: their history needs organisation-wide history.view.
    assert str(records["staff"].uuid) not in ids


def test_organisation_scope_sees_everything_in_the_organisation_newest_first(
        records: dict[str, Any], token_client: Any) -> None:
    body = token_client(records["actor"]).get(URL).json()
    seqs = [row["seq"] for row in body["results"]]
    assert seqs == sorted(seqs, reverse=True)
    ids = {row["object_id"] for row in body["results"]}
    assert str(records["staff"].uuid) in ids
    assert str(records["foreign"].uuid) not in ids


def test_entry_shows_who_what_and_the_hashes(records: dict[str, Any],
                                             token_client: Any, location: Any) -> None:
    client = token_client(records["actor"])
    body = client.get(URL, {"object_id": str(records["here"].uuid),
                            "action": "update"}).json()
    [row] = body["results"]
    assert row["actor"] == str(records["actor"].uuid)
    assert row["actor_name"] == records["actor"].username
    assert row["object_type"] == "people.personsupported"
    assert row["location"] == str(location.uuid)
    assert row["changed_fields"] == [{"field": "initials", "before": "AB", "after": "AC"},
                                     {"field": "version", "before": 1, "after": 2}]
    assert row["before"]["initials"] == "AB" and row["after"]["initials"] == "AC"
    assert len(row["hash"]) == 64 and len(row["prev_hash"]) == 64
    assert row["request_id"]
    detail = client.get(f"{URL}{row['id']}/")
    assert detail.status_code == 200
    assert detail.json() == row


@pytest.mark.parametrize("param", ["object_type", "location", "actor", "from", "to"])
def test_filters(param: str, records: dict[str, Any], token_client: Any, location: Any,
                 sibling_location: Any) -> None:
    client = token_client(records["actor"])
    today = timezone.localdate()
    value, expected = {
        "object_type": ("people.staffmember", {str(records["staff"].uuid)}),
        "location": (str(sibling_location.uuid), {str(records["there"].uuid)}),
        "actor": (str(records["actor"].uuid), {str(records[k].uuid)
                                               for k in ("here", "there", "staff")}),
        "from": ((today + dt.timedelta(days=1)).isoformat(), set()),
        "to": ((today - dt.timedelta(days=1)).isoformat(), set()),
    }[param]
    assert set(_ids(client.get(URL, {param: value}))) == expected
    if param in ("from", "to"):
        assert len(_ids(client.get(URL, {param: today.isoformat()}))) == 4


def test_bad_filter_value_names_the_parameter(records: dict[str, Any],
                                              token_client: Any) -> None:
    resp = token_client(records["actor"]).get(URL, {"from": "yesterday"})
    assert resp.status_code == 400
    assert "from" in resp.json()["errors"]


def test_other_organisations_entries_are_not_found(records: dict[str, Any],
                                                   token_client: Any) -> None:
    entry = HistoryEntry.objects.get(object_uuid=records["foreign"].uuid)
    assert token_client(records["actor"]).get(f"{URL}{entry.uuid}/").status_code == 404


def test_roles_without_history_view_are_refused(records: dict[str, Any], make_user: Any,
                                                token_client: Any, org: Any,
                                                location: Any) -> None:
    carer = make_user(org, "care_staff", location=location)
    assert token_client(carer).get(URL).status_code == 403


def test_history_cannot_be_written(records: dict[str, Any], token_client: Any) -> None:
    client = token_client(records["actor"])
    entry = HistoryEntry.objects.filter(organisation=records["actor"].organisation).first()
    assert client.post(URL, {}, format="json").status_code == 405
    assert client.patch(f"{URL}{entry.uuid}/", {"message": "x"},
                        format="json").status_code == 405
    assert client.delete(f"{URL}{entry.uuid}/").status_code == 405


def test_history_list_query_count_does_not_grow_with_entries(
        records: dict[str, Any], token_client: Any, org: Any, location: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = token_client(records["actor"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(15):
        people_services.person_create(actor=records["actor"], organisation=org,
                                      location=location, reference=f"Q-{i}", initials="QQ",
                                      admission_date=dt.date(2024, 1, 1))
    assert count() == few
