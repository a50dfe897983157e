"""Theme pages: the cross-location list, open/edit, the theme page (next stage, reasons,
timeline, chart, move refusals), the action workflow (done, verify refused and passed,
cancel), the location and home sections, and who may see or do what."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sustain.core.models import HistoryEntry
from sustain.reference.models import QualityStatement, Regulation
from sustain.themes import services
from sustain.themes.models import Action, Theme, ThemeTransition
from sustain.themes.tests.conftest import days_ago
from sustain.themes.tests.factories import AuditFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rm_client(rm: Any) -> Client:
    client = Client()
    client.force_login(rm)
    return client


def _text(response: Any) -> str:
    """The page's visible text, whitespace collapsed (for reading assertions)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def _writes() -> tuple[int, int, int]:
    return (HistoryEntry.objects.count(), ThemeTransition.objects.count(),
            Action.objects.count())


# --- the list -------------------------------------------------------------------------------


def test_list_shows_stage_counts_and_what_is_next(plan: Any, rm_client: Client) -> None:
    resp = rm_client.get(reverse("themes:list"))
    assert resp.status_code == 200
    text = _text(resp)
    assert "Medicines governance" in text and "Oak House" in text
    assert "Recovering" in text and "1 of 2" in text
    assert "Action not done: Weekly MAR spot checks" in text
    assert '<span class="overdue-count">1' in resp.content.decode()


def test_list_filters(plan: Any, rm: Any, org: Any, location: Any, library: None,
                      rm_client: Client, owner: Any) -> None:
    other = services.theme_create(actor=rm, organisation=org, location=location,
                                  title="Safeguarding escalation", origin="complaints",
                                  quality_statements=[QualityStatement.objects.get(code="S3")])

    def titles(query: str) -> set[str]:
        text = _text(rm_client.get(reverse("themes:list") + query))
        return {t for t in ("Medicines governance", "Safeguarding escalation") if t in text}

    assert titles("") == {"Medicines governance", "Safeguarding escalation"}
    assert titles("?stage=identified") == {"Safeguarding escalation"}
    assert titles("?overdue=on") == {"Medicines governance"}
    assert titles("?origin=complaints") == {"Safeguarding escalation"}
    assert titles("?key_question=safe") == {"Safeguarding escalation"}
    assert titles("?key_question=caring") == set()
    assert titles(f"?owner={owner.uuid}") == {"Medicines governance"}
    assert titles(f"?location={location.uuid}") == {"Medicines governance",
                                                    "Safeguarding escalation"}
    assert other.stage == "identified"


def test_list_is_scoped_and_needs_theme_view(plan: Any, org: Any, location: Any,
                                             foreign_location: Any, make_user: Any,
                                             client_for: Any) -> None:
    ThemeFactory(location=foreign_location, title="Foreign theme")
    carer = client_for(make_user(org, "care_staff", location=location))
    text = _text(carer.get(reverse("themes:list")))
    assert "Medicines governance" in text and "Foreign theme" not in text
    assert "Open a theme" not in text  # care staff see themes but cannot open them
    commissioner = client_for(make_user(org, "commissioner", location=location))
    assert commissioner.get(reverse("themes:list")).status_code == 403
    nav = _text(commissioner.get(reverse("web:home")))
    assert "Themes" not in nav.split("Skip to main content")[1].split("My locations")[0]


def test_nav_has_themes_for_theme_viewers(rm_client: Client) -> None:
    html = rm_client.get(reverse("web:home")).content.decode()
    assert f'href="{reverse("themes:list")}">Themes</a>' in html


# --- open and edit --------------------------------------------------------------------------


