"""Escalation rules at work (ADR 0014 §4): evaluation, fulfilment, the ladder, and the writes
people make (complete or cancel a task; add, edit, archive and preview organisation rules).

Every write goes through `core.services.tracked_*` (history). System writes (the sweep, the
ladder) name the actor `SYSTEM`; the on-write path names the person who wrote the record.

**Evaluation** (`evaluate_location`) runs the engine for one location: for each rule in force
that reads the given record types, the records within `lookback(rule)` (plus the records its
prior firings name), the prior firings (open or closed, not withdrawn), and writes the result:
new firings with one task per response (owner: a person holding the response's role whose
membership covers the location — location, then region, then organisation scope, lowest user
id first; none: the task says no one holds the role there), withdrawals (the firing and its
open tasks withdrawn with the engine's reason, never deleted), and a firing found again after
a withdrawal (its records restored) is reinstated with its withdrawn tasks.

**Idempotence under concurrency**: a location is evaluated in one transaction that first
takes a lock for the location (PostgreSQL `pg_advisory_xact_lock`; SQLite has one writer),
then reads the prior firings and the records, so two sweeps (or a sweep and a write) never
both create a firing; the unique (organisation, rule id, key) constraint is the backstop.

**Fulfilment** (`fulfil_from_record`): a written fulfilment record counts towards every open
task at its location whose response it fulfils (`engine.fulfils`); a task needing n records
("spot checks × 3") keeps the ones so far in `fulfilled_records`; a firing whose tasks are
all done, cancelled or withdrawn is closed. Archiving a fulfilment record does not reopen a
task (the history keeps what counted).

**Manual completion** (`task_complete` without a record): a task fulfilled by a written note
is done with any note; any other task can be completed by hand with a note of at least 20
characters saying what was done and where it is recorded (kept as the completion note and in
the history as "Completed by hand").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid as uuid_lib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sustain.core.errors import Conflict, InvalidInput, PermissionDenied
from sustain.core.services import tracked_archive, tracked_create, tracked_update
from sustain.engine.access import ROLE_LABELS, Role
from sustain.engine.escalation_eval import (
    Firing as EngineFiring,
)
from sustain.engine.escalation_eval import (
    PriorFiring,
    evaluate,
    fulfils,
    next_step,
)
from sustain.engine.escalation_records import FULFILMENT_TYPES, RECORD_TYPES, Rec
from sustain.engine.escalation_rules import (
    BOARD,
    DEFAULT_LADDER,
    FulfilledBy,
    LibraryError,
    ResponseSpec,
    Rule,
    lookback,
    parse_rule,
    records_needed,
    role_phrase,
    rule_checksum,
)
from sustain.engine.yaml_source import compose, line_of
from sustain.escalations import records as rec_io
from sustain.escalations.models import EscalationRule, EscalationTask, Firing
from sustain.escalations.permissions import can_act, can_manage_rules
from sustain.escalations.rules import ActiveRule, RuleSet
from sustain.tenancy.permissions import actor_organisation_id

SYSTEM = "escalations"
RULE_FILENAME = "rule.yaml"
MANUAL_NOTE_MIN = 20
FINISHED = (EscalationTask.Status.DONE, EscalationTask.Status.CANCELLED,
            EscalationTask.Status.WITHDRAWN)


# --- counts ---------------------------------------------------------------------------------


@dataclass
class EvalCounts:
    """What an evaluation did."""

    locations: int = 0
    rules: int = 0
    new: int = 0
    kept: int = 0
    withdrawn: int = 0
    reinstated: int = 0
    tasks: int = 0

    def add(self, other: EvalCounts) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


# --- owners ---------------------------------------------------------------------------------

_SCOPE_ORDER = {"location": 0, "region": 1, "organisation": 2}


def _owner_candidates(organisation_id: int, role: str) -> list[tuple[str, int | None, int | None,
                                                                      Any]]:
    from sustain.tenancy.models import Membership

    rows = Membership.objects.filter(
        organisation_id=organisation_id, role=role, archived_at__isnull=True,
        user__is_active=True, user__archived_at__isnull=True,
        user__organisation_id=organisation_id,
    ).select_related("user")
    return sorted(((m.scope, m.location_id, m.region_id, m.user) for m in rows),
                  key=lambda c: (_SCOPE_ORDER.get(c[0], 9), c[3].pk))


def _owner_from(candidates: Sequence[tuple[str, int | None, int | None, Any]],
                location: Any) -> Any:
    for scope, location_id, region_id, user in candidates:
        if scope == "location" and location_id == location.pk:
            return user
        if scope == "region" and region_id is not None and region_id == location.region_id:
            return user
        if scope == "organisation":
            return user
    return None


def resolve_owner(*, role: str, location: Any) -> Any:
    """The person who owns a task of `role` at `location` (None for the board report or when
    no one holds the role there): a location membership first, then region, then
    organisation; the lowest user id among equals."""
    if role == BOARD:
        return None
    return _owner_from(_owner_candidates(location.organisation_id, role), location)


class _Owners:
    """Owner resolution cached per role (one query per role per evaluation)."""

    def __init__(self, organisation_id: int, cache: dict[str, list[Any]] | None = None
                 ) -> None:
        self.organisation_id = organisation_id
        self._by_role: dict[str, list[Any]] = {} if cache is None else cache

    def __call__(self, role: str, location: Any) -> Any:
        if role == BOARD:
            return None
        if role not in self._by_role:
            self._by_role[role] = _owner_candidates(self.organisation_id, role)
        return _owner_from(self._by_role[role], location)


# --- locking --------------------------------------------------------------------------------


def _lock_location(location: Any) -> None:
    """Serialise evaluations of one location until the end of the transaction."""
    if connection.vendor != "postgresql":
        return  # SQLite: one writer at a time already
    digest = hashlib.sha256(f"escalations:{location.organisation_id}:{location.pk}"
                            .encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


# --- evaluation -----------------------------------------------------------------------------


def _since_for(rule: Rule, now: dt.datetime) -> dt.datetime:
    return now - lookback(rule)


def _parse_at(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _prior_rows(location: Any, rules: Sequence[ActiveRule], now: dt.datetime
                ) -> dict[str, list[Firing]]:
    """Firings not withdrawn of these rules at the location, triggered within each rule's
    look-back, by rule id."""
    if not rules:
        return {}
    earliest = min(_since_for(r.rule, now) for r in rules)
    since = {r.code: _since_for(r.rule, now) for r in rules}
    out: dict[str, list[Firing]] = defaultdict(list)
    for row in Firing.objects.filter(
            organisation_id=location.organisation_id, location_id=location.pk,
            rule_code__in=list(since), status__in=(Firing.Status.OPEN, Firing.Status.CLOSED),
            archived_at__isnull=True, triggered_at__gte=earliest).order_by("pk"):
        if row.triggered_at >= since[row.rule_code]:
            out[row.rule_code].append(row)
    return out


def _record_ids(row: Firing) -> tuple[str, ...]:
    return tuple(str(r.get("id")) for r in (row.records or []))


def _load_records(location: Any, rules: Sequence[ActiveRule],
                  prior: Mapping[str, Sequence[Firing]], now: dt.datetime,
                  since_out: dict[str, dt.datetime] | None = None) -> dict[str, list[Rec]]:
    """Records per type, from the earliest time any rule (or prior firing) needs."""
    earliest: dict[str, dt.datetime] = {}
    for ar in rules:
        start = _since_for(ar.rule, now)
        for row in prior.get(ar.code, ()):
            for ref in row.records or []:
                at = _parse_at(ref.get("at", ""))
                if at is not None and at < start:
                    start = at
        for t in ar.reads:
            earliest[t] = min(earliest.get(t, start), start)
    if since_out is not None:
        since_out.update(earliest)
    # Never past `now`: an evaluation at a past time (a replay) sees only what existed then.
    return {t: rec_io.load(t, location, since, now) for t, since in sorted(earliest.items())}


def _records_for(ar: ActiveRule, loaded: Mapping[str, Sequence[Rec]], prior_ids: set[str],
                 now: dt.datetime) -> list[Rec]:
    since = _since_for(ar.rule, now)
    return [r for t in sorted(ar.reads) for r in loaded.get(t, ())
            if r.at >= since or r.id in prior_ids]


def evaluate_location(*, location: Any, now: dt.datetime | None = None,
                      record_types: Iterable[str] | None = None, actor: Any = SYSTEM,
                      ruleset: RuleSet | None = None) -> EvalCounts:
    """Evaluate the rules in force at `location` that read `record_types` (all when None);
    write new firings and their tasks, withdrawals and reinstatements. Idempotent."""
    now = now or timezone.now()
    ruleset = ruleset or RuleSet(location.organisation_id)
    types = None if record_types is None else set(record_types)
    active = ruleset.reading(location, types)
    counts = EvalCounts(locations=1, rules=len(active))
    if not active:
        return counts
    owners = _Owners(location.organisation_id, ruleset.owner_candidates)
    with transaction.atomic():
        _lock_location(location)
        prior = _prior_rows(location, active, now)
        loaded_since: dict[str, dt.datetime] = {}
        loaded = _load_records(location, active, prior, now, loaded_since)
        pending: list[tuple[ActiveRule, EngineFiring, Mapping[str, Rec]]] = []
        for ar in active:
            rows = prior.get(ar.code, [])
            prior_ids = {i for row in rows for i in _record_ids(row)}
            recs = _records_for(ar, loaded, prior_ids, now)
            result = evaluate(ar.rule, recs, [PriorFiring(r.key, _record_ids(r)) for r in rows],
                              now, version=ar.version)
            counts.kept += len(result.kept)
            by_key = {r.key: r for r in rows}
            for w in result.withdrawn:
                if w.key in by_key:
                    _withdraw(actor=actor, firing=by_key[w.key], reason=w.reason)
                    counts.withdrawn += 1
            if result.new:
                by_id = {r.id: r for r in recs}
                pending += [(ar, f, by_id) for f in result.new]
        available = {t: (loaded_since[t], recs) for t, recs in loaded.items()}
        if types is None:
            # The sweep (or a replay at a later time) counts towards open tasks the fulfilment
            # records written since without an event (imports), or dated up to this `now`.
            _catch_up_open(actor=actor, location=location, now=now, loaded=available)
        if pending:
            new, tasks, reinstated = _record_firings(
                actor=actor, location=location, pending=pending, owners=owners, now=now,
                loaded=available)
            counts.new += new
            counts.tasks += tasks
            counts.reinstated += reinstated
    return counts


def _by_uuid(model_label: str, organisation_id: int, value: str | None) -> Any:
    from django.apps import apps

    if not value:
        return None
    try:
        uuid_lib.UUID(str(value))
    except ValueError:
        return None
    return apps.get_model(model_label).objects.filter(
        organisation_id=organisation_id, uuid=value).first()


def _group_label(group: tuple[str, str], staff: Any, person: Any, theme: Any,
                 location: Any, record_type: str) -> str:
    name, value = group
    kind = RECORD_TYPES[record_type].kind(name) if record_type in RECORD_TYPES else None
    if name == "location":
        return location.name
    if kind == "staff" and staff is not None and str(staff.uuid) == value:
        return staff.full_name
    if kind == "person" and person is not None and str(person.uuid) == value:
        return str(person)
    if (kind == "theme" or name == "theme") and theme is not None and str(theme.uuid) == value:
        return theme.title
    if name == "record":
        return ""
    return f"{name.replace('_', ' ')}: {value.replace('_', ' ')}"[:200]


def _record_firing_safely(**kwargs: Any) -> str:
    """`_record_firing`, where a firing another writer recorded first (the unique key; only
    possible without the PostgreSQL lock, e.g. a file SQLite database shared by processes)
    counts as recorded already."""
    f, location = kwargs["f"], kwargs["location"]
    try:
        with transaction.atomic():
            return _record_firing(**kwargs)
    except InvalidInput:
        if Firing.objects.filter(organisation_id=location.organisation_id,
                                 rule_code=kwargs["ar"].code, key=f.key).exists():
            return "exists"
        raise


def _record_firing(*, actor: Any, ar: ActiveRule, f: EngineFiring, location: Any,
                   by_id: Mapping[str, Rec], owners: _Owners, now: dt.datetime) -> str:
    """Write one new firing and its tasks ("new"), reinstate a withdrawn one with the same key
    ("reinstated"), or nothing when it is recorded already ("exists")."""
    existing = Firing.objects.filter(organisation_id=location.organisation_id,
                                     rule_code=ar.code, key=f.key).first()
    if existing is not None:
        if existing.status != Firing.Status.WITHDRAWN:
            return "exists"
        _reinstate(actor=actor, firing=existing)
        return "reinstated"
    org_id = location.organisation_id
    staff = _by_uuid("people.staffmember", org_id, f.subject.get("staff_member"))
    person = _by_uuid("people.personsupported", org_id, f.subject.get("person"))
    theme = _by_uuid("themes.theme", org_id, f.subject.get("theme")) or ar.theme
    record_type = next(iter(sorted(ar.reads)))
    refs = [rec_io.record_ref(by_id[i]) for i in f.record_ids if i in by_id]
    firing = tracked_create(actor=actor, obj=Firing(
        organisation_id=org_id, location=location, source=ar.source, rule_code=ar.code,
        rule_title=ar.rule.title[:200], rule_version=ar.version[:80],
        playbook_code=ar.playbook_code, rule=ar.row, theme=theme, key=f.key,
        group_field=f.group[0][:40], group_value=f.group[1][:80],
        group_label=_group_label(f.group, staff, person, theme, location, record_type),
        records=refs, subject=dict(f.subject), staff_member=staff, person=person,
        triggered_at=f.triggered_at, explanation=f.explanation),
        message=f"Rule “{ar.rule.title}” ({ar.version}) fired")
    tasks = []
    for index, response in enumerate(ar.rule.responses):
        owner = owners(response.owner_role, location)
        due = f.triggered_at + response.due_within
        task = tracked_create(actor=actor, obj=EscalationTask(
            organisation_id=org_id, firing=firing, location=location, response_index=index,
            task_type=response.task, title=response.title[:200],
            subject={**f.subject, "about": response.subject}, staff_member=staff,
            person=person, fulfilled_by_type=response.fulfilled_by.record,
            fulfilled_by_where=dict(response.fulfilled_by.where),
            count_needed=response.count, owner_role=response.owner_role, owner=owner,
            due_at=due, original_due_at=due, ladder=list(ar.rule.ladder),
            escalate_after_days=ar.rule.escalate_after_days),
            message=("" if owner is not None else
                     f"No one holds the role {role_label(response.owner_role)} here")[:200])
        tasks.append(task)
    # Every task exists before any is counted: a firing closes only when all its tasks are
    # finished, never because the first one is done before the others are written.
    for task in tasks:
        _fulfil_from_existing(actor=actor, task=task, now=now)
    return "new"


_Pending = tuple[ActiveRule, EngineFiring, Mapping[str, Rec]]


def _record_firings(*, actor: Any, location: Any, pending: Sequence[_Pending],
                    owners: _Owners, now: dt.datetime,
                    loaded: Mapping[str, tuple[dt.datetime, Sequence[Rec]]] | None = None
                    ) -> tuple[int, int, int]:
    """Write a location's new firings: (new firings, their tasks, reinstated). Firings whose
    key is recorded already are skipped (a withdrawn one is reinstated); the rest are written
    in bulk (`_write_new`). Should another writer have recorded one first (only possible
    without the PostgreSQL lock), the batch is redone one firing at a time."""
    org_id = location.organisation_id
    existing = {(row.rule_code, row.key): row for row in Firing.objects.filter(
        organisation_id=org_id, key__in=sorted({f.key for _ar, f, _b in pending}))}
    fresh: list[_Pending] = []
    reinstated = 0
    for ar, f, by_id in pending:
        row = existing.get((ar.code, f.key))
        if row is None:
            fresh.append((ar, f, by_id))
        elif row.status == Firing.Status.WITHDRAWN:
            _reinstate(actor=actor, firing=row)
            reinstated += 1
    if not fresh:
        return 0, 0, reinstated
    try:
        with transaction.atomic():
            _write_new(actor=actor, location=location, pending=fresh, owners=owners, now=now,
                       loaded=loaded or {})
        return len(fresh), sum(len(ar.rule.responses) for ar, _f, _b in fresh), reinstated
    except InvalidInput:
        new = tasks = 0
        for ar, f, by_id in fresh:
            made = _record_firing_safely(actor=actor, ar=ar, f=f, location=location,
                                         by_id=by_id, owners=owners, now=now)
            if made == "new":
                new += 1
                tasks += len(ar.rule.responses)
            elif made == "reinstated":
                reinstated += 1
        return new, tasks, reinstated


def _subjects_by_uuid(org_id: int, pending: Sequence[_Pending]) -> dict[str, dict[str, Any]]:
    """The staff members, people and themes the new firings are about: one query per kind."""
    from django.apps import apps

    out: dict[str, dict[str, Any]] = {}
    for name, label in (("staff_member", "people.staffmember"),
                        ("person", "people.personsupported"), ("theme", "themes.theme")):
        wanted = set()
        for _ar, f, _b in pending:
            value = f.subject.get(name)
            if value:
                try:
                    wanted.add(uuid_lib.UUID(str(value)))
                except ValueError:
                    continue
        out[name] = {} if not wanted else {
            str(row.uuid): row for row in apps.get_model(label).objects.filter(
                organisation_id=org_id, uuid__in=wanted)}
    return out


def _runs(items: Sequence[tuple[str, Any]]) -> list[tuple[str, list[Any]]]:
    """Consecutive items with the same message, as (message, items)."""
    out: list[tuple[str, list[Any]]] = []
    for message, item in items:
        if out and out[-1][0] == message:
            out[-1][1].append(item)
        else:
            out.append((message, [item]))
    return out


def _write_new(*, actor: Any, location: Any, pending: Sequence[_Pending], owners: _Owners,
               now: dt.datetime, loaded: Mapping[str, tuple[dt.datetime, Sequence[Rec]]]
               ) -> None:
    """Write new firings and all their tasks in bulk (`core.bulk.tracked_create_many`: a
    history entry per row; the values are built here, so no per-row `full_clean` queries),
    then count the fulfilment records already written since each trigger, then close the
    firings whose tasks are all finished."""
    from sustain.core.bulk import record_pending, tracked_create_many

    org_id = location.organisation_id
    organisation = location.organisation
    subjects = _subjects_by_uuid(org_id, pending)
    firings: list[tuple[str, Firing]] = []
    for ar, f, by_id in pending:
        staff = subjects["staff_member"].get(str(f.subject.get("staff_member")))
        person = subjects["person"].get(str(f.subject.get("person")))
        theme = subjects["theme"].get(str(f.subject.get("theme"))) or ar.theme
        record_type = next(iter(sorted(ar.reads)))
        refs = [rec_io.record_ref(by_id[i]) for i in f.record_ids if i in by_id]
        firings.append((f"Rule “{ar.rule.title}” ({ar.version}) fired", Firing(
            organisation=organisation, location=location, source=ar.source,
            rule_code=ar.code, rule_title=ar.rule.title[:200], rule_version=ar.version[:80],
            playbook_code=ar.playbook_code, rule=ar.row, theme=theme, key=f.key,
            group_field=f.group[0][:40], group_value=f.group[1][:80],
            group_label=_group_label(f.group, staff, person, theme, location, record_type),
            records=refs, subject=dict(f.subject), staff_member=staff, person=person,
            triggered_at=f.triggered_at, explanation=f.explanation)))
    changes = []
    for message, objs in _runs(firings):
        changes += tracked_create_many(actor=actor, objs=objs, message=message, record=False)
    tasks: list[tuple[str, EscalationTask]] = []
    for (ar, f, _b), (_m, firing) in zip(pending, firings, strict=True):
        for index, response in enumerate(ar.rule.responses):
            owner = owners(response.owner_role, location)
            due = f.triggered_at + response.due_within
            message = ("" if owner is not None else
                       f"No one holds the role {role_label(response.owner_role)} here")[:200]
            tasks.append((message, EscalationTask(
                organisation=organisation, firing=firing, location=location,
                response_index=index, task_type=response.task, title=response.title[:200],
                subject={**f.subject, "about": response.subject},
                staff_member=firing.staff_member, person=firing.person,
                fulfilled_by_type=response.fulfilled_by.record,
                fulfilled_by_where=dict(response.fulfilled_by.where),
                count_needed=response.count, owner_role=response.owner_role, owner=owner,
                due_at=due, original_due_at=due, ladder=list(ar.rule.ladder),
                escalate_after_days=ar.rule.escalate_after_days)))
    for message, objs in _runs(tasks):
        changes += tracked_create_many(actor=actor, objs=objs, message=message, record=False)
    record_pending(changes)
    # Every task exists before any is counted (a firing closes only when all are finished).
    _catch_up(actor=actor, location=location, tasks=[t for _m, t in tasks], now=now,
              loaded=loaded)


def _catch_up(*, actor: Any, location: Any, tasks: Sequence[EscalationTask],
              now: dt.datetime,
              loaded: Mapping[str, tuple[dt.datetime, Sequence[Rec]]] | None = None,
              not_before: dt.datetime | None = None) -> None:
    """Count towards new tasks the fulfilment records written since their trigger and not
    after `now`: each record type read once (from the earliest trigger; or taken from the
    records the evaluation read already, `loaded`: type -> (since, records up to `now`)),
    matched in memory (`engine.fulfils`, through `why_not`), the counted tasks saved in one
    bulk update and the firings whose tasks are then all finished closed in another.
    `not_before`: no record dated before it is read or counted (see `_catch_up_open`)."""
    import bisect

    from sustain.core.bulk import RowUpdate, tracked_update_many
    from sustain.engine.escalation_records import subject_fields

    wanted = [t for t in tasks if t.fulfilled_by_type != "note"]
    earliest: dict[str, dt.datetime] = {}
    for task in wanted:
        since = _counts_from(task, not_before)
        earliest[task.fulfilled_by_type] = min(earliest.get(task.fulfilled_by_type, since),
                                               since)
    pools: dict[tuple[str, str, str | None], tuple[list[dt.datetime], list[Rec]]] = {}
    for record_type, since in sorted(earliest.items()):
        have = (loaded or {}).get(record_type)
        if have is not None and have[0] <= since:
            recs = [r for r in have[1] if r.at >= since and _not_after(r, now)]
        else:
            recs = [r for r in rec_io.load(record_type, location, since,
                                           now + dt.timedelta(days=1)) if _not_after(r, now)]
        pools[(record_type, "", None)] = ([r.at for r in recs], recs)
        by_value: dict[tuple[str, str, str | None], list[Rec]] = defaultdict(list)
        for about, name in subject_fields(record_type).items():
            for r in recs:
                value = r.fields.get(name)
                if value is not None:
                    by_value[(record_type, about, str(value))].append(r)
        for key, group in by_value.items():
            pools[key] = ([r.at for r in group], group)
    updates: list[RowUpdate[EscalationTask]] = []
    for task in wanted:
        record_type = task.fulfilled_by_type
        about = (task.subject or {}).get("about")
        subject = _subject_of(task)
        if about in ("staff_member", "person", "theme") and about in subject and \
                about in subject_fields(record_type):
            ats, pool = pools.get((record_type, about, subject[about]), ([], []))
        else:
            ats, pool = pools.get((record_type, "", None), ([], []))
        start = bisect.bisect_left(ats, _counts_from(task, not_before))
        counted: list[Rec] = []
        for rec in pool[start:]:
            if why_not(task, rec) is None and all(c.id != rec.id for c in counted):
                counted.append(rec)
                if len(counted) + len(task.fulfilled_records or []) >= task.count_needed:
                    break
        if not counted:
            continue
        refs = [*(task.fulfilled_records or []), *(rec_io.record_ref(r) for r in counted)]
        changes: dict[str, Any] = {"fulfilled_records": refs}
        done = len(refs) >= task.count_needed
        if done:
            changes.update(status=EscalationTask.Status.DONE, done_at=now)
        progress = "" if done or task.count_needed == 1 else \
            f" ({len(refs)} of {task.count_needed})"
        labels = "; ".join(r.label or r.type for r in counted)
        updates.append(RowUpdate(obj=task, changes=changes,
                                 message=f"{'Done' if done else 'Counted'}: {labels}"
                                         f"{progress}"[:500]))
    if not updates:
        return
    result = tracked_update_many(actor=actor, updates=updates)
    firings = {t.firing_id: t.firing for t in tasks
               if t.pk in {u.pk for u in result.updated
                           if u.status == EscalationTask.Status.DONE}}
    if not firings:
        return
    unfinished = set(EscalationTask.objects.filter(firing_id__in=list(firings)).exclude(
        status__in=FINISHED).values_list("firing_id", flat=True))
    closing = [RowUpdate(obj=firing, changes={"status": Firing.Status.CLOSED},
                         message="Every response is done, cancelled or withdrawn")
               for pk, firing in sorted(firings.items())
               if pk not in unfinished and firing.status == Firing.Status.OPEN]
    if closing:
        tracked_update_many(actor=actor, updates=closing)


def _counts_from(task: EscalationTask, not_before: dt.datetime | None) -> dt.datetime:
    """The earliest record time that can count towards `task`: its trigger (a day before:
    date-only records of that day), never before `not_before`."""
    since = task.firing.triggered_at - dt.timedelta(days=1)
    return since if not_before is None else max(since, not_before)


def _task_span(task: EscalationTask) -> dt.timedelta:
    """How long a task takes from its trigger to the end of its ladder: its due window and a
    step of `escalate_after_days` per ladder step (and one more after the last)."""
    due_window = max(task.original_due_at - task.firing.triggered_at, dt.timedelta(0))
    steps = len(task.ladder or []) + 1
    return due_window + dt.timedelta(days=steps * task.escalate_after_days)


def _catch_up_open(*, actor: Any, location: Any, now: dt.datetime,
                   loaded: Mapping[str, tuple[dt.datetime, Sequence[Rec]]]) -> None:
    """`_catch_up` for the location's open tasks (one query for them).

    Bounded: it reads the fulfilment records dated since the oldest open task's trigger but
    never before `now` less the longest span of those tasks (due window + ladder, with a day
    to spare). Records are counted as they are written (`records_written`) and the sweep runs
    hourly, so a record older than that window was seen by earlier sweeps already; without the
    bound a task left open for a year made every sweep read a year of supervisions back
    (~7 s CPU at 3,800 open tasks). What it gives up: a record imported without events and
    dated before that window no longer counts towards a still-open task (close it by hand)."""
    tasks = list(EscalationTask.objects.filter(
        organisation_id=location.organisation_id, location_id=location.pk,
        status=EscalationTask.Status.OPEN, archived_at__isnull=True,
        firing__status=Firing.Status.OPEN).exclude(fulfilled_by_type="note")
        .select_related("firing").order_by("due_at", "pk"))
    for task in tasks:
        task.location = location
    if tasks:
        span = max(_task_span(t) for t in tasks) + dt.timedelta(days=1)
        _catch_up(actor=actor, location=location, tasks=tasks, now=now, loaded=loaded,
                  not_before=now - span)


def role_label(role: str) -> str:
    if role == BOARD:
        return "Board report"
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role.replace("_", " ")


def _withdraw(*, actor: Any, firing: Firing, reason: str) -> None:
    reason = reason or "The records no longer satisfy the rule."
    for task in firing.tasks.filter(status=EscalationTask.Status.OPEN).order_by("pk"):
        tracked_update(actor=actor, obj=task, expected_version=None,
                       changes={"status": EscalationTask.Status.WITHDRAWN,
                                "withdrawn_reason": reason},
                       message=f"Withdrawn: {reason}"[:500])
    tracked_update(actor=actor, obj=firing, expected_version=None,
                   changes={"status": Firing.Status.WITHDRAWN, "withdrawn_reason": reason},
                   message=f"Withdrawn: {reason}"[:500])


def _reinstate(*, actor: Any, firing: Firing) -> None:
    message = "Reinstated: the records match the rule again"
    for task in firing.tasks.filter(status=EscalationTask.Status.WITHDRAWN).order_by("pk"):
        tracked_update(actor=actor, obj=task, expected_version=None,
                       changes={"status": EscalationTask.Status.OPEN, "withdrawn_reason": ""},
                       message=message)
    still_open = firing.tasks.filter(status=EscalationTask.Status.OPEN).exists()
    tracked_update(actor=actor, obj=firing, expected_version=None,
                   changes={"status": Firing.Status.OPEN if still_open else Firing.Status.CLOSED,
                            "withdrawn_reason": ""}, message=message)


# --- the sweep and the ladder ---------------------------------------------------------------


def sweep(*, organisation: Any = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Evaluate every rule at every (not archived) location, of one organisation or all,
    recorded in the jobs list as "escalations.sweep". Idempotent; safe to run concurrently."""
    from sustain.governance.jobs import job_run

    with job_run("escalations.sweep") as run:
        counts = _sweep(organisation=organisation, now=now)
        run.count(**counts.as_dict())
    return counts.as_dict()


