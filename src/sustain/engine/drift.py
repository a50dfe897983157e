"""Drift signs per location per governance cycle, the drift index and relapse-review flags.

The seed's signs of post-inspection drift, each measured from plain facts the Django side builds
from its records (ADR 0016). Every measure returns a value, a score (0 none, 1 watch, 2 drift)
from the fixed thresholds in `THRESHOLDS`, a plain-English finding and the ids of the records
behind it. A measure with too few records to judge has value None and score 0, and says so.

The thresholds (watch / drift) are the table in ADR 0016 and `THRESHOLDS` below: audits late or
without analysis ≥ 20 % / 40 %; near-duplicate supervision notes ≥ 25 % / 50 %; notes linked to no
theme or action ≥ 50 % / 75 %; note length down ≥ 20 % / 40 %; review completeness down ≥ 10 / 20
points; review length down ≥ 20 % / 40 %; negative feedback with no action or response in 30 days
≥ 25 % / 50 %; mean visit interval ≥ 1.25 / 1.5 × the cadence's; actions closed with no later
re-audit ≥ 25 % / 50 %; updates-only meetings ≥ 50 % / a falling challenge trend.

The **drift index** of a location is the sum over the seven seed signs of the highest score of
the sign's measures (so supervision's three measures cannot count three times): 0 to 14.
Bands: 0–1 none, 2–3 watch, 4 or more drifting.

Cycles are `engine.meeting_rules.Period`s, oldest first; the last is the cycle judged and up to
`BASELINE_CYCLES` before it are the baseline for "shrinking" and "losing detail".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from sustain.engine.drift_text import NEAR_DUPLICATE, similarity_matrix, word_count
from sustain.engine.meeting_rules import MeetingFact, Period, challenge_trend, ratio_of_counts

RULE_VERSION = "drift-2"
BASELINE_CYCLES = 3
FEEDBACK_DAYS = 30
REAUDIT_GRACE_DAYS = 14


class SeedSign(StrEnum):
    AUDITS = "audits"
    SUPERVISION = "supervision"
    RISK_REVIEWS = "risk_reviews"
    FEEDBACK = "feedback"
    VISITS = "visits"
    ACTIONS = "actions"
    MEETINGS = "meetings"


SEED_SIGN_LABELS: Mapping[SeedSign, str] = {
    SeedSign.AUDITS: "Audits completed late or without analysis",
    SeedSign.SUPERVISION: "Supervision discussions becoming generic",
    SeedSign.RISK_REVIEWS: "Risk reviews losing detail",
    SeedSign.FEEDBACK: "People's feedback no longer influencing action",
    SeedSign.VISITS: "Senior visits becoming less frequent",
    SeedSign.ACTIONS: "Action plans closing without re-audit",
    SeedSign.MEETINGS: "Quality meetings focusing on updates rather than challenge",
}


class Measure(StrEnum):
    AUDITS_LATE = "audits_late_or_no_analysis"
    SUPERVISION_DUPLICATE = "supervision_near_duplicate"
    SUPERVISION_UNLINKED = "supervision_unlinked"
    SUPERVISION_SHRINKING = "supervision_shrinking"
    REVIEW_COMPLETENESS = "risk_review_completeness"
    REVIEW_LENGTH = "risk_review_length"
    FEEDBACK_NO_ACTION = "feedback_without_action"
    VISITS_INTERVAL = "visits_less_frequent"
    ACTIONS_NO_REAUDIT = "actions_without_reaudit"
    MEETINGS_NO_CHALLENGE = "meetings_updates_only"


@dataclass(frozen=True)
class Threshold:
    sign: SeedSign
    label: str
    watch: float  # score 1 at or above
    drift: float  # score 2 at or above
    minimum: int  # records needed to judge
    unit: str  # "share", "fall", "points", "ratio"


THRESHOLDS: Mapping[Measure, Threshold] = {
    Measure.AUDITS_LATE: Threshold(SeedSign.AUDITS, "Audits late or without analysis",
                                   0.20, 0.40, 3, "share"),
    Measure.SUPERVISION_DUPLICATE: Threshold(SeedSign.SUPERVISION,
                                             "Near-duplicate supervision notes",
                                             0.25, 0.50, 3, "share"),
    Measure.SUPERVISION_UNLINKED: Threshold(SeedSign.SUPERVISION,
                                            "Supervision notes linked to no theme or action",
                                            0.50, 0.75, 3, "share"),
    Measure.SUPERVISION_SHRINKING: Threshold(SeedSign.SUPERVISION,
                                             "Supervision notes getting shorter",
                                             0.20, 0.40, 2, "fall"),
    Measure.REVIEW_COMPLETENESS: Threshold(SeedSign.RISK_REVIEWS,
                                           "Care-plan and risk reviews less complete",
                                           0.10, 0.20, 2, "points"),
    Measure.REVIEW_LENGTH: Threshold(SeedSign.RISK_REVIEWS,
                                     "Care-plan and risk reviews getting shorter",
                                     0.20, 0.40, 2, "fall"),
    Measure.FEEDBACK_NO_ACTION: Threshold(SeedSign.FEEDBACK,
                                          "Negative feedback with no action or response "
                                          "in 30 days", 0.25, 0.50, 2, "share"),
    Measure.VISITS_INTERVAL: Threshold(SeedSign.VISITS,
                                       "Senior visits further apart than planned",
                                       1.25, 1.50, 1, "ratio"),
    Measure.ACTIONS_NO_REAUDIT: Threshold(SeedSign.ACTIONS,
                                          "Actions closed with no later re-audit",
                                          0.25, 0.50, 2, "share"),
    Measure.MEETINGS_NO_CHALLENGE: Threshold(SeedSign.MEETINGS,
                                             "Quality meetings with updates only",
                                             0.50, float("inf"), 1, "share"),
}


class Band(StrEnum):
    NONE = "none"
    WATCH = "watch"
    DRIFTING = "drifting"


BAND_LABELS: Mapping[Band, str] = {Band.NONE: "No drift", Band.WATCH: "Watch",
                                   Band.DRIFTING: "Drifting"}
WATCH_FROM = 2
DRIFTING_FROM = 4
INDEX_RULE = ("Each measure scores 0, 1 (watch) or 2 (drift) by fixed thresholds; each of the "
              "seven signs takes the highest score of its measures; the drift index is the sum "
              f"(0–14): {WATCH_FROM}–{DRIFTING_FROM - 1} watch, {DRIFTING_FROM} or more drifting.")


@dataclass(frozen=True)
class SignValue:
    measure: Measure
    value: float | None
    score: int
    finding: str
    record_ids: tuple[str, ...]
    judged: int  # records looked at in the cycle

    @property
    def sign(self) -> SeedSign:
        return THRESHOLDS[self.measure].sign


def score(measure: Measure, value: float | None) -> int:
    """0, 1 or 2 by the measure's fixed thresholds (None scores 0)."""
    if value is None:
        return 0
    t = THRESHOLDS[measure]
    eps = 1e-9
    if value >= t.drift - eps:
        return 2
    return 1 if value >= t.watch - eps else 0