def test_open_a_theme(library: None, rm_client: Client, location: Any, owner: Any) -> None:
    url = reverse("themes:create") + f"?location={location.uuid}"
    assert rm_client.get(url).status_code == 200
    s8 = QualityStatement.objects.get(code="S8")
    reg12 = Regulation.objects.get(code="RA2014-12")
    resp = rm_client.post(url, {"location": str(location.uuid), "title": "Medicines",
                                "origin": "inspection", "owner": str(owner.uuid),
                                "quality_statements": [str(s8.uuid)],
                                "regulations": [str(reg12.uuid)],
                                "description": "MAR gaps at night."})
    theme = Theme.objects.get(title="Medicines")
    assert resp.status_code == 302 and resp["Location"] == reverse(
        "themes:detail", kwargs={"uuid": theme.uuid})
    assert list(theme.quality_statements.all()) == [s8]
    assert theme.stage == "identified" and theme.owner == owner


def test_open_a_theme_with_errors_names_the_fields(library: None, rm_client: Client,
                                                   location: Any) -> None:
    before = _writes()
    resp = rm_client.post(reverse("themes:create"), {"location": str(location.uuid)})
    assert resp.status_code == 200
    text = _text(resp)
    assert "There is a problem" in text and "Enter the title" in text
    assert _writes() == before


def test_edit_a_theme(plan: Any, rm_client: Client) -> None:
    url = reverse("themes:edit", kwargs={"uuid": plan.uuid})
    assert rm_client.get(url).status_code == 200
    resp = rm_client.post(url, {"title": "Medicines governance (nights)", "origin":
                                "inspection", "version": plan.version})
    assert resp.status_code == 302
    plan.refresh_from_db()
    assert plan.title == "Medicines governance (nights)" and plan.stage == "recovering"


def test_stale_edit_is_refused(plan: Any, rm_client: Client) -> None:
    url = reverse("themes:edit", kwargs={"uuid": plan.uuid})
    resp = rm_client.post(url, {"title": "Other", "origin": "inspection",
                                "version": plan.version - 1})
    assert resp.status_code == 200 and "Someone else changed this record" in _text(resp)


# --- the theme page -------------------------------------------------------------------------


def test_theme_page_says_what_is_next_and_why(plan: Any, rm_client: Client) -> None:
    resp = rm_client.get(reverse("themes:detail", kwargs={"uuid": plan.uuid}))
    assert resp.status_code == 200
    text = _text(resp)
    assert "What is needed for the next stage (Actions complete)" in text
    assert "Action not done: Weekly MAR spot checks" in text
    assert "Why it is at this stage" in text and "1 of 2 actions done." in text
    assert "Timeline" in text and "moved by the evidence rules" in text
    html = resp.content.decode()
    assert 'class="action-card is-overdue"' in html and "Overdue" in text
    assert "Move the theme" in text
    assert reverse("web:history", kwargs={"label": "themes.theme", "uuid": plan.uuid}) in html


def test_refused_move_shows_the_missing_evidence_and_changes_nothing(
        plan: Any, rm_client: Client) -> None:
    before = _writes()
    resp = rm_client.post(reverse("themes:move", kwargs={"uuid": plan.uuid}), {
        "target": "verified", "reason": "We are confident practice has changed."})
    assert resp.status_code == 200
    text = _text(resp)
    assert "There is a problem" in text
    assert "The theme cannot move to verified yet." in text
    assert "Why the move was refused" in text
    assert "Action not done: Weekly MAR spot checks" in text
    assert "Nothing has been changed." in text
    assert _writes() == before
    plan.refresh_from_db()
    assert plan.stage == "recovering"


def test_move_without_a_reason_is_refused(plan: Any, rm_client: Client) -> None:
    resp = rm_client.post(reverse("themes:move", kwargs={"uuid": plan.uuid}),
                          {"target": "relapsed", "reason": ""})
    assert resp.status_code == 200 and "Enter the reason" in _text(resp)


