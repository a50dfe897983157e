"""An assessment as the page and the API show it: the seven seed signs with their measures,
each record linked when the reader may see it, and the cycle in words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sustain.drift.judge import band_label, period_of
from sustain.drift.links import all_refs, linked, urls_for
from sustain.drift.models import DriftAssessment
from sustain.engine.drift import SEED_SIGN_LABELS, SeedSign
from sustain.engine.governance_cycles import cycle_of

SCORE_LABELS = {0: "No drift", 1: "Watch", 2: "Drift"}


def cycle_label(start: dt.date) -> str:
    return period_of(cycle_of(start)).label


def parse_cycle(raw: str) -> dt.date | None:
    """"2026-10" → 1 October 2026; None when it is not a month."""
    year, _, month = raw.strip().partition("-")
    if len(year) != 4 or len(month) != 2 or not (year + month).isdigit():
        return None
    try:
        return dt.date(int(year), int(month), 1)
    except ValueError:
        return None


def _measure_value(m: dict[str, Any]) -> str:
    v = m.get("value")
    if v is None:
        return "not judged"
    unit = m.get("unit")
    if unit in ("share", "fall"):
        return f"{round(v * 100)}%"
    if unit == "points":
        return f"{round(v * 100)} points"
    return f"{v:.2f}×"


def _threshold(m: dict[str, Any]) -> str:
    unit, watch, drift = m.get("unit"), m.get("watch"), m.get("drift")

    def fmt(x: float) -> str:
        if unit in ("share", "fall"):
            return f"{round(x * 100)}%"
        if unit == "points":
            return f"{round(x * 100)} points"
        return f"{x:g}×"

    text = f"watch from {fmt(watch)}" if watch is not None else ""
    if drift is not None:
        text += f", drift from {fmt(drift)}"
    elif m.get("measure") == "meetings_updates_only":
        text += ", drift when the last 3 meetings were all updates only"
    return text


@dataclass
class SignView:
    sign: str
    label: str
    score: int
    score_label: str
    measures: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class AssessmentView:
    assessment: DriftAssessment
    cycle: str
    band_label: str
    signs: list[SignView]
    relapse: list[dict[str, Any]]
    assurance: list[dict[str, Any]]
    key_person: list[dict[str, Any]]


def present(assessment: DriftAssessment, user: Any) -> AssessmentView:
    urls = urls_for(user, all_refs(assessment))
    theme_url = {u: url for (kind, u), url in urls.items() if kind == "theme"}
    signs = []
    for sign in SeedSign:
        measures = [{**m, "shown_value": _measure_value(m), "threshold": _threshold(m),
                     "score_label": SCORE_LABELS.get(m.get("score", 0), ""),
                     "records": linked(m.get("records", []), urls)}
                    for m in assessment.signs or [] if m.get("sign") == sign.value]
        top = max((m.get("score", 0) for m in measures), default=0)
        signs.append(SignView(sign.value, SEED_SIGN_LABELS[sign], top,
                              SCORE_LABELS.get(top, ""), measures))
    relapse = [{**f, "url": theme_url.get(str(f.get("theme"))),
                "sign_labels": [SEED_SIGN_LABELS[SeedSign(s)] for s in f.get("signs", [])],
                "records": linked(f.get("records", []), urls)}
               for f in assessment.relapse or []]
    assurance = [{**g, "own": linked(g.get("own", []), urls),
                  "independent": linked(g.get("independent", []), urls)}
                 for g in assessment.assurance or []]
    key_person = [{**k, "url": theme_url.get(str(k.get("theme"))),
                   "records": linked(k.get("records", []), urls)}
                  for k in assessment.key_person or []]
    return AssessmentView(assessment, cycle_label(assessment.cycle_start),
                          band_label(assessment.band), signs, relapse, assurance, key_person)