def _sweep(*, organisation: Any = None, now: dt.datetime | None = None) -> EvalCounts:
    from sustain.tenancy.models import Location, Organisation

    now = now or timezone.now()
    orgs = [organisation] if organisation is not None else list(
        Organisation.objects.filter(archived_at__isnull=True).order_by("pk"))
    total = EvalCounts()
    for org in orgs:
        locations = list(Location.objects.filter(organisation_id=org.pk,
                                                 archived_at__isnull=True).order_by("pk"))
        ruleset = RuleSet(org.pk)
        ruleset.prime_themes(loc.pk for loc in locations)
        for location in locations:
            total.add(evaluate_location(location=location, now=now, ruleset=ruleset))
    return total


def escalate_overdue(*, now: dt.datetime | None = None, organisation: Any = None,
                     actor: Any = SYSTEM) -> dict[str, int]:
    """Move every open task past due one step up its ladder (new owner role, owner and
    deadline; history); the last step puts it in the board report. Recorded in the jobs list
    as "escalations.escalate". Two runs at once move each task once."""
    from sustain.governance.jobs import job_run

    with job_run("escalations.escalate") as run:
        result = _escalate(now=now or timezone.now(), organisation=organisation, actor=actor)
        run.count(**result)
    return result


def _escalate(*, now: dt.datetime, organisation: Any, actor: Any) -> dict[str, int]:
    qs = EscalationTask.objects.filter(status=EscalationTask.Status.OPEN, at_board=False,
                                       archived_at__isnull=True, due_at__lt=now)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    moved = to_board = 0
    owners: dict[int, _Owners] = {}
    for task in qs.select_related("location").order_by("due_at", "pk"):
        ladder = list(task.ladder or DEFAULT_LADDER)
        step = next_step(ladder, task.step, now, task.escalate_after_days)
        if step is None:
            role, due = BOARD, now + dt.timedelta(days=task.escalate_after_days)
        else:
            role, due = step
        resolve = owners.setdefault(task.organisation_id, _Owners(task.organisation_id))
        owner = resolve(role, task.location)
        board = role == BOARD
        who = role_phrase(role) if board else (
            f"{role_phrase(role)} ({owner.get_full_name() or owner.username})" if owner else
            f"{role_phrase(role)} (no one holds this role here)")
        message = (f"Escalated to {who}: not done by {_fmt(task.due_at)}"
                   + ("" if board else f"; new deadline {_fmt(due)}"))
        try:
            with transaction.atomic():
                tracked_update(actor=actor, obj=task, expected_version=task.version, changes={
                    "step": task.step + 1, "owner_role": role, "owner": owner,
                    "due_at": due, "escalated_at": now, "at_board": board},
                    message=message[:500])
        except Conflict:
            continue  # another run (or a person) changed it first
        moved += 1
        to_board += int(board)
    return {"escalated": moved, "to_board": to_board}