def _pct(x: float) -> str:
    return f"{round(x * 100)}%"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {plural or word + 's'}"


def _in(day: dt.date | None, period: Period) -> bool:
    return day is not None and period.start <= day <= period.end


def _not_enough(measure: Measure, judged: int, what: str) -> SignValue:
    need = THRESHOLDS[measure].minimum
    return SignValue(measure, None, 0,
                     f"Not enough to judge: {_plural(judged, what)} in the cycle, "
                     f"{need} needed.", (), judged)


def _result(measure: Measure, value: float, finding: str, ids: Iterable[str],
            judged: int) -> SignValue:
    return SignValue(measure, value, score(measure, value), finding, tuple(ids), judged)


def _current(cycles: Sequence[Period]) -> tuple[Period, tuple[Period, ...]]:
    if not cycles:
        raise ValueError("at least one cycle is needed")
    ordered = sorted(cycles, key=lambda p: p.start)
    return ordered[-1], tuple(ordered[-1 - BASELINE_CYCLES:-1])


def _fall(now: float, before: float) -> float:
    """Relative fall from `before` to `now` (0 when it did not fall; before > 0)."""
    return max(0.0, (before - now) / before)


# --- (a) audits late or without analysis -------------------------------------------------------

@dataclass(frozen=True)
class AuditFact:
    id: str
    due_on: dt.date | None
    completed_on: dt.date | None
    analysis_length: int = 0  # characters of written analysis
    analysis_min: int = 0  # the template's minimum
    theme_ids: frozenset[str] = frozenset()  # themes the audit re-audits (for sign f)


