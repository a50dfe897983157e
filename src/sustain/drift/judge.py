"""One location, one cycle: the engine's drift signs, index, relapse review, tested assurance
and key-person risk, turned into the JSON an assessment stores. No database access here: the
readers in `adapters` supply the facts and record references."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from sustain.drift.adapters import Ref
from sustain.drift.adapters.themes import ThemeRow
from sustain.engine import assurance as assurance_rules
from sustain.engine.assurance import AuditScore, ThemeRecord
from sustain.engine.drift import (
    BAND_LABELS,
    RULE_VERSION,
    SEED_SIGN_LABELS,
    THRESHOLDS,
    DriftIndex,
    LocationHistory,
    SignValue,
    drift_index,
    drift_signs,
    relapse_review,
)
from sustain.engine.governance_cycles import CycleKind, cycle_bounds
from sustain.engine.meeting_rules import MONTHS, Period

BASELINE = 3  # engine.drift.BASELINE_CYCLES: the judged cycle and the 3 before it
RULE_VERSIONS = f"{RULE_VERSION}; {assurance_rules.RULE_VERSION}"


def period_of(ordinal: int) -> Period:
    """The monthly governance cycle with this ordinal ("November 2026")."""
    start, end = cycle_bounds(ordinal, CycleKind.MONTHLY)
    return Period(None, f"{MONTHS[start.month - 1]} {start.year}", start, end)


def cycles_for(ordinal: int) -> list[Period]:
    """The judged cycle and its baseline cycles, oldest first."""
    return [period_of(o) for o in range(ordinal - BASELINE, ordinal + 1)]


@dataclass(frozen=True)
class Judgement:
    value: int
    band: str
    signs: list[dict]
    explanation: str
    relapse: list[dict]
    assurance: list[dict]
    key_person: list[dict]
    rule_version: str = RULE_VERSIONS

    def content(self) -> dict:
        return {"value": self.value, "band": self.band, "signs": self.signs,
                "explanation": self.explanation, "relapse": self.relapse,
                "assurance": self.assurance, "key_person": self.key_person,
                "rule_version": self.rule_version}


def _refs(ids: Sequence[str], refs: Mapping[str, Ref]) -> list[Ref]:
    return [refs.get(i, {"type": "record", "uuid": i, "label": "A record"})
            for i in dict.fromkeys(ids)]


def _number(x: float | None) -> float | None:
    return None if x is None or math.isinf(x) else round(x, 4)


def sign_json(v: SignValue, refs: Mapping[str, Ref]) -> dict:
    t = THRESHOLDS[v.measure]
    return {"measure": v.measure.value, "sign": v.sign.value,
            "sign_label": SEED_SIGN_LABELS[v.sign], "label": t.label,
            "value": _number(v.value), "score": v.score, "finding": v.finding,
            "judged": v.judged, "unit": t.unit, "watch": _number(t.watch),
            "drift": _number(t.drift), "minimum": t.minimum,
            "records": _refs(v.record_ids, refs)}


def explanation_of(index: DriftIndex) -> str:
    return f"{index.explanation} How it is scored: {index.rule}"


@dataclass
class LocationInput:
    """Everything read for one location (facts over the whole read window)."""

    history: LocationHistory
    refs: Mapping[str, Ref]
    scores: Sequence[AuditScore]
    template_names: Mapping[str, str]
    themes: Sequence[ThemeRow]
    theme_records: Mapping[int, Sequence[ThemeRecord]]  # theme pk → records
    names: Mapping[str, str]
    left: frozenset[str]


def judge(data: LocationInput, ordinal: int, as_of: dt.date) -> Judgement:
    """The assessment of one location for the monthly cycle `ordinal`."""
    cycles = cycles_for(ordinal)
    cycle = cycles[-1]
    h = data.history
    first, last = cycles[0].start, cycle.end
    # Notes and reviews count only in the judged cycle and its baseline: give the engine
    # just those (the text measures cost time per note).
    history = replace(h, supervisions=[s for s in h.supervisions if first <= s.held_on <= last],
                      reviews=[r for r in h.reviews if first <= r.reviewed_on <= last])
    values = drift_signs(history, cycles, as_of)
    index = drift_index(values)
    signs = [sign_json(v, data.refs) for v in values]
    relapse = []
    for theme in data.themes:
        flag = relapse_review(theme.id, theme.areas, index)
        if flag.flagged:
            relapse.append({"theme": theme.id, "title": theme.title, "reason": flag.reason,
                            "signs": [s.value for s in flag.signs],
                            "records": _refs(flag.record_ids, data.refs)})
    gaps = assurance_rules.assurance_gaps(list(data.scores), cycle,
                                          template_names=data.template_names)
    assurance = [{"template": g.template, "template_name": g.template_name,
                  "own_mean": _number(g.own_mean), "independent_mean": _number(g.independent_mean),
                  "gap": _number(g.gap), "signal": g.signal, "finding": g.finding,
                  "threshold": g.threshold, "rule_version": g.rule_version,
                  "own": _refs(g.own_ids, data.refs),
                  "independent": _refs(g.independent_ids, data.refs)} for g in gaps]
    key_person = []
    for theme in data.themes:
        risk = assurance_rules.key_person_risk(
            theme.id, owner_id=theme.owner_id, records=list(data.theme_records.get(theme.pk, ())),
            cycle=cycle, left=data.left, names=data.names)
        if risk.flagged:
            key_person.append({
                "theme": theme.id, "title": theme.title, "reasons": list(risk.reasons),
                "people": [data.names.get(p, "A person") for p in risk.person_ids],
                "dominant_share": _number(risk.dominant_share),
                "rule_version": risk.rule_version,
                "records": _refs(risk.record_ids, data.refs)})
    return Judgement(index.value, index.band.value, signs, explanation_of(index), relapse,
                     assurance, key_person)


def band_label(band: str) -> str:
    return next((label for b, label in BAND_LABELS.items() if b.value == band), band)