def _fmt(value: dt.datetime) -> str:
    from sustain.engine.timeliness import LONDON

    local = value.astimezone(LONDON)
    return f"{local.day} {local:%b %Y %H:%M}"


# --- fulfilment -----------------------------------------------------------------------------


def _response_of(task: EscalationTask) -> ResponseSpec:
    """The response a task answers, rebuilt from what the task stores."""
    subject = (task.subject or {}).get("about") or "location"
    return ResponseSpec(task=task.task_type, title=task.title or "Response", subject=subject,
                        owner_role=task.owner_role if task.owner_role != BOARD else
                        "registered_manager", due_within_hours=1, count=task.count_needed,
                        fulfilled_by=FulfilledBy(record=task.fulfilled_by_type,
                                                 where=dict(task.fulfilled_by_where or {})))


def _subject_of(task: EscalationTask) -> dict[str, str]:
    return {k: str(v) for k, v in (task.subject or {}).items() if k != "about" and v}


def why_not(task: EscalationTask, rec: Rec) -> str | None:
    """None when `rec` counts towards `task`; else the reason (the engine's)."""
    triggered_by = {str(r.get("id")) for r in task.firing.records or []
                    if r.get("type") == rec.type}
    reason = fulfils(_response_of(task), _subject_of(task), task.firing.triggered_at, rec,
                     triggered_by=triggered_by)
    if reason is None and any(r.get("id") == rec.id for r in task.fulfilled_records or []):
        return f"this {RECORD_TYPES[rec.type].label} is already counted for this task"
    return reason


