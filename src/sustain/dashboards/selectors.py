"""Reads for the provider dashboard: one row of facts per location the reader may see, its
risk score (`engine.risk_rank`), and the heat map of locations × theme topics.

Every fact is read for all locations at once (grouped counts, correlated subqueries), so a
page runs a fixed number of queries however many locations and themes there are. Each fact
is read only where the reader's role shows it: a count the reader may not see is `None`
(shown as "not shown" and scored 0), never a number leaked from someone else's scope.

The signals and drift apps are read only through their selectors (`open_concerns`,
`overdue_count`, `latest_by_location`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from sustain.engine import risk_rank
from sustain.engine.access import Perm
from sustain.engine.lifecycle import STAGE_LABELS, Stage
from sustain.inspections.models import Rating
from sustain.inspections.selectors import with_latest_rating
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_by_location, location_scope

RATING_LABELS = dict(Rating.choices)
OTHER_TOPIC = ""  # the heat-map column of themes that follow no playbook


def visible_locations(actor: Any) -> QuerySet:
    """Live locations where the reader may see themes (the dashboards' permission)."""
    return filter_by_location(Location.objects.filter(archived_at__isnull=True), actor,
                              Perm.THEME_VIEW, field="pk").order_by("name", "pk")


def covered(actor: Any, perm: Perm, ids: Iterable[int]) -> list[int]:
    """The ids among `ids` where the reader holds `perm` (no query: the scope is cached)."""
    scope = location_scope(actor, perm)
    return [i for i in ids if scope.covers(i)]


@dataclass
class DriftSummary:
    value: int
    band: str
    band_label: str
    explanation: str
    assessment: Any = None  # the DriftAssessment (drift app), for its panel


@dataclass
class LocationRow:
    """One location's facts on the provider dashboard (None: not shown to the reader)."""

    location: Location
    rating: str | None
    rating_label: str
    inspection_date: dt.date | None
    rating_known: bool
    stages: dict[str, int]  # open themes (not embedded) by stage
    drift: DriftSummary | None
    drift_known: bool
    open_concerns: int | None
    overdue_interpretations: int | None
    overdue_governance: int | None
    open_tasks: int | None
    overdue_tasks: int | None
    score: risk_rank.RiskScore | None = None
    position: int = 0

    @property
    def stage_list(self) -> list[tuple[str, str, int]]:
        """(stage, label, count) in risk order, for the table."""
        return [(s.value, STAGE_LABELS[s], self.stages[s.value])
                for s in risk_rank.STAGE_RISK_ORDER if self.stages.get(s.value)]

    @property
    def open_themes(self) -> int:
        return sum(self.stages.values())

    def facts(self) -> risk_rank.LocationFacts:
        return risk_rank.LocationFacts(
            key=str(self.location.uuid), name=self.location.name,
            inspected=(self.rating is not None) if self.rating_known else None,
            rating=self.rating, themes_by_stage=dict(self.stages),
            drift=risk_rank.DriftFact(self.drift.value, self.drift.band) if self.drift else None,
            drift_known=self.drift_known, open_concerns=self.open_concerns,
            overdue_interpretations=self.overdue_interpretations,
            overdue_governance=self.overdue_governance, open_tasks=self.open_tasks,
            overdue_tasks=self.overdue_tasks)


@dataclass(frozen=True)
class ThemeRef:
    uuid: Any
    title: str
    stage: str
    stage_label: str


@dataclass
class HeatCell:
    themes: list[ThemeRef] = field(default_factory=list)

    @property
    def stage(self) -> str | None:
        """The most at-risk stage among the cell's themes (what the cell shows)."""
        present = {t.stage for t in self.themes}
        return next((s.value for s in risk_rank.STAGE_RISK_ORDER if s.value in present), None)

    @property
    def label(self) -> str:
        stage = self.stage
        return STAGE_LABELS[Stage(stage)] if stage else "No theme"


@dataclass(frozen=True)
class HeatColumn:
    key: str  # playbook code, or "" for themes without a playbook
    title: str


@dataclass
class HeatMap:
    columns: list[HeatColumn]
    rows: list[tuple[LocationRow, list[HeatCell]]]


@dataclass
class ProviderDashboard:
    now: dt.datetime
    rows: list[LocationRow]
    heat_map: HeatMap
    rule: str = risk_rank.RULE
    rule_version: str = risk_rank.RULE_VERSION


def _grouped(qs: QuerySet, **aggregates: Any) -> dict[int, dict[str, int]]:
    return {row.pop("location_id"): row for row in
            qs.order_by().values("location_id").annotate(**aggregates)}


def _theme_rows(actor: Any, ids: Sequence[int]) -> list[dict[str, Any]]:
    """Every live theme at these locations the reader may see (one query)."""
    from sustain.themes.models import Theme
    from sustain.themes.permissions import filter_themes_visible

    if not ids:
        return []
    qs = filter_themes_visible(Theme.objects.filter(archived_at__isnull=True,
                                                    location_id__in=ids), actor)
    return list(qs.order_by("title", "pk").values(
        "location_id", "uuid", "title", "stage", "playbook__code", "playbook__title"))


def governance_overdue(actor: Any, ids: Sequence[int], now: dt.datetime) -> dict[int, int]:
    from sustain.governance.models import Occurrence
    from sustain.governance.permissions import filter_occurrences_visible

    ids = covered(actor, Perm.GOVERNANCE_VIEW, ids)
    if not ids:
        return {}
    qs = filter_occurrences_visible(Occurrence.objects.filter(
        archived_at__isnull=True, cadence__archived_at__isnull=True, location_id__in=ids,
        status=Occurrence.Status.OPEN, due_at__lt=now), actor)
    return {k: v["n"] for k, v in _grouped(qs, n=Count("pk")).items()}


def escalations_open(actor: Any, ids: Sequence[int],
                     now: dt.datetime) -> dict[int, dict[str, int]]:
    from sustain.escalations.models import EscalationTask
    from sustain.escalations.permissions import filter_tasks_visible

    ids = covered(actor, Perm.ESCALATION_VIEW, ids)
    if not ids:
        return {}
    qs = filter_tasks_visible(EscalationTask.objects.filter(
        archived_at__isnull=True, firing__archived_at__isnull=True, location_id__in=ids,
        status=EscalationTask.Status.OPEN), actor)
    return _grouped(qs, open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))


