"""Where a theme lives in business as usual: the records tagged with it in each embedding
channel, per governance cycle (the embedding map), and the channels the lifecycle's
"embedded" rule can observe.

Each channel has a *source*: a function returning the records tagged with any of the given
themes made through that channel between two dates, in one query for any number of themes.
Apps that hold a channel's records register a source (`register_source`) in their
`AppConfig.ready()`; the sources for records this app can read directly are registered below.
A channel with no source (quality dashboards, until the early-warning work) is shown on the
map and never counted as a gap.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sustain.engine.embedding import CHANNELS, EmbeddingMap, embedding_map
from sustain.engine.governance_cycles import CycleKind, cycle_bounds, cycle_of


@dataclass(frozen=True)
class ChannelRecord:
    """One record that put a theme into a channel on a day."""

    theme_id: int
    channel: str
    day: dt.date
    label: str
    url: str | None = None


Source = Callable[[Sequence[int], dt.date, dt.date], Iterable[ChannelRecord]]

_SOURCES: dict[str, list[Source]] = defaultdict(list)


def register_source(channel: str, source: Source) -> None:
    """Count `source`'s records in `channel` (a key of `engine.embedding.CHANNELS`)."""
    if channel not in CHANNELS:
        raise ValueError(f"Unknown embedding channel {channel!r}")
    if source not in _SOURCES[channel]:
        _SOURCES[channel].append(source)


def observed_channels() -> frozenset[str]:
    """The channels Sustain can see records for (a source is registered)."""
    return frozenset(c for c, sources in _SOURCES.items() if sources)


