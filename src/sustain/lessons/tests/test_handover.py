"""Hand-over through the write events: setting a theme owner's leaving date (through the
people service) flags the theme and writes a note; assigning a new owner (through the themes
service) completes it; the new owner acknowledges it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.lessons import selectors, services
from sustain.lessons.models import HandoverNote
from sustain.people import services as people_services
from sustain.people.tests.factories import StaffFactory
from sustain.themes import services as theme_services

pytestmark = pytest.mark.django_db


def _leave(staff: Any, actor: Any, days: int) -> Any:
    staff.refresh_from_db()
    return people_services.staff_update(
        actor=actor, staff=staff, expected_version=staff.version,
        changes={"leaving_date": timezone.localdate() + dt.timedelta(days=days)})


def _assign(theme: Any, actor: Any, owner: Any) -> Any:
    theme.refresh_from_db()
    return theme_services.theme_update(actor=actor, theme=theme, changes={"owner": owner},
                                       expected_version=theme.version)


def test_leaving_date_flags_theme_and_writes_a_note(rm: Any, theme: Any, owner: Any,
                                                   briefing_at: Any) -> None:
    briefing_at(theme)
    theme_services.action_create(actor=rm, theme=theme, description="Weekly MAR spot checks",
                                 raised_on=timezone.localdate() - dt.timedelta(days=20),
                                 due_date=timezone.localdate() - dt.timedelta(days=2))
    assert selectors.themes_needing_owner(actor=rm) == []
    _leave(owner, rm, 14)

    [flag] = selectors.themes_needing_owner(actor=rm)
    assert flag.theme == theme and flag.departure.reason == "The owner leaves in 14 days."
    note = HandoverNote.objects.get(theme=theme)
    assert flag.note == note
    assert (note.reason, note.from_owner, note.to_owner, note.state) == (
        "owner_leaving", owner, None, "needs_new_owner")
    content = note.content
    assert content["history"][0]["to"] == "Identified"
    assert content["changes"][0]["why"] == "Two PRN doses were given without a protocol."
    [action] = content["open_items"]["actions"]
    assert action["overdue"] is True and action["description"] == "Weekly MAR spot checks"
    assert "Weekly MAR spot checks" in note.text and "To: a new owner is needed." in note.text
    # Written in the name of whoever set the leaving date, in the same request's history.
    entry = HistoryEntry.objects.get(object_uuid=note.uuid, action="create")
    assert entry.actor == rm


def test_setting_the_date_again_keeps_one_open_note(rm: Any, theme: Any, owner: Any) -> None:
    _leave(owner, rm, 14)
    _leave(owner, rm, 10)
    assert HandoverNote.objects.filter(theme=theme).count() == 1
    assert HandoverNote.objects.get().leaving_date == timezone.localdate() + dt.timedelta(10)


def test_only_the_leavers_current_themes(rm: Any, org: Any, location: Any, theme: Any,
                                         owner: Any) -> None:
    other = theme_services.theme_create(actor="test", organisation=org, location=location,
                                        title="Falls", origin="incidents")
    archived = theme_services.theme_create(actor="test", organisation=org, location=location,
                                           title="Old", origin="other", owner=owner)
    theme_services.theme_archive(actor="test", theme=archived, reason="Opened in error here")
    _leave(owner, rm, 3)
    assert list(HandoverNote.objects.values_list("theme", flat=True)) == [theme.pk]
    assert other.handover_notes.count() == 0


def test_leaving_far_ahead_is_not_flagged_yet(rm: Any, theme: Any, owner: Any) -> None:
    _leave(owner, rm, 90)
    assert selectors.themes_needing_owner(actor=rm) == []
    assert len(selectors.themes_needing_owner(actor=rm, within_days=120)) == 1
    assert HandoverNote.objects.filter(theme=theme).exists()  # the note is ready early


def test_new_owner_completes_and_acknowledges(rm: Any, theme: Any, owner: Any,
                                              successor: Any) -> None:
    _leave(owner, rm, 7)
    _assign(theme, rm, successor)
    note = HandoverNote.objects.get(theme=theme)
    assert note.to_owner == successor and note.state == "awaiting_acknowledgement"
    assert note.content["to_owner"]["name"] == "Rhian Morgan"
    assert "To: Rhian Morgan." in note.text
    assert selectors.themes_needing_owner(actor=rm) == []
    note = services.handover_acknowledge(actor=rm, note=note)
    assert note.acknowledged_by == rm and note.state == "acknowledged"
    with pytest.raises(InvalidInput):
        services.handover_acknowledge(actor=rm, note=note)


def test_owner_change_without_leaving_writes_a_note(rm: Any, theme: Any, owner: Any,
                                                    successor: Any) -> None:
    _assign(theme, rm, successor)
    note = HandoverNote.objects.get(theme=theme)
    assert (note.reason, note.from_owner, note.to_owner) == ("owner_changed", owner, successor)


def test_first_owner_needs_no_handover(rm: Any, org: Any, location: Any,
                                       successor: Any) -> None:
    theme = theme_services.theme_create(actor="test", organisation=org, location=location,
                                        title="Falls", origin="incidents")
    _assign(theme, rm, successor)
    assert not HandoverNote.objects.exists()


def test_acknowledge_needs_a_new_owner(rm: Any, theme: Any, owner: Any) -> None:
    _leave(owner, rm, 7)
    note = HandoverNote.objects.get()
    with pytest.raises(InvalidInput) as info:
        services.handover_acknowledge(actor=rm, note=note)
    assert "to_owner" in info.value.errors


def test_only_the_new_owner_or_a_theme_lead_acknowledges(rm: Any, org: Any, location: Any,
                                                         theme: Any, owner: Any,
                                                         successor: Any,
                                                         make_user: Any) -> None:
    _leave(owner, rm, 7)
    _assign(theme, rm, successor)
    note = HandoverNote.objects.get()
    carer = make_user(org, "care_staff", location=location)
    with pytest.raises(PermissionDenied):
        services.handover_acknowledge(actor=carer, note=note)
    # The new owner's own account, even without theme.change, may acknowledge.
    user = make_user(org, "care_staff", location=location)
    new_owner = StaffFactory(organisation=org, locations=[location], user=user)
    _assign(theme, rm, new_owner)
    note.refresh_from_db()
    assert note.to_owner == new_owner
    assert services.handover_acknowledge(actor=user, note=note).acknowledged_by == user


def test_manager_elsewhere_setting_the_date_still_writes_the_note(
        org: Any, location: Any, sibling_location: Any, make_user: Any) -> None:
    """The leaver also works at a location where the writer may not change themes: the note
    is a consequence of the allowed write and is not refused."""
    staff = StaffFactory(organisation=org, locations=[location, sibling_location])
    theme = theme_services.theme_create(actor="test", organisation=org, location=location,
                                        title="Falls", origin="incidents", owner=staff)
    admin = make_user(org, "nominated_individual", scope="organisation")
    _leave(staff, admin, 5)
    assert HandoverNote.objects.filter(theme=theme).count() == 1


def test_refused_staff_update_writes_no_note(rm_sibling: Any, theme: Any, owner: Any) -> None:
    with pytest.raises(PermissionDenied):
        _leave(owner, rm_sibling, 5)
    assert not HandoverNote.objects.exists()


def test_demo_builder_can_generate_directly(theme: Any, owner: Any, successor: Any) -> None:
    note = services.handover_generate(actor="demo", theme=theme, reason="owner_changed",
                                      from_owner=owner, to_owner=successor)
    again = services.handover_generate(actor="demo", theme=theme, reason="owner_changed",
                                       from_owner=owner, to_owner=successor)
    assert note.pk == again.pk and again.version == note.version


def test_saving_the_same_owner_again_writes_no_second_note(rm: Any, theme: Any, owner: Any,
                                                           successor: Any) -> None:
    _assign(theme, rm, successor)
    note = HandoverNote.objects.get()
    services.handover_acknowledge(actor=rm, note=note)
    _assign(theme, rm, successor)  # unchanged owner (e.g. a PUT of the whole theme)
    theme.refresh_from_db()
    theme_services.theme_update(actor=rm, theme=theme, changes={"title": "Renamed"},
                                expected_version=theme.version)
    assert HandoverNote.objects.count() == 1


def test_note_lists_overdue_occurrences(rm: Any, org: Any, location: Any, theme: Any,
                                        owner: Any) -> None:
    from sustain.governance import services as governance
    from sustain.governance.models import Occurrence

    cadence = governance.cadence_create(
        actor="test", organisation=org, location=location, title="Weekly MAR check",
        owner_role="registered_manager", frequency="weekly", weekday=0,
        completes_with="tracker_entry", completes_params={"tracker": "medicines_checks"},
        theme=theme, generate=False)
    governance.occurrences_generate(cadences=[cadence],
                                    start=timezone.now() - dt.timedelta(weeks=3))
    today = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    past = Occurrence.objects.filter(cadence=cadence, due_at__lt=today).count()
    assert past >= 2 and Occurrence.objects.filter(cadence=cadence, due_at__gte=today).exists()
    _leave(owner, rm, 7)
    note = HandoverNote.objects.get()
    overdue = note.content["open_items"]["overdue_occurrences"]
    assert len(overdue) == past  # the ones due before today, not the ones still to come
    assert all(o["label"].startswith("Weekly MAR check, due") for o in overdue)
    assert "Overdue governance (open): Weekly MAR check" in note.text


def test_note_lists_failed_and_late_audits(rm: Any, org: Any, location: Any, theme: Any,
                                           owner: Any) -> None:
    from sustain.audits import services as audits
    from sustain.audits.tests.factories import ANALYSIS, CarePlanTemplateFactory

    template = CarePlanTemplateFactory()
    today = timezone.localdate()
    failed = audits.audit_start(actor=rm, organisation=org, location=location,
                                template=template, audit_date=today, theme=theme,
                                samples=["RH-1", "RH-2"])
    failed = audits.audit_save(actor=rm, audit=failed, expected_version=failed.version,
                               answers={"CP1": "no", "CP2": "no", "CP3": 0, "CP4": 3},
                               sample_answers={"S1": {"RH-1": "no", "RH-2": "no"}},
                               item_notes=dict.fromkeys(("CP1", "CP2", "CP3", "CP4", "S1"),
                                                        "Gap found."),
                               analysis=ANALYSIS)
    failed = audits.audit_complete(actor=rm, audit=failed, expected_version=failed.version)
    assert failed.passed is False
    audits.audit_start(actor=rm, organisation=org, location=location, template=template,
                       audit_date=today, theme=theme, samples=["RH-3", "RH-4"],
                       due_date=today - dt.timedelta(days=3))
    audits.audit_start(actor=rm, organisation=org, location=location, template=template,
                       audit_date=today, theme=theme, samples=["RH-5", "RH-6"],
                       due_date=today + dt.timedelta(days=3))  # not late yet
    _leave(owner, rm, 7)
    rows = HandoverNote.objects.get().content["open_items"]["audits"]
    assert sorted((r["failed"], r["late"]) for r in rows) == [(False, True), (True, False)]


def test_my_work_lists_handover_and_lesson_to_start(rm: Any, org: Any, location: Any,
                                                    theme: Any, owner: Any, successor: Any,
                                                    monkeypatch: Any) -> None:
    from sustain.lessons import work
    from sustain.work import providers
    from sustain.work.providers import collect

    monkeypatch.setitem(providers._PROVIDERS, "handover", work.handovers_to_acknowledge)
    monkeypatch.setitem(providers._PROVIDERS, "lesson", work.lessons_to_start)
    today = timezone.localdate()
    services.lesson_create(actor="test", organisation=org, title="PRN at handover",
                           what_happened="W", in_practice="P", applies_to=[location],
                           as_of=today - dt.timedelta(days=30))
    _leave(owner, rm, 7)
    _assign(theme, rm, successor)  # the registered manager's own staff record
    items = {i.kind: i for i in collect(rm, today, today + dt.timedelta(days=90))}
    assert items["handover"].title == theme.title
    assert items["handover"].due_date == today + dt.timedelta(days=7)
    assert items["lesson"].title == "PRN at handover"
    assert items["lesson"].status.value == "overdue"  # stalled two days ago
    note = HandoverNote.objects.get()
    services.handover_acknowledge(actor=rm, note=note)
    assert "handover" not in {i.kind for i in collect(rm, today, today + dt.timedelta(90))}