def audits_late(audits: Sequence[AuditFact], cycle: Period,
                as_of: dt.date | None = None) -> SignValue:
    """Share of the cycle's audits that were late (completed after their due date, or still
    not completed) or completed with analysis shorter than the template's minimum.

    Each audit belongs to one cycle: the one containing its due date (its completion date when
    it has none). Audits due after `as_of` are not judged yet.
    """
    m = Measure.AUDITS_LATE
    rows = [a for a in audits
            if _in(a.due_on if a.due_on is not None else a.completed_on, cycle)
            and (as_of is None or a.due_on is None or a.due_on <= as_of)]
    if len(rows) < THRESHOLDS[m].minimum:
        return _not_enough(m, len(rows), "audit")
    late, thin, missing = [], [], []
    for a in rows:
        if a.completed_on is None:
            missing.append(a.id)
        elif a.due_on is not None and a.completed_on > a.due_on:
            late.append(a.id)
        elif a.analysis_length < a.analysis_min:
            thin.append(a.id)
    bad = late + missing + thin
    value = len(bad) / len(rows)
    parts = [f"{len(late)} completed late" if late else "",
             f"{len(missing)} not completed" if missing else "",
             f"{len(thin)} with analysis below the template's minimum" if thin else ""]
    detail = "; ".join(p for p in parts if p) or "none late or without analysis"
    return _result(m, value, f"{_pct(value)} of {_plural(len(rows), 'audit')} due in "
                   f"{period_name(cycle)} were late or without analysis ({detail}).",
                   bad, len(rows))


def period_name(period: Period) -> str:
    return period.label


# --- (b) supervision becoming generic ----------------------------------------------------------

@dataclass(frozen=True)
class SupervisionFact:
    id: str
    held_on: dt.date
    notes: str
    linked: bool  # the notes link to a theme or an action


def supervision_duplicates(supervisions: Sequence[SupervisionFact], cycles: Sequence[Period],
                           threshold: float = NEAR_DUPLICATE) -> SignValue:
    """Share of the cycle's supervisions whose notes are near-duplicates (TF-IDF cosine ≥
    `threshold`) of another supervision's notes in the cycle or the baseline cycles."""
    m = Measure.SUPERVISION_DUPLICATE
    cycle, baseline = _current(cycles)
    start = baseline[0].start if baseline else cycle.start
    pool = sorted((s for s in supervisions if start <= s.held_on <= cycle.end),
                  key=lambda s: (s.held_on, s.id))
    current = [i for i, s in enumerate(pool) if _in(s.held_on, cycle)]
    if len(current) < THRESHOLDS[m].minimum:
        return _not_enough(m, len(current), "supervision")
    sims = similarity_matrix([s.notes for s in pool])
    np.fill_diagonal(sims, 0.0)
    hits = sims[current] >= threshold - 1e-12  # the cycle's notes × the pool
    repeats = np.asarray(hits.any(axis=1), dtype=np.bool_)
    dup_ids = [pool[current[int(k)]].id for k in np.flatnonzero(repeats)]
    partners = {pool[int(j)].id for j in np.flatnonzero(hits.any(axis=0))}
    value = len(dup_ids) / len(current)
    ids = dup_ids + sorted(partners - set(dup_ids))
    return _result(m, value, f"{_pct(value)} of {_plural(len(current), 'supervision')} in "
                   f"{period_name(cycle)} had notes that nearly repeat another supervision's "
                   f"(similarity ≥ {round(threshold * 100)}%).", ids, len(current))


def open_in(spans: Sequence[tuple[dt.date, dt.date | None]], cycle: Period) -> bool:
    """Whether any (opened, closed or None) span overlaps the cycle."""
    return any(o <= cycle.end and (c is None or c >= cycle.start) for o, c in spans)


