"""The providers of "My work": each is `fn(user, today, until) -> Iterable[WorkItem]` and answers
"what of this kind is due from this person by `until` (and everything overdue)?" in a fixed
number of queries, whatever the data size. `collect` runs them all and orders the items by
urgency (`engine.work_rules`).

Another app can add its own kind with `register("kind", fn)`. Every provider starts from its
model's visibility filter, so an item is never another organisation's and its link opens.

Whose is what (see docs/guide/my-work.md):
- theme actions: the action's owner is the user's staff record;
- audits: draft audits with a due date where the user is the auditor; unassigned ones go to
  the registered managers of the location;
- care-plan reviews: the user's staff record is the key worker; care-plan actions: it is "who";
- supervisions to give: supervisees whose latest supervision was given by the user's staff
  record, or, for someone never supervised, the registered managers of their locations;
- briefings to attest: the latest briefing of each theme in a briefed stage at the user's
  staff locations, when their staff record has not attested to any briefing of the theme;
- governance occurrences (when `sustain.governance` is installed): open occurrences of
  cadences owned by the user by name, or by a role the user holds over the place (a named
  owner takes precedence over the role).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.apps import apps
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from sustain.core.visibility import visibility_filters
from sustain.engine.access import Perm, Role
from sustain.engine.work_rules import (
    STATUS_LABELS,
    Status,
    attest_by,
    classify,
    urgency_key,
)
from sustain.engine.workforce_rules import BRIEFED_STAGES, StaffFacts, supervision_status
from sustain.tenancy.permissions import actor_organisation_id, location_scope


@dataclass(frozen=True)
class WorkItem:
    kind: str            # registry key, e.g. "action"
    kind_label: str      # shown, e.g. "Theme action"
    title: str
    due_date: dt.date
    due_time: dt.time | None
    location: str        # the location's name ("" for organisation-wide work)
    url: str             # a path on this site ("" when the person may not open it)
    why: str             # why it is this person's
    status: Status
    record_id: UUID      # the record's public id (stable: calendar UIDs derive from it)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def uid(self) -> str:
        return f"{self.kind}-{self.record_id}@sustain"

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return urgency_key(self.status, self.due_date, self.due_time, self.kind, self.title)


Provider = Callable[[Any, dt.date, dt.date], Iterable[WorkItem]]
END_OF_DAY = dt.time(23, 59)
_PROVIDERS: dict[str, Provider] = {}


def register(kind: str, provider: Provider) -> None:
    _PROVIDERS[kind] = provider


def registered() -> dict[str, Provider]:
    return dict(_PROVIDERS)


def collect(user: Any, today: dt.date, until: dt.date) -> list[WorkItem]:
    """Everything due from `user` by `until` (and everything overdue), most urgent first.
    Nothing for anonymous, inactive or archived users, or users without an organisation."""
    if actor_organisation_id(user) is None:
        return []
    items: list[WorkItem] = []
    for provider in _PROVIDERS.values():
        items.extend(provider(user, today, until))
    return sorted(items, key=lambda i: i.sort_key)


# --- shared look-ups (cached on the user object for the request) ---------------------------

_CACHE = "_sustain_work_cache"


def _cache(user: Any) -> dict[str, Any]:
    cache: dict[str, Any] = user.__dict__.setdefault(_CACHE, {})
    return cache


def _memberships(user: Any) -> list[tuple[str, str, int | None, int | None]]:
    """(role, scope, region_id, location_id) of the user's current memberships (one query)."""
    cache = _cache(user)
    if "memberships" not in cache:
        from sustain.tenancy.models import Membership

        cache["memberships"] = list(Membership.objects.filter(
            user=user, organisation_id=actor_organisation_id(user), archived_at__isnull=True,
        ).values_list("role", "scope", "region_id", "location_id"))
    rows: list[tuple[str, str, int | None, int | None]] = cache["memberships"]
    return rows


def _staff(user: Any) -> Any:
    """The user's staff record in their organisation, or None (one query)."""
    cache = _cache(user)
    if "staff" not in cache:
        from sustain.people.models import StaffMember

        cache["staff"] = StaffMember.objects.filter(
            user=user, organisation_id=actor_organisation_id(user),
            archived_at__isnull=True).first()
    return cache["staff"]


def role_places(user: Any, role: str, location_field: str = "location") -> Q | None:
    """A Q matching rows whose `location_field` is a place where `user` holds `role` (a whole-
    organisation membership also matches organisation-wide rows, whose location is empty).
    None when the user does not hold the role. No query beyond the cached memberships."""
    q: Q | None = None
    for m_role, scope, region_id, location_id in _memberships(user):
        if m_role != role:
            continue
        if scope == "organisation":
            part = Q()
        elif scope == "region" and region_id:
            part = Q(**{f"{location_field}__region_id": region_id})
        elif scope == "location" and location_id:
            part = Q(**{f"{location_field}__id": location_id})
        else:
            continue
        q = part if q is None else q | part
    return q


def _visible(qs: QuerySet, user: Any) -> QuerySet:
    return visibility_filters()[qs.model._meta.label_lower](qs, user)


