"""The escalation API: rules (create, new version on update, archive, preview), firings
(filters, board feed) and tasks (complete with a fulfilling record or a note, refusals by
field that change nothing, cancel with a reason)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sustain.core import events
from sustain.core.models import HistoryEntry
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


def _task(firing: Firing, task_type: str) -> EscalationTask:
    return firing.tasks.get(task_type=task_type)


def _snapshot(task: EscalationTask) -> tuple[Any, ...]:
    task.refresh_from_db()
    return (task.status, task.version, list(task.fulfilled_records), task.done_at,
            task.cancel_reason)


# --- firings ------------------------------------------------------------------------------


def test_firings_list_shows_the_records_and_tasks(firing: Firing, owners: dict[str, Any],
                                                  token_client: Any, alex: Any) -> None:
    client = token_client(owners["registered_manager"])
    body = client.get("/api/v1/escalations/").json()
    [row] = body["results"]
    assert row["id"] == str(firing.uuid)
    assert row["rule_code"] == "repeated-mar-discrepancy"
    assert row["staff_member"] == str(alex.uuid)
    assert [r["type"] for r in row["records"]] == ["medicines_discrepancy"] * 2
    assert [t["task_type"] for t in row["tasks"]] == ["supervision",
                                                      "competency_reassessment", "spot_checks"]
    assert {t["state"] for t in row["tasks"]} <= {"open", "due_soon", "overdue"}


def test_firings_filter_by_rule_staff_and_board(firing: Firing, owners: dict[str, Any],
                                                token_client: Any, alex: Any,
                                                blake: Any) -> None:
    client = token_client(owners["quality_lead"])

    def ids(**params: Any) -> list[str]:
        return [r["id"] for r in client.get("/api/v1/escalations/", params).json()["results"]]

    assert ids(rule_code="repeated-mar-discrepancy") == [str(firing.uuid)]
    assert ids(rule_code="something-else") == []
    assert ids(staff_member_id=str(alex.uuid)) == [str(firing.uuid)]
    assert ids(staff_member_id=str(blake.uuid)) == []
    assert ids(board=1) == []
    # A task in the board report puts the firing in the feed.
    from sustain.core.services import tracked_update

    task = _task(firing, "supervision")
    tracked_update(actor="test", obj=task, changes={"at_board": True, "step": 3,
                                                    "owner_role": "board"},
                   expected_version=task.version)
    assert ids(board=1) == [str(firing.uuid)]


def test_firings_are_not_visible_to_another_organisation(
        firing: Firing, make_user: Any, other_org: Any, foreign_location: Any,
        token_client: Any) -> None:
    stranger = make_user(other_org, "quality_lead", scope="organisation")
    client = token_client(stranger)
    assert client.get("/api/v1/escalations/").json()["results"] == []
    assert client.get(f"/api/v1/escalations/{firing.uuid}/").status_code == 404
    task = _task(firing, "supervision")
    resp = client.post(f"/api/v1/tasks/{task.uuid}/cancel/",
                       {"reason": "Not ours", "version": task.version}, format="json")
    assert resp.status_code == 404


# --- tasks: complete ------------------------------------------------------------------------


def test_complete_with_a_fulfilling_record(firing: Firing, org: Any, location: Any,
                                           owners: dict[str, Any], token_client: Any,
                                           alex: Any, blake: Any) -> None:
    task = _task(firing, "supervision")
    with events.muted():  # written as an import would: no on-write fulfilment
        record = supervision(org, location, days_ago(3), alex, blake)
    task.refresh_from_db()
    assert task.status == "open"
    client = token_client(owners["registered_manager"])
    resp = client.post(f"/api/v1/tasks/{task.uuid}/complete/",
                       {"record_type": "supervision", "record": str(record.uuid),
                        "version": task.version}, format="json")
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert body["status"] == "done" and body["state"] == "done"
    assert [r["id"] for r in body["fulfilled_records"]] == [str(record.uuid)]
    assert HistoryEntry.objects.filter(object_uuid=task.uuid, action="update",
                                       request_id=resp["X-Request-ID"]).exists()


def test_a_record_that_does_not_match_is_refused_on_record_and_nothing_changes(
        firing: Firing, org: Any, location: Any, owners: dict[str, Any], token_client: Any,
        alex: Any, blake: Any) -> None:
    task = _task(firing, "supervision")
    before_the_trigger = supervision(org, location, days_ago(14), alex, blake)
    someone_else = supervision(org, location, days_ago(2), blake, alex)
    before = _snapshot(task)
    history = HistoryEntry.objects.count()
    client = token_client(owners["registered_manager"])
    for record in (before_the_trigger, someone_else):
        resp = client.post(f"/api/v1/tasks/{task.uuid}/complete/",
                           {"record_type": "supervision", "record": str(record.uuid),
                            "version": task.version}, format="json")
        assert resp.status_code == 400, resp.json()
        body = resp.json()
        assert set(body) == {"message", "errors"}
        assert "record" in body["errors"] and body["errors"]["record"][0]
        assert _snapshot(task) == before
    assert HistoryEntry.objects.count() == history


def test_complete_with_a_note(firing: Firing, owners: dict[str, Any],
                              token_client: Any) -> None:
    task = _task(firing, "competency_reassessment")
    client = token_client(owners["registered_manager"])
    resp = client.post(f"/api/v1/tasks/{task.uuid}/complete/",
                       {"note": "Reassessed on paper by the deputy; filed in the staff "
                                "record.", "version": task.version}, format="json")
    assert resp.status_code == 200, resp.json()
    assert resp.json()["status"] == "done"
    task.refresh_from_db()
    assert task.completion_note.startswith("Reassessed on paper")


def test_complete_with_a_stale_version_is_a_conflict(firing: Firing, owners: dict[str, Any],
                                                     token_client: Any) -> None:
    task = _task(firing, "competency_reassessment")
    before = _snapshot(task)
    client = token_client(owners["registered_manager"])
    resp = client.post(f"/api/v1/tasks/{task.uuid}/complete/",
                       {"note": "Reassessed on paper by the deputy; filed in the staff "
                                "record.", "version": task.version + 5}, format="json")
    assert resp.status_code == 409
    assert _snapshot(task) == before


def test_a_board_member_may_read_but_not_complete(firing: Firing, make_user: Any, org: Any,
                                                  token_client: Any) -> None:
    board = make_user(org, "board_member", scope="organisation")
    task = _task(firing, "competency_reassessment")
    before = _snapshot(task)
    client = token_client(board)
    assert client.get(f"/api/v1/tasks/{task.uuid}/").status_code == 200
    resp = client.post(f"/api/v1/tasks/{task.uuid}/complete/",
                       {"note": "Reassessed on paper by the deputy; filed in the staff "
                                "record.", "version": task.version}, format="json")
    assert resp.status_code == 403
    assert _snapshot(task) == before


# --- tasks: cancel --------------------------------------------------------------------------


def test_cancel_without_a_reason_is_refused_naming_reason(
        firing: Firing, owners: dict[str, Any], token_client: Any) -> None:
    task = _task(firing, "spot_checks")
    before = _snapshot(task)
    history = HistoryEntry.objects.count()
    client = token_client(owners["registered_manager"])
    for body in ({"version": task.version}, {"reason": "   ", "version": task.version}):
        resp = client.post(f"/api/v1/tasks/{task.uuid}/cancel/", body, format="json")
        assert resp.status_code == 400
        assert "reason" in resp.json()["errors"]
    assert _snapshot(task) == before
    assert HistoryEntry.objects.count() == history


def test_cancel_with_a_reason(firing: Firing, owners: dict[str, Any],
                              token_client: Any) -> None:
    task = _task(firing, "spot_checks")
    client = token_client(owners["registered_manager"])
    resp = client.post(f"/api/v1/tasks/{task.uuid}/cancel/",
                       {"reason": "Spot checks already weekly here.",
                        "version": task.version}, format="json")
    assert resp.status_code == 200, resp.json()
    assert resp.json()["status"] == "cancelled"
    assert resp.json()["cancel_reason"] == "Spot checks already weekly here."
    listed = client.get("/api/v1/tasks/", {"state": "cancelled"}).json()["results"]
    assert [t["id"] for t in listed] == [str(task.uuid)]


# --- rules ----------------------------------------------------------------------------------


def test_rule_create_update_makes_a_new_version_and_archive(
        owners: dict[str, Any], token_client: Any) -> None:
    client = token_client(owners["quality_lead"])
    resp = client.post("/api/v1/escalation-rules/", {"yaml": MEDICINES_RULE}, format="json")
    assert resp.status_code == 201, resp.json()
    first = resp.json()
    assert first["code"] == "repeated-mar-discrepancy" and first["rule_version"] == 1
    assert first["description"].startswith("When ")
    changed = MEDICINES_RULE.replace("within_days: 28", "within_days: 30")
    resp = client.patch(f"/api/v1/escalation-rules/{first['id']}/",
                        {"yaml": changed, "version": first["version"]}, format="json")
    assert resp.status_code == 200, resp.json()
    second = resp.json()
    assert second["rule_version"] == 2 and second["id"] != first["id"]
    assert "within_days: 30" in second["yaml"]
    listed = client.get("/api/v1/escalation-rules/").json()["results"]
    assert [r["id"] for r in listed] == [second["id"]]  # current versions only
    old = client.get(f"/api/v1/escalation-rules/{first['id']}/").json()
    assert old["is_current"] is False and "within_days: 28" in old["yaml"]
    resp = client.post(f"/api/v1/escalation-rules/{second['id']}/archive/",
                       {"reason": "Replaced by the playbook rule"}, format="json")
    assert resp.status_code == 200, resp.json()
    assert resp.json()["archived_at"] is not None
    assert client.get("/api/v1/escalation-rules/").json()["results"] == []


def test_an_invalid_rule_is_refused_with_line_and_field(owners: dict[str, Any],
                                                        token_client: Any) -> None:
    client = token_client(owners["quality_lead"])
    bad = MEDICINES_RULE.replace("within_days: 28", "within_days: 0")
    resp = client.post("/api/v1/escalation-rules/", {"yaml": bad}, format="json")
    assert resp.status_code == 400
    errors = resp.json()["errors"]["yaml"]
    line = 1 + MEDICINES_RULE.splitlines().index("  within_days: 28")
    assert any(f":{line}:" in e and "within_days" in e for e in errors), errors
    assert not EscalationRule.objects.exists()


def test_a_registered_manager_cannot_write_rules(owners: dict[str, Any],
                                                 token_client: Any) -> None:
    client = token_client(owners["registered_manager"])
    resp = client.post("/api/v1/escalation-rules/", {"yaml": MEDICINES_RULE}, format="json")
    assert resp.status_code == 403
    assert not EscalationRule.objects.exists()
    resp = client.post("/api/v1/escalation-rules/preview/", {"yaml": MEDICINES_RULE},
                       format="json")
    assert resp.status_code == 403


def test_preview_counts_past_firings_and_saves_nothing(
        org: Any, location: Any, owners: dict[str, Any], token_client: Any, alex: Any,
        blake: Any) -> None:
    discrepancy_check(org, location, days_ago(40), alex, blake)
    discrepancy_check(org, location, days_ago(35), alex, blake)
    discrepancy_check(org, location, days_ago(20), blake, alex)
    discrepancy_check(org, location, days_ago(18), blake, alex)
    discrepancy_check(org, location, days_ago(200), alex, blake)  # outside 90 days
    history = HistoryEntry.objects.count()
    client = token_client(owners["quality_lead"])
    resp = client.post("/api/v1/escalation-rules/preview/", {"yaml": MEDICINES_RULE},
                       format="json")
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert body["count"] == 2 and body["days"] == 90
    assert body["summary"] == "This rule would have fired 2 times in the last 90 days."
    assert [(p["name"], p["count"]) for p in body["per_location"]] == [(location.name, 2)]
    assert len(body["examples"]) == 2 and all(location.name in e for e in body["examples"])
    assert body["description"].startswith("When ")
    assert not Firing.objects.exists() and not EscalationRule.objects.exists()
    assert HistoryEntry.objects.count() == history
    resp = client.post("/api/v1/escalation-rules/preview/",
                       {"yaml": MEDICINES_RULE, "days": 10}, format="json")
    assert resp.json()["count"] == 0


def test_rules_of_another_organisation_are_not_visible(
        owners: dict[str, Any], make_user: Any, other_org: Any, token_client: Any) -> None:
    client = token_client(owners["quality_lead"])
    rule = client.post("/api/v1/escalation-rules/", {"yaml": MEDICINES_RULE},
                       format="json").json()
    stranger = token_client(make_user(other_org, "quality_lead", scope="organisation"))
    assert stranger.get("/api/v1/escalation-rules/").json()["results"] == []
    assert stranger.get(f"/api/v1/escalation-rules/{rule['id']}/").status_code == 404


def test_task_due_dates_are_in_the_payload(firing: Firing, owners: dict[str, Any],
                                           token_client: Any) -> None:
    client = token_client(owners["registered_manager"])
    [task] = client.get("/api/v1/tasks/", {"task_type": "supervision"}).json()["results"]
    due = dt.datetime.fromisoformat(task["due_at"].replace("Z", "+00:00"))
    assert due == firing.triggered_at + dt.timedelta(hours=24)
    assert task["owner"] == str(owners["registered_manager"].uuid)
    assert task["rule_title"] == firing.rule_title