def supervision_unlinked(supervisions: Sequence[SupervisionFact], cycle: Period,
                         open_spans: Sequence[tuple[dt.date, dt.date | None]] | None = None
                         ) -> SignValue:
    """Share of the cycle's supervisions whose notes link to no theme or action. When
    `open_spans` (when each theme or action was open) is given and none overlaps the cycle,
    there was nothing to link to: not judged (drift-2)."""
    m = Measure.SUPERVISION_UNLINKED
    rows = [s for s in supervisions if _in(s.held_on, cycle)]
    if open_spans is not None and not open_in(open_spans, cycle):
        return SignValue(m, None, 0, "Not judged: no open theme or action to link to in "
                         f"{period_name(cycle)}.", (), len(rows))
    if len(rows) < THRESHOLDS[m].minimum:
        return _not_enough(m, len(rows), "supervision")
    bad = [s.id for s in rows if not s.linked]
    value = len(bad) / len(rows)
    return _result(m, value, f"{len(bad)} of {_plural(len(rows), 'supervision')} in "
                   f"{period_name(cycle)} ({_pct(value)}) linked to no theme or action.",
                   bad, len(rows))


def _length_fall(m: Measure, dated: Sequence[tuple[str, dt.date, float]],
                 cycles: Sequence[Period], what: str, unit: str) -> SignValue:
    cycle, baseline = _current(cycles)
    now = [(i, v) for i, d, v in dated if _in(d, cycle)]
    before = [v for _, d, v in dated if any(_in(d, p) for p in baseline)]
    need = THRESHOLDS[m].minimum
    if len(now) < need or len(before) < need:
        return SignValue(m, None, 0, f"Not enough to judge: {_plural(len(now), what)} in the "
                         f"cycle and {len(before)} in the previous cycles ({need} needed in "
                         "each).", (), len(now))
    mean_now = sum(v for _, v in now) / len(now)
    mean_before = sum(before) / len(before)
    if mean_before <= 0:
        return SignValue(m, None, 0, f"No baseline: the previous {what}s had no {unit}.", (),
                         len(now))
    value = _fall(mean_now, mean_before)
    ids = [i for i, v in now if v < mean_before]
    verb = "down" if mean_now < mean_before else "not down"
    return _result(m, value, f"{what.capitalize()}s in {period_name(cycle)} averaged "
                   f"{mean_now:.0f} {unit} against {mean_before:.0f} in the previous "
                   f"{_plural(len(baseline), 'cycle')}: {verb} {_pct(value)}.", ids, len(now))


def supervision_shrinking(supervisions: Sequence[SupervisionFact],
                          cycles: Sequence[Period]) -> SignValue:
    """Relative fall of the mean note length (words) against the baseline cycles."""
    return _length_fall(Measure.SUPERVISION_SHRINKING,
                        [(s.id, s.held_on, float(word_count(s.notes))) for s in supervisions],
                        cycles, "supervision note", "words")


# --- (c) risk reviews losing detail ------------------------------------------------------------

@dataclass(frozen=True)
class ReviewFact:
    """A care-plan or risk review."""

    id: str
    reviewed_on: dt.date
    checks_ticked: int
    checks_total: int
    words: int


def review_completeness(reviews: Sequence[ReviewFact], cycles: Sequence[Period]) -> SignValue:
    """Fall (percentage points) of the mean share of checks ticked against the baseline."""
    m = Measure.REVIEW_COMPLETENESS
    cycle, baseline = _current(cycles)
    rated = [r for r in reviews if r.checks_total > 0]
    now = [r for r in rated if _in(r.reviewed_on, cycle)]
    before = [r for r in rated if any(_in(r.reviewed_on, p) for p in baseline)]
    need = THRESHOLDS[m].minimum
    if len(now) < need or len(before) < need:
        return SignValue(m, None, 0, f"Not enough to judge: {_plural(len(now), 'review')} in "
                         f"the cycle and {len(before)} in the previous cycles ({need} needed "
                         "in each).", (), len(now))

    def share(r: ReviewFact) -> float:
        return r.checks_ticked / r.checks_total

    mean_now = sum(map(share, now)) / len(now)
    mean_before = sum(map(share, before)) / len(before)
    value = max(0.0, mean_before - mean_now)
    ids = [r.id for r in now if share(r) < mean_before]
    return _result(m, value, f"Reviews in {period_name(cycle)} ticked {_pct(mean_now)} of "
                   f"their checks on average against {_pct(mean_before)} in the previous "
                   f"{_plural(len(baseline), 'cycle')} (down {round(value * 100)} points).",
                   ids, len(now))


