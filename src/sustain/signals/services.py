"""Writes for signals: detecting them on the stored indicator values, and interpreting them.

**Detection** (`detect_signals`) reads each indicator's values (`values_list`, no model
objects), builds locations × periods matrices aligned by period and runs the alerting
(`engine.alerting.windows.detect`, vectorised over locations) in both directions. Missing
periods (no value, or a zero denominator) are left out of a location's series; locations with
the same observed periods share a matrix. Only periods in the recent window (`RECENT`: the last
6 monthly or 12 weekly periods) can raise a signal: on a first run over years of history, old
alerts are not news. Idempotent by (indicator, location, period start, direction); an open or
noted signal whose alert no longer holds (values corrected) is withdrawn with a reason, never
deleted; a withdrawn one found again is reopened. History (ADR 0009's convention for generated
rows): new signals are written in bulk with one history entry per run and indicator on the
indicator; withdrawals, reopenings and interpretations are tracked updates of the signal.

A concern signal is owned by the registered manager at the location and due for
interpretation `INTERPRET_DAYS` after it was raised (Organisation has no setting for it yet).
Detection also installs, once per organisation, the shipped escalation rule for signals not
interpreted in time (`data/uninterpreted_signal_rule.yaml`, ADR 0017) as an organisation
rule that applies everywhere; the provider can edit or deactivate it like any of its rules.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from sustain.core.bulk import RowUpdate, record_pending, tracked_create_many, tracked_update_many
from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.history import PendingChange, snapshot
from sustain.core.services import tracked_create, tracked_update
from sustain.engine.access import Perm
from sustain.engine.alerting.windows import Series, detect
from sustain.indicators.models import Direction, Indicator, IndicatorValue
from sustain.signals.explain import explanation, method_name, month_or_week
from sustain.signals.models import Signal
from sustain.tenancy.models import Location, Organisation
from sustain.tenancy.permissions import actor_organisation_id, has_perm_at

DETECT_ACTOR = "signals.detect"
INTERPRET_DAYS = 7
OWNER_ROLE = "registered_manager"
MIN_TEXT = 20
BASELINE = {"monthly": 24, "weekly": 26}
LEAD = {"monthly": 6, "weekly": 12}   # periods monitored before a block
BLOCK = {"monthly": 6, "weekly": 12}  # a block: a half-year of months, 12 weeks
RECENT = {"monthly": 6, "weekly": 12}
_MONDAY = dt.date(2001, 1, 1)  # a Monday: weekly blocks count weeks from it
RULE_FILE = Path(__file__).parent / "data" / "uninterpreted_signal_rule.yaml"

Key = tuple[int, dt.date, str]  # location pk, period start, direction


@dataclass
class DetectResult:
    organisations: int = 0
    indicators: int = 0
    raised: int = 0
    reopened: int = 0
    updated: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    rules_installed: int = 0

    def counts(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class _Alert:
    location_id: int
    period_start: dt.date
    period_end: dt.date
    direction: str
    method: str
    strength: float
    change_period_start: dt.date | None
    explanation: str


# --- the shipped rule -----------------------------------------------------------------------

@cache
def rule_text() -> str:
    return RULE_FILE.read_text(encoding="utf-8")


def install_rule(organisation: Organisation) -> bool:
    """Add the shipped "concern signal not interpreted in time" rule to the organisation's
    rules (every location) unless a rule with its id exists (even archived or inactive: a
    provider's choice to drop it is not undone). True when installed."""
    from sustain.engine.escalation_rules import parse_rule, rule_checksum
    from sustain.escalations.models import EscalationRule

    text = rule_text()
    rule = parse_rule(text, RULE_FILE.name)
    if EscalationRule.objects.filter(organisation=organisation, code=rule.id).exists():
        return False
    tracked_create(actor=DETECT_ACTOR, obj=EscalationRule(
        organisation=organisation, code=rule.id, rule_version=1, title=rule.title,
        yaml=text, checksum=rule_checksum(text), is_current=True, active=True),
        message="Shipped with Sustain's signals: applies at every location.")
    return True


# --- detection ------------------------------------------------------------------------------

def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _read_from(ind: Indicator, until: dt.date) -> dt.date:
    """The earliest period start any recent period's window can reach (a little more)."""
    span = RECENT[ind.frequency] + BLOCK[ind.frequency] + BASELINE[ind.frequency] \
        + LEAD[ind.frequency] + 1
    if ind.frequency == "weekly":
        return until - dt.timedelta(weeks=span)
    return _months_before(until, span)


def _alerts(ind: Indicator, rows: Sequence[tuple[Any, ...]]
            ) -> tuple[dict[Key, _Alert], set[dt.date]]:
    """The alerts the values hold in the recent periods, and those recent period starts."""
    starts = sorted({r[1] for r in rows})
    recent = set(starts[-RECENT[ind.frequency]:])
    by_location: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    ends: dict[dt.date, dt.date] = {}
    for r in rows:
        by_location[r[0]].append(r)
        ends[r[1]] = r[2]
    groups: dict[tuple[dt.date, ...], list[int]] = defaultdict(list)
    for loc, series in by_location.items():
        groups[tuple(r[1] for r in series)].append(loc)
    sign = 1.0 if ind.direction == Direction.HIGHER_IS_WORSE else -1.0
    weekly = ind.frequency == "weekly"
    out: dict[Key, _Alert] = {}
    for periods, locs in groups.items():
        targets = [i for i, p in enumerate(periods) if p in recent]
        if not targets:
            continue
        data = np.array([[r[3:6] for r in by_location[loc]] for loc in locs], dtype=np.float64)
        if ind.kind == "proportion" and np.any(data[:, :, 0] > data[:, :, 1]):
            continue  # not a proportion (numerator above denominator): cannot be judged
        series = Series(kind=ind.kind, sign=sign, numerator=data[:, :, 0],
                        denominator=data[:, :, 1], value=data[:, :, 2],
                        multiplier=ind.multiplier)
        for f in detect(series, targets, [_block(p, weekly) for p in periods],
                        baseline=BASELINE[ind.frequency], lead=LEAD[ind.frequency],
                        minimum=ind.minimum_points):
            start = periods[f.column]
            change = periods[f.change_column] if f.change_column is not None else None
            out[(locs[f.row], start, f.direction)] = _Alert(
                location_id=locs[f.row], period_start=start, period_end=ends[start],
                direction=f.direction, method=f.method, strength=round(f.strength, 6),
                change_period_start=change, explanation=explanation(
                    method=f.method, strength=f.strength, indicator=ind.name, before=f.before,
                    after=f.after, change=change, period=start, weekly=weekly))
    return out, recent


def _block(day: dt.date, weekly: bool) -> int:
    """The calendar block of a period start: the half-year of a month, 12 weeks of weeks."""
    if weekly:
        return (day - _MONDAY).days // 7 // BLOCK["weekly"]
    return (day.year * 12 + day.month - 1) // BLOCK["monthly"]


class _Owners:
    """The registered manager of each location, resolved once per location per run."""

    def __init__(self, locations: dict[int, Location]) -> None:
        self.locations = locations
        self.found: dict[int, Any] = {}

    def __call__(self, location_id: int) -> Any:
        from sustain.escalations.services import resolve_owner

        if location_id not in self.found:
            self.found[location_id] = resolve_owner(role=OWNER_ROLE,
                                                    location=self.locations[location_id])
        return self.found[location_id]


def _opening(a: _Alert, now: dt.datetime, owners: _Owners) -> dict[str, Any]:
    concern = a.direction == Signal.Direction.CONCERN
    return {"status": Signal.Status.OPEN if concern else Signal.Status.NOTED,
            "raised_at": now,
            "due_at": now + dt.timedelta(days=INTERPRET_DAYS) if concern else None,
            "owner": owners(a.location_id) if concern else None}


def _content(a: _Alert) -> dict[str, Any]:
    return {"period_end": a.period_end, "method": a.method, "strength": a.strength,
            "change_period_start": a.change_period_start, "explanation": a.explanation}


def _withdraw_reason(s: Signal, today: dt.date) -> str:
    weekly = s.indicator.frequency == "weekly"
    return (f"Withdrawn on {today.day} {today:%b %Y}: after the values were recomputed, the "
            f"{method_name(s.method)} no longer finds this change in "
            f"{month_or_week(s.period_start, weekly)}.")


_Found = tuple[list[Signal], list[RowUpdate[Signal]], PendingChange | None]


def _detect_indicator(ind: Indicator, location_ids: list[int], until: dt.date,
                      now: dt.datetime, owners: _Owners, result: DetectResult) -> _Found:
    """The indicator's new signals and updates (written by the caller), and its history
    entry for the new ones."""
    rows = list(IndicatorValue.objects.filter(
        indicator=ind, location_id__in=location_ids, archived_at__isnull=True,
        value__isnull=False, denominator__gt=0, period_start__gte=_read_from(ind, until),
        period_start__lte=until).order_by("location_id", "period_start").values_list(
        "location_id", "period_start", "period_end", "numerator", "denominator", "value"))
    if not rows:
        return [], [], None
    alerts, recent = _alerts(ind, rows)
    existing = {(s.location_id, s.period_start, s.direction): s for s in Signal.objects.filter(
        indicator=ind, period_start__in=recent, location_id__in=location_ids)}
    new: list[Signal] = []
    updates: list[RowUpdate[Signal]] = []
    for key, a in alerts.items():
        old = existing.get(key)
        if old is None:
            new.append(Signal(organisation_id=ind.organisation_id, indicator=ind,
                              location_id=a.location_id, period_start=a.period_start,
                              direction=a.direction, **_content(a), **_opening(a, now, owners)))
        elif old.status == Signal.Status.WITHDRAWN:
            updates.append(RowUpdate(old, {**_content(a), **_opening(a, now, owners),
                                           "withdrawn_reason": ""},
                                     "Reopened: the alert holds again."))
            result.reopened += 1
        elif any(getattr(old, k) != v for k, v in _content(a).items()):
            updates.append(RowUpdate(old, _content(a), "Recomputed values changed the numbers."))
            result.updated += 1
        else:
            result.unchanged += 1
    today = timezone.localdate(now)
    for key, old in existing.items():
        if key not in alerts and old.status in (Signal.Status.OPEN, Signal.Status.NOTED):
            old.indicator = ind
            reason = _withdraw_reason(old, today)
            updates.append(RowUpdate(old, {"status": Signal.Status.WITHDRAWN,
                                           "withdrawn_reason": reason}, reason))
            result.withdrawn += 1
    if not new:
        return new, updates, None
    concerns = sum(1 for s in new if s.direction == Signal.Direction.CONCERN)
    return new, updates, PendingChange(
        actor=DETECT_ACTOR, obj=ind, action="update", before=snapshot(ind),
        after=snapshot(ind), message=(
            f"Signals: {concerns} new concern and {len(new) - concerns} new improvement "
            f"signal{'s' if len(new) - concerns != 1 else ''}."))


def detect_signals(*, organisation: Organisation | None = None, until: dt.date | None = None
                   ) -> DetectResult:
    """Run the alerting over every stored series of every (or the given) organisation's
    indicators (not neutral ones) at its active locations, up to `until` (default today);
    record new signals, withdraw those that no longer hold. Idempotent."""
    until = until or timezone.localdate()
    now = timezone.now()
    result = DetectResult()
    orgs = ([organisation] if organisation is not None else
            list(Organisation.objects.filter(archived_at__isnull=True).order_by("pk")))
    for org in orgs:
        locations = {loc.pk: loc for loc in Location.objects.filter(
            organisation=org, archived_at__isnull=True)}
        if not locations:
            continue
        result.organisations += 1
        owners = _Owners(locations)
        with transaction.atomic():
            result.rules_installed += int(install_rule(org))
            pending: list[PendingChange] = []
            new: list[Signal] = []
            updates: list[RowUpdate[Signal]] = []
            for ind in Indicator.objects.filter(organisation=org, archived_at__isnull=True
                                                ).exclude(direction=Direction.NEUTRAL
                                                          ).order_by("code"):
                result.indicators += 1
                found = _detect_indicator(ind, sorted(locations), until, now, owners, result)
                new += found[0]
                updates += found[1]
                if found[2] is not None:
                    pending.append(found[2])
            # One bulk write of each kind per organisation: one write event, so the
            # escalation rules are evaluated once per location with new signals.
            tracked_create_many(actor=DETECT_ACTOR, objs=new, record=False)
            result.raised += len(new)
            tracked_update_many(actor=DETECT_ACTOR, updates=updates)
            record_pending(pending)
    return result


# --- interpretation -------------------------------------------------------------------------

def _same_place(obj: Any, signal: Signal) -> bool:
    return (obj.organisation_id == signal.organisation_id
            and obj.location_id == signal.location_id and obj.archived_at is None)


def interpret(*, actor: Any, signal: Signal, meaning: str, response: str, theme: Any = None,
              action: Any = None, expected_version: int | None = None) -> Signal:
    """Record the owner's interpretation of an open concern signal: what it means and what is
    being done (each at least `MIN_TEXT` characters), optionally linked to a theme or action
    at the signal's location. Needs `signal.interpret` at the location."""
    if actor_organisation_id(actor) != signal.organisation_id or not has_perm_at(
            actor, Perm.SIGNAL_INTERPRET, signal.location_id):
        raise PermissionDenied("Your role cannot interpret signals at this location.")
    if signal.direction != Signal.Direction.CONCERN:
        raise InvalidInput("An improvement signal is noted, not interpreted.",
                           {"non_field_errors": ["Only concern signals are interpreted."]})
    if signal.status != Signal.Status.OPEN:
        raise InvalidInput(f"This signal is not awaiting interpretation (it is "
                           f"{signal.get_status_display().lower()}).",
                           {"non_field_errors": ["This signal is not awaiting "
                                                 "interpretation."]})
    meaning, response = (meaning or "").strip(), (response or "").strip()
    errors: dict[str, list[str]] = {}
    if len(meaning) < MIN_TEXT:
        errors["meaning"] = [f"Say what the signal means, in at least {MIN_TEXT} characters."]
    if len(response) < MIN_TEXT:
        errors["response"] = [f"Say what is being done about it, in at least {MIN_TEXT} "
                              "characters."]
    if theme is not None and not _same_place(theme, signal):
        errors["theme"] = ["Choose a theme at this signal's location."]
    if action is not None and not _same_place(action, signal):
        errors["action"] = ["Choose an action at this signal's location."]
    if errors:
        raise InvalidInput("The interpretation is not complete.", errors)
    return tracked_update(actor=actor, obj=signal, expected_version=(
        signal.version if expected_version is None else expected_version), changes={
        "status": Signal.Status.INTERPRETED, "meaning": meaning, "response": response,
        "theme": theme, "action": action, "interpreted_by": actor,
        "interpreted_at": timezone.now()}, message="Interpreted.")
