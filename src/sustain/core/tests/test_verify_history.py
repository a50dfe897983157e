"""`sustain verify-history` passes on a clean chain and names the first entry tampered with."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sustain.core.models import HistoryEntry
from sustain.people import services as people_services
from sustain.tenancy import services as tenancy_services

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_history", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _run_failing(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("verify_history", *args, stdout=out, stderr=err)
    return err.getvalue(), str(caught.value)


def _raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def chain(org: Any, other_org: Any) -> list[HistoryEntry]:
    """Five entries in `org` (and two in `other_org`), written through the services."""
    loc = tenancy_services.location_create(
        actor="test", organisation=org, cqc_location_id="1-100000001", name="Oak House",
        service_type="care_home", capacity=30)
    person = people_services.person_create(actor="test", organisation=org, location=loc,
                                           reference="P-0001", initials="AB",
                                           admission_date="2024-01-01")
    people_services.person_update(actor="test", person=person, changes={"initials": "AC"},
                                  expected_version=1)
    people_services.person_archive(actor="test", person=person, reason="moved out")
    tenancy_services.location_update(actor="test", location=loc, changes={"capacity": 31},
                                      expected_version=1)
    tenancy_services.location_create(
        actor="test", organisation=other_org, cqc_location_id="1-200000001", name="Elsewhere",
        service_type="home_care", capacity=10)
    entries = list(HistoryEntry.objects.filter(organisation=org).order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    return entries


def test_clean_chain_passes_with_counts(chain: list[HistoryEntry], org: Any) -> None:
    out, err = _run()
    assert f"OK {org.slug}: 5 entries" in out
    assert "OK other: 1 entries" in out
    assert err == ""


def test_single_organisation_option(chain: list[HistoryEntry], org: Any) -> None:
    out, _ = _run("--organisation", org.slug)
    assert f"OK {org.slug}: 5 entries" in out
    assert "OK other" not in out
    assert "1 organisation(s) checked" in out


def test_unknown_organisation_is_an_error(db: Any) -> None:
    with pytest.raises(CommandError, match="nowhere"):
        _run("--organisation", "nowhere")


def test_raw_sql_change_to_after_is_named(chain: list[HistoryEntry], org: Any) -> None:
    target = chain[2]
    tampered = json.dumps({**target.after, "initials": "ZZ"})
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    _raw(f"UPDATE core_historyentry SET after = %s{cast} WHERE id = %s",  # noqa: S608
         [tampered, target.pk])
    err, message = _run_failing()
    assert f"BROKEN {org.slug}" in err
    assert str(target.uuid) in err
    assert "(seq 3)" in err
    assert "altered" in err
    assert "1 of 2" in message
    assert "OK other" not in err


def test_deleted_row_is_named(chain: list[HistoryEntry], org: Any) -> None:
    _raw("DELETE FROM core_historyentry WHERE id = %s", [chain[1].pk])
    err, _ = _run_failing("--organisation", org.slug)
    # The first entry after the gap is the first one that no longer holds.
    assert str(chain[2].uuid) in err
    assert "(seq 3)" in err
    assert "sequence gap" in err


def test_deleted_last_row_is_caught_by_the_head(chain: list[HistoryEntry], org: Any) -> None:
    _raw("DELETE FROM core_historyentry WHERE id = %s", [chain[-1].pk])
    err, _ = _run_failing()
    assert str(chain[-2].uuid) in err
    assert "head" in err


def test_deleting_every_row_is_caught(chain: list[HistoryEntry], org: Any) -> None:
    _raw("DELETE FROM core_historyentry WHERE organisation_id = %s", [org.pk])
    err, _ = _run_failing()
    assert f"BROKEN {org.slug}" in err
    assert "missing" in err


def test_changed_hash_is_named(chain: list[HistoryEntry], org: Any) -> None:
    target = chain[3]
    _raw("UPDATE core_historyentry SET hash = %s WHERE id = %s", ["0" * 64, target.pk])
    err, _ = _run_failing()
    assert str(target.uuid) in err
    assert "(seq 4)" in err


def test_changed_actor_repr_is_named(chain: list[HistoryEntry], org: Any) -> None:
    target = chain[0]
    _raw("UPDATE core_historyentry SET actor_repr = %s WHERE id = %s", ["someone", target.pk])
    err, _ = _run_failing()
    assert str(target.uuid) in err
    assert "(seq 1)" in err