def _count_record(*, actor: Any, task: EscalationTask, rec: Rec, now: dt.datetime,
                  note: str = "", expected_version: int | None = None) -> EscalationTask:
    with transaction.atomic():
        # Read the task again under a row lock: two records written at once both count.
        current = EscalationTask.objects.select_for_update().select_related(
            "firing", "location").get(pk=task.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(
                f"This task was changed by someone else (version {current.version}, you saw "
                f"version {expected_version}). Reload it and try again.",
                {"version": [f"expected {expected_version}, current {current.version}"]})
        if current.status != EscalationTask.Status.OPEN or any(
                r.get("id") == rec.id for r in current.fulfilled_records or []):
            return current
        return _count_locked(actor=actor, task=current, rec=rec, now=now, note=note)


def _count_locked(*, actor: Any, task: EscalationTask, rec: Rec, now: dt.datetime,
                  note: str) -> EscalationTask:
    refs = [*(task.fulfilled_records or []), rec_io.record_ref(rec)]
    changes: dict[str, Any] = {"fulfilled_records": refs}
    done = len(refs) >= task.count_needed
    if done:
        changes.update(status=EscalationTask.Status.DONE, done_at=now)
    if note:
        changes["completion_note"] = note
    progress = "" if done or task.count_needed == 1 else \
        f" ({len(refs)} of {task.count_needed})"
    message = (f"{'Done' if done else 'Counted'}: {rec.label or rec.type}{progress}")[:500]
    task = tracked_update(actor=actor, obj=task, expected_version=None, changes=changes,
                          message=message)
    if done:
        _close_if_finished(actor=actor, firing_id=task.firing_id)
    return task


def _close_if_finished(*, actor: Any, firing_id: int) -> None:
    firing = Firing.objects.get(pk=firing_id)
    if firing.status != Firing.Status.OPEN:
        return
    if firing.tasks.exclude(status__in=FINISHED).exists():
        return
    tracked_update(actor=actor, obj=firing, expected_version=None,
                   changes={"status": Firing.Status.CLOSED},
                   message="Every response is done, cancelled or withdrawn")


def _not_after(rec: Rec, now: dt.datetime) -> bool:
    """Whether `rec` is dated at or before `now`: by its time, or by its day for a record
    that carries a date only (placed at the start or, a visit, the end of its day)."""
    if rec.at <= now:
        return True
    from sustain.engine.timeliness import LONDON

    rt = RECORD_TYPES.get(rec.type)
    date_only = rec.type in ("visit", "observation") or (
        rt is not None and rt.kind(rt.time_field) == "date")
    return date_only and rec.at.astimezone(LONDON).date() <= now.astimezone(LONDON).date()


def _fulfil_from_existing(*, actor: Any, task: EscalationTask, now: dt.datetime) -> None:
    """A new task counts the fulfilling records already written since its trigger."""
    if task.fulfilled_by_type == "note":
        return
    since = task.firing.triggered_at - dt.timedelta(days=1)  # date-only records: that day
    for rec in rec_io.load(task.fulfilled_by_type, task.location, since,
                           now + dt.timedelta(days=1)):
        if not _not_after(rec, now):
            continue  # dated after the evaluation time (a replay at a past time)
        if task.status != EscalationTask.Status.OPEN:
            return
        if why_not(task, rec) is None:
            task = _count_record(actor=actor, task=task, rec=rec, now=now)


def fulfil_from_record(*, actor: Any, label: str, obj: Any,
                       now: dt.datetime | None = None) -> int:
    """Count a written record towards the open tasks at its location it fulfils; returns how
    many tasks it counted for."""
    location = getattr(obj, "location", None)
    if location is None:
        return 0
    recs = [r for r in rec_io.recs_from_instance(label, obj, location)
            if r.type in FULFILMENT_TYPES]
    if not recs:
        return 0
    now = now or timezone.now()
    counted = 0
    tasks = list(EscalationTask.objects.filter(
        organisation_id=location.organisation_id, location_id=location.pk,
        status=EscalationTask.Status.OPEN, archived_at__isnull=True,
        fulfilled_by_type__in=[r.type for r in recs]).select_related("firing", "location")
        .order_by("due_at", "pk"))
    for task in tasks:
        for rec in recs:
            if rec.type == task.fulfilled_by_type and why_not(task, rec) is None:
                _count_record(actor=actor, task=task, rec=rec, now=now)
                counted += 1
                break
    return counted


def records_written(*, actor: Any, label: str, objs: Sequence[Any], action: str,
                    fields: Iterable[str] | None = None) -> None:
    """The on-write path (`subscriptions`): re-evaluate the rules reading these records at
    their locations only, then count fulfilment records towards open tasks. A write that
    cannot change a record any rule reads (`records.types_changed`: a new medicines check,
    whose discrepancies are written after it; an update of a check's other fields) does
    nothing. `fields`: the fields an update set (None: unknown)."""
    from sustain.tenancy.models import Location

    types = rec_io.types_changed(label, action, fields)
    if not types:
        return
    triggers = {t for t in types if RECORD_TYPES[t].trigger}
    fulfilment = {t for t in types if RECORD_TYPES[t].fulfilment}
    location_ids = sorted({o.location_id for o in objs if getattr(o, "location_id", None)})
    if not location_ids:
        return
    locations = {loc.pk: loc for loc in Location.objects.filter(pk__in=location_ids)}
    now = timezone.now()
    if triggers:
        rulesets: dict[int, RuleSet] = {}
        for pk in location_ids:
            location = locations[pk]
            org_id = location.organisation_id
            ruleset = rulesets.setdefault(org_id, RuleSet(org_id))
            evaluate_location(location=location, now=now, record_types=triggers, actor=actor,
                              ruleset=ruleset)
    if fulfilment and action != "archive" and not label.endswith("medicinescheck"):
        for obj in objs:
            if getattr(obj, "archived_at", None) is None and obj.location_id in locations:
                obj.location = locations[obj.location_id]
                fulfil_from_record(actor=actor, label=label, obj=obj, now=now)


# --- people's actions on tasks --------------------------------------------------------------


def _check_act(actor: Any, task: EscalationTask) -> None:
    if actor_organisation_id(actor) != task.organisation_id or not can_act(actor,
                                                                          task.location_id):
        raise PermissionDenied("Your role cannot act on escalation tasks here.")


def _check_open(task: EscalationTask) -> None:
    if task.status != EscalationTask.Status.OPEN:
        raise InvalidInput(f"This task is already {task.get_status_display().lower()}.",
                           {"status": [f"The task is {task.get_status_display().lower()}."]})


def _note_rec(task: EscalationTask, note: str, now: dt.datetime) -> Rec:
    subject = _subject_of(task)
    location_id = subject.get("location") or str(task.location.uuid)
    return Rec(type="note", id=f"note-{uuid_lib.uuid4()}", location_id=location_id, at=now,
               label=f"Written note: {note[:80]}",
               fields={"text": note, "written_at": now,
                       "staff_member": subject.get("staff_member"),
                       "person": subject.get("person"), "theme": subject.get("theme")})


def task_complete(*, actor: Any, task: EscalationTask, expected_version: int,
                  record_type: str | None = None, record_id: Any = None, note: str = "",
                  now: dt.datetime | None = None) -> EscalationTask:
    """Complete (or count towards) a task with the record that fulfils it, or by hand with a
    note (see the module docstring). Refusals name the field: `record` with the engine's
    reason when the record does not fulfil the task."""
    from sustain.core.visibility import filter_visible

    _check_act(actor, task)
    task = EscalationTask.objects.select_related("firing", "location").get(pk=task.pk)
    _check_open(task)
    now = now or timezone.now()
    note = (note or "").strip()
    if record_type and record_type != "note" or record_id:
        if not record_type:
            raise InvalidInput("Say what kind of record fulfils the task.",
                               {"record_type": ["This field is required with a record."]})
        if record_type not in FULFILMENT_TYPES or record_type == "note":
            raise InvalidInput("That kind of record cannot fulfil a task.",
                               {"record_type": [f"Unknown record type {record_type!r}."]})
        if not record_id:
            raise InvalidInput("Choose the record that fulfils the task.",
                               {"record_id": ["This field is required with a record type."]})
        found = rec_io.load_one(record_type, task.organisation_id, record_id)
        if found is not None:
            row, _ = found
            if not filter_visible(type(row).objects.filter(pk=row.pk), actor).exists():
                found = None
        if found is None:
            raise InvalidInput("No such record.", {"record": [
                f"No {RECORD_TYPES[record_type].label} with this id that you can see."]})
        _row, rec = found
        reason = why_not(task, rec)
        if reason is not None:
            text = reason[:1].upper() + reason[1:] + "."
            raise InvalidInput(f"This record does not fulfil the task: {reason}.",
                               {"record": [text]})
        return _count_record(actor=actor, task=task, rec=rec, now=now, note=note,
                             expected_version=expected_version)
    if task.fulfilled_by_type == "note":
        if not note:
            raise InvalidInput("Write the note that completes this task.",
                               {"note": ["This field is required."]})
        rec = _note_rec(task, note, now)
        reason = why_not(task, rec)
        if reason is not None:
            raise InvalidInput(f"The note does not fulfil the task: {reason}.",
                               {"note": [reason]})
        return _count_record(actor=actor, task=task, rec=rec, now=now, note=note,
                             expected_version=expected_version)
    if len(note) < MANUAL_NOTE_MIN:
        raise InvalidInput(
            "Choose the record that fulfils the task, or say what was done and where it is "
            f"recorded (at least {MANUAL_NOTE_MIN} characters).",
            {"note": [f"Give the record, or a note of at least {MANUAL_NOTE_MIN} characters "
                      "saying what was done and where it is recorded."]})
    task = tracked_update(actor=actor, obj=task, expected_version=expected_version, changes={
        "status": EscalationTask.Status.DONE, "done_at": now, "completion_note": note},
        message=f"Completed by hand: {note}"[:500])
    _close_if_finished(actor=actor, firing_id=task.firing_id)
    return task


def task_cancel(*, actor: Any, task: EscalationTask, expected_version: int,
                reason: str) -> EscalationTask:
    """Cancel a task; the reason is required and kept on the task and in the history."""
    _check_act(actor, task)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the task is cancelled.",
                           {"reason": ["This field is required."]})
    _check_open(task)
    with transaction.atomic():
        task = tracked_update(actor=actor, obj=task, expected_version=expected_version,
                              changes={"status": EscalationTask.Status.CANCELLED,
                                       "cancel_reason": reason},
                              message=f"Cancelled: {reason}"[:500])
        _close_if_finished(actor=actor, firing_id=task.firing_id)
    return task


