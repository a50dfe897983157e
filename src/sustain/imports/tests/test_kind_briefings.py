"""The briefings and attestations import kinds: a theme is named by its title (or id), a
briefing by its external_ref (or id); each problem is reported on its column and nothing is
written; every record gets a history entry and the attestation counts for coverage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sustain.core.models import HistoryEntry
from sustain.imports.services import job_commit, job_validate
from sustain.imports.tests.conftest import csv_bytes
from sustain.people.tests.factories import StaffFactory
from sustain.themes.tests.factories import ThemeFactory
from sustain.workforce.models import Attestation, Briefing

BRIEFING_HEAD = ["external_ref", "theme", "what_changed", "why", "what_good_looks_like",
                 "delivered_at", "delivered_via", "delivered_by"]
ATTESTATION_HEAD = ["external_ref", "briefing", "staff", "attested_at", "short_answer"]


@pytest.fixture
def setting(org, location, sibling_location):
    for ref in ("S-0107", "S-0212"):
        StaffFactory(organisation=org, staff_reference=ref, locations=[location])
    StaffFactory(organisation=org, staff_reference="S-0900", locations=[sibling_location])
    theme = ThemeFactory(organisation=org, location=location, title="Medicines recording")
    ThemeFactory(organisation=org, location=location, title="Falls")
    ThemeFactory(organisation=org, location=location, title="Falls")
    ThemeFactory(organisation=org, location=sibling_location, title="Night checks")
    return theme


def _briefing(ref, theme="Medicines recording", when="2026-11-18 07:45", via="handover",
              by="S-0107"):
    return [ref, theme, "Check every chart.", "Gaps found late.", "No gaps.", when, via, by]


def _validate(upload, manager, kind, rows):
    return job_validate(actor=manager, job=upload(kind, csv_bytes(rows)))


def test_briefings_import_by_theme_title_or_id(upload, manager, setting):
    job = _validate(upload, manager, "briefings", [
        BRIEFING_HEAD, _briefing("B-1", theme="medicines RECORDING "),
        _briefing("B-2", theme=str(setting.uuid), when="17/11/2026", via="Team_Meeting",
                  by="")])
    assert job.status == "validated", job.report
    job = job_commit(actor=manager, job=job)
    assert job.status == "committed" and job.counts["created"] == 2
    first, second = Briefing.objects.order_by("external_ref")
    assert first.theme == second.theme == setting
    assert first.title == "What changed: Medicines recording"
    assert first.delivered_by.staff_reference == "S-0107" and second.delivered_by is None
    assert timezone.localtime(first.delivered_at).replace(tzinfo=None) == \
        dt.datetime(2026, 11, 18, 7, 45)
    assert second.delivered_via == "team_meeting"
    assert HistoryEntry.objects.filter(object_type="workforce.briefing").count() == 2


def test_briefing_problems_named_by_column(upload, manager, setting):
    job = _validate(upload, manager, "briefings", [
        BRIEFING_HEAD,
        _briefing("B-1", theme="Falls"),                     # two themes called Falls
        _briefing("B-2", theme="Night checks"),              # at another location
        _briefing("B-3", when="2999-01-01 10:00", via="assembly"),
        _briefing("B-4", by="S-0900"),                       # works elsewhere
        ["B-5", "Medicines recording", "", "", "", "2026-11-18", "handover", ""]])
    assert job.status == "failed"
    found = {(p["row"], p["column"]): p["message"] for p in job.report["problems"]}
    assert "2 themes" in found[(2, "theme")] and "id" in found[(2, "theme")]
    assert "No theme" in found[(3, "theme")]
    assert {(4, "delivered_at"), (4, "delivered_via"), (5, "delivered_by"),
            (6, "what_changed"), (6, "why"), (6, "what_good_looks_like")} <= set(found)
    assert not Briefing.objects.exists()


@pytest.fixture
def briefing(upload, manager, setting):
    job = _validate(upload, manager, "briefings", [BRIEFING_HEAD, _briefing("BRF-1")])
    job_commit(actor=manager, job=job)
    return Briefing.objects.get()


def test_attestations_import_and_count_for_coverage(upload, manager, briefing):
    job = _validate(upload, manager, "attestations", [
        ATTESTATION_HEAD, ["A-1", "brf-1", "S-0107", "2026-11-18 08:10", "We check charts."],
        ["A-2", str(briefing.uuid), "S-0212", "2026-11-19", ""]])
    assert job.status == "validated", job.report
    job = job_commit(actor=manager, job=job)
    assert job.counts["created"] == 2
    assert set(briefing.attestations.values_list("staff__staff_reference", flat=True)) == {
        "S-0107", "S-0212"}
    attestation = Attestation.objects.get(external_ref="A-1")
    assert attestation.statement_confirmed and attestation.recorded_by_manager
    assert attestation.short_answer == "We check charts."
    assert HistoryEntry.objects.filter(object_type="workforce.attestation").count() == 2
    again = job_commit(actor=manager, job=_validate(upload, manager, "attestations", [
        ATTESTATION_HEAD, ["A-1", "BRF-1", "S-0107", "2026-11-18 08:10", ""]]))
    assert again.counts["skipped"] == 1 and Attestation.objects.count() == 2


def test_attestation_problems_named_by_column(upload, manager, briefing):
    job = _validate(upload, manager, "attestations", [
        ATTESTATION_HEAD,
        ["A-1", "BRF-404", "S-0107", "2026-11-18 08:10", ""],
        ["A-2", "BRF-1", "S-0900", "2026-11-18 08:10", ""],           # works elsewhere
        ["A-3", "BRF-1", "S-0107", "2026-11-18 07:00", ""],           # before delivery
        ["A-4", "BRF-1", "S-0212", "2999-01-01 10:00", "x" * 2001],
        ["A-5", "BRF-1", "S-0107", "2026-11-18 09:00", ""],
        ["A-6", "BRF-1", "S-0107", "2026-11-18 09:30", ""]])          # attests twice
    assert job.status == "failed"
    found = {(p["row"], p["column"]): p["message"] for p in job.report["problems"]}
    assert "No briefing" in found[(2, "briefing")]
    assert "before the briefing was delivered" in found[(4, "attested_at")]
    assert {(3, "staff"), (5, "attested_at"), (5, "short_answer")} <= set(found)
    assert "already attested" in found[(7, "staff")]
    assert (6, "staff") not in found
    assert not Attestation.objects.exists()
    assert not HistoryEntry.objects.filter(object_type="workforce.attestation").exists()