def review_length(reviews: Sequence[ReviewFact], cycles: Sequence[Period]) -> SignValue:
    """Relative fall of the mean review length (words) against the baseline cycles."""
    return _length_fall(Measure.REVIEW_LENGTH,
                        [(r.id, r.reviewed_on, float(r.words)) for r in reviews], cycles,
                        "review", "words")


# --- (d) feedback no longer influencing action -------------------------------------------------

@dataclass(frozen=True)
class FeedbackFact:
    id: str
    received_on: dt.date
    negative: bool  # a complaint, concern or negative survey answer
    acted_on: dt.date | None  # first linked action or recorded response, if any


def feedback_without_action(feedback: Sequence[FeedbackFact], cycle: Period, as_of: dt.date,
                            days: int = FEEDBACK_DAYS) -> SignValue:
    """Share of negative feedback whose `days` ran out in the cycle (and by `as_of`) with no
    linked action or response within them. Each item is judged once, in the cycle its time
    runs out."""
    m = Measure.FEEDBACK_NO_ACTION
    last = min(cycle.end, as_of)
    rows = [f for f in feedback if f.negative
            and cycle.start <= f.received_on + dt.timedelta(days=days) <= last]
    if len(rows) < THRESHOLDS[m].minimum:
        return _not_enough(m, len(rows), "negative feedback item")
    bad = [f.id for f in rows
           if f.acted_on is None or f.acted_on > f.received_on + dt.timedelta(days=days)]
    value = len(bad) / len(rows)
    return _result(m, value, f"{len(bad)} of {_plural(len(rows), 'negative feedback item')} "
                   f"due an answer in {period_name(cycle)} ({_pct(value)}) had no linked "
                   f"action or response within {days} days.", bad, len(rows))


# --- (e) senior visits less frequent -----------------------------------------------------------

@dataclass(frozen=True)
class VisitFact:
    id: str
    visited_on: dt.date


def visits_interval(visits: Sequence[VisitFact], cycles: Sequence[Period], cadence_days: int,
                    as_of: dt.date) -> SignValue:
    """Mean interval between senior visits over the cycle and its baseline ÷ the cadence's
    interval. Intervals ending in the window count (the first may start before it); the open
    interval since the last visit counts too once it is longer than the cadence interval (the
    next visit cannot make it shorter)."""
    m = Measure.VISITS_INTERVAL
    if cadence_days <= 0:
        raise ValueError("cadence_days must be positive")
    cycle, baseline = _current(cycles)
    start = baseline[0].start if baseline else cycle.start
    end = min(cycle.end, as_of)
    ordered = sorted((v for v in visits if v.visited_on <= end), key=lambda v: v.visited_on)
    if not ordered:
        return SignValue(m, None, 0, "No senior visit has been recorded.", (), 0)
    intervals: list[int] = []
    ids: list[str] = []
    for prev, nxt in zip(ordered, ordered[1:], strict=False):
        if start <= nxt.visited_on <= end:
            intervals.append((nxt.visited_on - prev.visited_on).days)
            ids.extend(x.id for x in (prev, nxt) if x.id not in ids)
    open_gap = (end - ordered[-1].visited_on).days
    if open_gap > cadence_days:
        intervals.append(open_gap)
        if ordered[-1].id not in ids:
            ids.append(ordered[-1].id)
    if not intervals:
        return _not_enough(m, 0, "visit interval")
    mean = sum(intervals) / len(intervals)
    value = mean / cadence_days
    text = (f"Senior visits were on average {mean:.0f} days apart up to "
            f"{end.day} {end:%b %Y} against a planned {cadence_days} days "
            f"({value:.2f}× the cadence)")
    if open_gap > cadence_days:
        text += f"; {open_gap} days since the last visit"
    return _result(m, value, text + ".", ids, len(intervals))


# --- (f) actions closing without re-audit ------------------------------------------------------

@dataclass(frozen=True)
class ActionFact:
    id: str
    done_on: dt.date | None
    theme_id: str | None


