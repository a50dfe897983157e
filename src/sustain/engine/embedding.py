"""The embedding channels: where the seed says improvement must live in business as usual,
and the embedding map (each channel of a theme × governance cycles: records, count, gaps).

"governance calendars, supervision templates, team meeting agendas, audit cycles, incident
review processes, quality dashboards, board reporting, provider visits and service
observations" — plus the staff handovers, competency checks and "what changed and why"
briefings of the medicines example.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

CHANNELS: Mapping[str, str] = {
    "governance_calendar": "Governance calendar",
    "supervision": "Supervision discussions",
    "team_meetings": "Team meeting agendas",
    "audit_cycles": "Audit cycles",
    "incident_review": "Incident review",
    "dashboards": "Quality dashboards",
    "board_reporting": "Board reporting",
    "provider_visits": "Provider visits and observations",
    "handovers": "Staff handovers",
    "competency_checks": "Competency checks",
    "briefings": "Briefings — what changed and why",
}

RULE = ("A channel is active in a governance cycle when at least one record tagged with the "
        "theme was made through it in that cycle. Coverage is the share of the theme's "
        "channels that Sustain can observe which were active; channels it cannot observe yet "
        "are shown but not counted.")


def coverage(required: frozenset[str], active: frozenset[str]) -> float:
    """Share of the required channels that were active (1.0 when none are required)."""
    if not required:
        return 1.0
    return len(required & active) / len(required)


@dataclass(frozen=True)
class ChannelRow:
    """One channel of a theme: its counts per cycle (in the map's cycle order)."""

    channel: str
    label: str
    observed: bool  # Sustain can see this channel's records
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class CycleSummary:
    """Coverage of one cycle: the observed channels that were active and the gaps."""

    ordinal: int
    coverage: float | None  # None: no observed channel to judge
    active: tuple[str, ...]
    gaps: tuple[str, ...]

    @property
    def percent(self) -> int | None:
        return None if self.coverage is None else round(self.coverage * 100)


@dataclass(frozen=True)
class EmbeddingMap:
    cycles: tuple[int, ...]
    rows: tuple[ChannelRow, ...]
    summaries: tuple[CycleSummary, ...]
    rule: str = RULE

    def explanation(self, labels: Mapping[int, str]) -> list[str]:
        """One sentence per cycle naming the active channels and the gaps."""
        names = {r.channel: r.label for r in self.rows}
        out = []
        for s in self.summaries:
            when = labels.get(s.ordinal, str(s.ordinal))
            if s.coverage is None:
                out.append(f"{when}: no channel Sustain can observe is named for this theme.")
                continue
            judged = len(s.active) + len(s.gaps)
            text = f"{when}: {len(s.active)} of {judged} channels active ({s.percent}%)"
            if s.gaps:
                text += "; no record through " + ", ".join(names[g] for g in s.gaps)
            out.append(text + ".")
        return out


def embedding_map(*, channels: Sequence[str], observed: frozenset[str],
                  cycles: Sequence[int], counts: Mapping[tuple[int, str], int]) -> EmbeddingMap:
    """The map of a theme's `channels` (the playbook's list, in its order) over `cycles`.

    `counts[(cycle, channel)]` is how many records tagged with the theme went through the
    channel in that cycle; `observed` names the channels Sustain can see (the others are
    shown, never counted as gaps)."""
    rows = tuple(ChannelRow(c, CHANNELS.get(c, c), c in observed,
                            tuple(counts.get((cyc, c), 0) for cyc in cycles))
                 for c in dict.fromkeys(channels))
    judged = [r for r in rows if r.observed]
    summaries = []
    for i, cyc in enumerate(cycles):
        active = tuple(r.channel for r in judged if r.counts[i] > 0)
        gaps = tuple(r.channel for r in judged if r.counts[i] == 0)
        share = len(active) / len(judged) if judged else None
        summaries.append(CycleSummary(cyc, share, active, gaps))
    return EmbeddingMap(tuple(cycles), rows, tuple(summaries))
