"""The recovery core end to end in Chromium, as a registered manager does it: record the CQC
inspection, turn its finding into a theme with the care-planning playbook, work the action
plan, run the re-audit with its written analysis and watch the theme become verified — and
see that it was refused verification before the re-audit proved the change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import Site, sign_in
from tests.browser.test_accessibility import _check

pytestmark = pytest.mark.browser


def _answer_everything_well(page: Any, template: Any, samples: int) -> None:
    """Answer every question as a service that has changed its practice would."""
    for section in template.sections:
        for q in section["questions"]:
            code, kind = q["code"], q["answer_type"]
            ids = [f"s-{code}-{i}" for i in range(samples)] if q.get("per_sample") \
                else [f"a-{code}"]
            for field in ids:
                if kind == "yes_no":
                    page.locator(f"label[for='{field}-yes']").click()
                elif kind == "scale":
                    page.locator(f"#{field}").fill(str(q.get("scale_max") or 4))
                elif kind == "number":
                    value = q.get("at_least") if q.get("at_least") is not None else \
                        q.get("at_most") or 0
                    page.locator(f"#{field}").fill(str(int(value)))
                elif q.get("required", True):
                    page.locator(f"#{field}").fill("Seen and checked with the key worker.")


def test_record_inspection_to_verified_theme(page: Any, site: Site) -> None:
    from sustain.audits.models import Audit
    from sustain.playbooks.services import playbooks_load
    from sustain.reference.services import reference_load
    from sustain.themes.models import Theme

    reference_load()
    playbooks_load()
    sign_in(page, site, "rm.oak")
    inspected = timezone.localdate() - dt.timedelta(days=40)

    # 1. Record the inspection: Requires improvement, a breach of regulation 9, one finding.
    page.goto(f"{site.url}/locations/{site.home.uuid}/")
    page.get_by_role("link", name="Record an inspection").click()
    page.get_by_label("Date of the inspection").fill(inspected.isoformat())
    page.get_by_label("Type of inspection").select_option("assessment")
    page.get_by_label("Overall rating").select_option("requires-improvement")
    for kq, value in (("Safe", "good"), ("Effective", "good"), ("Caring", "good"),
                      ("Responsive", "requires-improvement"),
                      ("Well-led", "requires-improvement")):
        page.get_by_label(kq, exact=True).select_option(value)
    breach = page.locator("#breaches-row-0")
    breach.get_by_label("Regulation").select_option("RA2014-9")
    breach.get_by_label("What was breached").fill("Care plans did not reflect people's needs.")
    finding = page.locator("#findings-row-0")
    finding.get_by_label("Finding").fill("Care plans were not person-centred and staff could "
                                         "not explain people's current needs.")
    finding.get_by_label("Key question").select_option("responsive")
    page.get_by_role("button", name="Record inspection", exact=True).last.click()
    page.wait_for_selector("h1:has-text('Inspection of Oak House')")

    # 2. The finding becomes a theme with the care-planning playbook applied.
    page.get_by_text("Create a theme from this finding").click()
    page.get_by_label("Theme title").fill("Care planning")
    from sustain.playbooks.models import Playbook

    latest = Playbook.objects.filter(code="care-planning").latest("version")
    page.get_by_label("Playbook").select_option(
        label=f"Person-centred care planning (version {latest.version})")
    page.get_by_role("button", name="Create theme").click()
    page.wait_for_load_state()
    theme = Theme.objects.get()
    assert theme.playbook is not None and theme.playbook.code == "care-planning"
    page.goto(f"{site.url}/themes/{theme.uuid}/")
    assert "Identified" in page.locator(".stage-line").inner_text()

    # 3. The action plan: one action, then done. Done is not verified.
    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("What will be done").fill("Monthly care plan quality clinic")
    page.get_by_label("Due date").fill((timezone.localdate() + dt.timedelta(days=14))
                                       .isoformat())
    page.get_by_role("button", name="Add action").click()
    page.wait_for_selector("h1:has-text('Care planning')")
    assert "Recovering" in page.locator(".stage-line").inner_text()
    page.locator("summary", has_text="Mark done").first.click()
    page.get_by_role("button", name="Mark done").first.click()
    page.wait_for_selector("h1:has-text('Care planning')")
    assert "Actions complete" in page.locator(".stage-line").inner_text()
    assert "re-audit" in page.locator(".next-stage").inner_text()

    # Trying to call it verified without the re-audit is refused, with the missing evidence.
    page.get_by_label("Move the theme to").select_option("verified")
    page.locator("#id_reason").fill("The clinic is running; we think it is fixed.")
    page.get_by_role("button", name="Move the theme").click()
    page.wait_for_selector(".error-summary")
    assert "cannot move to verified" in page.locator(".error-summary").inner_text()
    assert "re-audit" in page.locator(".refusal").inner_text()
    theme.refresh_from_db()
    assert theme.stage == "actions_complete"

    # 4. The re-audit, on the sampled care plans, with its written analysis.
    page.get_by_role("link", name="Start a re-audit").click()
    page.wait_for_url("**/audits/new/**")
    samples = ["P000", "P001", "P002", "Room 4", "Room 9"]
    page.get_by_label("Sampled items").fill("\n".join(samples))
    page.get_by_role("button", name="Start the audit").click()
    page.wait_for_selector("h1:has-text('Audit:')")
    audit = Audit.objects.get()
    assert audit.is_reaudit and audit.theme_id == theme.pk
    _answer_everything_well(page, audit.template, len(samples))
    page.get_by_role("button", name="Complete the audit").click()
    page.wait_for_selector(".error-summary")  # no analysis yet: refused
    assert "analysis" in page.locator(".error-summary").inner_text()
    page.locator("#analysis").fill(
        "All five sampled care plans now match daily notes, incidents and what we observed. "
        "Families confirmed the changes at reviews. Staff explained each person's current "
        "needs without prompting. The clinic continues monthly and we will re-audit next "
        "month to confirm it holds.")
    page.get_by_role("button", name="Complete the audit").click()
    page.wait_for_selector("text=The audit is complete")
    assert _check(page, "completed re-audit") == []

    # 5. The theme is verified by the rules, on the evidence of that re-audit.
    page.goto(f"{site.url}/themes/{theme.uuid}/")
    assert "Verified" in page.locator(".stage-line").inner_text()
    theme.refresh_from_db()
    assert theme.stage == "verified"
    last = theme.transitions.order_by("created_at").last()
    assert last.moved_by == "rules" and str(audit.uuid) in last.evidence
    assert _check(page, "verified theme") == []
