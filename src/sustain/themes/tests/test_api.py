"""The themes and actions API beyond the access matrix: payloads, the evidence-gated
transition, the timeline, the effectiveness check, filters and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sustain.core.models import HistoryEntry
from sustain.engine.lifecycle import manual_transition_blockers
from sustain.themes import services
from sustain.themes.models import Action, Theme, ThemeTransition
from sustain.themes.selectors import theme_facts
from sustain.themes.tests.conftest import days_ago
from sustain.themes.tests.factories import AuditFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def _writes() -> tuple[int, int, int]:
    return (HistoryEntry.objects.count(), ThemeTransition.objects.count(),
            Action.objects.count())


def test_create_theme_with_codes_and_read_it_back(library: None, rm: Any, owner: Any,
                                                  location: Any, token_client: Any) -> None:
    client = token_client(rm)
    resp = client.post("/api/v1/themes/", {
        "location": str(location.uuid), "title": "Care planning", "origin": "inspection",
        "owner": str(owner.uuid), "quality_statements": ["S7", "E3"],
        "regulations": ["RA2014-9", "RA2014-17"], "description": "Plans out of date."},
        format="json")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["stage"] == "identified" and body["stage_label"] == "Identified"
    assert sorted(body["quality_statements"]) == ["E3", "S7"]
    assert sorted(body["regulations"]) == ["RA2014-17", "RA2014-9"]
    assert body["evaluation"]["missing"] == ["An action plan: at least one action."]
    assert body["evaluation"]["rule_version"] == "lifecycle-1"
    assert body["actions"] == {"total": 0, "done": 0, "effective": 0, "overdue": 0}
    detail = client.get(f"/api/v1/themes/{body['id']}/").json()
    assert detail["owner"] == str(owner.uuid) and detail["location"] == str(location.uuid)


def test_unknown_reference_code_names_the_field_and_writes_nothing(
        library: None, rm: Any, location: Any, token_client: Any) -> None:
    before = HistoryEntry.objects.count()
    resp = token_client(rm).post("/api/v1/themes/", {
        "location": str(location.uuid), "title": "X theme", "origin": "other",
        "quality_statements": ["S99"]}, format="json")
    assert resp.status_code == 400
    assert "quality_statements" in resp.json()["errors"]
    assert HistoryEntry.objects.count() == before and not Theme.objects.exists()


def test_retrieve_shows_counts_overdue_milestones_and_evaluation(plan: Any, rm: Any,
                                                                 token_client: Any) -> None:
    body = token_client(rm).get(f"/api/v1/themes/{plan.uuid}/").json()
    assert body["stage"] == "recovering"
    assert body["actions"] == {"total": 2, "done": 1, "effective": 0, "overdue": 1}
    assert body["milestones"] == {"verified_on": None, "sustaining_since": None,
                                  "relapsed_on": None}
    assert body["evaluation"]["reasons"] == ["1 of 2 actions done."]
    assert body["evaluation"]["missing"] == ["Action not done: Weekly MAR spot checks"]
    assert len(body["evaluation"]["evidence"]) == 2


def test_transition_without_evidence_is_refused_with_the_rules_words(
        plan: Any, rm: Any, token_client: Any) -> None:
    expected = list(manual_transition_blockers(theme_facts(plan), "verified"))
    before = _writes()
    resp = token_client(rm).post(f"/api/v1/themes/{plan.uuid}/transition/", {
        "target": "verified", "reason": "We believe practice has changed."}, format="json")
    assert resp.status_code == 400
    body = resp.json()
    assert body["errors"]["target"] == expected
    assert "Action not done: Weekly MAR spot checks" in body["errors"]["target"]
    assert _writes() == before
    plan.refresh_from_db()
    assert plan.stage == "recovering"


def test_transition_needs_a_reason_and_a_known_stage(plan: Any, rm: Any,
                                                     token_client: Any) -> None:
    client = token_client(rm)
    resp = client.post(f"/api/v1/themes/{plan.uuid}/transition/",
                       {"target": "sustaining", "reason": "short"}, format="json")
    assert resp.status_code == 400 and "reason" in resp.json()["errors"]
    resp = client.post(f"/api/v1/themes/{plan.uuid}/transition/",
                       {"target": "fixed", "reason": "It is all fixed now."}, format="json")
    assert resp.status_code == 400 and "target" in resp.json()["errors"]


def test_allowed_transition_and_the_timeline(plan: Any, rm: Any, token_client: Any) -> None:
    """A verified theme formally closed by a person; the timeline names rules and person."""
    action = plan.actions.get(status="open")
    services.action_update(actor=rm, action=action, changes={
        "status": "done", "completed_on": days_ago(4)}, expected_version=action.version)
    audit = AuditFactory(theme=plan, audit_date=days_ago(2), score=94)
    services.theme_reevaluate(theme=plan)
    plan.refresh_from_db()
    assert plan.stage == "verified"
    client = token_client(rm)
    resp = client.post(f"/api/v1/themes/{plan.uuid}/transition/", {
        "target": "sustaining", "reason": "Closed at the quality meeting."}, format="json")
    assert resp.status_code == 200, resp.json()
    assert resp.json()["stage"] == "sustaining"
    timeline = client.get(f"/api/v1/themes/{plan.uuid}/timeline/").json()
    assert [(t["from_stage"], t["to_stage"]) for t in timeline] == [
        ("", "identified"), ("identified", "actions_complete"),  # the first action was done
        ("actions_complete", "recovering"),  # a second, open action
        ("recovering", "actions_complete"), ("actions_complete", "verified"),
        ("verified", "sustaining")]
    verified, closed = timeline[-2], timeline[-1]
    assert verified["moved_by"] == "rules" and verified["actor"] is None
    assert verified["rule_version"] == "lifecycle-1"
    links = {e["id"]: e for e in verified["evidence"]}
    assert links[str(audit.uuid)]["kind"] == "audit"
    assert links[str(audit.uuid)]["url"] == f"/api/v1/audits/{audit.uuid}/"
    assert links[str(action.uuid)]["url"] == f"/api/v1/actions/{action.uuid}/"
    assert closed["moved_by"] == "person" and closed["actor"] == str(rm.uuid)
    assert closed["actor_name"] == "Rhian Morgan"
    assert closed["reason"] == "Closed at the quality meeting."


def test_timeline_evidence_is_not_linked_for_readers_who_cannot_see_it(
        plan: Any, rm: Any, org: Any, location: Any, make_user: Any,
        token_client: Any) -> None:
    action = plan.actions.get(status="open")
    services.action_update(actor=rm, action=action, changes={"status": "done"},
                           expected_version=action.version)
    audit = AuditFactory(theme=plan, audit_date=days_ago(0), score=95)
    services.theme_reevaluate(theme=plan)
    carer = make_user(org, "care_staff", location=location)  # theme.view, no audit.view
    timeline = token_client(carer).get(f"/api/v1/themes/{plan.uuid}/timeline/").json()
    links = {e["id"]: e for t in timeline for e in t["evidence"]}
    assert links[str(audit.uuid)] == {"id": str(audit.uuid), "kind": "record",
                                      "label": "A record you cannot open here", "url": None}
    assert links[str(action.uuid)]["kind"] == "action"


def test_deputy_cannot_move_or_verify(plan: Any, org: Any, location: Any, make_user: Any,
                                      token_client: Any) -> None:
    deputy = make_user(org, "deputy_manager", location=location)
    client = token_client(deputy)
    resp = client.post(f"/api/v1/themes/{plan.uuid}/transition/",
                       {"target": "recovering", "reason": "Trying to move it."}, format="json")
    assert resp.status_code == 403
    done = plan.actions.get(status="done")
    resp = client.post(f"/api/v1/actions/{done.uuid}/verify/",
                       {"evidence_note": "Observed three medicines rounds; all correct."},
                       format="json")
    assert resp.status_code == 403


def test_transition_of_a_theme_in_another_organisation_is_404(
        rm: Any, foreign_location: Any, token_client: Any) -> None:
    other = ThemeFactory(location=foreign_location)
    resp = token_client(rm).post(f"/api/v1/themes/{other.uuid}/transition/",
                                 {"target": "recovering", "reason": "Not ours at all."},
                                 format="json")
    assert resp.status_code == 404
    assert token_client(rm).get(f"/api/v1/themes/{other.uuid}/timeline/").status_code == 404


def test_theme_cannot_move_location(plan: Any, rm: Any, sibling_location: Any,
                                    make_user: Any, org: Any, token_client: Any) -> None:
    admin = make_user(org, "administrator", scope="organisation")
    resp = token_client(admin).patch(f"/api/v1/themes/{plan.uuid}/", {
        "location": str(sibling_location.uuid), "version": plan.version}, format="json")
    assert resp.status_code == 400 and "location" in resp.json()["errors"]


def test_action_filters(plan: Any, rm: Any, owner: Any, token_client: Any) -> None:
    client = token_client(rm)

    def ids(query: str) -> set[str]:
        return {row["description"] for row in client.get(f"/api/v1/actions/?{query}")
                .json()["results"]}

    both = {"Retrain night staff on MAR", "Weekly MAR spot checks"}
    assert ids(f"theme_id={plan.uuid}") == both
    assert ids(f"location_id={plan.location.uuid}&owner_id={owner.uuid}") == both
    assert ids("overdue=true") == {"Weekly MAR spot checks"}
    assert ids("overdue=false") == {"Retrain night staff on MAR"}
    assert ids("status=done") == {"Retrain night staff on MAR"}
    row = client.get("/api/v1/actions/?overdue=true").json()["results"][0]
    assert row["overdue"] is True and row["status_label"] == "Open"


def test_theme_filters(plan: Any, rm: Any, token_client: Any, location: Any) -> None:
    services.theme_create(actor=rm, organisation=plan.organisation, location=location,
                          title="Safeguarding", origin="complaints")
    client = token_client(rm)

    def titles(query: str) -> set[str]:
        return {row["title"] for row in client.get(f"/api/v1/themes/?{query}")
                .json()["results"]}

    assert titles("overdue=true") == {"Medicines governance"}
    assert titles("stage=identified") == {"Safeguarding"}
    assert titles("origin=complaints") == {"Safeguarding"}


def test_marking_effective_by_patch_is_refused(plan: Any, rm: Any, token_client: Any) -> None:
    done = plan.actions.get(status="done")
    resp = token_client(rm).patch(f"/api/v1/actions/{done.uuid}/", {
        "status": "effective", "version": done.version}, format="json")
    assert resp.status_code == 400 and "status" in resp.json()["errors"]
    done.refresh_from_db()
    assert done.status == "done"


def test_verify_refusals_name_why_and_change_nothing(plan: Any, rm: Any,
                                                     token_client: Any) -> None:
    done = plan.actions.get(status="done")
    client = token_client(rm)
    url = f"/api/v1/actions/{done.uuid}/verify/"
    before = _writes()
    resp = client.post(url, {}, format="json")
    assert resp.status_code == 400
    assert "re-audit check needs the re-audit" in resp.json()["errors"]["evidence_audit"][0]
    failing = AuditFactory(theme=plan, audit_date=days_ago(1), score=70, passed=False)
    resp = client.post(url, {"evidence_audit": str(failing.uuid)}, format="json")
    assert resp.status_code == 400
    assert "The audit did not pass (score 70.00%)." in resp.json()["errors"]["evidence_audit"]
    early = AuditFactory(theme=plan, audit_date=days_ago(50), score=96)
    resp = client.post(url, {"evidence_audit": str(early.uuid)}, format="json")
    assert any("before the action was done" in m
               for m in resp.json()["errors"]["evidence_audit"])
    assert _writes() == before
    done.refresh_from_db()
    assert done.status == "done"


def test_verify_with_a_passing_reaudit_makes_it_effective(plan: Any, rm: Any,
                                                          token_client: Any) -> None:
    done = plan.actions.get(status="done")
    audit = AuditFactory(theme=plan, audit_date=days_ago(1), score=96)
    resp = token_client(rm).post(f"/api/v1/actions/{done.uuid}/verify/",
                                 {"evidence_audit": str(audit.uuid)}, format="json")
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert body["status"] == "effective" and body["evidence_audit"] == str(audit.uuid)
    assert body["verified_by"] == str(rm.uuid)


def test_verify_by_observation_needs_a_real_note(plan: Any, rm: Any,
                                                 token_client: Any) -> None:
    done = plan.actions.get(status="done")
    services.action_update(actor=rm, action=done, changes={"check_method": "observation"},
                           expected_version=done.version)
    client = token_client(rm)
    resp = client.post(f"/api/v1/actions/{done.uuid}/verify/", {"evidence_note": "ok"},
                       format="json")
    assert resp.status_code == 400 and "evidence_note" in resp.json()["errors"]
    resp = client.post(f"/api/v1/actions/{done.uuid}/verify/", {
        "evidence_note": "Observed three night medicines rounds on 2 wards; MAR complete."},
        format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "effective"


def test_verify_with_an_audit_the_user_cannot_see_is_refused(
        plan: Any, rm: Any, token_client: Any, sibling_location: Any) -> None:
    done = plan.actions.get(status="done")
    elsewhere = AuditFactory(theme=ThemeFactory(location=sibling_location),
                             audit_date=days_ago(1))
    resp = token_client(rm).post(f"/api/v1/actions/{done.uuid}/verify/",
                                 {"evidence_audit": str(elsewhere.uuid)}, format="json")
    assert resp.status_code == 400
    assert resp.json()["errors"]["evidence_audit"] == ["No audit you may see has this id."]


def test_archiving_an_action_needs_a_reason_and_takes_it_out_of_the_plan(
        plan: Any, rm: Any, token_client: Any) -> None:
    open_action = plan.actions.get(status="open")
    client = token_client(rm)
    resp = client.post(f"/api/v1/actions/{open_action.uuid}/archive/", {}, format="json")
    assert resp.status_code == 400 and "reason" in resp.json()["errors"]
    resp = client.post(f"/api/v1/actions/{open_action.uuid}/archive/",
                       {"reason": "Duplicate of the spot-check action."}, format="json")
    assert resp.status_code == 200
    plan.refresh_from_db()
    assert plan.stage == "actions_complete"


def test_theme_list_queries_do_not_grow(rm: Any, org: Any, location: Any,
                                        token_client: Any) -> None:
    client = token_client(rm)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/themes/").status_code == 200
        return len(ctx.captured_queries)

    services.theme_create(actor=rm, organisation=org, location=location, title="One",
                          origin="other")
    small = count()
    for n in range(8):
        theme = services.theme_create(actor=rm, organisation=org, location=location,
                                      title=f"Theme {n}", origin="other")
        services.action_create(actor=rm, theme=theme, description="Do it",
                               raised_on=days_ago(9), due_date=days_ago(1))
    assert count() == small