def _first_line(text: str, limit: int) -> str:
    """The first non-blank line of a free-text field, cut to `limit` characters."""
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()[:limit]
    return "(no description)"


def _date(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


# --- the built-in providers ---------------------------------------------------------------


def theme_actions(user: Any, today: dt.date, until: dt.date) -> list[WorkItem]:
    from sustain.themes.models import Action, ActionStatus

    qs = _visible(Action.objects.filter(
        owner__user=user, archived_at__isnull=True, theme__archived_at__isnull=True,
        status__in=(ActionStatus.OPEN, ActionStatus.IN_PROGRESS), due_date__lte=until,
    ), user).select_related("location", "theme")
    return [WorkItem(
        kind="action", kind_label="Theme action", title=_first_line(a.description, 200),
        due_date=a.due_date, due_time=None, location=a.location.name,
        url=reverse("themes:detail", kwargs={"uuid": a.theme.uuid}) + f"#action-{a.uuid}",
        why=f"You own this action on the theme \u201c{a.theme.title}\u201d.",
        status=classify(a.due_date, today), record_id=a.uuid) for a in qs]


def audits_due(user: Any, today: dt.date, until: dt.date) -> list[WorkItem]:
    from sustain.audits.models import Audit

    mine = Q(auditor=user)
    managed = role_places(user, Role.REGISTERED_MANAGER)
    if managed is not None:
        mine |= Q(auditor__isnull=True) & managed
    qs = _visible(Audit.objects.filter(
        mine, status=Audit.Status.DRAFT, archived_at__isnull=True, due_date__isnull=False,
        due_date__lte=until,
    ), user).select_related("location", "template")
    return [WorkItem(
        kind="audit", kind_label="Audit", title=a.template.title, due_date=a.due_date,
        due_time=None, location=a.location.name,
        url=reverse("audits:detail", kwargs={"uuid": a.uuid}),
        why=("You are the auditor." if a.auditor_id == user.pk else
             "No auditor is named and you are the registered manager here."),
        status=classify(a.due_date, today), record_id=a.uuid) for a in qs]


def care_plan_reviews(user: Any, today: dt.date, until: dt.date) -> list[WorkItem]:
    from sustain.careplans.models import CarePlanReview

    qs = _visible(CarePlanReview.objects.filter(
        key_worker__user=user, completed_on__isnull=True, archived_at__isnull=True,
        due_date__lte=until,
    ), user).select_related("location", "person")
    return [WorkItem(
        kind="care_plan_review", kind_label="Care-plan review",
        title=f"Review the care plan of {r.person.reference}", due_date=r.due_date,
        due_time=None, location=r.location.name,
        url=reverse("careplans:review-detail", kwargs={"uuid": r.uuid}),
        why="You are the key worker.", status=classify(r.due_date, today),
        record_id=r.uuid) for r in qs]


def care_plan_actions(user: Any, today: dt.date, until: dt.date) -> list[WorkItem]:
    from sustain.careplans.models import CarePlanAction

    qs = _visible(CarePlanAction.objects.filter(
        who__user=user, done_on__isnull=True, archived_at__isnull=True, due_date__lte=until,
    ), user).select_related("location", "person")
    return [WorkItem(
        kind="care_plan_action", kind_label="Care-plan action",
        title=f"{_first_line(a.what, 160)} ({a.person.reference})", due_date=a.due_date,
        due_time=None, location=a.location.name,
        url=reverse("careplans:action-detail", kwargs={"uuid": a.uuid}),
        why="The action tracker names you.", status=classify(a.due_date, today),
        record_id=a.uuid) for a in qs]


def supervisions_to_give(user: Any, today: dt.date, until: dt.date) -> list[WorkItem]:
    from sustain.people.models import StaffMember
    from sustain.workforce.models import Supervision

    staff = _staff(user)
    managed = role_places(user, Role.REGISTERED_MANAGER, location_field="locations")
    if staff is None and managed is None:
        return []
    latest = Supervision.objects.filter(supervisee=OuterRef("pk"), archived_at__isnull=True) \
        .order_by("-date", "-created_at")
    qs = StaffMember.objects.filter(archived_at__isnull=True, start_date__lte=until) \
        .exclude(leaving_date__lt=today) \
        .annotate(latest_supervision_on=Subquery(latest.values("date")[:1]),
                  latest_next_due=Subquery(latest.values("next_due")[:1]),
                  latest_supervisor_id=Subquery(latest.values("supervisor_id")[:1]),
                  latest_location_id=Subquery(latest.values("location_id")[:1]))
    mine = Q(pk__in=[])
    if staff is not None:
        mine |= Q(latest_supervisor_id=staff.pk, latest_next_due__lte=until)
        qs = qs.exclude(pk=staff.pk)
    if managed is not None:
        mine |= Q(latest_supervision_on__isnull=True) & managed
    # Their own supervisees are theirs whatever their role; the staff page needs
    # workforce.view at one of the supervisee's locations, else the item has no link.
    qs = qs.filter(mine, organisation_id=actor_organisation_id(user)).distinct() \
        .prefetch_related("locations")
    scope = location_scope(user, Perm.WORKFORCE_VIEW)
    items = []
    for s in qs:
        status = supervision_status(StaffFacts(s.pk, s.start_date, s.leaving_date,
                                               s.latest_supervision_on, s.latest_next_due),
                                    today)
        if status is None and s.latest_next_due is None:
            # Not yet started: their first supervision is due after starting.
            status = supervision_status(StaffFacts(s.pk, s.start_date, s.leaving_date),
                                        s.start_date)
        if status is None or status.due_on > until:
            continue
        places = {loc.pk: loc.name for loc in s.locations.all()}
        where = places.get(s.latest_location_id) or ", ".join(sorted(places.values()))
        why = (f"You gave {s.full_name}\u2019s last supervision "
               f"({_date(s.latest_supervision_on)})." if s.latest_supervision_on else
               f"{s.full_name} has had no supervision yet and you are the registered manager.")
        items.append(WorkItem(
            kind="supervision", kind_label="Supervision to give",
            title=f"Supervise {s.full_name}", due_date=status.due_on, due_time=None,
            location=where, why=why,
            url=(reverse("workforce:staff", kwargs={"uuid": s.uuid})
                 if any(scope.covers(pk) for pk in places) else ""),
            status=classify(status.due_on, today), record_id=s.uuid))
    return items


def briefings_to_attest(user: Any, today: dt.date, until: dt.date) -> list[WorkItem]:
    from sustain.workforce.models import Attestation, Briefing

    staff = _staff(user)
    if staff is None or (staff.leaving_date and staff.leaving_date < today):
        return []
    attested = Attestation.objects.filter(staff=staff, archived_at__isnull=True,
                                          briefing__archived_at__isnull=True) \
        .values("briefing__theme_id")
    places = staff.locations.through.objects.filter(staffmember_id=staff.pk) \
        .values("location_id")
    qs = _visible(Briefing.objects.filter(
        location_id__in=places, archived_at__isnull=True, theme__archived_at__isnull=True,
        theme__stage__in=sorted(BRIEFED_STAGES),
    ).exclude(theme_id__in=attested), user) \
        .select_related("location", "theme").order_by("theme_id", "-delivered_at", "-pk")
    latest: dict[int, Any] = {}
    for b in qs:
        latest.setdefault(b.theme_id, b)
    items = []
    for b in latest.values():
        due = attest_by(timezone.localdate(b.delivered_at), staff.start_date)
        if due > until:
            continue
        items.append(WorkItem(
            kind="briefing", kind_label="Briefing to attest", title=b.title, due_date=due,
            due_time=None, location=b.location.name,
            url=reverse("workforce:briefing", kwargs={"uuid": b.uuid}),
            why=(f"You work here and have not yet attested that you can explain what changed "
                 f"on \u201c{b.theme.title}\u201d."),
            status=classify(due, today), record_id=b.uuid))
    return items


def occurrences_due(user: Any, today: dt.date, until: dt.date) -> list[WorkItem]:
    """Open occurrences of the cadences this person owns (by name, or by a role they hold
    over the place when no one is named)."""
    occurrence_model = governance_occurrence_model()
    if occurrence_model is None:
        return []
    from sustain.engine.cadence_rules import LONDON

    roles = {role for role, *_ in _memberships(user)}
    mine = Q(cadence__owner_person=user)
    for role in sorted(roles):
        places = role_places(user, role)
        if places is not None:
            mine |= Q(cadence__owner_person__isnull=True, cadence__owner_role=role) & places
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=LONDON)
    qs = _visible(occurrence_model.objects.filter(
        mine, status="open", archived_at__isnull=True, cadence__archived_at__isnull=True,
        due_at__lt=end,
    ), user).select_related("cadence", "location")
    items = []
    for occ in qs:
        local = occ.due_at.astimezone(LONDON)
        # Most occurrences are due at the end of their day (23:59:59): shown as due that day;
        # per-shift ones keep their time.
        due_time = None if local.time() >= END_OF_DAY else \
            local.time().replace(second=0, microsecond=0)
        cadence = occ.cadence
        why = ("You are named as the owner of this cadence." if cadence.owner_person_id ==
               user.pk else f"Owned by the {cadence.get_owner_role_display().lower()}, "
               f"which you are here.")
        items.append(WorkItem(
            kind="occurrence", kind_label="Governance calendar", title=cadence.title,
            due_date=local.date(), due_time=due_time,
            location=occ.location.name if occ.location_id else "Whole organisation",
            url=reverse("governance:complete", kwargs={"uuid": occ.uuid}), why=why,
            status=classify(local.date(), today), record_id=occ.uuid))
    return items


def governance_occurrence_model() -> Any:
    """`governance.Occurrence` when the governance app is installed, else None."""
    if not apps.is_installed("sustain.governance"):
        return None
    try:
        return apps.get_model("governance", "Occurrence")
    except LookupError:
        return None


def register_builtin() -> None:
    register("occurrence", occurrences_due)
    register("action", theme_actions)
    register("audit", audits_due)
    register("care_plan_review", care_plan_reviews)
    register("care_plan_action", care_plan_actions)
    register("supervision", supervisions_to_give)
    register("briefing", briefings_to_attest)
