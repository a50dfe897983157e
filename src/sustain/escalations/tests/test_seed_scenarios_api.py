"""The seed's three rules end to end through the HTTP API (issue 6, "Tests").

Set-up only (organisation, users with roles, staff, a person supported, the shipped playbook
applied to a theme at the location) uses fixtures and services. After that every record is
written and every action taken through `/api/v1/...`, and every assertion reads an API
response. The one other call is the scheduler's: the periodic sweep (`services.sweep`) and
the ladder (`services.escalate_overdue`) run at a chosen `now`, as the jobs would."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sustain.core import events
from sustain.escalations import services
from sustain.escalations.tests.conftest import days_ago

pytestmark = pytest.mark.django_db

API = "/api/v1"


# --- set-up helpers -------------------------------------------------------------------------


def _apply_playbook(org: Any, location: Any, code: str, title: str) -> None:
    """Apply the shipped playbook `code` to a theme at `location` (as the services test
    does): its escalation rules then run there."""
    from sustain.playbooks.models import Playbook
    from sustain.playbooks.services import playbook_apply, playbooks_load
    from sustain.themes import services as theme_services

    playbooks_load()
    playbook = Playbook.objects.get(code=code, organisation__isnull=True)
    theme = theme_services.theme_create(actor="test", organisation=org, location=location,
                                        title=title, origin="inspection", as_of=days_ago(60))
    playbook_apply(actor="test", playbook=playbook, theme=theme)


def _ok(resp: Any, status: int = 200) -> dict[str, Any]:
    assert resp.status_code == status, (resp.status_code, resp.content[:2000])
    body: dict[str, Any] = resp.json()
    return body


def _post(client: Any, path: str, data: dict[str, Any], status: int = 201) -> dict[str, Any]:
    return _ok(client.post(f"{API}/{path}", data, format="json"), status)


def _get(client: Any, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    return _ok(client.get(f"{API}/{path}", params or {}))


def _firings(client: Any, location: Any, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = _get(client, "escalations/",
                                      {"location_id": str(location.uuid), **params})["results"]
    return rows


def _tasks(client: Any, firing_id: str) -> dict[str, dict[str, Any]]:
    rows = _get(client, "tasks/", {"firing_id": firing_id})["results"]
    return {row["task_type"]: row for row in rows}


def _task(client: Any, task_id: str) -> dict[str, Any]:
    return _get(client, f"tasks/{task_id}/")


def _history(client: Any, object_id: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = _get(client, "history/", {"object_id": object_id})["results"]
    return rows


def _at(value: str) -> dt.datetime:
    parsed = parse_datetime(value)
    assert parsed is not None, value
    return parsed


# --- 1. medicines ---------------------------------------------------------------------------


def test_medicines_repeated_mar_discrepancy_through_the_api(
        org: Any, location: Any, owners: dict[str, Any], alex: Any, blake: Any,
        token_client: Any) -> None:
    _apply_playbook(org, location, "medicines-governance", "Medicines")
    manager, senior = owners["registered_manager"], owners["senior_carer"]
    client = token_client(manager)

    def check(day: dt.date, staff: Any) -> dict[str, Any]:
        return _post(client, "medicines-checks/", {
            "location": str(location.uuid), "check_date": day.isoformat(), "shift": "day",
            "checked_by": str(blake.uuid), "charts_checked": 12,
            "discrepancies": [{"type": "omission", "staff_responsible": str(staff.uuid)}]})

    first = check(days_ago(12), alex)
    assert _firings(client, location) == []  # one discrepancy is not a repeat
    check(days_ago(11), blake)  # someone else's: not grouped with Alex's
    assert _firings(client, location) == []
    second = check(days_ago(10), alex)

    [firing] = _firings(client, location)
    assert firing["rule_code"] == "repeated-mar-discrepancy"
    assert firing["status"] == "open" and firing["source"] == "playbook"
    assert firing["playbook_code"] == "medicines-governance"
    assert firing["staff_member"] == str(alex.uuid)
    assert [r["type"] for r in firing["records"]] == ["medicines_discrepancy"] * 2
    assert [r["id"] for r in firing["records"]] == [first["discrepancies"][0]["id"],
                                                    second["discrepancies"][0]["id"]]
    assert _firings(client, location, rule_code="repeated-mar-discrepancy") == [firing]
    triggered = _at(firing["triggered_at"])

    tasks = _tasks(client, firing["id"])
    assert set(tasks) == {"supervision", "competency_reassessment", "spot_checks"}
    sup, comp, spot = (tasks["supervision"], tasks["competency_reassessment"],
                       tasks["spot_checks"])
    assert {t["firing"] for t in tasks.values()} == {firing["id"]}
    assert sup["owner"] == str(manager.uuid) and sup["owner_role"] == "registered_manager"
    assert _at(sup["due_at"]) - triggered == dt.timedelta(hours=24)
    assert sup["staff_member"] == str(alex.uuid) and sup["status"] == "open"
    assert comp["owner"] == str(manager.uuid)
    assert comp["fulfilled_by_type"] == "competency_assessment"
    assert spot["owner"] == str(senior.uuid) and spot["count_needed"] == 3
    # the senior carer sees the task they own
    assert [t["id"] for t in _get(token_client(senior), "tasks/",
                                  {"owner_id": str(senior.uuid)})["results"]] == [spot["id"]]

    # a supervision of ANOTHER member of staff does not complete the supervision task
    def supervise(day: dt.date, supervisee: Any, supervisor: Any) -> dict[str, Any]:
        return _post(client, "supervisions/", {
            "location": str(location.uuid), "date": day.isoformat(),
            "supervisor": str(supervisor.uuid), "supervisee": str(supervisee.uuid),
            "topics": "Medicines discrepancies"})

    supervise(days_ago(5), blake, alex)
    still = _task(client, sup["id"])
    assert still["status"] == "open" and still["fulfilled_records"] == []
    # ... a supervision of Alex dated after the trigger does
    done_by = supervise(days_ago(4), alex, blake)
    done = _task(client, sup["id"])
    assert done["status"] == "done" and done["state"] == "done" and done["done_at"]
    assert [(r["type"], r["id"]) for r in done["fulfilled_records"]] == [
        ("supervision", done_by["id"])]
    assert done["fulfilled_records"][0]["label"]
    assert _task(client, comp["id"])["status"] == "open"

    # competency reassessment: a record dated before the trigger is refused on `record`,
    # and nothing changes
    def assess(day: dt.date) -> dict[str, Any]:
        return _post(client, "competency-assessments/", {
            "location": str(location.uuid), "assessment_type": "medicines_administration",
            "assessor": str(blake.uuid), "staff": str(alex.uuid), "date": day.isoformat(),
            "outcome": "competent"})

    too_early = assess(days_ago(11))
    before = _task(client, comp["id"])
    assert before["status"] == "open"  # the early record did not count on write either
    resp = client.post(f"{API}/tasks/{comp['id']}/complete/",
                       {"record_type": "competency_assessment", "record": too_early["id"],
                        "version": before["version"]}, format="json")
    body = _ok(resp, 400)
    assert set(body) == {"message", "errors"}
    assert "before the trigger" in body["errors"]["record"][0]
    assert _task(client, comp["id"]) == before
    assert [e for e in _history(client, comp["id"]) if e["action"] == "update"] == []

    # a record dated after the trigger completes it. Written through the API with the
    # on-write path muted (as an import writes), otherwise the write itself would complete
    # the task and the endpoint would have nothing left to do.
    with events.muted():
        good = assess(days_ago(3))
    assert _task(client, comp["id"])["status"] == "open"
    resp = client.post(f"{API}/tasks/{comp['id']}/complete/",
                       {"record_type": "competency_assessment", "record": good["id"],
                        "version": before["version"]}, format="json")
    completed = _ok(resp)
    assert completed["status"] == "done"
    assert [r["id"] for r in completed["fulfilled_records"]] == [good["id"]]
    again = _task(client, comp["id"])
    assert again["status"] == "done" and again["version"] == before["version"] + 1
    assert any(e["request_id"] == resp["X-Request-ID"] for e in _history(client, comp["id"]))
    # the spot checks are still outstanding, so the firing stays open
    [firing] = _firings(client, location)
    assert firing["status"] == "open"
    assert {t["task_type"]: t["status"] for t in firing["tasks"]} == {
        "supervision": "done", "competency_reassessment": "done", "spot_checks": "open"}


def test_a_completion_with_a_matching_record_written_through_the_api_is_automatic(
        org: Any, location: Any, owners: dict[str, Any], alex: Any, blake: Any,
        token_client: Any) -> None:
    """The competency assessment written through the API (events not muted) completes the
    task on write: the endpoint then refuses a second completion and changes nothing."""
    _apply_playbook(org, location, "medicines-governance", "Medicines")
    client = token_client(owners["registered_manager"])
    for n in (12, 10):
        _post(client, "medicines-checks/", {
            "location": str(location.uuid), "check_date": days_ago(n).isoformat(),
            "shift": "day", "checked_by": str(blake.uuid), "charts_checked": 10,
            "discrepancies": [{"type": "wrong_dose" if n == 12 else "omission",
                               "staff_responsible": str(alex.uuid)}]})
    [firing] = _firings(client, location)
    comp = _tasks(client, firing["id"])["competency_reassessment"]
    record = _post(client, "competency-assessments/", {
        "location": str(location.uuid), "assessment_type": "medicines_administration",
        "assessor": str(blake.uuid), "staff": str(alex.uuid),
        "date": days_ago(2).isoformat(), "outcome": "competent"})
    done = _task(client, comp["id"])
    assert done["status"] == "done"
    assert [r["id"] for r in done["fulfilled_records"]] == [record["id"]]
    resp = client.post(f"{API}/tasks/{comp['id']}/complete/",
                       {"record_type": "competency_assessment", "record": record["id"],
                        "version": done["version"]}, format="json")
    assert resp.status_code in (400, 409), resp.json()
    assert set(resp.json()) == {"message", "errors"}
    assert _task(client, comp["id"]) == done


# --- 2. care planning -----------------------------------------------------------------------


def test_care_planning_repeated_mismatch_through_the_api(
        org: Any, location: Any, owners: dict[str, Any], make_user: Any, alex: Any,
        blake: Any, person: Any, token_client: Any) -> None:
    _apply_playbook(org, location, "care-planning", "Care planning")
    deputy = make_user(org, "deputy_manager", location=location)
    manager = owners["registered_manager"]
    client = token_client(manager)

    def review(day: dt.date, key_worker: Any, *, mismatch: bool) -> dict[str, Any]:
        return _post(client, "care-plan-reviews/", {
            "location": str(location.uuid), "person": str(person.uuid),
            "key_worker": str(key_worker.uuid), "due_date": day.isoformat(),
            "completed_on": day.isoformat(), "checked_daily_notes": True,
            "mismatch_found": mismatch,
            "mismatch_detail": "Plan says two carers; notes show one." if mismatch else ""})

    first = review(days_ago(30), alex, mismatch=True)
    review(days_ago(26), blake, mismatch=True)  # another key worker
    review(days_ago(24), alex, mismatch=False)  # no mismatch: not counted
    assert _firings(client, location) == []
    second = review(days_ago(20), alex, mismatch=True)

    [firing] = _firings(client, location)
    assert firing["rule_code"] == "repeated-record-practice-mismatch"
    assert firing["group_field"] == "key_worker" and firing["staff_member"] == str(alex.uuid)
    assert [r["id"] for r in firing["records"]] == [first["id"], second["id"]]
    tasks = _tasks(client, firing["id"])
    assert set(tasks) == {"supervision", "plan_review", "observation"}
    plan, obs = tasks["plan_review"], tasks["observation"]
    assert plan["person"] == str(person.uuid) and plan["owner"] == str(manager.uuid)
    assert obs["owner"] == str(deputy.uuid) and obs["owner_role"] == "deputy_manager"

    # the plan review is fulfilled by a care-plan review of the person after the trigger
    # (the plan review's fulfilment: see the next test)

    # cancelling the observation needs a reason
    before = _task(client, obs["id"])
    for data in ({"version": obs["version"]}, {"version": obs["version"], "reason": "  "}):
        body = _ok(client.post(f"{API}/tasks/{obs['id']}/cancel/", data, format="json"), 400)
        assert set(body) == {"message", "errors"} and body["errors"]["reason"][0]
        assert _task(client, obs["id"]) == before
    reason = "Observed during the supervision on the same day"
    resp = client.post(f"{API}/tasks/{obs['id']}/cancel/",
                       {"version": obs["version"], "reason": reason}, format="json")
    cancelled = _ok(resp)
    assert cancelled["status"] == "cancelled" and cancelled["state"] == "cancelled"
    assert cancelled["cancel_reason"] == reason
    assert _task(client, obs["id"])["cancel_reason"] == reason
    [entry] = [e for e in _history(client, obs["id"]) if e["request_id"] == resp["X-Request-ID"]]
    assert entry["action"] == "update" and reason in entry["message"]
    assert {"field": "cancel_reason", "before": "", "after": reason} in entry["changed_fields"]
    # the same entry through the type filter
    typed = _get(client, "history/", {"object_type": "escalations.escalationtask",
                                      "request_id": resp["X-Request-ID"]})["results"]
    assert [e["id"] for e in typed] == [entry["id"]]
    # a second cancel of a cancelled task is refused
    again = client.post(f"{API}/tasks/{obs['id']}/cancel/",
                        {"version": cancelled["version"], "reason": reason}, format="json")
    assert again.status_code in (400, 409)


def test_the_plan_review_is_fulfilled_by_a_later_review_of_the_person_not_the_trigger(
        org: Any, location: Any, owners: dict[str, Any], make_user: Any, alex: Any,
        blake: Any, person: Any, token_client: Any) -> None:
    _apply_playbook(org, location, "care-planning", "Care planning")
    make_user(org, "deputy_manager", location=location)
    client = token_client(owners["registered_manager"])

    def review(day: dt.date, key_worker: Any, *, mismatch: bool) -> dict[str, Any]:
        return _post(client, "care-plan-reviews/", {
            "location": str(location.uuid), "person": str(person.uuid),
            "key_worker": str(key_worker.uuid), "due_date": day.isoformat(),
            "completed_on": day.isoformat(), "checked_daily_notes": True,
            "mismatch_found": mismatch,
            "mismatch_detail": "Plan says two carers; notes show one." if mismatch else ""})

    review(days_ago(30), alex, mismatch=True)
    trigger = review(days_ago(20), alex, mismatch=True)
    [firing] = _firings(client, location)
    plan = _tasks(client, firing["id"])["plan_review"]
    assert plan["person"] == str(person.uuid)
    # the review that found the second mismatch is the trigger, not the response to it
    assert trigger["id"] not in {r["id"] for r in plan["fulfilled_records"]}
    assert plan["status"] == "open"
    fulfilling = review(days_ago(15), blake, mismatch=False)
    plan = _task(client, plan["id"])
    assert plan["status"] == "done"
    assert [(r["type"], r["id"]) for r in plan["fulfilled_records"]] == [
        ("care_plan_review", fulfilling["id"])]


# --- 3. safeguarding ------------------------------------------------------------------------


def test_safeguarding_delayed_escalation_sweep_ladder_and_correction_through_the_api(
        org: Any, location: Any, owners: dict[str, Any], alex: Any, person: Any,
        token_client: Any) -> None:
    _apply_playbook(org, location, "safeguarding", "Safeguarding")
    manager, quality_lead = owners["registered_manager"], owners["quality_lead"]
    client = token_client(manager)
    raised = timezone.now() - dt.timedelta(seconds=5)
    concern = _post(client, "safeguarding-concerns/", {
        "location": str(location.uuid), "raised_at": raised.isoformat(),
        "raised_by": str(alex.uuid), "person": str(person.uuid), "category": "neglect",
        "description": "Bruise seen on the arm"})
    assert concern["shift_lead_notified_at"] is None
    end_of_shift = _at(concern["timeliness"]["shift_lead_notified"]["deadline"])
    assert end_of_shift > timezone.now()

    # before the end of the shift nothing fires: on write, nor in a sweep just before it
    assert _firings(client, location) == []
    services.sweep(organisation=org, now=end_of_shift - dt.timedelta(minutes=1))
    assert _firings(client, location) == []

    # after the end of the shift the sweep fires the delayed-escalation rule (only it: the
    # manager's 24 hours have not run out yet)
    services.sweep(organisation=org, now=end_of_shift + dt.timedelta(minutes=1))
    [firing] = _firings(client, location)
    assert firing["rule_code"] == "delayed-escalation" and firing["status"] == "open"
    assert [(r["type"], r["id"]) for r in firing["records"]] == [
        ("safeguarding_concern", concern["id"])]
    assert firing["staff_member"] == str(alex.uuid)
    tasks = _tasks(client, firing["id"])
    assert set(tasks) == {"management_review", "debrief", "training"}
    review = tasks["management_review"]
    assert review["owner"] == str(manager.uuid) and review["step"] == 0
    # a second sweep at the same time is idempotent
    services.sweep(organisation=org, now=end_of_shift + dt.timedelta(minutes=2))
    assert [f["id"] for f in _firings(client, location)] == [firing["id"]]

    # the ladder: past the management review's deadline it goes to the quality lead
    due = _at(review["due_at"])
    services.escalate_overdue(now=due - dt.timedelta(minutes=1), organisation=org)
    assert _task(client, review["id"])["step"] == 0
    services.escalate_overdue(now=due + dt.timedelta(minutes=1), organisation=org)
    escalated = _task(client, review["id"])
    assert escalated["step"] == 1 and escalated["owner_role"] == "quality_lead"
    assert escalated["owner"] == str(quality_lead.uuid) and escalated["status"] == "open"
    assert _at(escalated["escalated_at"]) == due + dt.timedelta(minutes=1)
    assert _at(escalated["due_at"]) > due
    assert _at(escalated["original_due_at"]) == due
    steps = [e for e in _history(client, review["id"]) if e["message"].startswith("Escalated")]
    assert len(steps) == 1 and "quality lead" in steps[0]["message"].lower()
    assert {"field": "step", "before": 0, "after": 1} in steps[0]["changed_fields"]
    # the quality lead sees it among the tasks they own
    ql_tasks = _get(token_client(quality_lead), "tasks/", {"owner_id": str(quality_lead.uuid)})
    assert [t["id"] for t in ql_tasks["results"]] == [review["id"]]
    # the other two are not yet due, so they stay with the registered manager
    others = _tasks(client, firing["id"])
    assert others["debrief"]["step"] == 0 and others["debrief"]["owner"] == str(manager.uuid)

    # correcting the concern (the shift lead was told in time) withdraws the firing and its
    # open tasks, with a reason; nothing is deleted
    notified = raised + dt.timedelta(seconds=1)
    resp = client.patch(f"{API}/safeguarding-concerns/{concern['id']}/",
                        {"shift_lead_notified_at": notified.isoformat(),
                         "version": concern["version"]}, format="json")
    corrected = _ok(resp)
    assert _at(corrected["shift_lead_notified_at"]) == notified
    assert corrected["timeliness"]["shift_lead_notified"]["status"] != "late"
    withdrawn = _get(client, f"escalations/{firing['id']}/")
    assert withdrawn["status"] == "withdrawn"
    # the reason is the correction (not merely "the limit has not passed", which is what an
    # evaluation at the real clock, before the end of the shift, would also say)
    reason = withdrawn["withdrawn_reason"]
    assert "shift lead notified is now recorded as" in reason
    assert "within the end of the shift" in reason and "has not passed" not in reason
    for task in _tasks(client, firing["id"]).values():
        assert task["status"] == "withdrawn" and task["state"] == "withdrawn"
        assert task["withdrawn_reason"] == reason
        [entry] = [e for e in _history(client, task["id"])
                   if e["message"].startswith("Withdrawn")]
        assert {"field": "status", "before": "open", "after": "withdrawn"} in entry[
            "changed_fields"]
    assert [f["id"] for f in _firings(client, location, status="withdrawn")] == [firing["id"]]
    # a later sweep past the end of the shift does not fire it again
    services.sweep(organisation=org, now=end_of_shift + dt.timedelta(hours=2))
    assert [(f["id"], f["status"]) for f in _firings(client, location)] == [
        (firing["id"], "withdrawn")]
    assert _firings(client, location)[0]["withdrawn_reason"] == reason