# --- organisation rules ---------------------------------------------------------------------


def _check_manage(actor: Any) -> int:
    org_id = actor_organisation_id(actor)
    if org_id is None or not can_manage_rules(actor):
        raise PermissionDenied("Your role cannot change the organisation's escalation rules.")
    return org_id


def _parse(yaml_text: str) -> Rule:
    try:
        return parse_rule(yaml_text or "", RULE_FILENAME)
    except LibraryError as exc:
        messages = [str(i) for i in exc.issues]
        more = "" if len(messages) == 1 else f" (and {len(messages) - 1} more)"
        raise InvalidInput(f"Invalid rule: {messages[0]}{more}", {"yaml": messages}) from exc


def _locations(org_id: int, location_ids: Iterable[Any] | None) -> list[Any]:
    """The named locations of the organisation (by public id or object); the field is
    `location_ids`."""
    from sustain.tenancy.models import Location

    wanted = list(location_ids or ())
    if not wanted:
        return []
    uuids, bad = [], []
    for value in wanted:
        if isinstance(value, Location):
            value = value.uuid
        try:
            uuids.append(uuid_lib.UUID(str(value)))
        except ValueError:
            bad.append(str(value))
    found = {loc.uuid: loc for loc in Location.objects.filter(
        organisation_id=org_id, archived_at__isnull=True, uuid__in=uuids)}
    bad += [str(u) for u in uuids if u not in found]
    if bad:
        raise InvalidInput("A location is not in your organisation.",
                           {"location_ids": [f"Unknown location: {b}" for b in bad]})
    return [found[u] for u in dict.fromkeys(uuids)]


