"""The demo's early-warning story, read from the built data through the public surface (one
build per test session, conftest.py): Meadowbank's falls chart ends in concern with a concern
signal awaiting interpretation, its drift index is drifting (audits, supervision and meetings
scoring) and it heads the provider dashboard; Rosewood's MAR discrepancy chart ends in
improvement, an improvement signal on MAR discrepancies is noted, and its concern signals are
interpreted in writing, linked to its medicines theme. The nightly chain ran as recorded jobs
and a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from sustain.accounts.models import User
from sustain.demo.operational import THEME_KEYS
from sustain.engine import timeliness
from sustain.governance.models import JobRun
from sustain.indicators.models import Indicator
from sustain.indicators.tasks import run_chain
from sustain.tenancy.models import Location

AS_OF = dt.date(2026, 11, 27)
NOON = dt.datetime.combine(AS_OF, dt.time(12), tzinfo=timeliness.LONDON)
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]
STEPS = ("indicators.compute", "signals.detect", "drift.assess")


@dataclass
class SignalFact:
    indicator: str
    direction: str
    status: str
    period_start: dt.date
    meaning: str = ""
    response: str = ""
    theme: str | None = None
    interpreted_by: str | None = None


@dataclass
class EarlyWarningFacts:
    icons: dict[tuple[str, str], str] = field(default_factory=dict)  # (home, code) → icon
    last_points: dict[tuple[str, str], str] = field(default_factory=dict)  # → point type
    awaiting: dict[str, list[SignalFact]] = field(default_factory=dict)  # home → open concerns
    signals: dict[str, list[SignalFact]] = field(default_factory=dict)  # home → all
    drift: dict[str, tuple[int, str, dict[str, int]]] = field(default_factory=dict)
    provider_order: list[str] = field(default_factory=list)
    jobs: dict[str, list[str]] = field(default_factory=dict)  # name → outcomes
    second_run: dict[str, dict[str, int]] = field(default_factory=dict)
    medicines_theme: str = ""


def _fact(s: Any) -> SignalFact:
    return SignalFact(indicator=s.indicator.code, direction=s.direction, status=s.status,
                      period_start=s.period_start, meaning=s.meaning, response=s.response,
                      theme=s.theme.title if s.theme_id else None,
                      interpreted_by=s.interpreted_by.username if s.interpreted_by_id else None)


def read_early_warning(org: Any) -> EarlyWarningFacts:
    """What the pages and API would show, read with the apps' selectors, as plain values;
    then the nightly chain once more, recording what the second run changed."""
    from sustain.dashboards.selectors import provider_dashboard
    from sustain.drift.selectors import latest_by_location
    from sustain.indicators.selectors import location_charts
    from sustain.signals.models import Signal
    from sustain.signals.selectors import awaiting

    facts = EarlyWarningFacts()
    homes = {loc.name: loc for loc in Location.objects.filter(organisation=org)}
    quality = User.objects.get(username="quality.north")
    ni = User.objects.get(username="ni.northfield")
    codes = ("falls-rate", "mar-discrepancy-rate")
    indicators = list(Indicator.objects.filter(organisation=org, code__in=codes))
    for name in ("Meadowbank", "Rosewood House"):
        location = homes[name]
        for card in location_charts(location, indicators):
            facts.icons[(name, card.indicator.code)] = card.variation_icon
            facts.last_points[(name, card.indicator.code)] = card.chart.points[-1].point_type
        facts.awaiting[name] = [_fact(s) for s in awaiting(quality, [location.pk])]
        facts.signals[name] = [_fact(s) for s in Signal.objects.filter(location=location)
                               .select_related("indicator", "theme", "interpreted_by")
                               .order_by("period_start", "pk")]
    for pk, assessment in latest_by_location([loc.pk for loc in homes.values()]).items():
        name = next(n for n, loc in homes.items() if loc.pk == pk)
        facts.drift[name] = (assessment.value, assessment.band,
                             {s["measure"]: s["score"] for s in assessment.signs})
    facts.provider_order = [row.location.name for row in provider_dashboard(ni, NOON).rows]
    for job in JobRun.objects.filter(name__in=STEPS).order_by("started_at", "pk"):
        facts.jobs.setdefault(job.name, []).append(job.outcome)
    facts.medicines_theme = THEME_KEYS["RH:medicines"][1].title
    again = run_chain(until=AS_OF, organisation=org)
    facts.second_run = {s.name: s.counts if s.ok else {"error": 1} for s in again.steps}
    return facts


@pytest.fixture
def ew(full_demo: Any) -> EarlyWarningFacts:
    return full_demo.early_warning  # type: ignore[no-any-return]


def test_the_nightly_chain_ran_each_step_as_a_recorded_job(ew: EarlyWarningFacts) -> None:
    for name in STEPS:
        assert ew.jobs[name][0] == JobRun.Outcome.SUCCEEDED, ew.jobs


def test_a_second_run_changes_nothing(ew: EarlyWarningFacts) -> None:
    compute, detect, assess = (ew.second_run[name] for name in STEPS)
    assert compute["created"] == compute["updated"] == compute["installed"] == 0, compute
    assert compute["unchanged"] > 1000
    assert all(detect[k] == 0 for k in ("raised", "reopened", "updated", "withdrawn")), detect
    assert assess["created"] == assess["updated"] == 0 and assess["unchanged"] > 0, assess


def test_meadowbank_falls_end_in_concern_with_a_signal_awaiting_interpretation(
        ew: EarlyWarningFacts) -> None:
    assert ew.icons[("Meadowbank", "falls-rate")].startswith("concern"), ew.icons
    assert ew.last_points[("Meadowbank", "falls-rate")] == "special_cause_concern"
    falls = [s for s in ew.awaiting["Meadowbank"] if s.indicator == "falls-rate"]
    assert len(falls) == 1, ew.awaiting["Meadowbank"]
    assert falls[0].direction == "concern" and falls[0].status == "open"
    assert falls[0].period_start >= AS_OF - dt.timedelta(days=200)  # a recent change
    assert not falls[0].meaning and falls[0].interpreted_by is None


def test_meadowbank_drifts_with_audits_supervision_and_meetings_scoring(
        ew: EarlyWarningFacts) -> None:
    value, band, scores = ew.drift["Meadowbank"]
    assert band == "drifting" and value >= 6, ew.drift["Meadowbank"]
    assert scores["audits_late_or_no_analysis"] == 2, scores
    assert scores["supervision_near_duplicate"] == 2, scores
    assert scores["supervision_unlinked"] == 2, scores
    assert scores["meetings_updates_only"] >= 1, scores
    others = {name: v for name, (v, _, _) in ew.drift.items() if name != "Meadowbank"}
    assert all(v < value for v in others.values()), ew.drift


def test_meadowbank_heads_the_provider_dashboard(ew: EarlyWarningFacts) -> None:
    assert ew.provider_order[0] == "Meadowbank", ew.provider_order
    assert len(ew.provider_order) == 5


def test_rosewood_mar_discrepancies_improve_with_a_noted_signal(ew: EarlyWarningFacts) -> None:
    assert ew.icons[("Rosewood House", "mar-discrepancy-rate")].startswith("improvement")
    assert ew.last_points[("Rosewood House", "mar-discrepancy-rate")] == \
        "special_cause_improvement"
    noted = [s for s in ew.signals["Rosewood House"] if s.direction == "improvement"
             and s.indicator.startswith("mar-discrepancy-rate")]
    assert noted and all(s.status == "noted" for s in noted), ew.signals["Rosewood House"]


def test_rosewood_concern_signals_are_interpreted_and_linked_to_its_medicines_theme(
        ew: EarlyWarningFacts) -> None:
    concerns = [s for s in ew.signals["Rosewood House"] if s.direction == "concern"]
    assert [s.indicator for s in concerns] == ["medicines-errors"], concerns
    assert ew.awaiting["Rosewood House"] == []
    for s in concerns:
        assert s.status == "interpreted" and s.interpreted_by == "manager.rosewood"
        assert s.theme == ew.medicines_theme
        assert "agency" in s.meaning and len(s.response) > 50
