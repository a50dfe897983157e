"""Escalation pages: the board (provider and location; state tabs and filters), a firing's
page (rule, source, matched records, tasks; complete and cancel), the board report feed, the
rule library and the rule form (errors with line and field, preview, save), navigation and
My work. Pages answer 403 to roles without `escalation.view` and 404 for records the user
cannot see."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sustain.core.models import HistoryEntry
from sustain.core.services import tracked_update
from sustain.escalations.models import EscalationRule, EscalationTask, Firing
from sustain.escalations.tests.conftest import (
    MEDICINES_RULE,
    days_ago,
    discrepancy_check,
    supervision,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def firing(org: Any, location: Any, owners: dict[str, Any], make_rule: Any, alex: Any,
           blake: Any) -> Firing:
    make_rule(MEDICINES_RULE)
    discrepancy_check(org, location, days_ago(12), alex, blake)
    discrepancy_check(org, location, days_ago(10), alex, blake)
    return Firing.objects.get()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(resp: Any) -> str:
    return resp.content.decode()


# --- the board ------------------------------------------------------------------------------


def test_location_board_lists_each_task_with_rule_subject_owner_due_and_step(
        firing: Firing, owners: dict[str, Any], location: Any) -> None:
    resp = _client(owners["registered_manager"]).get(f"/escalations/location/{location.uuid}/")
    assert resp.status_code == 200
    page = _text(resp)
    assert f"<h1>Escalations: {location.name}</h1>" in page
    assert "Repeated MAR discrepancy by the same staff member" in page
    assert "Alex Carer" in page
    assert "Immediate supervision on the discrepancies" in page
    assert "Additional spot checks" in page
    assert "Rita Manager (registered manager)" in page
    # The supervision was due 24 hours after a trigger 10 days ago.
    due = firing.tasks.get(task_type="supervision").due_at
    assert f"overdue by {(timezone.now() - due).days} days" in page
    assert "Step 1: Registered manager" in page
    assert f'href="/escalations/firings/{firing.uuid}/"' in page


def test_board_state_tabs_and_filters(firing: Firing, owners: dict[str, Any], org: Any,
                                      location: Any, alex: Any, blake: Any) -> None:
    client = _client(owners["quality_lead"])
    overdue = _text(client.get("/escalations/", {"state": "overdue"}))
    assert "Immediate supervision on the discrepancies" in overdue
    assert "Additional spot checks" not in overdue  # due in 14 days
    assert 'aria-current="page">Overdue</a>' in overdue
    open_ = _text(client.get("/escalations/", {"state": "outstanding"}))
    assert "Additional spot checks" in open_ and "Immediate supervision" in open_
    # A second firing, about Blake: the staff filter tells them apart.
    discrepancy_check(org, location, days_ago(6), blake, alex)
    discrepancy_check(org, location, days_ago(5), blake, alex)
    assert Firing.objects.count() == 2
    both = _text(client.get("/escalations/"))
    assert "<strong>About:</strong> Blake Carer" in both
    assert "<strong>About:</strong> Alex Carer" in both
    only_blake = _text(client.get("/escalations/", {"staff_member_id": str(blake.uuid)}))
    assert "<strong>About:</strong> Blake Carer" in only_blake
    assert "<strong>About:</strong> Alex Carer" not in only_blake
    other_rule = _text(client.get("/escalations/", {"rule_code": "no-such-rule"}))
    assert "Immediate supervision" not in other_rule
    # A task escalated up the ladder is in the Escalated tab with its step.
    task = firing.tasks.get(task_type="spot_checks")
    tracked_update(actor="test", obj=task, expected_version=task.version, changes={
        "step": 1, "owner_role": "quality_lead", "owner": owners["quality_lead"],
        "escalated_at": timezone.now(), "due_at": timezone.now() + dt.timedelta(days=3)})
    escalated = _text(client.get("/escalations/", {"state": "escalated"}))
    assert "Additional spot checks" in escalated
    assert "Step 2: Provider quality lead" in escalated
    assert "Immediate supervision" not in escalated


def test_choosing_a_location_on_the_provider_board_opens_its_board(
        owners: dict[str, Any], location: Any) -> None:
    resp = _client(owners["quality_lead"]).get("/escalations/", {"location": str(location.uuid)})
    assert resp.status_code == 302 and resp["Location"] == \
        f"/escalations/location/{location.uuid}/"


def test_board_refuses_roles_without_escalation_view(firing: Firing, make_user: Any,
                                                     org: Any, location: Any) -> None:
    carer = make_user(org, "care_staff", location=location)
    client = _client(carer)
    assert client.get("/escalations/").status_code == 403
    assert client.get(f"/escalations/firings/{firing.uuid}/").status_code == 403
    assert client.get("/escalations/rules/").status_code == 403
    assert b"/escalations/" not in client.get("/").content  # not in the navigation


def test_other_places_are_not_found(firing: Firing, make_user: Any, org: Any,
                                    sibling_location: Any, other_org: Any) -> None:
    elsewhere = make_user(org, "registered_manager", location=sibling_location)
    client = _client(elsewhere)
    assert client.get(f"/escalations/firings/{firing.uuid}/").status_code == 404
    assert client.get(f"/escalations/location/{firing.location.uuid}/").status_code == 404
    board = _text(client.get("/escalations/"))
    assert "Immediate supervision" not in board
    stranger = make_user(other_org, "quality_lead", scope="organisation")
    assert _client(stranger).get(f"/escalations/firings/{firing.uuid}/").status_code == 404


def test_navigation_and_location_page_link_to_the_board(owners: dict[str, Any],
                                                        location: Any) -> None:
    client = _client(owners["registered_manager"])
    home = _text(client.get("/"))
    assert 'href="/escalations/"' in home and ">Escalations</a>" in home
    page = _text(client.get(f"/locations/{location.uuid}/"))
    assert f'href="/escalations/location/{location.uuid}/"' in page


# --- a firing -------------------------------------------------------------------------------


def test_firing_page_shows_rule_source_records_and_tasks(
        firing: Firing, owners: dict[str, Any]) -> None:
    resp = _client(owners["registered_manager"]).get(f"/escalations/firings/{firing.uuid}/")
    assert resp.status_code == 200
    page = _text(resp)
    assert "When " in page and "supervision" in page  # describe_rule
    assert "Any repeated discrepancy triggered immediate supervision" in page
    from sustain.medicines.models import Discrepancy

    for d in Discrepancy.objects.all():
        assert f'href="/medicines/{d.check_record.uuid}/"' in page
    assert page.count('class="response"') == 3
    assert "Medicines competency reassessment" in page
    assert "a competency assessment after the rule fired" in page
    assert "3 visits after the rule fired (0 so far)" in page
    assert "Mark done" in page and "Cancel this task" in page
    assert "Set up for Registered manager" in page  # ladder history from the history


def test_a_board_member_sees_the_firing_without_forms(firing: Firing, make_user: Any,
                                                      org: Any) -> None:
    board = make_user(org, "board_member", scope="organisation")
    page = _text(_client(board).get(f"/escalations/firings/{firing.uuid}/"))
    assert "Immediate supervision on the discrepancies" in page
    assert "Mark done" not in page and "Cancel this task" not in page


def test_complete_a_task_by_choosing_the_record(firing: Firing, org: Any, location: Any,
                                                owners: dict[str, Any], alex: Any,
                                                blake: Any) -> None:
    from sustain.core import events

    task = firing.tasks.get(task_type="supervision")
    with events.muted():
        record = supervision(org, location, days_ago(2), alex, blake)
        supervision(org, location, days_ago(2), blake, alex)  # not a candidate
    client = _client(owners["registered_manager"])
    page = _text(client.get(f"/escalations/firings/{firing.uuid}/"))
    assert f'value="{record.uuid}"' in page
    assert page.count("Supervision of Blake Carer") == 0
    resp = client.post(f"/escalations/tasks/{task.uuid}/complete/", {
        "t0-done-record": str(record.uuid), "t0-done-version": task.version})
    assert resp.status_code == 302
    task.refresh_from_db()
    assert task.status == "done"
    assert [r["id"] for r in task.fulfilled_records] == [str(record.uuid)]


def test_complete_without_record_or_note_is_refused(firing: Firing,
                                                    owners: dict[str, Any]) -> None:
    task = firing.tasks.get(task_type="supervision")
    version = task.version
    resp = _client(owners["registered_manager"]).post(
        f"/escalations/tasks/{task.uuid}/complete/", {"t0-done-version": version})
    assert resp.status_code == 400
    assert "Choose the record that fulfils the task" in _text(resp)
    task.refresh_from_db()
    assert task.status == "open" and task.version == version


def test_cancel_needs_a_reason(firing: Firing, owners: dict[str, Any]) -> None:
    task = firing.tasks.get(task_type="spot_checks")
    client = _client(owners["registered_manager"])
    history = HistoryEntry.objects.count()
    resp = client.post(f"/escalations/tasks/{task.uuid}/cancel/",
                       {"t2-cancel-reason": "", "t2-cancel-version": task.version})
    assert resp.status_code == 400
    assert "Enter why the task is cancelled." in _text(resp)
    assert HistoryEntry.objects.count() == history
    resp = client.post(f"/escalations/tasks/{task.uuid}/cancel/", {
        "t2-cancel-reason": "Weekly spot checks already cover this.",
        "t2-cancel-version": task.version})
    assert resp.status_code == 302
    task.refresh_from_db()
    assert task.status == "cancelled"
    page = _text(client.get(f"/escalations/firings/{firing.uuid}/"))
    assert "Weekly spot checks already cover this." in page


def test_a_board_member_cannot_post_a_completion(firing: Firing, make_user: Any,
                                                 org: Any) -> None:
    board = make_user(org, "board_member", scope="organisation")
    task = firing.tasks.get(task_type="spot_checks")
    resp = _client(board).post(f"/escalations/tasks/{task.uuid}/cancel/", {
        "t2-cancel-reason": "Not needed", "t2-cancel-version": task.version})
    assert resp.status_code == 403
    task.refresh_from_db()
    assert task.status == "open"


def test_board_report_feed_lists_tasks_that_reached_the_board(
        firing: Firing, owners: dict[str, Any]) -> None:
    client = _client(owners["quality_lead"])
    assert "Nothing has reached the board." in _text(client.get("/escalations/board/"))
    task = firing.tasks.get(task_type="supervision")
    tracked_update(actor="test", obj=task, expected_version=task.version, changes={
        "step": 3, "owner_role": "board", "at_board": True, "escalated_at": timezone.now()})
    page = _text(client.get("/escalations/board/"))
    assert "Immediate supervision on the discrepancies" in page
    assert "in the board report" in page
    assert "Additional spot checks" not in page


# --- rules ----------------------------------------------------------------------------------


def test_rule_library_shows_current_rules_with_yaml_and_hides_archived(
        firing: Firing, owners: dict[str, Any]) -> None:
    from sustain.escalations import services

    client = _client(owners["registered_manager"])
    page = _text(client.get("/escalations/rules/"))
    assert "Repeated MAR discrepancy by the same staff member" in page
    assert '<pre class="rule-yaml"' in page and "within_days: 28" in page
    assert "Any repeated discrepancy triggered immediate supervision" in page
    assert "Add an organisation rule" not in page  # a manager reads, the quality lead edits
    rule = EscalationRule.objects.get()
    services.rule_archive(actor=owners["quality_lead"], rule=rule,
                          expected_version=rule.version, reason="Replaced")
    page = _text(client.get("/escalations/rules/"))
    assert "within_days: 28" not in page


def test_rule_form_shows_line_and_field_previews_and_saves(
        org: Any, location: Any, owners: dict[str, Any], alex: Any, blake: Any) -> None:
    discrepancy_check(org, location, days_ago(40), alex, blake)
    discrepancy_check(org, location, days_ago(35), alex, blake)
    client = _client(owners["quality_lead"])
    assert client.get("/escalations/rules/new/").status_code == 200
    bad = MEDICINES_RULE.replace("within_days: 28", "within_days: 0")
    resp = client.post("/escalations/rules/new/", {"yaml": bad, "active": "on",
                                                   "save": "1"})
    assert resp.status_code == 400
    line = 1 + MEDICINES_RULE.splitlines().index("  within_days: 28")
    page = _text(resp)
    assert f":{line}:" in page and "within_days" in page
    assert not EscalationRule.objects.exists()
    resp = client.post("/escalations/rules/new/", {"yaml": MEDICINES_RULE, "active": "on",
                                                   "preview": "1"})
    assert resp.status_code == 200
    assert "This rule would have fired 1 time in the last 90 days." in _text(resp)
    assert "Nothing has been saved yet." in _text(resp)
    assert not EscalationRule.objects.exists()
    resp = client.post("/escalations/rules/new/", {"yaml": MEDICINES_RULE, "active": "on",
                                                   "save": "1"})
    assert resp.status_code == 302
    rule = EscalationRule.objects.get()
    assert rule.rule_version == 1 and rule.code == "repeated-mar-discrepancy"
    # Edit: a new version, the old one kept.
    resp = client.post(f"/escalations/rules/{rule.uuid}/edit/", {
        "yaml": MEDICINES_RULE.replace("count: 2", "count: 3"), "active": "on",
        "version": rule.version, "save": "1"})
    assert resp.status_code == 302
    assert sorted(EscalationRule.objects.values_list("rule_version", "is_current")) == [
        (1, False), (2, True)]


def test_rule_form_is_for_rule_managers_only(owners: dict[str, Any]) -> None:
    client = _client(owners["registered_manager"])
    assert client.get("/escalations/rules/new/").status_code == 403
    resp = client.post("/escalations/rules/new/", {"yaml": MEDICINES_RULE, "save": "1"})
    assert resp.status_code == 403
    assert not EscalationRule.objects.exists()


# --- My work -------------------------------------------------------------------------------


def test_my_work_lists_open_escalation_tasks_owned_by_the_user(
        firing: Firing, owners: dict[str, Any], monkeypatch: Any) -> None:
    from sustain.escalations.work import escalation_tasks
    from sustain.work import providers

    today = timezone.localdate()
    manager = owners["registered_manager"]
    items = escalation_tasks(manager, today, today + dt.timedelta(days=30))
    assert sorted(i.title for i in items) == ["Immediate supervision on the discrepancies",
                                              "Medicines competency reassessment"]
    overdue = next(i for i in items if i.title.startswith("Immediate"))
    assert overdue.status == "overdue"
    assert overdue.url == f"/escalations/firings/{firing.uuid}/#task-{overdue.record_id}"
    # The senior carer owns the spot checks; nobody else's tasks show.
    senior_items = escalation_tasks(owners["senior_carer"], today, today + dt.timedelta(days=30))
    assert [i.title for i in senior_items] == ["Additional spot checks"]
    # Done tasks leave the list.
    task = EscalationTask.objects.get(task_type="competency_reassessment")
    tracked_update(actor="test", obj=task, expected_version=task.version,
                   changes={"status": "done", "done_at": timezone.now()})
    assert [i.title for i in escalation_tasks(manager, today, today + dt.timedelta(days=30))
            ] == ["Immediate supervision on the discrepancies"]
    # register() adds the kind to the providers (on a copy of the registry: the work app's
    # own tests pin its kinds).
    from sustain.escalations.work import register

    monkeypatch.setattr(providers, "_PROVIDERS", dict(providers._PROVIDERS))
    register()
    assert providers.registered()["escalation"] is escalation_tasks
    assert "Immediate supervision on the discrepancies" in [
        i.title for i in providers.collect(manager, today, today + dt.timedelta(days=30))]


# --- playbook rules -------------------------------------------------------------------------


def test_a_playbook_rule_is_in_the_library_and_explained_on_its_firing(
        org: Any, location: Any, owners: dict[str, Any], alex: Any, blake: Any) -> None:
    from sustain.playbooks.models import Playbook
    from sustain.playbooks.services import playbook_apply, playbooks_load
    from sustain.themes import services as theme_services

    playbooks_load()
    playbook = Playbook.objects.get(code="medicines-governance", organisation__isnull=True)
    theme = theme_services.theme_create(actor="test", organisation=org, location=location,
                                        title="Medicines", origin="inspection",
                                        as_of=days_ago(60))
    playbook_apply(actor="test", playbook=playbook, theme=theme)
    client = _client(owners["registered_manager"])
    library = _text(client.get("/escalations/rules/"))
    assert f"Playbook “{playbook.title}” (version {playbook.version})" in library
    assert location.name in library
    discrepancy_check(org, location, days_ago(12), alex, blake)
    discrepancy_check(org, location, days_ago(10), alex, blake)
    firing = Firing.objects.get()
    assert firing.source == "playbook"
    page = _text(client.get(f"/escalations/firings/{firing.uuid}/"))
    assert 'id="rule-description">When ' in page
    assert f"Playbook rule (medicines-governance v{playbook.version})" in page
    assert "Any repeated discrepancy" in page
    # The spot checks climb to the quality lead, then the nominated individual, then the board.
    assert "If not done in time: Provider quality lead, then Nominated individual, then " \
           "Board report" in page


def test_the_library_names_only_locations_the_reader_sees(
        owners: dict[str, Any], make_rule: Any, make_user: Any, org: Any,
        sibling_location: Any) -> None:
    make_user(org, "registered_manager", location=sibling_location)  # owns responses there
    make_rule(MEDICINES_RULE.replace("senior_carer", "registered_manager"),
              locations=(sibling_location,))
    mine = _text(_client(owners["registered_manager"]).get("/escalations/rules/"))
    assert "where: Locations you do not see" in mine
    assert sibling_location.name not in mine
    everywhere = _text(_client(owners["quality_lead"]).get("/escalations/rules/"))
    assert f"where: {sibling_location.name}" in everywhere


def test_board_and_firing_page_queries_do_not_grow_with_the_tasks(
        firing: Firing, org: Any, location: Any, owners: dict[str, Any], alex: Any,
        blake: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(owners["quality_lead"])
    client.get("/escalations/")  # warm the session and caches

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    board_before = queries("/escalations/")
    discrepancy_check(org, location, days_ago(6), blake, alex)
    discrepancy_check(org, location, days_ago(5), blake, alex)
    assert EscalationTask.objects.count() == 6
    assert queries("/escalations/") == board_before
