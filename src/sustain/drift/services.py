"""Writes for drift: `assess`, the nightly assessment of every location (ADR 0016).

**Which cycles.** Governance cycles here are calendar months (`engine.governance_cycles`). A
run judges **complete** cycles only. The latest complete one (the month before `as_of`) is
judged on every run, so records written late during the following month (an audit completed
late, a re-audit after an action closed, a response to feedback) count; the
`HISTORY_CYCLES - 1` cycles before it are judged once, when they have no assessment yet (the
first run, or a new location), so the page can show the index over the last cycles. The cycle
in progress is not judged: half a month of records would look like "not enough to judge" or
like shrinking notes. Each judgement uses the records as they are on `as_of` (e.g. a re-audit
up to `as_of` counts), with the 3 cycles before it as the baseline
(`engine.drift.BASELINE_CYCLES`). Relapse review and key-person risk look at the location's
live themes on `as_of` (a backfilled month is judged with today's themes and owners).

**Reads** are set-based: a few `values_list` queries per organisation and chunk of
`CHUNK` locations (see `adapters`), never a query per location or per record type.

**Writes** (derived data, the convention of `indicators.services`): new and changed
assessments are written in bulk through `core.bulk` without per-row history
(`record=False`), and each location whose assessments changed gets **one history entry per
run**, on its latest assessment, saying what changed (cycle, index and band, before → after).
An assessment whose content is unchanged is not written (its `as_of` and `computed_at` stay
those of the run that last changed it). Idempotent: a second run with the same records
changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from sustain.core.bulk import RowUpdate, record_pending, tracked_create_many, tracked_update_many
from sustain.core.history import PendingChange
from sustain.drift.adapters import Window
from sustain.drift.adapters.records import (
    read_actions,
    read_audits,
    read_feedback,
    read_meetings,
    read_reviews,
    read_supervisions,
    read_visits,
)
from sustain.drift.adapters.themes import read_theme_records, read_themes
from sustain.drift.judge import BASELINE, Judgement, LocationInput, band_label, judge, period_of
from sustain.drift.models import DriftAssessment
from sustain.engine.drift import LocationHistory
from sustain.engine.governance_cycles import cycle_bounds, cycle_of
from sustain.tenancy.models import Location, Organisation

ASSESS_ACTOR = "drift.assess"
HISTORY_CYCLES = 6
CHUNK = 100


@dataclass
class AssessResult:
    organisations: int = 0
    locations: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    drifting: int = 0  # locations drifting in the latest complete cycle
    watch: int = 0
    cycles: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"organisations": self.organisations, "locations": self.locations,
                "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "drifting": self.drifting, "watch": self.watch}


def judged_ordinals(as_of: dt.date, cycles: int = HISTORY_CYCLES) -> list[int]:
    """The complete monthly cycles a run on `as_of` judges, oldest first."""
    latest = cycle_of(as_of) - 1
    return list(range(latest - cycles + 1, latest + 1))


def assess(*, organisation: Organisation | None = None, as_of: dt.date | None = None,
           locations: Iterable[Location] | None = None, cycles: int = HISTORY_CYCLES,
           actor: Any = ASSESS_ACTOR) -> AssessResult:
    """Assess drift for the last `cycles` complete monthly cycles before `as_of` (default
    today, local) at every active location of every organisation (or the one given, or the
    locations given). Idempotent upsert; see the module docstring."""
    if cycles < 1:
        raise ValueError("cycles must be at least 1")
    as_of = as_of or timezone.localdate()
    ordinals = judged_ordinals(as_of, cycles)
    result = AssessResult(cycles=[period_of(o).label for o in ordinals])
    orgs = ([organisation] if organisation is not None else
            list(Organisation.objects.filter(archived_at__isnull=True).order_by("pk")))
    chosen = list(locations) if locations is not None else None
    for org in orgs:
        loc_ids = sorted(loc.pk for loc in chosen if loc.organisation_id == org.pk) \
            if chosen is not None else list(Location.objects.filter(
                organisation=org, archived_at__isnull=True).order_by("pk")
                .values_list("pk", flat=True))
        if not loc_ids:
            continue
        result.organisations += 1
        for i in range(0, len(loc_ids), CHUNK):
            _assess_chunk(org.pk, tuple(loc_ids[i:i + CHUNK]), ordinals, as_of, actor, result)
    return result


def _inputs(org_id: int, loc_ids: tuple[int, ...], ordinals: Sequence[int],
            as_of: dt.date) -> dict[int, LocationInput]:
    start = cycle_bounds(ordinals[0] - BASELINE)[0]
    window = Window(org_id, loc_ids, start, as_of)
    audits = read_audits(window)
    supervisions = read_supervisions(window)
    reviews = read_reviews(window)
    feedback = read_feedback(window)
    visits = read_visits(window)
    actions = read_actions(window)
    meetings = read_meetings(window)
    themes = read_themes(window, as_of)
    first_judged = cycle_bounds(ordinals[0])[0]
    theme_pks = [t.pk for rows in themes.by_location.values() for t in rows]
    records = read_theme_records(Window(org_id, loc_ids, first_judged, as_of), theme_pks, as_of)
    refs: dict = {}
    for part in (records, audits, supervisions, reviews, feedback, visits, actions, meetings):
        refs.update(part.refs)
    names = {**themes.names, **records.names}
    left = frozenset(themes.left | records.left)
    out = {}
    for loc in loc_ids:
        history = LocationHistory(
            audits=audits.by_location.get(loc, []),
            supervisions=supervisions.by_location.get(loc, []),
            reviews=reviews.by_location.get(loc, []), feedback=feedback.by_location.get(loc, []),
            visits=visits.by_location.get(loc, []),
            visit_cadence_days=visits.cadence_days.get(loc),
            actions=actions.by_location.get(loc, []), meetings=meetings.by_location.get(loc, []),
            open_spans=[(t.opened_on, t.closed_on) for t in themes.by_location.get(loc, [])
                        if t.opened_on is not None])
        loc_themes = themes.by_location.get(loc, [])
        out[loc] = LocationInput(
            history=history, refs=refs, scores=audits.scores.get(loc, []),
            template_names=audits.template_names, themes=loc_themes,
            theme_records={t.pk: records.by_theme.get(t.pk, []) for t in loc_themes},
            names=names, left=left)
    return out


def _assess_chunk(org_id: int, loc_ids: tuple[int, ...], ordinals: Sequence[int],
                  as_of: dt.date, actor: Any, result: AssessResult) -> None:
    starts = [cycle_bounds(o)[0] for o in ordinals]
    existing = {(a.location_id, a.cycle_start): a for a in DriftAssessment.objects.filter(
        organisation_id=org_id, location_id__in=loc_ids, cycle_start__in=starts)}
    # The latest complete cycle is judged on every run; earlier ones only while not assessed.
    todo = {loc: [o for o in ordinals if o == ordinals[-1]
                  or (loc, cycle_bounds(o)[0]) not in existing] for loc in loc_ids}
    first = min(o for wanted in todo.values() for o in wanted)
    inputs = _inputs(org_id, loc_ids, [o for o in ordinals if o >= first], as_of)
    now = timezone.now()
    new: list[DriftAssessment] = []
    updates: list[RowUpdate[DriftAssessment]] = []
    changed: dict[int, list[tuple[dt.date, DriftAssessment | None, Judgement]]] = {}
    for loc in loc_ids:
        result.locations += 1
        for ordinal in todo[loc]:
            start, end = cycle_bounds(ordinal)
            j = judge(inputs[loc], ordinal, as_of)
            old = existing.get((loc, start))
            if ordinal == ordinals[-1]:
                result.drifting += j.band == "drifting"
                result.watch += j.band == "watch"
            if old is None:
                new.append(DriftAssessment(organisation_id=org_id, location_id=loc,
                                           cycle_start=start, cycle_end=end, as_of=as_of,
                                           computed_at=now, **j.content()))
            elif _content(old) != j.content():
                updates.append(RowUpdate(old, {**j.content(), "as_of": as_of,
                                               "computed_at": now}))
            else:
                result.unchanged += 1
                continue
            changed.setdefault(loc, []).append((start, old, j))
    with transaction.atomic():
        if new:
            tracked_create_many(actor=actor, objs=new, record=False)
        if updates:
            tracked_update_many(actor=actor, updates=updates, record=False)
        record_pending(_history(changed, actor))
    result.created += len(new)
    result.updated += len(updates)


def _content(a: DriftAssessment) -> dict:
    return {"value": a.value, "band": a.band, "signs": a.signs, "explanation": a.explanation,
            "relapse": a.relapse, "assurance": a.assurance, "key_person": a.key_person,
            "rule_version": a.rule_version}


def _history(changed: dict[int, list[tuple[dt.date, DriftAssessment | None, Judgement]]],
             actor: Any) -> list[PendingChange]:
    """One entry per location that changed, on its latest assessment."""
    from django.db.models import Max

    out = []
    latest = dict(DriftAssessment.objects.filter(location_id__in=list(changed))
                  .values("location_id").annotate(s=Max("cycle_start")).order_by()
                  .values_list("location_id", "s"))
    objs = {(a.location_id, a.cycle_start): a for a in DriftAssessment.objects.filter(
        location_id__in=list(changed)).filter(cycle_start__in=set(latest.values()))}
    for loc in sorted(changed):
        target = objs.get((loc, latest.get(loc)))
        if target is None:
            continue
        before, after, parts = {}, {}, []
        for start, old, j in sorted(changed[loc], key=lambda c: c[0]):
            key = f"{start:%Y-%m}"
            after[key] = {"value": j.value, "band": j.band}
            name = period_of(cycle_of(start)).label
            if old is None:
                parts.append(f"{name}: {j.value} ({band_label(j.band).lower()})")
            else:
                before[key] = {"value": old.value, "band": old.band}
                parts.append(f"{name}: {old.value} → {j.value} "
                             f"({band_label(j.band).lower()})")
        created = any(old is None and start == target.cycle_start
                      for start, old, _ in changed[loc])
        out.append(PendingChange(actor=actor, obj=target,
                                 action="create" if created else "update",
                                 before=before or None, after=after,
                                 message="Drift assessed — " + "; ".join(parts) + "."))
    return out