def _url(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _local_day(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


# --- the sources this app registers (records of apps it already reads) --------------------


def _audits(ids: Sequence[int], start: dt.date, end: dt.date) -> Iterable[ChannelRecord]:
    from sustain.audits.models import Audit

    rows = Audit.objects.filter(theme_id__in=ids, status="completed", archived_at__isnull=True,
                                audit_date__range=(start, end)) \
        .values_list("theme_id", "audit_date", "template__title", "score", "uuid")
    for theme_id, day, title, score, uuid in rows:
        scored = f" — {float(score):.0f}%" if score is not None else ""
        yield ChannelRecord(theme_id, "audit_cycles", day, f"Audit: {title}{scored}",
                            _url("audits:detail", uuid=uuid))


def _workforce(channel: str, model_name: str, what: str) -> Source:
    def source(ids: Sequence[int], start: dt.date, end: dt.date) -> Iterable[ChannelRecord]:
        from django.apps import apps

        model = apps.get_model("workforce", model_name)
        through = model.themes.through
        owner = model._meta.model_name
        rows = through.objects.filter(
            theme_id__in=ids, **{f"{owner}__date__range": (start, end),
                                 f"{owner}__archived_at__isnull": True}
        ).values_list("theme_id", f"{owner}__date", f"{owner}__{_person(model_name)}__uuid")
        for theme_id, day, staff_uuid in rows:  # no names: the map is read more widely
            yield ChannelRecord(theme_id, channel, day, what,
                                _url("workforce:staff", uuid=staff_uuid))
    return source


def _person(model_name: str) -> str:
    return "supervisee" if model_name == "supervision" else "staff"


def _briefings(ids: Sequence[int], start: dt.date, end: dt.date) -> Iterable[ChannelRecord]:
    """A briefing is a briefing; delivered at a handover or a team meeting it also shows the
    theme in that channel."""
    from sustain.workforce.models import Briefing

    rows = Briefing.objects.filter(
        theme_id__in=ids, archived_at__isnull=True,
        delivered_at__date__range=(start, end)).values_list(
        "theme_id", "delivered_at", "delivered_via", "title", "uuid")
    via_channel = {"handover": "handovers", "team_meeting": "team_meetings"}
    for theme_id, when, via, what, uuid in rows:
        day = _local_day(when)
        url = _url("workforce:briefing", uuid=uuid)
        label = f"Briefing: {what[:70]}"
        yield ChannelRecord(theme_id, "briefings", day, label, url)
        if via in via_channel:
            yield ChannelRecord(theme_id, via_channel[via], day, label, url)


def _incident_reviews(ids: Sequence[int], start: dt.date,
                      end: dt.date) -> Iterable[ChannelRecord]:
    """Incidents tagged with the theme whose investigation or learning is recorded, and
    safeguarding concerns tagged with it that the registered manager reviewed."""
    from sustain.incidents.models import Incident
    from sustain.safeguarding.models import SafeguardingConcern

    through = Incident.themes.through
    for theme_id, when, kind, uuid in through.objects.filter(
            theme_id__in=ids, incident__archived_at__isnull=True,
            incident__occurred_at__date__range=(start, end)).exclude(
            incident__investigation="", incident__learning="").values_list(
            "theme_id", "incident__occurred_at", "incident__type", "incident__uuid"):
        yield ChannelRecord(theme_id, "incident_review", _local_day(when),
                            f"Incident reviewed: {kind.replace('_', ' ')}",
                            _url("incidents:incident-detail", uuid=uuid))
    through = SafeguardingConcern.themes.through
    for theme_id, when, category, uuid in through.objects.filter(
            theme_id__in=ids, safeguardingconcern__archived_at__isnull=True,
            safeguardingconcern__manager_reviewed_at__date__range=(start, end)).values_list(
            "theme_id", "safeguardingconcern__manager_reviewed_at",
            "safeguardingconcern__category", "safeguardingconcern__uuid"):
        yield ChannelRecord(theme_id, "incident_review", _local_day(when),
                            f"Safeguarding concern reviewed: {category.replace('_', ' ')}",
                            _url("safeguarding:detail", uuid=uuid))


def _visits(ids: Sequence[int], start: dt.date, end: dt.date) -> Iterable[ChannelRecord]:
    from sustain.feedback.models import Visit

    through = Visit.themes.through
    for theme_id, day, kind, uuid in through.objects.filter(
            theme_id__in=ids, visit__archived_at__isnull=True,
            visit__date__range=(start, end)).values_list(
            "theme_id", "visit__date", "visit__type", "visit__uuid"):
        yield ChannelRecord(theme_id, "provider_visits", day,
                            f"Visit: {kind.replace('_', ' ')}",
                            _url("feedback:visit-detail", uuid=uuid))


register_source("audit_cycles", _audits)
register_source("supervision", _workforce("supervision", "supervision", "Supervision"))
register_source("competency_checks",
                _workforce("competency_checks", "competencyassessment", "Competency check"))
register_source("briefings", _briefings)
register_source("handovers", _briefings)
register_source("incident_review", _incident_reviews)
register_source("provider_visits", _visits)


def _dedupe_sources() -> list[Source]:
    seen: list[Source] = []
    for sources in _SOURCES.values():
        for source in sources:
            if source not in seen:
                seen.append(source)
    return seen


def records_by_theme(theme_ids: Sequence[int], start: dt.date,
                     end: dt.date) -> dict[int, list[ChannelRecord]]:
    """Records per theme (each source queried once, whatever channels it feeds)."""
    out: dict[int, list[ChannelRecord]] = defaultdict(list)
    if not theme_ids:
        return out
    observed = observed_channels()
    for source in _dedupe_sources():
        for record in source(theme_ids, start, end):
            if record.channel in observed:
                out[record.theme_id].append(record)
    return out


def active_channels(records: Iterable[ChannelRecord],
                    kind: CycleKind) -> dict[int, frozenset[str]]:
    """The channels with at least one record, per cycle ordinal."""
    active: dict[int, set[str]] = defaultdict(set)
    for record in records:
        active[cycle_of(record.day, kind)].add(record.channel)
    return {k: frozenset(v) for k, v in active.items()}


@dataclass(frozen=True)
class ThemeEmbedding:
    """The embedding map of one theme with the records behind each cell."""

    map: EmbeddingMap
    cycle_labels: dict[int, str]
    records: dict[tuple[int, str], list[ChannelRecord]]

    def explanation(self) -> list[str]:
        return self.map.explanation(self.cycle_labels)


def cycle_label(ordinal: int, kind: CycleKind) -> str:
    start, end = cycle_bounds(ordinal, kind)
    if kind == CycleKind.MONTHLY:
        return f"{start:%B %Y}"
    return f"{start:%b} – {end:%b %Y}"


def theme_embedding(theme: Any, as_of: dt.date | None = None,
                    cycles: int = 2) -> ThemeEmbedding:
    """The theme's channels × the current cycle and the `cycles - 1` before it."""
    as_of = as_of or timezone.localdate()
    kind = CycleKind(theme.organisation.governance_cycle)
    current = cycle_of(as_of, kind)
    ordinals = list(range(current - cycles + 1, current + 1))
    start = cycle_bounds(ordinals[0], kind)[0]
    found = records_by_theme([theme.pk], start, as_of).get(theme.pk, [])
    cells: dict[tuple[int, str], list[ChannelRecord]] = defaultdict(list)
    for record in sorted(found, key=lambda r: (r.day, r.label)):
        cells[(cycle_of(record.day, kind), record.channel)].append(record)
    counts = {key: len(value) for key, value in cells.items()}
    emap = embedding_map(channels=list(theme.embedding_channels or ()),
                         observed=observed_channels(), cycles=ordinals, counts=counts)
    return ThemeEmbedding(emap, {o: cycle_label(o, kind) for o in ordinals}, dict(cells))


def embedding_payload(te: ThemeEmbedding, kind: CycleKind) -> dict[str, Any]:
    """The map as the API and the page show it."""
    cycles = []
    for s in te.map.summaries:
        start, end = cycle_bounds(s.ordinal, kind)
        cycles.append({"ordinal": s.ordinal, "label": te.cycle_labels[s.ordinal],
                       "start": start, "end": end, "coverage_percent": s.percent,
                       "active": list(s.active), "gaps": list(s.gaps)})
    channels = []
    for row in te.map.rows:
        cells = []
        for ordinal, count in zip(te.map.cycles, row.counts, strict=True):
            cells.append({"count": count, "records": [
                {"day": r.day, "label": r.label, "url": r.url}
                for r in te.records.get((ordinal, row.channel), [])]})
        channels.append({"channel": row.channel, "label": row.label,
                         "observed": row.observed, "cells": cells})
    return {"rule": te.map.rule, "cycles": cycles, "channels": channels,
            "explanation": te.explanation()}
