"""Reads for meetings: minute counts, the challenge ratio of a meeting and the trend of one
meeting type at one place over governance cycles (rules in `engine.meeting_rules`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from sustain.engine.governance_cycles import CycleKind
from sustain.engine.meeting_rules import (
    FALLING_RUN,
    Counts,
    EntryKind,
    MeetingFact,
    Period,
    Ratio,
    Trend,
    calendar_period,
    challenge_trend,
    ratio_of_counts,
)
from sustain.meetings.models import TYPE_LABELS, TYPE_ORDER, GovernanceCycle, Meeting, MinuteEntry

DEFAULT_CYCLES = 6


def entry_counts(meeting_ids: Iterable[int]) -> dict[int, Counts]:
    """Counts of each meeting's active minutes by kind (one query)."""
    ids = list(meeting_ids)
    raw: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = MinuteEntry.objects.filter(meeting_id__in=ids, archived_at__isnull=True) \
        .values("meeting_id", "kind", "satisfied").annotate(n=Count("pk")).order_by()
    for row in rows:
        counts = raw[row["meeting_id"]]
        counts[row["kind"]] += row["n"]
        if row["kind"] == EntryKind.CHALLENGE and row["satisfied"] is False:
            counts["unsatisfied"] += row["n"]
    return {mid: Counts(updates=raw[mid][EntryKind.UPDATE],
                        challenges=raw[mid][EntryKind.CHALLENGE],
                        unsatisfied=raw[mid]["unsatisfied"],
                        decisions=raw[mid][EntryKind.DECISION],
                        actions=raw[mid][EntryKind.ACTION]) for mid in ids}


def meeting_ratio(meeting: Meeting) -> Ratio:
    return ratio_of_counts(entry_counts([meeting.pk])[meeting.pk])


def ratios_for(meetings: Sequence[Meeting]) -> dict[int, Ratio]:
    counts = entry_counts(m.pk for m in meetings)
    return {pk: ratio_of_counts(c) for pk, c in counts.items()}


def cycle_containing(organisation: Any, day: dt.date) -> GovernanceCycle | None:
    return GovernanceCycle.objects.filter(organisation=organisation, start__lte=day,
                                          end__gte=day).first()


def recent_periods(organisation: Any, as_of: dt.date,
                   cycles: int = DEFAULT_CYCLES) -> list[Period]:
    """The last `cycles` governance cycles up to the one containing `as_of`, oldest first:
    the organisation's cycle records, and calendar cycles where no record covers a day."""
    kind = CycleKind(organisation.governance_cycle)
    records = list(GovernanceCycle.objects.filter(organisation=organisation, start__lte=as_of)
                   .order_by("-start")[:cycles])
    periods: list[Period] = []
    day = as_of
    for _ in range(cycles):
        record = next((r for r in records if r.start <= day <= r.end), None)
        if record is not None:
            period = Period(record.number, record.label, record.start, record.end)
        else:
            period = calendar_period(day, kind)
            later = [r.start for r in records if r.start > day]
            earlier = [r.end for r in records if r.end < day]
            start = max([period.start, *(e + dt.timedelta(days=1) for e in earlier)])
            end = min([period.end, *(s - dt.timedelta(days=1) for s in later)])
            period = Period(None, period.label, start, end)
        periods.append(period)
        day = period.start - dt.timedelta(days=1)
    return periods[::-1]


@dataclass(frozen=True)
class TypeTrend:
    meeting_type: str
    label: str
    trend: Trend
    meetings: int


def trend_for(*, organisation: Any, location: Any, meeting_type: str, as_of: dt.date,
              cycles: int = DEFAULT_CYCLES, run: int = FALLING_RUN,
              meetings: QuerySet | None = None) -> Trend:
    """The challenge trend of `meeting_type` at `location` (None: organisation-level
    meetings) over the last `cycles` cycles. `meetings` narrows to what the reader may see."""
    periods = recent_periods(organisation, as_of, cycles)
    qs = meetings if meetings is not None else Meeting.objects.all()
    qs = qs.filter(organisation=organisation, meeting_type=meeting_type,
                   archived_at__isnull=True, held_on__gte=periods[0].start,
                   held_on__lte=as_of)
    qs = qs.filter(location=location) if location is not None else \
        qs.filter(location__isnull=True)
    rows = list(qs.values_list("pk", "uuid", "held_on"))
    counts = entry_counts(pk for pk, _, _ in rows)
    facts = [MeetingFact(str(uuid), held_on, counts[pk]) for pk, uuid, held_on in rows]
    return challenge_trend(facts, periods, run)


def trends_by_type(*, organisation: Any, location: Any, as_of: dt.date,
                   meetings: QuerySet, cycles: int = DEFAULT_CYCLES) -> list[TypeTrend]:
    """The trend of every meeting type held at `location` in the window, in the issue's
    order of types (daily safeguarding review to board)."""
    periods = recent_periods(organisation, as_of, cycles)
    qs = meetings.filter(organisation=organisation, archived_at__isnull=True,
                         held_on__gte=periods[0].start, held_on__lte=as_of)
    qs = qs.filter(location=location) if location is not None else \
        qs.filter(location__isnull=True)
    rows = list(qs.values_list("pk", "uuid", "held_on", "meeting_type"))
    counts = entry_counts(pk for pk, *_ in rows)
    by_type: dict[str, list[MeetingFact]] = defaultdict(list)
    for pk, uuid, held_on, meeting_type in rows:
        by_type[meeting_type].append(MeetingFact(str(uuid), held_on, counts[pk]))
    return [TypeTrend(code, TYPE_LABELS[code], challenge_trend(by_type[code], periods),
                      len(by_type[code])) for code in TYPE_ORDER if by_type.get(code)]