def signal_counts(ids: Sequence[int]) -> tuple[dict[int, int], dict[int, int]]:
    """(open concern signals, overdue interpretations) per location. Signals are seen with
    theme.view, as the rows are."""
    from sustain.signals.selectors import open_concerns, overdue_count

    return dict(open_concerns(list(ids))), dict(overdue_count(list(ids)))


def drift_latest(actor: Any, ids: Sequence[int]) -> dict[int, Any]:
    """The latest drift assessment per location where the reader may see drift
    (governance.view)."""
    from sustain.drift.selectors import latest_by_location

    ids = covered(actor, Perm.GOVERNANCE_VIEW, ids)
    return dict(latest_by_location(ids)) if ids else {}


def drift_summary(assessment: Any) -> DriftSummary | None:
    if assessment is None:
        return None
    band = str(assessment.band)
    return DriftSummary(int(assessment.value), band,
                        risk_rank.DRIFT_BAND_LABELS.get(band, band).capitalize(),
                        str(getattr(assessment, "explanation", "")), assessment)


def location_rows(actor: Any, locations: QuerySet, now: dt.datetime,
                  themes: list[dict[str, Any]] | None = None) -> list[LocationRow]:
    """The facts and risk score of each location in `locations` (already scoped), highest
    risk first. A fixed number of queries for any number of locations."""
    places = list(with_latest_rating(locations, actor))
    ids = [loc.pk for loc in places]
    themes = _theme_rows(actor, ids) if themes is None else themes
    stages: dict[int, dict[str, int]] = {i: {} for i in ids}
    for t in themes:
        if t["stage"] != Stage.EMBEDDED.value:
            per = stages[t["location_id"]]
            per[t["stage"]] = per.get(t["stage"], 0) + 1
    governance = governance_overdue(actor, ids, now)
    tasks = escalations_open(actor, ids, now)
    signals = signal_counts(ids)
    drift = drift_latest(actor, ids)
    inspections = location_scope(actor, Perm.INSPECTION_VIEW)
    gov_scope = location_scope(actor, Perm.GOVERNANCE_VIEW)
    esc_scope = location_scope(actor, Perm.ESCALATION_VIEW)
    rows = []
    for loc in places:
        rating_known = inspections.covers(loc.pk)
        rating = loc.latest_rating if rating_known else None
        drift_known = gov_scope.covers(loc.pk)
        task = tasks.get(loc.pk, {})
        rows.append(LocationRow(
            location=loc, rating=rating,
            rating_label=RATING_LABELS.get(rating, "Not yet inspected") if rating_known
            else "Not shown",
            inspection_date=loc.latest_inspection_date if rating_known else None,
            rating_known=rating_known, stages=stages[loc.pk],
            drift=drift_summary(drift.get(loc.pk)) if drift_known else None,
            drift_known=drift_known,
            open_concerns=signals[0].get(loc.pk, 0),
            overdue_interpretations=signals[1].get(loc.pk, 0),
            overdue_governance=governance.get(loc.pk, 0) if gov_scope.covers(loc.pk) else None,
            open_tasks=task.get("open", 0) if esc_scope.covers(loc.pk) else None,
            overdue_tasks=task.get("overdue", 0) if esc_scope.covers(loc.pk) else None))
    for row in rows:
        row.score = risk_rank.risk_score(row.facts())
    rows.sort(key=lambda r: risk_rank.sort_key(r.score))  # type: ignore[arg-type]
    for n, row in enumerate(rows, start=1):
        row.position = n
    return rows


