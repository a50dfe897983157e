"""Tested assurance and key-person risk (ADR 0016). Pure functions over plain facts.

**Tested assurance.** The seed: "Leadership should not simply receive assurance; it should test
whether assurance is credible." For each audit template, the registered manager's own audits
completed in a period are compared with the quality lead's independent sample of the same
template in the same period. When the manager's mean score is more than `GAP_POINTS`
percentage points above the independent mean, that is a signal, shown with the audits behind
it. A gap the other way (the independent sample scoring higher) is reported but is not a
signal: it does not make the manager's assurance less credible.

**Key-person risk.** A theme is flagged when its owner has left, or when one person made more
than `DOMINANT_SHARE` of the theme's records in the last cycle (with at least `MIN_RECORDS`
records, so that one record by one person is not a risk); the reason says whether that person
has also left.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sustain.engine.meeting_rules import Period

RULE_VERSION = "assurance-1"
GAP_POINTS = 10.0
DOMINANT_SHARE = 0.70
MIN_RECORDS = 3


def _pct(x: float) -> str:
    return f"{round(x)}%"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --- tested assurance --------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditScore:
    id: str
    template: str  # the template's key
    completed_on: dt.date
    score: float  # percentage, 0–100
    independent: bool  # True: the quality lead's independent sample; False: the manager's own


@dataclass(frozen=True)
class AssuranceGap:
    template: str
    template_name: str
    period: Period
    own_mean: float | None
    independent_mean: float | None
    gap: float | None  # own − independent, percentage points
    signal: bool
    finding: str
    own_ids: tuple[str, ...]
    independent_ids: tuple[str, ...]
    threshold: float = GAP_POINTS
    rule_version: str = RULE_VERSION

    @property
    def record_ids(self) -> tuple[str, ...]:
        return self.own_ids + self.independent_ids


def assurance_gap(audits: Sequence[AuditScore], template: str, period: Period, *,
                  template_name: str | None = None,
                  threshold: float = GAP_POINTS) -> AssuranceGap:
    """Compare the manager's own audits of `template` completed in `period` with the
    independent sample of the same template and period."""
    rows = [a for a in audits if a.template == template
            and period.start <= a.completed_on <= period.end]
    own = sorted((a for a in rows if not a.independent), key=lambda a: (a.completed_on, a.id))
    ind = sorted((a for a in rows if a.independent), key=lambda a: (a.completed_on, a.id))
    name = template_name or template
    own_ids = tuple(a.id for a in own)
    ind_ids = tuple(a.id for a in ind)
    own_mean = sum(a.score for a in own) / len(own) if own else None
    ind_mean = sum(a.score for a in ind) / len(ind) if ind else None
    if own_mean is None or ind_mean is None:
        missing = "no audit by the manager" if own_mean is None else "no independent sample"
        return AssuranceGap(template, name, period, own_mean, ind_mean, None, False,
                            f"Assurance not tested for {name} in {period.label}: there is "
                            f"{missing} to compare.", own_ids, ind_ids, threshold)
    gap = own_mean - ind_mean
    signal = gap > threshold
    text = (f"The manager's own {name} audits in {period.label} averaged {_pct(own_mean)} "
            f"({_plural(len(own), 'audit')}); the quality lead's independent sample of the same "
            f"period scored {_pct(ind_mean)} ({_plural(len(ind), 'audit')})")
    if signal:
        text += (f" — a gap of {round(gap)} points. Leadership should test whether assurance is "
                 "credible.")
    elif gap < -threshold:
        text += (f" — the independent sample scored {round(-gap)} points higher, so the "
                 "manager's own audits are not over-assuring.")
    else:
        text += f" — within {round(threshold)} points, so the manager's assurance held up."
    return AssuranceGap(template, name, period, own_mean, ind_mean, gap, signal, text, own_ids,
                        ind_ids, threshold)


def assurance_gaps(audits: Sequence[AuditScore], period: Period, *,
                     template_names: Mapping[str, str] | None = None,
                     threshold: float = GAP_POINTS) -> list[AssuranceGap]:
    """One comparison per template that has an independent sample in `period` (signals first,
    largest gap first)."""
    names = template_names or {}
    templates = sorted({a.template for a in audits if a.independent
                        and period.start <= a.completed_on <= period.end})
    gaps = [assurance_gap(audits, t, period, template_name=names.get(t), threshold=threshold)
            for t in templates]
    return sorted(gaps, key=lambda g: (not g.signal, -(g.gap or 0.0), g.template))


# --- key-person risk ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ThemeRecord:
    id: str
    made_by: str  # the person's id
    made_on: dt.date


@dataclass(frozen=True)
class KeyPersonRisk:
    theme_id: str
    flagged: bool
    reasons: tuple[str, ...]
    person_ids: tuple[str, ...]  # the owner who left and/or the dominant person
    record_ids: tuple[str, ...]
    dominant_share: float | None  # the top person's share of the cycle's records
    rule_version: str = RULE_VERSION


def key_person_risk(theme_id: str, *, owner_id: str | None, records: Sequence[ThemeRecord],
                    cycle: Period, left: Collection[str] = frozenset(),
                    names: Mapping[str, str] | None = None, share: float = DOMINANT_SHARE,
                    min_records: int = MIN_RECORDS) -> KeyPersonRisk:
    """Flag a theme whose owner has left (`owner_id` in `left`), or where one person made more
    than `share` of its records in `cycle` (given at least `min_records` records)."""
    names = names or {}

    def who(person: str) -> str:
        return names.get(person, "one person")

    reasons: list[str] = []
    people: list[str] = []
    ids: list[str] = []
    in_cycle = sorted((r for r in records if cycle.start <= r.made_on <= cycle.end),
                      key=lambda r: (r.made_on, r.id))
    if owner_id is not None and owner_id in left:
        owner_name = names.get(owner_id, "The theme's owner")
        reasons.append(f"{owner_name} owns this theme and has left: hand it over.")
        people.append(owner_id)
        ids.extend(r.id for r in in_cycle if r.made_by == owner_id)
    top_share: float | None = None
    if in_cycle:
        person, count = max(Counter(r.made_by for r in in_cycle).items(),
                            key=lambda kv: (kv[1], kv[0]))
        top_share = count / len(in_cycle)
        if len(in_cycle) >= min_records and top_share > share:
            text = (f"{who(person)} made {count} of the theme's {len(in_cycle)} records in "
                    f"{cycle.label} ({round(top_share * 100)}%, more than "
                    f"{round(share * 100)}%)")
            text += " and has left." if person in left else ": the theme depends on them."
            reasons.append(text[0].upper() + text[1:])
            if person not in people:
                people.append(person)
            ids.extend(r.id for r in in_cycle if r.made_by == person and r.id not in ids)
    return KeyPersonRisk(theme_id, bool(reasons), tuple(reasons), tuple(people), tuple(ids),
                         top_share)
