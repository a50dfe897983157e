"""Provider risk ranking (ADR 0018): which services need attention first, and why.

A location's risk score is the sum of six components, each computed from plain facts by a
fixed, documented rule and reported with its points and a sentence that shows the sum. There
is no model, no fitted weight and no hidden term: the sentences of a location's components
add up to its score, and the same facts always give the same order.

- latest CQC rating: inadequate 10, requires improvement 5, not rated or never inspected 3,
  good or outstanding 0;
- open themes, each by stage: relapsed 4, identified 3, recovering 2, actions complete 1,
  verified / sustaining / embedded 0;
- drift: the drift index (0–14) + 3 when drifting, + 1 when watch;
- concern signals: 3 per open concern signal, + 2 more per one whose interpretation is
  overdue (at most 5 signals counted);
- overdue governance: 1 per overdue occurrence (at most 10);
- escalation tasks: 1 per open task, + 2 more per overdue one (at most 10 tasks counted).

A fact that is `None` is unknown to the reader (their role does not show it, or it has not
been computed): the component scores 0 and says so, so that the ranking never rests on facts
the reader cannot see. Ties are broken by location name (case-insensitive), then by key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sustain.engine.lifecycle import STAGE_LABELS, Stage

RULE_VERSION = "risk-rank-1"

RATING_POINTS: Mapping[str, int] = {
    "inadequate": 10,
    "requires-improvement": 5,
    "not-rated": 3,
    "good": 0,
    "outstanding": 0,
}
RATING_LABELS: Mapping[str, str] = {
    "inadequate": "Inadequate",
    "requires-improvement": "Requires improvement",
    "not-rated": "Not rated",
    "good": "Good",
    "outstanding": "Outstanding",
}
NEVER_INSPECTED_POINTS = 3

# A relapse is the failure the whole product exists to prevent; a theme with no plan yet
# (identified) is next; the further up the evidence ladder, the less weight.
STAGE_POINTS: Mapping[Stage, int] = {
    Stage.RELAPSED: 4,
    Stage.IDENTIFIED: 3,
    Stage.RECOVERING: 2,
    Stage.ACTIONS_COMPLETE: 1,
    Stage.VERIFIED: 0,
    Stage.SUSTAINING: 0,
    Stage.EMBEDDED: 0,
}
# The order stages are named in sentences and tables: most at risk first.
STAGE_RISK_ORDER: tuple[Stage, ...] = (
    Stage.RELAPSED, Stage.IDENTIFIED, Stage.RECOVERING, Stage.ACTIONS_COMPLETE,
    Stage.VERIFIED, Stage.SUSTAINING, Stage.EMBEDDED)

DRIFT_BAND_POINTS: Mapping[str, int] = {"drifting": 3, "watch": 1, "none": 0}
DRIFT_BAND_LABELS: Mapping[str, str] = {"drifting": "drifting", "watch": "watch",
                                        "none": "no drift"}

SIGNAL_POINTS = 3
SIGNAL_OVERDUE_POINTS = 2
SIGNAL_CAP = 5
GOVERNANCE_POINTS = 1
GOVERNANCE_CAP = 10
TASK_POINTS = 1
TASK_OVERDUE_POINTS = 2
TASK_CAP = 10

RULE = ("Risk score = rating (inadequate 10, requires improvement 5, not rated or never "
        "inspected 3) + themes (relapsed 4, identified 3, recovering 2, actions complete 1 "
        "each) + drift (the index, + 3 drifting or + 1 watch) + concern signals (3 each, + 2 "
        "if its interpretation is overdue; at most 5) + overdue governance occurrences (1 "
        "each; at most 10) + escalation tasks (1 each open, + 2 if overdue; at most 10). "
        "Highest first; ties by location name.")

NOT_SHOWN = "Not counted: not shown to you or not computed yet."


@dataclass(frozen=True)
class DriftFact:
    value: int  # the drift index, 0–14 (engine.drift)
    band: str  # "none" | "watch" | "drifting"


@dataclass(frozen=True)
class LocationFacts:
    """What the ranking reads about one location. `None` means unknown to the reader."""

    key: str  # a stable id (the location's public id)
    name: str
    inspected: bool | None = False  # None: ratings not shown to the reader
    rating: str | None = None  # latest overall rating code (inspections.Rating), if inspected
    themes_by_stage: Mapping[str, int] | None = field(default_factory=dict)
    drift: DriftFact | None = None
    drift_known: bool = True  # False: drift not shown to the reader or not assessed yet
    open_concerns: int | None = None
    overdue_interpretations: int | None = None
    overdue_governance: int | None = None
    open_tasks: int | None = None
    overdue_tasks: int | None = None


@dataclass(frozen=True)
class Component:
    key: str  # rating | themes | drift | signals | governance | escalations
    label: str
    points: int
    sentence: str


@dataclass(frozen=True)
class RiskScore:
    key: str
    name: str
    total: int
    components: tuple[Component, ...]
    rule_version: str = RULE_VERSION

    @property
    def explanation(self) -> str:
        """The components that scored, largest first (equal ones in the rule's order), as one
        sentence."""
        scoring = sorted((c for c in self.components if c.points), key=lambda c: -c.points)
        if not scoring:
            return f"Risk score 0: nothing in the facts shown to you raises {self.name}."
        parts = "; ".join(f"{_lower_first(c.label)} {c.points}" for c in scoring)
        return f"Risk score {self.total}: {parts}."

    def sort_key(self) -> tuple[int, str, str]:
        return sort_key(self)


def _lower_first(label: str) -> str:
    """"Open themes" → "open themes"; "CQC rating" stays (an acronym keeps its capitals)."""
    first = label.split(" ", 1)[0]
    return label if first.isupper() else label[:1].lower() + label[1:]


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {plural or word + 's'}"


def _pts(n: int) -> str:
    return _plural(n, "point")


def rating_component(facts: LocationFacts) -> Component:
    label = "CQC rating"
    if facts.inspected is None:
        return Component("rating", label, 0, NOT_SHOWN)
    if not facts.inspected or facts.rating is None:
        return Component("rating", label, NEVER_INSPECTED_POINTS,
                         f"Never inspected: no independent view of quality yet "
                         f"({_pts(NEVER_INSPECTED_POINTS)}).")
    code = facts.rating
    points = RATING_POINTS.get(code, NEVER_INSPECTED_POINTS)
    name = RATING_LABELS.get(code, code)
    return Component("rating", label, points, f"Latest overall rating {name} ({_pts(points)}).")


def themes_component(facts: LocationFacts) -> Component:
    label = "Open themes"
    if facts.themes_by_stage is None:
        return Component("themes", label, 0, NOT_SHOWN)
    counts = {Stage(s): n for s, n in facts.themes_by_stage.items() if n and s in set(Stage)}
    if not counts:
        return Component("themes", label, 0, "No themes (0 points).")
    terms = []
    total = 0
    for stage in STAGE_RISK_ORDER:
        n = counts.get(stage, 0)
        if not n:
            continue
        each = STAGE_POINTS[stage]
        total += n * each
        terms.append(f"{n} {STAGE_LABELS[stage].lower()} × {each}")
    return Component("themes", label, total, f"{' + '.join(terms)} = {_pts(total)}.")


def drift_component(facts: LocationFacts) -> Component:
    label = "Drift"
    if not facts.drift_known:
        return Component("drift", label, 0, NOT_SHOWN)
    if facts.drift is None:
        return Component("drift", label, 0, "No drift assessment yet (0 points).")
    value = max(0, facts.drift.value)
    bonus = DRIFT_BAND_POINTS.get(facts.drift.band, 0)
    band = DRIFT_BAND_LABELS.get(facts.drift.band, facts.drift.band)
    total = value + bonus
    return Component("drift", label, total,
                     f"Drift index {value} ({band}): {value} + {bonus} for the band "
                     f"= {_pts(total)}.")


def signals_component(facts: LocationFacts) -> Component:
    label = "Concern signals"
    if facts.open_concerns is None:
        return Component("signals", label, 0, NOT_SHOWN)
    n = min(facts.open_concerns, SIGNAL_CAP)
    late = min(facts.overdue_interpretations or 0, n)
    total = n * SIGNAL_POINTS + late * SIGNAL_OVERDUE_POINTS
    if not facts.open_concerns:
        return Component("signals", label, 0, "No open concern signals (0 points).")
    capped = (f" (counted {SIGNAL_CAP} of {facts.open_concerns})"
              if facts.open_concerns > SIGNAL_CAP else "")
    return Component("signals", label, total,
                     f"{_plural(facts.open_concerns, 'open concern signal')}{capped}, "
                     f"{late} with interpretation overdue: {n} × {SIGNAL_POINTS} + {late} × "
                     f"{SIGNAL_OVERDUE_POINTS} = {_pts(total)}.")


def governance_component(facts: LocationFacts) -> Component:
    label = "Overdue governance"
    if facts.overdue_governance is None:
        return Component("governance", label, 0, NOT_SHOWN)
    n = min(facts.overdue_governance, GOVERNANCE_CAP)
    total = n * GOVERNANCE_POINTS
    if not facts.overdue_governance:
        return Component("governance", label, 0, "No governance overdue (0 points).")
    capped = (f" (counted {GOVERNANCE_CAP})" if facts.overdue_governance > GOVERNANCE_CAP
              else "")
    return Component("governance", label, total,
                     f"{_plural(facts.overdue_governance, 'overdue occurrence')}{capped} × "
                     f"{GOVERNANCE_POINTS} = {_pts(total)}.")


def escalations_component(facts: LocationFacts) -> Component:
    label = "Escalation tasks"
    if facts.open_tasks is None:
        return Component("escalations", label, 0, NOT_SHOWN)
    n = min(facts.open_tasks, TASK_CAP)
    late = min(facts.overdue_tasks or 0, n)
    total = n * TASK_POINTS + late * TASK_OVERDUE_POINTS
    if not facts.open_tasks:
        return Component("escalations", label, 0, "No open escalation tasks (0 points).")
    capped = f" (counted {TASK_CAP})" if facts.open_tasks > TASK_CAP else ""
    return Component("escalations", label, total,
                     f"{_plural(facts.open_tasks, 'open task')}{capped}, {late} overdue: "
                     f"{n} × {TASK_POINTS} + {late} × {TASK_OVERDUE_POINTS} = {_pts(total)}.")


COMPONENTS = (rating_component, themes_component, drift_component, signals_component,
              governance_component, escalations_component)


def risk_score(facts: LocationFacts) -> RiskScore:
    """The score of one location: every component, each with its points and sentence."""
    components = tuple(fn(facts) for fn in COMPONENTS)
    return RiskScore(facts.key, facts.name, sum(c.points for c in components), components)


def sort_key(score: RiskScore) -> tuple[int, str, str]:
    """Highest score first; ties by name (case-insensitive), then key (stable)."""
    return (-score.total, score.name.casefold(), score.key)


def rank(facts: Iterable[LocationFacts]) -> list[RiskScore]:
    """Every location's score, highest risk first."""
    return sorted((risk_score(f) for f in facts), key=sort_key)