def heat_map(rows: list[LocationRow], themes: list[dict[str, Any]]) -> HeatMap:
    """Locations (in risk order) × theme topics: one column per playbook any visible theme
    follows (by title), then one for themes that follow none. A cell holds that location's
    themes of that topic; it shows the most at-risk stage."""
    titles: dict[str, str] = {}
    for t in themes:
        code = t["playbook__code"] or OTHER_TOPIC
        if code not in titles or (t["playbook__title"] or "") < titles[code]:
            titles[code] = t["playbook__title"] or "Other themes"
    columns = sorted((HeatColumn(k, v) for k, v in titles.items() if k != OTHER_TOPIC),
                     key=lambda c: (c.title.casefold(), c.key))
    if OTHER_TOPIC in titles:
        columns.append(HeatColumn(OTHER_TOPIC, "Other themes"))
    index = {c.key: n for n, c in enumerate(columns)}
    cells: dict[int, list[HeatCell]] = {r.location.pk: [HeatCell() for _ in columns]
                                        for r in rows}
    for t in themes:
        where = cells.get(t["location_id"])
        if where is not None:
            where[index[t["playbook__code"] or OTHER_TOPIC]].themes.append(ThemeRef(
                t["uuid"], t["title"], t["stage"], STAGE_LABELS[Stage(t["stage"])]))
    return HeatMap(columns, [(r, cells[r.location.pk]) for r in rows])


def provider_dashboard(actor: Any, now: dt.datetime) -> ProviderDashboard:
    """Every location the reader may see, highest risk first, with the heat map."""
    locations = visible_locations(actor)
    ids = list(locations.values_list("pk", flat=True))
    themes = _theme_rows(actor, ids)
    rows = location_rows(actor, locations, now, themes)
    return ProviderDashboard(now=now, rows=rows, heat_map=heat_map(rows, themes))