def actions_without_reaudit(actions: Sequence[ActionFact], audits: Sequence[AuditFact],
                            cycle: Period, as_of: dt.date,
                            grace_days: int = REAUDIT_GRACE_DAYS) -> SignValue:
    """Share of theme actions closed in the cycle with no re-audit of their theme completed on
    or after the closing date (up to `as_of`). Actions closed less than `grace_days` before
    `as_of` are not judged yet; actions without a theme cannot be re-audited and are left out."""
    m = Measure.ACTIONS_NO_REAUDIT
    cutoff = as_of - dt.timedelta(days=grace_days)
    rows = [a for a in actions if a.theme_id is not None and a.done_on is not None
            and _in(a.done_on, cycle) and a.done_on <= cutoff]
    if len(rows) < THRESHOLDS[m].minimum:
        return _not_enough(m, len(rows), "closed theme action")
    bad: list[str] = []
    for a in rows:
        assert a.done_on is not None and a.theme_id is not None
        if not any(a.theme_id in au.theme_ids and au.completed_on is not None
                   and a.done_on <= au.completed_on <= as_of for au in audits):
            bad.append(a.id)
    value = len(bad) / len(rows)
    return _result(m, value, f"{len(bad)} of {_plural(len(rows), 'theme action')} closed in "
                   f"{period_name(cycle)} ({_pct(value)}) have not been followed by a "
                   "re-audit of their theme.", bad, len(rows))


# --- (g) meetings: updates, no challenge -------------------------------------------------------

def meetings_no_challenge(meetings: Sequence[MeetingFact], cycles: Sequence[Period]
                          ) -> SignValue:
    """Share of the cycle's meetings (with updates or challenges) that were updates only, from
    `engine.meeting_rules`; a falling challenge trend (the last meetings all updates only)
    scores 2 whatever the share."""
    m = Measure.MEETINGS_NO_CHALLENGE
    cycle, _ = _current(cycles)
    held = [mt for mt in meetings if mt.held_on <= cycle.end]  # later meetings do not count
    trend = challenge_trend(held, list(cycles))
    row = next(c for c in trend.cycles if c.period == cycle)
    if row.rated < THRESHOLDS[m].minimum:
        return _not_enough(m, row.rated, "meeting with minutes")
    ids = [mt.key for mt in held
           if _in(mt.held_on, cycle) and ratio_of_counts(mt.counts).updates_only]
    value = row.updates_only / row.rated
    text = (f"{row.updates_only} of {_plural(row.rated, 'meeting')} in {period_name(cycle)} "
            f"recorded updates but no challenge. {row.explanation} {trend.explanation}")
    result = _result(m, value, text, ids, row.rated)
    if trend.falling:
        return SignValue(m, value, 2, text, result.record_ids, row.rated)
    return result


# --- all signs and the index -------------------------------------------------------------------

@dataclass(frozen=True)
class LocationHistory:
    """Everything one location's drift needs (records of the judged and baseline cycles, plus
    the last senior visit before them)."""

    audits: Sequence[AuditFact] = ()
    supervisions: Sequence[SupervisionFact] = ()
    reviews: Sequence[ReviewFact] = ()
    feedback: Sequence[FeedbackFact] = ()
    visits: Sequence[VisitFact] = ()
    visit_cadence_days: int | None = None  # None: no senior-visit cadence, not judged
    actions: Sequence[ActionFact] = ()
    meetings: Sequence[MeetingFact] = ()
    # When each theme or action was open (opened, closed or None); None: not known, judged.
    open_spans: Sequence[tuple[dt.date, dt.date | None]] | None = None


def drift_signs(history: LocationHistory, cycles: Sequence[Period], as_of: dt.date,
                near_duplicate: float = NEAR_DUPLICATE) -> list[SignValue]:
    """Every measure for the last of `cycles`, in the order of `Measure`."""
    cycle, _ = _current(cycles)
    out = [
        audits_late(history.audits, cycle, as_of),
        supervision_duplicates(history.supervisions, cycles, near_duplicate),
        supervision_unlinked(history.supervisions, cycle, history.open_spans),
        supervision_shrinking(history.supervisions, cycles),
        review_completeness(history.reviews, cycles),
        review_length(history.reviews, cycles),
        feedback_without_action(history.feedback, cycle, as_of),
    ]
    if history.visit_cadence_days:
        out.append(visits_interval(history.visits, cycles, history.visit_cadence_days, as_of))
    else:
        out.append(SignValue(Measure.VISITS_INTERVAL, None, 0,
                             "No senior-visit cadence is set, so visit frequency is not "
                             "judged.", (), 0))
    out.append(actions_without_reaudit(history.actions, history.audits, cycle, as_of))
    out.append(meetings_no_challenge(history.meetings, cycles))
    return out