def _all_locations(org_id: int) -> list[Any]:
    from sustain.tenancy.models import Location

    return list(Location.objects.filter(organisation_id=org_id, archived_at__isnull=True)
                .order_by("name", "pk"))


def _owner_problems(rule: Rule, yaml_text: str, org_id: int, locations: Sequence[Any]
                    ) -> list[str]:
    node, _data = compose(yaml_text, RULE_FILENAME)
    owners = _Owners(org_id)
    out = []
    for j, response in enumerate(rule.responses):
        missing = [loc.name for loc in locations if owners(response.owner_role, loc) is None]
        if missing:
            line = line_of(node, ["responses", j, "owner_role"])
            out.append(f"{RULE_FILENAME}:{line}: responses[{j}].owner_role: no one holds the "
                       f"role {role_label(response.owner_role)} at {', '.join(missing)}")
    return out


def _check_rule(rule: Rule, yaml_text: str, org_id: int, locations: Sequence[Any]) -> None:
    problems = _owner_problems(rule, yaml_text, org_id, locations or _all_locations(org_id))
    if problems:
        raise InvalidInput(f"No one would own a response: {problems[0]}", {"yaml": problems})


def _next_version(org_id: int, code: str) -> int:
    from django.db.models import Max

    top = EscalationRule.objects.filter(organisation_id=org_id, code=code).aggregate(
        n=Max("rule_version"))["n"]
    return (top or 0) + 1


