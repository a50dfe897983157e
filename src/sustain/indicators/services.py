"""Writes for indicators: installing the library's definitions in an organisation, the nightly
computation of values, and writing imported values.

History (ADR 0009's convention for generated rows): values are derived data, written in bulk
by a system job through `core.bulk` (validated rows, `record=False`), and each indicator gets
**one history entry per run that changed something** ("Computed 24 new values and updated 2,
Jan 2025 to Dec 2026"), on the indicator, with the job as actor. A value's own numerator and
denominator are kept on the row with `computed_at`; the records behind it are read again by
`selectors.records_behind`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from sustain.core.bulk import RowUpdate, record_pending, tracked_create_many, tracked_update_many
from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.history import PendingChange, snapshot
from sustain.core.services import tracked_create
from sustain.engine.access import Perm
from sustain.indicators.compute import COMPUTATIONS, Counts, Period
from sustain.indicators.custom import indicator_archive as indicator_archive
from sustain.indicators.custom import indicator_create as indicator_create
from sustain.indicators.custom import indicator_update as indicator_update
from sustain.indicators.library import load_library
from sustain.indicators.models import Indicator, IndicatorValue, Source, value_of
from sustain.tenancy.models import Location, Organisation
from sustain.tenancy.permissions import has_perm_at

COMPUTE_ACTOR = "indicators.compute"
MONTHS = 24
WEEKS = 26


# --- definitions ----------------------------------------------------------------------------

def library_install(*, actor: Any, organisation: Organisation) -> list[Indicator]:
    """Copy every library definition the organisation does not have yet (by code; an archived
    copy counts as had, so archiving an indicator is not undone). Returns the new ones."""
    have = set(Indicator.objects.filter(organisation=organisation).values_list("code", flat=True))
    created = []
    for d in load_library().indicators:
        if d.code in have:
            continue
        created.append(tracked_create(actor=actor, obj=Indicator(
            organisation=organisation, code=d.code, name=d.name, unit=d.unit,
            description=d.description, source=d.source, numerator=d.numerator,
            denominator=d.denominator, multiplier=d.multiplier, direction=d.direction,
            target=d.target, frequency=d.frequency, minimum_points=d.minimum_points,
            kind=d.kind, from_library=True), message="Installed from the indicator library."))
    return created


# --- periods --------------------------------------------------------------------------------

def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def completed_periods(frequency: str, until: dt.date, count: int) -> list[Period]:
    """The last `count` periods that ended on or before `until` (oldest first)."""
    if frequency == "weekly":
        end = until - dt.timedelta(days=until.weekday())
        return [Period(end - dt.timedelta(weeks=k), end - dt.timedelta(weeks=k - 1))
                for k in range(count, 0, -1)]
    end = until.replace(day=1)
    return [Period(_add_months(end, -k), _add_months(end, -k + 1)) for k in range(count, 0, -1)]


# --- computing ------------------------------------------------------------------------------

@dataclass
class ComputeResult:
    organisations: int = 0
    indicators: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    installed: int = 0
    per_indicator: dict[str, tuple[int, int]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {"organisations": self.organisations, "indicators": self.indicators,
                "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "installed": self.installed}


@dataclass(frozen=True)
class Row:
    location_id: int
    period: Period
    numerator: int
    denominator: int


def compute_values(*, organisation: Organisation | None = None,
                   locations: Iterable[Location] | None = None, until: dt.date | None = None,
                   months: int = MONTHS, weeks: int = WEEKS,
                   actor: Any = COMPUTE_ACTOR) -> ComputeResult:
    """Compute every computed indicator's values for the last `months` monthly (`weeks`
    weekly) completed periods before `until` (default today, local), for every active
    location (or those given) of every organisation (or the one given). Installs missing
    library definitions first. Idempotent: a value whose numerator and denominator (and so
    value) did not change is not written; a changed one is updated."""
    until = until or timezone.localdate()
    result = ComputeResult()
    orgs = ([organisation] if organisation is not None else
            list(Organisation.objects.filter(archived_at__isnull=True).order_by("pk")))
    chosen = list(locations) if locations is not None else None
    for org in orgs:
        locs = [loc for loc in chosen if loc.organisation_id == org.pk] if chosen is not None \
            else list(Location.objects.filter(organisation=org, archived_at__isnull=True))
        if not locs:
            continue
        result.organisations += 1
        with transaction.atomic():
            result.installed += len(library_install(actor=actor, organisation=org))
            _compute_org(org, locs, until, months, weeks, actor, result)
    return result


def _compute_org(org: Organisation, locs: Sequence[Location], until: dt.date, months: int,
                 weeks: int, actor: Any, result: ComputeResult) -> None:
    loc_ids = sorted(loc.pk for loc in locs)
    cache: dict[tuple[str, str, tuple[Period, ...]], Counts] = {}

    def counts(name: str, frequency: str, periods: list[Period]) -> Counts:
        key = (name, frequency, tuple(periods))
        if key not in cache:
            cache[key] = COMPUTATIONS[name].compute(org.pk, loc_ids, periods, frequency)
        return cache[key]

    indicators = list(Indicator.objects.filter(organisation=org, archived_at__isnull=True,
                                               source=Source.COMPUTED).order_by("code"))
    pending: list[PendingChange] = []
    for ind in indicators:
        if ind.numerator not in COMPUTATIONS or ind.denominator not in COMPUTATIONS:
            continue
        lag = max(COMPUTATIONS[ind.numerator].lag_days, COMPUTATIONS[ind.denominator].lag_days)
        count = weeks if ind.frequency == "weekly" else months
        periods = [p for p in completed_periods(ind.frequency, until, count)
                   if p.end + dt.timedelta(days=lag) <= until]
        num = counts(ind.numerator, ind.frequency, periods)
        den = counts(ind.denominator, ind.frequency, periods)
        rows = [Row(loc_id, p, num.get((loc_id, p.start), 0), den.get((loc_id, p.start), 0))
                for loc_id in loc_ids for p in periods]
        change = _write(ind, rows, Source.COMPUTED, actor, result)
        if change is not None:
            pending.append(change)
        result.indicators += 1
    record_pending(pending)


def _write(ind: Indicator, rows: Sequence[Row], source: str, actor: Any,
           result: ComputeResult) -> PendingChange | None:
    """Insert the new values, update the changed ones; the history entry for the indicator."""
    if not rows:
        return None
    # Plain tuples for the comparison; model objects only for the rows that change.
    existing = {(loc, start): (pk, rest) for loc, start, pk, *rest in
                IndicatorValue.objects.filter(
                    indicator=ind, location_id__in={r.location_id for r in rows},
                    period_start__in={r.period.start for r in rows}).order_by()
                .values_list("location_id", "period_start", "pk", "numerator", "denominator",
                             "value", "period_end", "source")}
    now = timezone.now()
    new: list[IndicatorValue] = []
    changed: dict[int, dict[str, Any]] = {}
    for r in rows:
        value = value_of(r.numerator, r.denominator, ind.multiplier)
        old = existing.get((r.location_id, r.period.start))
        if old is None:
            new.append(IndicatorValue(
                organisation_id=ind.organisation_id, indicator=ind, location_id=r.location_id,
                period_start=r.period.start, period_end=r.period.end, numerator=r.numerator,
                denominator=r.denominator, value=value, source=source, computed_at=now))
        elif tuple(old[1]) != (r.numerator, r.denominator, value, r.period.end, source):
            changed[old[0]] = {"numerator": r.numerator, "denominator": r.denominator,
                               "value": value, "period_end": r.period.end, "source": source,
                               "computed_at": now}
        else:
            result.unchanged += 1
    objs = IndicatorValue.objects.in_bulk(list(changed)) if changed else {}
    updates = [RowUpdate(objs[pk], changes) for pk, changes in changed.items()]
    if new:
        tracked_create_many(actor=actor, objs=new, record=False)
    if updates:
        tracked_update_many(actor=actor, updates=updates, record=False)
    result.created += len(new)
    result.updated += len(updates)
    result.per_indicator[ind.code] = (len(new), len(updates))
    if not new and not updates:
        return None
    starts = [r.period.start for r in rows]
    message = (f"{'Computed' if source == Source.COMPUTED else 'Imported'} "
               f"{len(new)} new value{'s' if len(new) != 1 else ''} and updated {len(updates)}, "
               f"periods from {_day(min(starts))} to {_day(max(starts))}.")
    return PendingChange(actor=actor, obj=ind, action="update", before=snapshot(ind),
                         after=snapshot(ind), message=message)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


# --- imported series --------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportedValue:
    location: Location
    period_start: dt.date
    numerator: int
    denominator: int


def values_import(*, actor: Any, indicator: Indicator,
                  values: Sequence[ImportedValue]) -> ComputeResult:
    """Write an imported series (agency hours %, turnover %, occupancy…): one row per location
    and period, with its integer numerator and denominator, `source = "imported"`. The
    period is the indicator's (month or Monday-start week containing `period_start`). Same
    idempotent upsert and one history entry on the indicator as the computation."""
    if indicator.source != Source.IMPORTED:
        raise InvalidInput("Only an imported indicator takes imported values.",
                           {"indicator": ["This indicator is computed from records."]})
    errors: dict[str, list[str]] = {}
    for i, v in enumerate(values):
        if v.location.organisation_id != indicator.organisation_id:
            errors.setdefault(f"values[{i}].location", []).append("Unknown location.")
        elif not has_perm_at(actor, Perm.IMPORT_RUN, v.location.pk):
            raise PermissionDenied("You may not import values for this location.")
        if v.numerator < 0 or v.denominator < 0:
            errors.setdefault(f"values[{i}]", []).append("Numbers must not be negative.")
    if errors:
        raise InvalidInput("Some values cannot be imported.", errors)
    result = ComputeResult(indicators=1)
    rows = [Row(v.location.pk, _period_of(indicator.frequency, v.period_start), v.numerator,
                v.denominator) for v in values]
    with transaction.atomic():
        change = _write(indicator, rows, Source.IMPORTED, actor, result)
        if change is not None:
            record_pending([change])
    return result


def _period_of(frequency: str, day: dt.date) -> Period:
    if frequency == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        return Period(start, start + dt.timedelta(weeks=1))
    start = day.replace(day=1)
    return Period(start, _add_months(start, 1))