@dataclass(frozen=True)
class Contribution:
    sign: SeedSign
    label: str
    score: int
    measures: tuple[SignValue, ...]
    reason: str

    @property
    def record_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i for m in self.measures if m.score for i in m.record_ids))


@dataclass(frozen=True)
class DriftIndex:
    value: int
    band: Band
    contributions: tuple[Contribution, ...]
    explanation: str
    rule: str = INDEX_RULE
    rule_version: str = RULE_VERSION


def band_of(value: int) -> Band:
    if value >= DRIFTING_FROM:
        return Band.DRIFTING
    return Band.WATCH if value >= WATCH_FROM else Band.NONE


def drift_index(values: Sequence[SignValue]) -> DriftIndex:
    """Sum over the seven seed signs of the highest score of their measures, with the reasons."""
    contributions = []
    for sign in SeedSign:
        measures = tuple(v for v in values if v.sign is sign)
        top = max((v.score for v in measures), default=0)
        if top == 0:
            judged = [v for v in measures if v.value is not None]
            reason = "No sign of drift." if judged else "Not enough records to judge."
        else:
            reason = " ".join(v.finding for v in measures if v.score == top)
        contributions.append(Contribution(sign, SEED_SIGN_LABELS[sign], top, measures, reason))
    value = sum(c.score for c in contributions)
    band = band_of(value)
    scoring = [c for c in contributions if c.score]
    if scoring:
        parts = ", ".join(f"{c.label.lower()} ({c.score})" for c in scoring)
        text = f"Drift index {value} ({BAND_LABELS[band].lower()}): {parts}."
    else:
        text = f"Drift index 0 ({BAND_LABELS[band].lower()}): no sign of drift this cycle."
    return DriftIndex(value, band, tuple(contributions), text)


# --- relapse review ----------------------------------------------------------------------------

# The area of each sign, as embedding channels (engine.embedding.CHANNELS) plus plain area
# words; the Django side may pass its own mapping (e.g. adding quality statement ids).
SIGN_AREAS: Mapping[SeedSign, frozenset[str]] = {
    SeedSign.AUDITS: frozenset({"audit_cycles"}),
    SeedSign.SUPERVISION: frozenset({"supervision", "competency_checks"}),
    SeedSign.RISK_REVIEWS: frozenset({"care_planning", "risk_assessment"}),
    SeedSign.FEEDBACK: frozenset({"feedback"}),
    SeedSign.VISITS: frozenset({"provider_visits"}),
    SeedSign.ACTIONS: frozenset({"audit_cycles"}),
    SeedSign.MEETINGS: frozenset({"governance_calendar", "team_meetings", "board_reporting"}),
}


@dataclass(frozen=True)
class RelapseFlag:
    theme_id: str
    flagged: bool
    signs: tuple[SeedSign, ...]
    reason: str
    record_ids: tuple[str, ...] = field(default_factory=tuple)


def relapse_review(theme_id: str, theme_areas: Iterable[str], index: DriftIndex,
                   sign_areas: Mapping[SeedSign, frozenset[str]] = SIGN_AREAS) -> RelapseFlag:
    """Flag a theme for relapse review when a sign in its area drifts: scores 2, or scores 1
    while the location as a whole is drifting."""
    areas = frozenset(theme_areas)
    hits = [c for c in index.contributions
            if areas & sign_areas.get(c.sign, frozenset())
            and (c.score >= 2 or (c.score >= 1 and index.band is Band.DRIFTING))]
    if not hits:
        return RelapseFlag(theme_id, False, (), "No drift in the theme's areas.")
    names = "; ".join(c.label.lower() for c in hits)
    return RelapseFlag(theme_id, True, tuple(c.sign for c in hits),
                       f"Relapse review: drift in the theme's area — {names}.",
                       tuple(dict.fromkeys(i for c in hits for i in c.record_ids)))