def test_allowed_move_is_recorded_with_the_person(plan: Any, rm: Any,
                                                  rm_client: Client) -> None:
    action = plan.actions.get(status="open")
    services.action_update(actor=rm, action=action, changes={"status": "done"},
                           expected_version=action.version)
    AuditFactory(theme=plan, audit_date=days_ago(0), score=95)
    services.theme_reevaluate(theme=plan)
    resp = rm_client.post(reverse("themes:move", kwargs={"uuid": plan.uuid}), {
        "target": "sustaining", "reason": "Closed at the monthly quality meeting."})
    assert resp.status_code == 302
    plan.refresh_from_db()
    assert plan.stage == "sustaining"
    last = ThemeTransition.objects.filter(theme=plan).order_by("created_at").last()
    assert last.moved_by == "person" and last.actor == rm
    text = _text(rm_client.get(reverse("themes:detail", kwargs={"uuid": plan.uuid})))
    assert "moved by Rhian Morgan" in text and "Closed at the monthly quality meeting." in text


def test_reaudit_chart_and_its_table(plan: Any, rm: Any, rm_client: Client) -> None:
    AuditFactory(theme=plan, audit_date=days_ago(20), score=72, passed=False)
    AuditFactory(theme=plan, audit_date=days_ago(3), score=94)
    AuditFactory(theme=plan, audit_date=days_ago(40), score=55, is_reaudit=False)
    html = rm_client.get(reverse("themes:detail", kwargs={"uuid": plan.uuid})).content \
        .decode()
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert 'role="img"' in svg and "Re-audit scores over time" in svg
    assert svg.count("<circle") == 2  # re-audits only, not the baseline audit
    assert 'class="pass-line"' in svg and "Pass mark 90%" in svg
    text = _text(rm_client.get(reverse("themes:detail", kwargs={"uuid": plan.uuid})))
    assert "Re-audit scores (the chart's data)" in text
    assert "72% 90% Below the pass mark" in text and "94% 90% At or above" in text


def test_theme_of_another_organisation_is_404(rm_client: Client,
                                              foreign_location: Any) -> None:
    other = ThemeFactory(location=foreign_location)
    assert rm_client.get(reverse("themes:detail", kwargs={"uuid": other.uuid})) \
        .status_code == 404


def test_readers_without_change_see_no_forms_and_cannot_post(
        plan: Any, org: Any, location: Any, make_user: Any, client_for: Any) -> None:
    carer = client_for(make_user(org, "care_staff", location=location))
    text = _text(carer.get(reverse("themes:detail", kwargs={"uuid": plan.uuid})))
    assert "Move the theme" not in text and "Add an action" not in text
    assert "Mark done" not in text
    resp = carer.post(reverse("themes:move", kwargs={"uuid": plan.uuid}),
                      {"target": "relapsed", "reason": "Carer trying a move."})
    assert resp.status_code == 403
    action = plan.actions.get(status="open")
    resp = carer.post(reverse("themes:action-step", kwargs={"uuid": action.uuid,
                                                            "step": "done"}),
                      {f"a{action.uuid.hex[:12]}-done-version": action.version,
                       f"a{action.uuid.hex[:12]}-done-completed_on": "2026-01-01"})
    assert resp.status_code == 403


# --- the action workflow --------------------------------------------------------------------


def _step(client: Client, action: Action, step: str, **fields: Any) -> Any:
    action.refresh_from_db()
    prefix = f"a{action.uuid.hex[:12]}-{step}"
    data = {f"{prefix}-{k}": v for k, v in fields.items()}
    data.setdefault(f"{prefix}-version", action.version)
    return client.post(reverse("themes:action-step", kwargs={"uuid": action.uuid,
                                                             "step": step}), data)


