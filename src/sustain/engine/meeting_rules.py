"""Meetings that challenge, not merely update: the challenge ratio and its trend.

Minutes are typed entries. What counts (ADR 0010):

- an **update** reports something (figures, progress, news);
- a **challenge** is a question put to whoever reported, recorded with who asked it, the answer
  and whether the questioner was satisfied. An unsatisfied challenge still counts as a
  challenge: the point is that the question was asked;
- a **decision** and an **action** are outcomes of the discussion. They are not counted in the
  ratio (they follow updates and challenges alike).

The challenge ratio of a meeting is challenges ÷ (updates + challenges). A meeting with neither
has no ratio (not 0 %). A meeting with updates and no challenge is "updates only" — the seed's
drift sign "quality meetings focusing on updates rather than challenge".

The trend of one meeting type at one place groups its meetings by governance cycle: the mean
of the meetings' ratios in each cycle (each meeting weighs the same) and the pooled counts.
The trend is flagged **falling** when the last `run` meetings with a ratio (3 by default) were
all updates only.

Also here: which meeting types complete a playbook cadence that asks for a meeting type
(`meeting_type_satisfies`), and the plan of governance-cycle records that agree with the
calendar rule of `engine.governance_cycles` (`plan_cycles`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sustain.engine.governance_cycles import CycleKind, cycle_bounds, cycle_of

RULE_VERSION = "meeting-rules-1"
RULE_TEXT = ("Challenge ratio = challenges ÷ (updates + challenges). A challenge counts whether "
             "or not its answer satisfied the person who asked; decisions and actions are "
             "outcomes and are not counted.")
FALLING_RUN = 3


class EntryKind(StrEnum):
    UPDATE = "update"
    CHALLENGE = "challenge"
    DECISION = "decision"
    ACTION = "action"


ENTRY_KIND_LABELS: Mapping[EntryKind, str] = {
    EntryKind.UPDATE: "Update", EntryKind.CHALLENGE: "Challenge",
    EntryKind.DECISION: "Decision", EntryKind.ACTION: "Action",
}

# Meeting types recorded as meetings; a playbook cadence completing with the type in the key is
# also completed by the types in its value (the generic "safeguarding_review" of older
# playbooks is met by a daily or weekly safeguarding review).
SATISFIES: Mapping[str, frozenset[str]] = {
    "safeguarding_review": frozenset({"safeguarding_review", "daily_safeguarding_review",
                                      "weekly_safeguarding_review"}),
}


def meeting_type_satisfies(required: str, held: str) -> bool:
    """Does a meeting of type `held` complete a cadence asking for a `required` meeting?"""
    return held in SATISFIES.get(required, frozenset({required}))


@dataclass(frozen=True)
class EntryFact:
    kind: EntryKind | str
    satisfied: bool | None = None  # challenges only


@dataclass(frozen=True)
class Counts:
    updates: int = 0
    challenges: int = 0
    unsatisfied: int = 0
    decisions: int = 0
    actions: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.updates + other.updates, self.challenges + other.challenges,
                      self.unsatisfied + other.unsatisfied, self.decisions + other.decisions,
                      self.actions + other.actions)

    @property
    def counted(self) -> int:
        return self.updates + self.challenges


def count_entries(entries: Iterable[EntryFact]) -> Counts:
    u = c = uns = d = a = 0
    for entry in entries:
        kind = EntryKind(entry.kind)
        if kind is EntryKind.UPDATE:
            u += 1
        elif kind is EntryKind.CHALLENGE:
            c += 1
            uns += entry.satisfied is False
        elif kind is EntryKind.DECISION:
            d += 1
        else:
            a += 1
    return Counts(u, c, uns, d, a)


@dataclass(frozen=True)
class Ratio:
    """A meeting's challenge ratio (None when it recorded no update and no challenge)."""

    counts: Counts
    value: float | None
    updates_only: bool
    explanation: str
    rule: str = RULE_TEXT


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def ratio_of_counts(counts: Counts) -> Ratio:
    if counts.counted == 0:
        return Ratio(counts, None, False,
                     "No updates or challenges recorded, so there is no challenge ratio.")
    value = counts.challenges / counts.counted
    text = (f"{_plural(counts.challenges, 'challenge')} out of "
            f"{counts.counted} updates and challenges ({percent(value)})")
    if counts.unsatisfied:
        text += (f"; {_plural(counts.unsatisfied, 'challenge')} not answered to the "
                 "questioner's satisfaction (still counted)")
    updates_only = counts.challenges == 0
    if updates_only:
        text += ": updates only, nobody was challenged"
    return Ratio(counts, value, updates_only, text + ".")


def challenge_ratio(entries: Iterable[EntryFact]) -> Ratio:
    """The challenge ratio of one meeting's minutes, with the counts as its explanation."""
    return ratio_of_counts(count_entries(entries))


# --- trend -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MeetingFact:
    key: str  # the meeting's public id
    held_on: dt.date
    counts: Counts


@dataclass(frozen=True)
class Period:
    """A governance cycle: its number (None for a calendar period with no cycle record)."""

    number: int | None
    label: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class CycleTrend:
    period: Period
    meetings: int
    rated: int  # meetings with a ratio
    mean_ratio: float | None
    counts: Counts
    updates_only: int
    explanation: str


@dataclass(frozen=True)
class Trend:
    cycles: tuple[CycleTrend, ...]
    falling: bool
    run: int
    explanation: str
    rule: str = RULE_TEXT
    meetings_outside: int = 0  # meetings in no period given
    last_ratios: tuple[float, ...] = field(default_factory=tuple)


