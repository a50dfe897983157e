"""Two years of day-to-day records for every demo location, telling the demo's story.

What the records show (all dates relative to `as_of`):

- Rosewood House: MAR checks find about one discrepancy per check until the medicines
  playbook starts (when the medicines theme opens, 14 months ago), then far fewer; the
  manager's weekly review becomes regular; safeguarding concerns are notified to the shift
  lead before the end of the shift and reviewed by the manager within 24 hours once the
  safeguarding theme starts; care-plan reviews find fewer mismatches; records from those
  months are tagged to the themes they evidence.
- Meadowbank: steady until the last months, then drift — falls rise over the last nine
  months, supervision notes in the last six months are near-identical and later, feedback goes
  unanswered, senior visits thin out, weekly medicines reviews are skipped.
- Willow Court, Wakefield (home care) and Larch Close (supported living): steady and good.

The records are built in memory from per-family random generators seeded with the demo seed
(so adding a family does not change another's records) and written with
`core.bulk.tracked_create_many`: validated, with a history entry each, a few queries per
batch. Many-to-many values (themes, staff involved, checks covered) are written before the
history snapshot is taken, so history shows them.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Model

from sustain.core import events
from sustain.core.bulk import tracked_create_many
from sustain.demo.recovery import (
    MEADOWBANK_THEME,
    ROSEWOOD_THEMES,
    WILLOW_THEME,
    ThemePlan,
    months_before,
)
from sustain.people.models import PersonSupported, StaffMember
from sustain.tenancy.models import Location, Organisation
from sustain.themes.models import Theme
from sustain.themes.services import themes_reevaluate

ACTOR = "sustain demo"
LONDON = ZoneInfo("Europe/London")
DAYS_PER_MONTH = 30.44
HISTORY_DAYS = 745  # a little over 24 months of records before `as_of`

# Who does what, by job title.
MANAGERS = ("Registered manager", "Deputy manager", "Clinical lead", "Care coordinator",
            "Team leader")
MEDICINES_GIVERS = ("Senior carer", "Registered nurse", "Clinical lead", "Deputy manager",
                    "Team leader", "Senior support worker", "Field care supervisor",
                    "Home care worker", "Support worker")
CARE_ROLES = ("Care assistant", "Bank care assistant", "Senior carer", "Registered nurse",
              "Home care worker", "Support worker", "Senior support worker",
              "Field care supervisor", "Team leader", "Deputy manager", "Clinical lead")
MAR_CHECKERS = ("Senior carer", "Registered nurse", "Team leader", "Senior support worker",
                "Field care supervisor", "Care coordinator")


def theme_opened(plan: ThemePlan, as_of: dt.date) -> dt.date:
    """The day `recovery.py` opens a plan's theme and applies its playbook."""
    return months_before(as_of, max(a[1] for a in plan.actions) + 1, 14)