def test_action_workflow_to_effective(plan: Any, rm_client: Client, owner: Any) -> None:
    resp = rm_client.post(reverse("themes:action-create", kwargs={"uuid": plan.uuid}), {
        "description": "Night MAR competency observations", "owner": str(owner.uuid),
        "due_date": days_ago(-14).isoformat(), "check_method": "reaudit",
        "check_criterion": "re-audit score ≥ 90 %"})
    assert resp.status_code == 302
    action = Action.objects.get(description="Night MAR competency observations")
    assert _step(rm_client, action, "progress").status_code == 302
    action.refresh_from_db()
    assert action.status == "in_progress"
    # Done before it was raised (today) is refused on the form.
    resp = _step(rm_client, action, "done", completed_on=days_ago(2).isoformat())
    assert resp.status_code == 200
    assert "The action cannot be done before it was raised." in _text(resp)
    assert _step(rm_client, action, "done",
                 completed_on=days_ago(0).isoformat()).status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.completed_on == days_ago(0)
    # A re-audit below the criterion is refused, with the reason, and changes nothing.
    low = AuditFactory(theme=plan, audit_date=days_ago(0), score=88)
    before = _writes()
    resp = _step(rm_client, action, "verify", evidence_audit=str(low.uuid),
                 verified_on=days_ago(0).isoformat())
    assert resp.status_code == 200
    text = _text(resp)
    assert "There is a problem" in text
    assert "The criterion needs 90% and the audit scored 88.00%." in text
    assert _writes() == before
    action.refresh_from_db()
    assert action.status == "done"
    good = AuditFactory(theme=plan, audit_date=days_ago(0), score=96)
    resp = _step(rm_client, action, "verify", evidence_audit=str(good.uuid),
                 verified_on=days_ago(0).isoformat())
    assert resp.status_code == 302
    action.refresh_from_db()
    assert action.status == "effective" and action.evidence_audit == good
    text = _text(rm_client.get(reverse("themes:detail", kwargs={"uuid": plan.uuid})))
    assert "Effective" in text and "checked" in text


def test_verify_without_evidence_is_refused(plan: Any, rm_client: Client) -> None:
    done = plan.actions.get(status="done")
    resp = _step(rm_client, done, "verify", verified_on=days_ago(0).isoformat())
    assert resp.status_code == 200
    assert "A re-audit check needs the re-audit as evidence." in _text(resp)
    done.refresh_from_db()
    assert done.status == "done"


def test_cancel_needs_a_reason(plan: Any, rm_client: Client) -> None:
    action = plan.actions.get(status="open")
    resp = _step(rm_client, action, "cancel", cancelled_reason="")
    assert resp.status_code == 200
    assert "There is a problem" in _text(resp) and "Enter the reason for cancelling" in \
        _text(resp)
    resp = _step(rm_client, action, "cancel",
                 cancelled_reason="Replaced by the competency observations.")
    assert resp.status_code == 302
    action.refresh_from_db()
    assert action.status == "cancelled"
    plan.refresh_from_db()
    assert plan.stage == "actions_complete"


def test_edit_an_action(plan: Any, rm_client: Client) -> None:
    action = plan.actions.get(status="open")
    url = reverse("themes:action-edit", kwargs={"uuid": action.uuid})
    assert rm_client.get(url).status_code == 200
    resp = rm_client.post(url, {"description": "Weekly MAR spot checks (all wards)",
                                "due_date": days_ago(-7).isoformat(),
                                "check_method": "record_sample", "version": action.version})
    assert resp.status_code == 302
    action.refresh_from_db()
    assert action.description.endswith("(all wards)") and action.check_method == \
        "record_sample"


# --- other pages ----------------------------------------------------------------------------


def test_location_page_shows_themes_by_stage_and_overdue_actions(
        plan: Any, location: Any, rm_client: Client) -> None:
    text = _text(rm_client.get(reverse("web:location-detail", kwargs={"uuid": location.uuid})))
    assert "Themes by stage" in text and "Medicines governance" in text
    assert "Overdue actions" in text and "Weekly MAR spot checks" in text


def test_home_shows_my_overdue_actions(plan: Any, rm_client: Client) -> None:
    text = _text(rm_client.get(reverse("web:home")))
    assert "Your overdue actions" in text and "Weekly MAR spot checks" in text


def test_theme_history_page(plan: Any, rm_client: Client) -> None:
    resp = rm_client.get(reverse("web:history", kwargs={"label": "themes.theme",
                                                        "uuid": plan.uuid}))
    assert resp.status_code == 200
    assert "Medicines governance" in _text(resp)