def _cycle_text(rated: int, mean: float | None, counts: Counts, updates_only: int) -> str:
    if rated == 0:
        return "No meeting with updates or challenges recorded."
    text = (f"Mean of {_plural(rated, 'meeting')}' ratios: {percent(mean)} "
            f"({_plural(counts.challenges, 'challenge')}, {_plural(counts.updates, 'update')}")
    text += ")" if not counts.unsatisfied else f"; {counts.unsatisfied} unsatisfied)"
    if updates_only:
        text += f"; {updates_only} updates only"
    return text + "."


def challenge_trend(meetings: Sequence[MeetingFact], periods: Sequence[Period],
                    run: int = FALLING_RUN) -> Trend:
    """Mean ratio per period (oldest first) and the falling flag over the last `run` meetings.

    Periods must not overlap; a meeting outside every period is counted in `meetings_outside`
    (and still in the falling flag, which looks at meetings, not cycles).
    """
    if run < 1:
        raise ValueError("run must be at least 1")
    ordered = sorted(periods, key=lambda p: p.start)
    buckets: dict[int, list[tuple[MeetingFact, Ratio]]] = {i: [] for i in range(len(ordered))}
    outside = 0
    rated_all: list[tuple[MeetingFact, Ratio]] = []
    for meeting in sorted(meetings, key=lambda m: (m.held_on, m.key)):
        ratio = ratio_of_counts(meeting.counts)
        if ratio.value is not None:
            rated_all.append((meeting, ratio))
        for i, period in enumerate(ordered):
            if period.start <= meeting.held_on <= period.end:
                buckets[i].append((meeting, ratio))
                break
        else:
            outside += 1
    cycles = []
    for i, period in enumerate(ordered):
        rows = buckets[i]
        rated = [r.value for _, r in rows if r.value is not None]
        total = sum((m.counts for m, _ in rows), Counts())
        mean = sum(rated) / len(rated) if rated else None
        updates_only = sum(1 for _, r in rows if r.updates_only)
        cycles.append(CycleTrend(period, len(rows), len(rated), mean, total, updates_only,
                                 _cycle_text(len(rated), mean, total, updates_only)))
    last = rated_all[-run:]
    falling = len(last) == run and all(r.updates_only for _, r in last)
    if falling:
        text = (f"Falling: the last {_plural(run, 'meeting')} with minutes were updates only "
                "(no challenge recorded).")
    elif len(last) < run:
        text = (f"Not enough meetings to judge: {len(last)} with updates or challenges, "
                f"{run} needed.")
    else:
        challenged = sum(1 for _, r in last if not r.updates_only)
        text = (f"Not falling: {challenged} of the last {_plural(run, 'meeting')} recorded "
                "at least one challenge.")
    return Trend(tuple(cycles), falling, run, text, meetings_outside=outside,
                 last_ratios=tuple(r.value for _, r in last if r.value is not None))


# --- governance cycles as records -------------------------------------------------------------

@dataclass(frozen=True)
class CyclePlan:
    """A cycle record to create: the calendar cycle `ordinal` of `kind`, numbered `number`
    (1 = the organisation's first recorded cycle). `start` is later than the calendar start only
    for the first cycle after the organisation changed its cycle kind (a short cycle)."""

    number: int
    ordinal: int
    kind: CycleKind
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return cycle_label(self.number, self.start, self.end)


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def _span(start: dt.date, end: dt.date) -> str:
    """"November 2026", "October to December 2026", "December 2026 to February 2027"."""
    if (start.year, start.month) == (end.year, end.month):
        return f"{MONTHS[end.month - 1]} {end.year}"
    if start.year == end.year:
        return f"{MONTHS[start.month - 1]} to {MONTHS[end.month - 1]} {end.year}"
    return f"{MONTHS[start.month - 1]} {start.year} to {MONTHS[end.month - 1]} {end.year}"


def cycle_label(number: int, start: dt.date, end: dt.date) -> str:
    """"Cycle 14 — November 2026" (monthly) or "Cycle 3 — October to December 2026"."""
    return f"Cycle {number} — {_span(start, end)}"


def plan_cycles(*, kind: CycleKind | str, up_to: dt.date, last_number: int | None,
                last_end: dt.date | None, first_day: dt.date) -> list[CyclePlan]:
    """The cycle records missing so that every day up to `up_to` lies in a cycle.

    With no record yet, numbering starts at 1 with the calendar cycle containing `first_day`.
    After the last record (number `last_number`, ending `last_end`) the next cycles follow on
    without a gap; each is the calendar cycle of `engine.governance_cycles` for `kind`, except
    that a first cycle after a change of kind starts the day after the last record (so records
    never overlap). Running it again with the new last record plans nothing: idempotent.
    """
    kind = CycleKind(kind)
    plans: list[CyclePlan] = []
    if last_end is None or last_number is None:
        day = cycle_bounds(cycle_of(first_day, kind), kind)[0]
        number = 1
    else:
        day = last_end + dt.timedelta(days=1)
        number = last_number + 1
    while day <= up_to:
        ordinal = cycle_of(day, kind)
        _, end = cycle_bounds(ordinal, kind)
        plans.append(CyclePlan(number, ordinal, kind, day, end))
        number += 1
        day = end + dt.timedelta(days=1)
    return plans


def calendar_period(day: dt.date, kind: CycleKind | str) -> Period:
    """The calendar cycle containing `day`, for dates no record covers."""
    start, end = cycle_bounds(cycle_of(day, kind), kind)
    return Period(None, _span(start, end), start, end)