@dataclass
class Ctx:
    """What every record family needs: the organisation, its locations, staff, people and
    themes, the dates, and a random generator per family and location."""

    org: Organisation
    as_of: dt.date
    seed: int
    locations: dict[str, Location]
    staff: dict[str, list[StaffMember]] = field(default_factory=dict)
    people: dict[str, list[PersonSupported]] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)  # "RH:medicines" -> theme
    opened: dict[str, dt.date] = field(default_factory=dict)  # same keys -> opened on

    @property
    def start(self) -> dt.date:
        return self.as_of - dt.timedelta(days=HISTORY_DAYS)

    @property
    def last_day(self) -> dt.date:
        """Records end the day before `as_of` (nothing can be later than now)."""
        return self.as_of - dt.timedelta(days=1)

    @property
    def cutoff(self) -> dt.datetime:
        """Start of `as_of` in London: any step that would be later has not happened yet."""
        return dt.datetime.combine(self.as_of, dt.time(0, 0), tzinfo=LONDON)

    def rng(self, *parts: str) -> random.Random:
        return random.Random(":".join([str(self.seed), "operational", *parts]))

    def days(self) -> Iterable[dt.date]:
        day = self.start
        while day <= self.last_day:
            yield day
            day += dt.timedelta(days=1)

    def months_ago(self, day: dt.date) -> float:
        return (self.as_of - day).days / DAYS_PER_MONTH

    def since(self, key: str, day: dt.date) -> float | None:
        """Months since theme `key` opened on `day` (None before it opened or without it)."""
        opened = self.opened.get(key)
        if opened is None or day < opened:
            return None
        return (day - opened).days / DAYS_PER_MONTH

    def theme(self, key: str, day: dt.date) -> list[Theme]:
        """[the theme] when `day` is on or after it opened, else []."""
        return [self.themes[key]] if self.since(key, day) is not None else []

    def working(self, key: str, day: dt.date, roles: Sequence[str] | None = None
                ) -> list[StaffMember]:
        return [s for s in self.staff[key]
                if s.start_date <= day and (s.leaving_date is None or s.leaving_date >= day)
                and (roles is None or s.job_role in roles)]

    def pick_staff(self, rng: random.Random, key: str, day: dt.date,
                   *role_groups: Sequence[str], exclude: StaffMember | None = None
                   ) -> StaffMember:
        """Someone working at `key` on `day`, from the first role group with anyone in it."""
        for roles in (*role_groups, None):
            found = [s for s in self.working(key, day, roles) if s is not exclude]
            if found:
                return rng.choice(found)
        return self.manager(key)

    def manager(self, key: str) -> StaffMember:
        manager = self.locations[key].registered_manager
        assert manager is not None
        return manager

    def present(self, key: str, day: dt.date) -> list[PersonSupported]:
        return [p for p in self.people[key] if p.admission_date <= day
                and (p.discharge_date is None or p.discharge_date >= day)]

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)

    def done(self, when: dt.datetime | None) -> dt.datetime | None:
        """`when` if it has happened by the start of `as_of`, else None."""
        return when if when is not None and when < self.cutoff else None

    def done_day(self, day: dt.date | None) -> dt.date | None:
        return day if day is not None and day < self.as_of else None


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; means here are small)."""
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def ramp(value_from: float, value_to: float, progress: float) -> float:
    """Linear interpolation, `progress` clamped to 0..1."""
    progress = min(max(progress, 0.0), 1.0)
    return value_from + (value_to - value_from) * progress


def weighted(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def monthly(ctx: Ctx, rng: random.Random, rate: Callable[[dt.date], float]
            ) -> list[dt.date]:
    """Days on which events happen, `rate(day)` events a month (drawn day by day)."""
    return [day for day in ctx.days() for _ in range(poisson(rng, rate(day) / DAYS_PER_MONTH))]


class Writer:
    """Writes rows model by model with history, many-to-many values included."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def create(self, objs: Sequence[Model], m2m: dict[str, Sequence[Sequence[Model]]]
               | None = None, message: str = "") -> None:
        """`tracked_create_many`, with the many-to-many values in the history snapshots:
        they are handed to the rows as already-fetched values (so the snapshot reads them
        without a query), then written to the link tables in the same transaction."""
        if not objs:
            return
        model = type(objs[0])
        m2m = dict(m2m or {})
        for fld in model._meta.many_to_many:
            m2m.setdefault(fld.name, [[] for _ in objs])
        for name, values in m2m.items():
            related = model._meta.get_field(name).related_model
            for obj, chosen in zip(objs, values, strict=True):
                fetched = related._base_manager.none()  # type: ignore[union-attr]
                fetched._result_cache = list({r.pk: r for r in chosen}.values())
                fetched._prefetch_done = True
                cache = obj.__dict__.setdefault("_prefetched_objects_cache", {})
                cache[name] = fetched
        with transaction.atomic():
            tracked_create_many(actor=ACTOR, objs=objs, message=message, batch_size=1000)
            for name in m2m:
                fld: Any = model._meta.get_field(name)
                through = fld.remote_field.through
                source, target = fld.m2m_field_name(), fld.m2m_reverse_field_name()
                rows = [through(**{f"{source}_id": obj.pk, f"{target}_id": related.pk})
                        for obj in objs
                        for related in obj._prefetched_objects_cache[name]]  # type: ignore[attr-defined]
                through.objects.bulk_create(rows, batch_size=1000)
        label = model._meta.label_lower
        self.counts[label] = self.counts.get(label, 0) + len(objs)


THEME_KEYS = {
    "RH:medicines": ("RH", ROSEWOOD_THEMES[0]),
    "RH:care-planning": ("RH", ROSEWOOD_THEMES[1]),
    "RH:safeguarding": ("RH", ROSEWOOD_THEMES[2]),
    "WC:governance": ("WC", WILLOW_THEME),
    "MB:falls": ("MB", MEADOWBANK_THEME),
}


def load_context(*, organisation: Organisation, locations: dict[str, Location], seed: int,
                 as_of: dt.date) -> Ctx:
    ctx = Ctx(org=organisation, as_of=as_of, seed=seed, locations=locations)
    for key, location in locations.items():
        location.refresh_from_db()
        ctx.staff[key] = list(StaffMember.objects.filter(locations=location)
                              .order_by("staff_reference"))
        ctx.people[key] = list(PersonSupported.objects.filter(location=location)
                               .order_by("reference"))
    themes = {(t.location_id, t.title): t for t in Theme.objects.filter(organisation=organisation)}
    for name, (key, plan) in THEME_KEYS.items():
        theme = themes.get((locations[key].pk, plan.title))
        if theme is not None:
            ctx.themes[name] = theme
            ctx.opened[name] = theme_opened(plan, as_of)
    return ctx


def build_operational(*, organisation: Organisation, locations: dict[str, Location],
                      seed: int, as_of: dt.date) -> dict[str, int]:
    """Add two years of operational records to a freshly built demo organisation. Returns the
    number of rows written per model."""
    from sustain.demo import ops_care, ops_voice, ops_workforce

    ctx = load_context(organisation=organisation, locations=locations, seed=seed, as_of=as_of)
    writer = Writer()
    # Write events are muted: their subscriber for these models, the governance rhythm,
    # completes occurrences record by record (a few queries each), which multiplies the build
    # time several times over for some 19,000 records. So the rhythm does not see them.
    with events.muted():
        for build in (ops_care.medicines, ops_care.safeguarding, ops_care.care_plans,
                      ops_care.incidents, ops_voice.complaints_and_compliments,
                      ops_voice.feedback, ops_voice.visits, ops_workforce.supervisions,
                      ops_workforce.competencies, ops_workforce.training,
                      ops_workforce.briefings):
            build(ctx, writer)
    # The lifecycle rules read these records too (e.g. the embedded rule looks at tagged
    # supervisions, briefings and visits): re-evaluate the themes as of the demo's date.
    themes_reevaluate(organisation_id=organisation.pk, as_of=as_of)
    return writer.counts