def rule_create(*, actor: Any, yaml_text: str, location_ids: Iterable[Any] = ()
                ) -> EscalationRule:
    """Add an organisation rule (version 1, or the next version of an archived rule's id)."""
    org_id = _check_manage(actor)
    rule = _parse(yaml_text)
    locations = _locations(org_id, location_ids)
    if EscalationRule.objects.filter(organisation_id=org_id, code=rule.id, is_current=True,
                                     archived_at__isnull=True).exists():
        raise InvalidInput(f"A rule with the id {rule.id!r} already exists; edit it instead.",
                           {"yaml": [f"{RULE_FILENAME}: id: {rule.id!r} is already used"]})
    _check_rule(rule, yaml_text, org_id, locations)
    with transaction.atomic():
        return tracked_create(actor=actor, obj=EscalationRule(
            organisation_id=org_id, code=rule.id, rule_version=_next_version(org_id, rule.id),
            title=rule.title[:200], yaml=yaml_text, checksum=rule_checksum(yaml_text),
            is_current=True, active=True), m2m={"locations": locations})


def rule_update(*, actor: Any, rule: EscalationRule, expected_version: int, yaml_text: str,
                active: bool = True, location_ids: Iterable[Any] = ()) -> EscalationRule:
    """Edit an organisation rule: a new version row (current), the old one kept (not current).
    Returns the new version."""
    org_id = _check_manage(actor)
    if rule.organisation_id != org_id:
        raise PermissionDenied("This rule belongs to another organisation.")
    if not rule.is_current or rule.archived_at is not None:
        raise InvalidInput("Only the current version of a rule can be edited.",
                           {"rule": ["This is an earlier or archived version."]})
    parsed = _parse(yaml_text)
    if parsed.id != rule.code:
        raise InvalidInput("The rule id cannot change.", {"yaml": [
            f"{RULE_FILENAME}: id: the id is {rule.code!r}; add a new rule for another id"]})
    locations = _locations(org_id, location_ids)
    if active:
        _check_rule(parsed, yaml_text, org_id, locations)
    with transaction.atomic():
        tracked_update(actor=actor, obj=rule, expected_version=expected_version,
                       changes={"is_current": False},
                       message=f"Replaced by version {rule.rule_version + 1}")
        return tracked_create(actor=actor, obj=EscalationRule(
            organisation_id=org_id, code=rule.code,
            rule_version=_next_version(org_id, rule.code), title=parsed.title[:200],
            yaml=yaml_text, checksum=rule_checksum(yaml_text), is_current=True,
            active=bool(active)), m2m={"locations": locations},
            message=f"Version {rule.rule_version + 1}")


