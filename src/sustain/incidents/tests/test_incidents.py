"""Incidents, complaints and compliments: services (history, refusals naming the field and
writing nothing), the pages and the Records index."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.incidents import services
from sustain.incidents.models import Complaint, Incident
from sustain.people.tests.factories import PersonFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def carer(org: Any, location: Any, make_user: Any) -> Any:
    return make_user(org, "care_staff", location=location)


@pytest.fixture
def manager(org: Any, location: Any, make_user: Any) -> Any:
    return make_user(org, "registered_manager", location=location)


def _incident(actor: Any, org: Any, location: Any, **extra: Any) -> Incident:
    fields = {"type": "fall", "severity": "low",
              "occurred_at": timezone.now() - dt.timedelta(hours=1), **extra}
    return services.incident_create(actor=actor, organisation=org, location=location, **fields)


def test_incident_create_records_history(carer: Any, org: Any, location: Any) -> None:
    person = PersonFactory(location=location)
    staff = StaffFactory(organisation=org, locations=[location])
    incident = _incident(carer, org, location, person=person, staff_involved=[staff])
    assert list(incident.staff_involved.all()) == [staff]
    entry = HistoryEntry.objects.get(object_uuid=incident.uuid)
    assert entry.action == "create" and entry.actor == carer


@pytest.mark.parametrize(("extra", "field"), [
    ({"occurred_at": timezone.now() + dt.timedelta(days=1)}, "occurred_at"),
    ({"type": "pressure_ulcer"}, "ulcer_category"),
    ({"ulcer_category": "2"}, "ulcer_category"),
    ({"cqc_notified_at": timezone.now() - dt.timedelta(minutes=10)}, "cqc_notified_at"),
    ({"duty_of_candour_applies": True,
      "duty_of_candour_done_at": timezone.now() - dt.timedelta(days=3)},
     "duty_of_candour_done_at"),
])
def test_incident_refusals_name_the_field(carer: Any, org: Any, location: Any,
                                          extra: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        _incident(carer, org, location, **extra)
    assert field in exc.value.errors
    assert not Incident.objects.exists() and not HistoryEntry.objects.exists()


def test_people_and_staff_from_elsewhere_are_refused(carer: Any, org: Any, location: Any,
                                                     sibling_location: Any,
                                                     foreign_location: Any) -> None:
    for extra, field in (({"person": PersonFactory(location=sibling_location)}, "person"),
                         ({"person": PersonFactory(location=foreign_location)}, "person"),
                         ({"staff_involved": [StaffFactory(organisation=org,
                                                           locations=[sibling_location])]},
                          "staff_involved")):
        with pytest.raises(InvalidInput) as exc:
            _incident(carer, org, location, **extra)
        assert field in exc.value.errors
    assert not Incident.objects.exists()


def test_care_staff_record_but_do_not_review(carer: Any, manager: Any, org: Any,
                                             location: Any, sibling_location: Any) -> None:
    incident = _incident(carer, org, location)
    with pytest.raises(PermissionDenied):
        _incident(carer, org, sibling_location)
    with pytest.raises(PermissionDenied):
        services.incident_update(actor=carer, incident=incident,
                                 changes={"learning": "x"}, expected_version=1)
    updated = services.incident_update(actor=manager, incident=incident,
                                       changes={"learning": "Sensor mat at night"},
                                       expected_version=1)
    assert updated.version == 2
    with pytest.raises(InvalidInput) as exc:
        services.incident_archive(actor=manager, incident=updated, reason="")
    assert "reason" in exc.value.errors


def test_complaint_due_in_28_days_and_overdue(carer: Any, manager: Any, org: Any,
                                              location: Any) -> None:
    received = timezone.localdate() - dt.timedelta(days=40)
    complaint = services.complaint_create(actor=carer, organisation=org, location=location,
                                          received_on=received, received_from="family",
                                          category="Laundry", summary="Lost cardigan")
    assert complaint.response_due == received + dt.timedelta(days=28)
    assert complaint.is_overdue()
    with pytest.raises(InvalidInput) as exc:
        services.complaint_update(actor=manager, complaint=complaint,
                                  changes={"upheld": "yes"}, expected_version=1)
    assert "upheld" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        services.complaint_update(actor=manager, complaint=complaint, expected_version=1,
                                  changes={"response_sent_on": received - dt.timedelta(1)})
    assert "response_sent_on" in exc.value.errors
    assert Complaint.objects.get().version == 1
    done = services.complaint_update(actor=manager, complaint=complaint, expected_version=1,
                                     changes={"response_sent_on": timezone.localdate(),
                                              "upheld": "partly"})
    assert not done.is_overdue()


def test_external_ref_unique_per_organisation(carer: Any, org: Any, location: Any) -> None:
    _incident(carer, org, location, external_ref="IMP-1")
    with pytest.raises(InvalidInput) as exc:
        _incident(carer, org, location, external_ref="IMP-1")
    assert "external_ref" in exc.value.errors
    assert Incident.objects.count() == 1


def test_pages_quick_entry_list_detail_and_index(carer: Any, manager: Any, org: Any,
                                                 location: Any) -> None:
    client = Client()
    client.force_login(carer)
    index = client.get(reverse("incidents:index"))
    assert index.status_code == 200 and b"Incidents" in index.content
    form = client.get(reverse("incidents:incident-create"))
    assert form.status_code == 200 and b'name="occurred_at"' in form.content
    when = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    bad = client.post(reverse("incidents:incident-create"), {
        "location": str(location.uuid), "type": "pressure_ulcer", "severity": "low",
        "occurred_at": when, "description": "<script>alert(1)</script>"})
    assert bad.status_code == 200 and b"category" in bad.content
    assert not Incident.objects.exists()
    ok = client.post(reverse("incidents:incident-create"), {
        "location": str(location.uuid), "type": "fall", "severity": "low",
        "occurred_at": when, "description": "<script>alert(1)</script>"})
    incident = Incident.objects.get()
    assert ok.status_code == 302 and ok["Location"].endswith(f"{incident.uuid}/")
    detail = client.get(ok["Location"])
    assert b"&lt;script&gt;" in detail.content and b"<script>alert" not in detail.content
    listing = client.get(reverse("incidents:incident-list"), {"type": "fall"})
    assert str(incident.uuid).encode() in listing.content
    assert client.get(reverse("incidents:incident-edit", kwargs={"uuid": incident.uuid})) \
        .status_code == 403
    client.force_login(manager)
    edit = client.post(reverse("incidents:incident-edit", kwargs={"uuid": incident.uuid}), {
        "version": 1, "type": "fall", "severity": "low", "occurred_at": when,
        "learning": "Sensor mat", "cqc_notification_required": "on"})
    assert edit.status_code == 302
    assert "CQC notification" in Incident.objects.get().open_duties


def test_pages_hide_other_locations(carer: Any, org: Any, sibling_location: Any,
                                    make_user: Any) -> None:
    other = _incident("test", org, sibling_location)
    client = Client()
    client.force_login(carer)
    assert client.get(reverse("incidents:incident-detail",
                              kwargs={"uuid": other.uuid})).status_code == 404
    assert str(other.uuid).encode() not in client.get(
        reverse("incidents:incident-list")).content
    board = make_user(org, "board_member", scope="organisation")
    client.force_login(board)
    assert client.get(reverse("incidents:index")).status_code == 403


def test_complaint_and_compliment_pages(carer: Any, location: Any) -> None:
    client = Client()
    client.force_login(carer)
    today = timezone.localdate().isoformat()
    r = client.post(reverse("incidents:complaint-create"), {
        "location": str(location.uuid), "received_on": today, "received_from": "family",
        "category": "Food", "summary": "Cold tea"})
    assert r.status_code == 302
    assert client.get(reverse("incidents:complaint-list"), {"overdue": "on"}).status_code == 200
    r = client.post(reverse("incidents:compliment-create"), {
        "location": str(location.uuid), "received_on": today, "received_from": "family",
        "summary": "Lovely birthday party"})
    assert r.status_code == 302
    assert b"Lovely birthday party" in client.get(r["Location"]).content