def rule_archive(*, actor: Any, rule: EscalationRule, expected_version: int,
                 reason: str) -> EscalationRule:
    """Archive an organisation rule (it stops firing; its firings and tasks stay)."""
    org_id = _check_manage(actor)
    if rule.organisation_id != org_id:
        raise PermissionDenied("This rule belongs to another organisation.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the rule is archived.", {"reason": ["This field is required."]})
    current = EscalationRule.objects.get(pk=rule.pk)
    if current.version != expected_version:
        raise Conflict(f"This rule was changed by someone else (version {current.version}, "
                       f"you saw version {expected_version}). Reload it.",
                       {"version": [f"expected {expected_version}, current {current.version}"]})
    return tracked_archive(actor=actor, obj=current, reason=reason)


# --- preview --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewLocation:
    location_id: str
    name: str
    count: int


@dataclass(frozen=True)
class Preview:
    """What a rule would have done over the last `days` (nothing is written)."""

    rule_id: str
    title: str
    days: int
    count: int
    locations: list[PreviewLocation] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        times = "once" if self.count == 1 else f"{self.count} times"
        if self.count == 0:
            return f"This rule would not have fired in the last {self.days} days."
        return f"This rule would have fired {times} in the last {self.days} days."


def rule_preview(*, actor: Any, yaml_text: str, location_ids: Iterable[Any] | None = None,
                 days: int = 90, now: dt.datetime | None = None,
                 examples: int = 5) -> Preview:
    """Run a rule over the last `days` of records with no prior firings: how many times it
    would have fired, where, and the first explanations. Writes nothing."""
    org_id = _check_manage(actor)
    if not isinstance(days, int) or days < 1 or days > 3660:
        raise InvalidInput("Preview between 1 and 3660 days.", {"days": ["1 to 3660."]})
    rule = _parse(yaml_text)
    now = now or timezone.now()
    locations = _locations(org_id, location_ids) or _all_locations(org_id)
    start = now - dt.timedelta(days=days)
    since = start - lookback(rule)
    found: list[tuple[Any, EngineFiring]] = []
    per_location = []
    for location in locations:
        recs = rec_io.load_many(records_needed(rule), location, since)
        fired = [f for f in evaluate(rule, recs, [], now).new if f.triggered_at >= start]
        per_location.append(PreviewLocation(str(location.uuid), location.name, len(fired)))
        found += [(location, f) for f in fired]
    found.sort(key=lambda lf: (lf[1].triggered_at, lf[0].name))
    return Preview(rule_id=rule.id, title=rule.title, days=days, count=len(found),
                   locations=per_location,
                   examples=[f"{loc.name}: {f.explanation}" for loc, f in found[:examples]])


__all__ = ["SYSTEM", "EvalCounts", "Preview", "PreviewLocation", "escalate_overdue",
           "evaluate_location", "fulfil_from_record", "records_written", "resolve_owner",
           "role_label", "rule_archive", "rule_create", "rule_preview", "rule_update", "sweep",
           "task_cancel", "task_complete", "why_not"]
