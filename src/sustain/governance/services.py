"""Use cases for cadences and occurrences.

- `cadence_create / cadence_update / cadence_archive`: set up, change (with the version the user
  saw) and archive or restore a cadence. Needs `cadence.manage` over its location (over the
  whole organisation for an organisation-wide cadence). A cadence with no owner, an impossible
  rule (31 February, day 0 of the month), unknown completion details or an owner from another
  organisation is refused by field and nothing is written. A change of rule archives the
  open occurrences not yet due and generates the new ones.
- `occurrences_generate`: create the occurrences due on a rolling horizon (default 8 weeks),
  from where each cadence's last one left off. Idempotent (a cadence's rows are locked while
  its occurrences are read and written; one occurrence per cadence and due time is also a
  database constraint). Written in bulk (`COPY` on PostgreSQL), with one history entry per
  cadence and run naming how many were generated and when they fall due (ADR 0009).
  `location_history_generate` is the same over a chosen past window, and
  `occurrences_reconcile` completes a location's occurrences from records already written
  (for a demo builder that writes a year of records with events muted).
- `occurrences_mark_missed`: open occurrences past due and grace become missed. Idempotent.
- `occurrence_complete`: complete by hand with a record of the right kind and location, or a
  written reason (`occurrence.complete` over the location).
- `complete_from_record`: the automatic completion (called by `governance.completion` when a
  record is written): the open occurrence whose window holds the record's date, earliest first.
- `cadences_from_playbook`: a playbook's declared cadences at a theme's location (idempotent).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from sustain.core.bulk import RowUpdate, record_pending, tracked_update_many
from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.history import PendingChange, snapshot
from sustain.core.services import tracked_archive, tracked_create, tracked_update
from sustain.engine import cadence_rules as engine
from sustain.engine.access import Role
from sustain.engine.playbook_schema import MEETING_TYPES, TRACKER_TYPES
from sustain.governance import permissions as perms
from sustain.governance.models import MAX_GRACE_DAYS, Cadence, CompletesWith, Occurrence
from sustain.governance.rules import RecordKind, kinds_for_cadence, kinds_for_label, local_day

HORIZON_DAYS = 56
GENERATE_ACTOR = "governance.generate"
MISSED_ACTOR = "governance.mark-missed"
CHUNK = 200
RULE_FIELDS = ("frequency", "weekday", "day_of_month", "month", "shift_ends")
CADENCE_FIELDS = ("location", "title", "owner_role", "owner_person", *RULE_FIELDS,
                  "completes_with", "completes_params", "grace_days", "theme")
PARAMS: Mapping[str, tuple[str, ...]] = {
    CompletesWith.AUDIT: ("template", "audit_kind"),
    CompletesWith.MEETING: ("meeting_type",),
    CompletesWith.SUPERVISION: ("topic",),
    CompletesWith.COMPETENCY: ("competency",),
    CompletesWith.TRACKER_ENTRY: ("tracker",),
    CompletesWith.TRACKER_REVIEW: ("tracker",),
    CompletesWith.VISIT: ("visit_type",),
    CompletesWith.NOTE: (),
}
MIN_REASON = 10


def _system(actor: Any) -> bool:
    return actor is None or isinstance(actor, str)


def _user(actor: Any) -> Any:
    return None if _system(actor) else actor


def _refuse(errors: Mapping[str, list[str]], message: str | None = None) -> None:
    if errors:
        names = ", ".join(k.replace("_", " ") for k in errors)
        raise InvalidInput(message or f"Please correct: {names}.", dict(errors))


# --- cadences -----------------------------------------------------------------------------

def _validate_cadence(values: dict[str, Any], organisation: Any) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    location = values.get("location")
    if location is not None and location.organisation_id != organisation.pk:
        errors["location"] = ["Not found in this organisation."]
    if not str(values.get("title") or "").strip():
        errors["title"] = ["Give the cadence a title."]
    role = values.get("owner_role") or ""
    person = values.get("owner_person")
    if not role and person is None:
        message = "A cadence needs an owner: choose a role or a person."
        errors["owner_role"] = [message]
        errors["owner_person"] = [message]
    if role and role not in {r.value for r in Role}:
        errors["owner_role"] = ["Choose one of the roles."]
    if person is not None and (person.organisation_id != organisation.pk
                               or not person.is_active):
        errors["owner_person"] = ["Not an active user of this organisation."]
    ends = values.get("shift_ends") or []
    parsed: list[dt.time] = []
    if not isinstance(ends, (list, tuple)):
        errors["shift_ends"] = ['Give the shift end times as a list, e.g. ["08:00", "20:00"].']
    else:
        for text in ends:
            try:
                parsed.append(dt.time.fromisoformat(str(text)))
            except ValueError:
                errors["shift_ends"] = [f'"{text}" is not a time (use HH:MM, e.g. 20:00).']
    if "shift_ends" not in errors:
        rule = engine.CadenceRule(frequency=values.get("frequency") or "",
                                  weekday=values.get("weekday"),
                                  day_of_month=values.get("day_of_month"),
                                  month=values.get("month"), shift_ends=tuple(parsed))
        for field, messages in engine.validate_rule(rule).items():
            errors.setdefault(field, []).extend(messages)
    grace = values.get("grace_days") or 0
    if not isinstance(grace, int) or not 0 <= grace <= MAX_GRACE_DAYS:
        errors["grace_days"] = [f"Give a whole number of days from 0 to {MAX_GRACE_DAYS}."]
    errors.update(_validate_completion(values, organisation))
    theme = values.get("theme")
    if theme is not None and (theme.organisation_id != organisation.pk
                              or (location is not None and theme.location_id != location.pk)):
        errors["theme"] = ["Not a theme at this location."]
    return errors


def meeting_types() -> dict[str, str]:
    """The meeting types: the `meetings` app's when it is installed, else the playbooks'."""
    try:
        from sustain.meetings.models import TYPE_LABELS
    except ImportError:  # pragma: no cover - the meetings app is installed today
        return dict(MEETING_TYPES)
    return {**MEETING_TYPES, **TYPE_LABELS}


def _validate_completion(values: dict[str, Any], organisation: Any) -> dict[str, list[str]]:
    kind = values.get("completes_with") or ""
    if kind not in CompletesWith.values:
        return {"completes_with": ["Choose what completes it: " + ", ".join(
            str(label).lower() for label in CompletesWith.labels) + "."]}
    params = values.get("completes_params") or {}
    if not isinstance(params, Mapping):
        return {"completes_params": ["Give the completion details as an object."]}
    unknown = set(params) - set(PARAMS[kind])
    if unknown:
        return {"completes_params": [f"Unknown for {kind}: {', '.join(sorted(unknown))} "
                                     f"(allowed: {', '.join(PARAMS[kind]) or 'none'})."]}
    problems: list[str] = []
    if values.get("frequency") == engine.Frequency.EACH_MEETING and kind != "meeting":
        return {"completes_with": ["'At every meeting' is completed by a meeting."]}
    if kind == CompletesWith.AUDIT:
        from sustain.audits.models import AuditTemplate

        code = params.get("template")
        if not code:
            problems.append("Name the audit template (template).")
        elif not AuditTemplate.objects.filter(code=code, organisation__in=[None, organisation]
                                              ).exists() and \
                not AuditTemplate.objects.filter(code=code, organisation__isnull=True).exists():
            problems.append(f"No audit template has the code {code!r}.")
        if params.get("audit_kind") not in (None, "", "self", "independent"):
            problems.append("audit_kind is self or independent.")
    elif kind == CompletesWith.MEETING:
        if params.get("meeting_type") not in meeting_types():
            problems.append("Choose the meeting type: " + ", ".join(meeting_types()) + ".")
    elif kind in (CompletesWith.TRACKER_ENTRY, CompletesWith.TRACKER_REVIEW):
        if params.get("tracker") not in TRACKER_TYPES:
            problems.append("Choose the tracker: " + ", ".join(TRACKER_TYPES) + ".")
    elif kind == CompletesWith.VISIT:
        if params.get("visit_type") not in (None, "", "senior_visit", "observation"):
            problems.append("visit_type is senior_visit or observation.")
    elif kind == CompletesWith.COMPETENCY and not str(params.get("competency") or "").strip():
        problems.append("Name the competency (competency).")
    return {"completes_params": problems} if problems else {}


def cadence_create(*, actor: Any, organisation: Any, location: Any = None, title: str,
                   owner_role: str = "", owner_person: Any = None, frequency: str,
                   weekday: int | None = None, day_of_month: int | None = None,
                   month: int | None = None, shift_ends: Sequence[str] = (),
                   completes_with: str, completes_params: Mapping[str, Any] | None = None,
                   grace_days: int = 0, theme: Any = None, source: str = Cadence.Source.MANUAL,
                   playbook: Any = None, playbook_code: str = "", cadence_code: str = "",
                   source_text: str = "", generate: bool = True,
                   now: dt.datetime | None = None) -> Cadence:
    """Set up a cadence (and generate its occurrences on the horizon)."""
    if not _system(actor) and not perms.can_manage_cadence(
            actor, location.pk if location is not None else None):
        raise PermissionDenied("Your role cannot set up cadences here." if location is None
                               else "Your role cannot set up cadences at this location.")
    return _cadence_create(
        actor=actor, organisation=organisation, location=location, title=title,
        owner_role=owner_role, owner_person=owner_person, frequency=frequency, weekday=weekday,
        day_of_month=day_of_month, month=month, shift_ends=shift_ends,
        completes_with=completes_with, completes_params=completes_params,
        grace_days=grace_days, theme=theme, source=source, playbook=playbook,
        playbook_code=playbook_code, cadence_code=cadence_code, source_text=source_text,
        generate=generate, now=now)


def _cadence_create(*, actor: Any, organisation: Any, location: Any, title: str,
                    owner_role: str, owner_person: Any, frequency: str, weekday: int | None,
                    day_of_month: int | None, month: int | None, shift_ends: Sequence[str],
                    completes_with: str, completes_params: Mapping[str, Any] | None,
                    grace_days: int, theme: Any, source: str, playbook: Any,
                    playbook_code: str, cadence_code: str, source_text: str, generate: bool,
                    now: dt.datetime | None) -> Cadence:
    values = {"location": location, "title": (title or "").strip(), "owner_role": owner_role,
              "owner_person": owner_person, "frequency": frequency, "weekday": weekday,
              "day_of_month": day_of_month, "month": month, "shift_ends": list(shift_ends or []),
              "completes_with": completes_with, "completes_params": dict(completes_params or {}),
              "grace_days": grace_days, "theme": theme}
    _refuse(_validate_cadence(values, organisation))
    with transaction.atomic():
        cadence = tracked_create(actor=actor, obj=Cadence(
            organisation=organisation, source=source, playbook=playbook,
            playbook_code=playbook_code, cadence_code=cadence_code, source_text=source_text,
            **values))
        if generate:
            occurrences_generate(cadences=[cadence], now=now)
    return cadence


def cadence_update(*, actor: Any, cadence: Cadence, expected_version: int | None,
                   changes: Mapping[str, Any], now: dt.datetime | None = None) -> Cadence:
    """Change a cadence. A change of rule or location archives its open occurrences not yet
    due and generates the new ones; occurrences already done, missed or overdue stay as they
    were."""
    unknown = set(changes) - set(CADENCE_FIELDS)
    if unknown:
        raise InvalidInput("These fields cannot be changed.",
                           {k: ["This field cannot be changed."] for k in sorted(unknown)})
    location = changes.get("location", cadence.location)
    for where in {cadence.location_id, location.pk if location is not None else None}:
        if not _system(actor) and not perms.can_manage_cadence(actor, where):
            raise PermissionDenied("Your role cannot change cadences here.")
    values = {name: getattr(cadence, name) for name in CADENCE_FIELDS}
    values.update(changes)
    if "shift_ends" in changes:
        values["shift_ends"] = list(changes["shift_ends"] or [])
    _refuse(_validate_cadence(values, cadence.organisation))
    rule_changed = any(name in changes and changes[name] != getattr(cadence, name)
                       for name in (*RULE_FIELDS, "location"))
    with transaction.atomic():
        updated = tracked_update(actor=actor, obj=cadence, changes=dict(changes),
                                 expected_version=expected_version)
        if rule_changed:  # (title, owner and grace are read from the cadence)
            _archive_future(actor, updated, now or timezone.now(), "The cadence's rule changed.")
            occurrences_generate(cadences=[updated], now=now)
    return updated


def _archive_future(actor: Any, cadence: Cadence, now: dt.datetime, reason: str) -> int:
    future = list(Occurrence.objects.filter(cadence=cadence, status=Occurrence.Status.OPEN,
                                            due_at__gt=now, archived_at__isnull=True))
    for occurrence in future:
        tracked_archive(actor=actor, obj=occurrence, reason=reason)
    return len(future)


def cadence_archive(*, actor: Any, cadence: Cadence, reason: str = "", restore: bool = False,
                    now: dt.datetime | None = None) -> Cadence:
    """Archive a cadence (its open occurrences not yet due go with it) or restore it (and
    generate its occurrences again)."""
    if not _system(actor) and not perms.can_manage_cadence(actor, cadence.location_id):
        raise PermissionDenied("Your role cannot archive cadences here.")
    with transaction.atomic():
        cadence = tracked_archive(actor=actor, obj=cadence, reason=reason, restore=restore)
        if restore:
            occurrences_generate(cadences=[cadence], now=now)
        else:
            _archive_future(actor, cadence, now or timezone.now(), "The cadence was archived.")
    return cadence


# --- generation ---------------------------------------------------------------------------

@dataclass
class GenerateResult:
    cadences: int = 0
    created: int = 0


def _start_for(last_due: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """Where a cadence's generation resumes: just after its last occurrence (so a job that
    did not run for a few days leaves no gap), but not more than 5 weeks back; from now for a
    cadence with none."""
    if last_due is None:
        return now
    return max(last_due + dt.timedelta(microseconds=1), now - dt.timedelta(days=35))


def occurrences_generate(*, cadences: Iterable[Cadence] | None = None,
                         organisation: Any = None, locations: Iterable[Any] | None = None,
                         now: dt.datetime | None = None, horizon_days: int = HORIZON_DAYS,
                         start: dt.datetime | None = None, end: dt.datetime | None = None,
                         actor: Any = GENERATE_ACTOR, record: bool = True) -> GenerateResult:
    """Create the missing occurrences of active, time-based cadences up to `end` (default
    now + `horizon_days`), from `start` (default: where each cadence left off, see
    `_start_for`). Running it twice creates nothing the second time."""
    now = now or timezone.now()
    end = end or now + dt.timedelta(days=horizon_days)
    if cadences is not None:
        ids = [c.pk for c in cadences]
        qs = Cadence.objects.filter(pk__in=ids)
    else:
        qs = Cadence.objects.all()
        if organisation is not None:
            qs = qs.filter(organisation=organisation)
        if locations is not None:
            qs = qs.filter(location__in=list(locations))
    ids = list(qs.filter(archived_at__isnull=True)
               .exclude(frequency=engine.Frequency.EACH_MEETING)
               .order_by("pk").values_list("pk", flat=True))
    result = GenerateResult()
    for first in range(0, len(ids), CHUNK):
        chunk = ids[first:first + CHUNK]
        with transaction.atomic():
            locked = list(Cadence.objects.filter(pk__in=chunk, archived_at__isnull=True)
                          .select_related("organisation", "location", "owner_person",
                                          "playbook", "theme")
                          .select_for_update(of=("self",)).order_by("pk"))
            result.created += _generate_locked(locked, now=now, start=start, end=end,
                                               actor=actor, record=record)
            result.cadences += len(locked)
    return result


def _generate_locked(cadences: list[Cadence], *, now: dt.datetime, start: dt.datetime | None,
                     end: dt.datetime, actor: Any, record: bool) -> int:
    from django.db.models import Max

    last = dict(Occurrence.objects.filter(cadence__in=cadences, archived_at__isnull=True)
                .values("cadence").annotate(last=Max("due_at")).values_list("cadence", "last"))
    windows = {c.pk: (start if start is not None else _start_for(last.get(c.pk), now))
               for c in cadences}
    earliest = min(windows.values(), default=now)
    existing = set(Occurrence.objects.filter(cadence__in=cadences, archived_at__isnull=True,
                                             due_at__gte=earliest, due_at__lt=end)
                   .values_list("cadence", "due_at"))
    rows: list[dict[str, Any]] = []
    made: dict[int, list[dt.datetime]] = {}
    for cadence in cadences:
        for occ in engine.occurrences_between(cadence.rule, windows[cadence.pk], end):
            if (cadence.pk, occ.due_at) in existing:
                continue
            rows.append({"organisation_id": cadence.organisation_id,
                         "cadence_id": cadence.pk, "location_id": cadence.location_id,
                         "due_at": occ.due_at, "window_start": occ.window_start})
            made.setdefault(cadence.pk, []).append(occ.due_at)
    if not rows:
        return 0
    write_occurrences(rows)
    if record:
        record_pending([PendingChange(
            actor=actor, obj=cadence, action="update", before=snapshot(cadence),
            after=snapshot(cadence), message=_generated_message(made[cadence.pk]))
            for cadence in cadences if cadence.pk in made])
    return len(rows)


def _generated_message(dues: list[dt.datetime]) -> str:
    count = len(dues)
    return (f"Generated {count} occurrence{'s' if count != 1 else ''} due "
            f"{local_day(min(dues))} to {local_day(max(dues))}.")


def _uuid_texts(count: int) -> list[str]:
    """`count` random (version 4) UUIDs as text, from one read of the system's randomness."""
    raw = bytearray(os.urandom(16 * count))
    out = []
    for i in range(0, 16 * count, 16):
        raw[i + 6] = (raw[i + 6] & 0x0F) | 0x40
        raw[i + 8] = (raw[i + 8] & 0x3F) | 0x80
        h = raw[i:i + 16].hex()
        out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return out


def write_occurrences(rows: Sequence[dict[str, Any]]) -> None:
    """Insert generated occurrences (field values by attribute name; built by
    `_generate_locked` from cadences it has locked, so valid by construction) in the current
    transaction: PostgreSQL's `COPY` (text rows built here) there, `bulk_create` elsewhere.
    Their creation is recorded once per cadence (see ADR 0009), not per row: a year for 300
    locations is 353,000 rows."""
    now = timezone.now()
    fields = [f for f in Occurrence._meta.concrete_fields if not f.primary_key]
    given = ("organisation_id", "cadence_id", "location_id", "due_at", "window_start")
    if connection.vendor != "postgresql":
        defaults = {f.attname: f.get_default() for f in fields
                    if f.attname not in given and f.attname != "uuid"}
        defaults.update(created_at=now, updated_at=now)
        Occurrence.objects.bulk_create([Occurrence(**defaults, **row) for row in rows],
                                       batch_size=500)
        return

    def text(value: Any) -> str:
        if value is None:
            return "\\N"
        if isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, bool):
            return "t" if value else "f"
        return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    # One text template per row: the fixed columns once, the varying ones per row.
    slots: list[str] = []
    for f in fields:
        if f.attname in given or f.attname == "uuid":
            slots.append("{" + f.attname + "}")
        elif f.attname in ("created_at", "updated_at"):
            slots.append(text(now))
        else:
            slots.append(text(f.get_default()).replace("{", "{{").replace("}", "}}"))
    template = "\t".join(slots) + "\n"
    uuids = _uuid_texts(len(rows))
    table = connection.ops.quote_name(Occurrence._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor: same connection and transaction
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # noqa: S608
            buffer: list[str] = []
            iso: dict[dt.datetime, str] = {}  # many cadences share due times
            for row, key in zip(rows, uuids, strict=True):
                due, start = row["due_at"], row["window_start"]
                buffer.append(template.format(
                    uuid=key, organisation_id=row["organisation_id"],
                    cadence_id=row["cadence_id"], location_id=text(row["location_id"]),
                    due_at=iso.get(due) or iso.setdefault(due, due.isoformat()),
                    window_start=iso.get(start) or iso.setdefault(start, start.isoformat())))
                if len(buffer) >= 5000:
                    copy.write("".join(buffer))
                    buffer = []
            if buffer:
                copy.write("".join(buffer))


def location_history_generate(*, location: Any, start: dt.datetime, end: dt.datetime,
                              actor: Any = GENERATE_ACTOR) -> GenerateResult:
    """Generate a location's occurrences over a chosen window (e.g. the past year, for a demo
    builder that then writes the records that complete them, and calls
    `occurrences_mark_missed` with its own `now`). Idempotent."""
    return occurrences_generate(locations=[location], start=start, end=end, actor=actor)


def occurrences_reconcile(*, location: Any, actor: Any = GENERATE_ACTOR) -> int:
    """Complete a location's open occurrences from records already written (records written
    with `core.events` muted, e.g. by a demo builder replaying a year, or by an import's `COPY`
    path), oldest record first, exactly as if each had just been written. Idempotent.
    Returns how many occurrences were completed."""
    from django.apps import apps

    labels = {k.label for c in Cadence.objects.filter(location=location,
                                                      archived_at__isnull=True)
              for k in kinds_for_cadence(c)}
    done = 0
    for label in sorted(labels):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        records = model._default_manager.filter(location=location, archived_at__isnull=True)
        for obj in sorted(records, key=lambda o: (kinds_for_label(label)[0].belongs_at(o)
                                                  or timezone.now(), o.pk)):
            done += handle_record_written(actor=actor, label=label, objs=[obj])
    return done


def occurrences_mark_missed(*, now: dt.datetime | None = None, actor: Any = MISSED_ACTOR,
                            organisation: Any = None, batch: int = 1000) -> int:
    """Open occurrences past their due time and grace become missed. Returns how many.
    Running it twice changes nothing; two runs at once update each row once (rows are locked
    and version-checked; a row another run changed is left to it)."""
    now = now or timezone.now()
    qs = Occurrence.objects.filter(status=Occurrence.Status.OPEN, archived_at__isnull=True,
                                   due_at__lt=now)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    marked = 0
    last_pk = 0
    while True:
        rows = list(qs.filter(pk__gt=last_pk).select_related("cadence").order_by("pk")[:batch])
        if not rows:
            return marked
        last_pk = rows[-1].pk
        updates = [RowUpdate(obj=o, changes={"status": Occurrence.Status.MISSED},
                             message=engine.classify(due_at=o.due_at,
                                                     grace_days=o.cadence.grace_days,
                                                     completed_at=None, now=now).explanation)
                   for o in rows
                   if engine.classify(due_at=o.due_at, grace_days=o.cadence.grace_days,
                                      completed_at=None, now=now).status
                   == engine.Status.MISSED]
        if updates:
            with transaction.atomic():
                result = tracked_update_many(actor=actor, updates=updates)
            marked += len(result.updated)


# --- completion ---------------------------------------------------------------------------

def record_label_of(obj: Any) -> str:
    return str(obj)[:200]


def _outcome(occurrence: Occurrence, done_at: dt.datetime) -> str:
    return (Occurrence.Status.DONE_ON_TIME if done_at <= occurrence.due_at
            else Occurrence.Status.DONE_LATE)


def _location_ok(cadence: Cadence, obj: Any) -> bool:
    """A location's cadence takes records of that location; an organisation-wide one takes
    records of the organisation (any location, or none)."""
    if cadence.location_id is None:
        return True
    return getattr(obj, "location_id", None) == cadence.location_id


def complete_from_record(*, actor: Any, obj: Any, kind: RecordKind) -> list[Occurrence]:
    """Complete, for each matching cadence, the open occurrence whose window (start to the
    end of grace) holds the record's date, earliest first. A record completes at most one
    occurrence per cadence; writing it again changes nothing."""
    if not kind.finished(obj):
        return []
    belongs = kind.belongs_at(obj)
    done_at = kind.done_at(obj)
    if belongs is None or done_at is None:
        return []
    content_type = ContentType.objects.get_for_model(type(obj))
    qs = Occurrence.objects.filter(
        organisation_id=obj.organisation_id, status=Occurrence.Status.OPEN,
        archived_at__isnull=True, cadence__archived_at__isnull=True,
        cadence__completes_with=kind.kind, window_start__lte=belongs,
        due_at__gte=belongs - dt.timedelta(days=MAX_GRACE_DAYS + 1))
    location_id = getattr(obj, "location_id", None)
    if location_id is not None:
        qs = qs.filter(cadence__location_id__in=[location_id]) | qs.filter(
            cadence__location__isnull=True)
    else:
        qs = qs.filter(cadence__location__isnull=True)
    candidates = list(qs.select_related("cadence").order_by("due_at", "pk"))
    if not candidates:
        return []
    already = set(Occurrence.objects.filter(
        archived_at__isnull=True, record_type=content_type, record_id=obj.pk,
        cadence__in={o.cadence_id for o in candidates}).values_list("cadence", flat=True))
    done: list[Occurrence] = []
    for occurrence in candidates:
        cadence = occurrence.cadence
        if cadence.pk in already or not _location_ok(cadence, obj):
            continue
        if not kind.matches(cadence.completes_params or {}, obj):
            continue
        if not engine.accepts(window_start=occurrence.window_start, due_at=occurrence.due_at,
                              grace_days=cadence.grace_days, at=belongs):
            continue
        done.append(tracked_update(
            actor=actor, obj=occurrence, expected_version=None,
            changes={"status": _outcome(occurrence, done_at), "completed_at": done_at,
                     "completed_by": _user(actor), "record_type": content_type,
                     "record_id": obj.pk, "record_uuid": getattr(obj, "uuid", None),
                     "record_label": record_label_of(obj)},
            message=f"Completed by {kind.text}: {record_label_of(obj)}."))
        already.add(cadence.pk)
    return done


def _what(occurrence: Occurrence) -> str:
    return str(occurrence.cadence.get_completes_with_display()).lower()


def find_record(*, actor: Any, occurrence: Occurrence, record_type: str,
                record_id: Any) -> Any:
    """The record named by its type label ("audits.audit") and public id, as the actor may
    see it; refused by field when the type cannot complete this occurrence or it is not
    found."""
    from django.apps import apps

    from sustain.core.visibility import visibility_filters

    kinds = [k for k in kinds_for_cadence(occurrence.cadence)
             if k.label == str(record_type).lower()]
    if not kinds:
        allowed = ", ".join(k.label for k in kinds_for_cadence(occurrence.cadence)) or \
            "none: give a reason"
        raise InvalidInput("This kind of record does not complete this occurrence.",
                           {"record_type": [f"This occurrence is completed by "
                                            f"{_what(occurrence)} (record types: {allowed})."]})
    try:
        model = apps.get_model(kinds[0].label)
    except LookupError as exc:
        raise InvalidInput("Unknown record type.", {"record_type": ["Unknown."]}) from exc
    qs = model._default_manager.filter(uuid=record_id)
    visible = visibility_filters().get(kinds[0].label)
    if visible is not None and not _system(actor):
        qs = visible(qs, actor)
    found = qs.first()
    if found is None:
        raise InvalidInput("The record was not found.", {"record": ["Not found."]})
    return found


def occurrence_complete(*, actor: Any, occurrence: Occurrence, record: Any = None,
                        reason: str = "", expected_version: int | None = None,
                        now: dt.datetime | None = None) -> Occurrence:
    """Complete an occurrence by hand: with a record of the right kind, location and date,
    or with a written reason. Refusals name the field and change nothing."""
    if not _system(actor) and not perms.can_complete(actor, occurrence.location_id):
        raise PermissionDenied("Your role cannot complete governance work here.")
    now = now or timezone.now()
    reason = (reason or "").strip()
    cadence = occurrence.cadence
    if occurrence.archived_at is not None:
        raise InvalidInput("This occurrence is archived.", {"occurrence": ["Archived."]})
    if occurrence.status != Occurrence.Status.OPEN:
        state = str(occurrence.get_status_display()).lower()
        raise InvalidInput(f"This occurrence is already {state}.",
                           {"occurrence": [f"Already {state}."]})
    changes: dict[str, Any] = {"completed_by": _user(actor)}
    if record is None:
        if len(reason) < MIN_REASON:
            raise InvalidInput("Give the record that completes it, or a written reason.",
                               {"reason": [f"Without a record, say what was done (at least "
                                           f"{MIN_REASON} characters)."]})
        changes.update(status=_outcome(occurrence, now), completed_at=now,
                       manual_reason=reason)
    else:
        label = record._meta.label_lower
        kinds = [k for k in kinds_for_cadence(cadence) if k.label == label]
        if not kinds:
            raise InvalidInput("This kind of record does not complete this occurrence.",
                               {"record": [f"This occurrence is completed by "
                                           f"{_what(occurrence)}."]})
        kind = kinds[0]
        errors: list[str] = []
        if record.organisation_id != occurrence.organisation_id:
            errors.append("Not found in this organisation.")
        elif not _location_ok(cadence, record):
            errors.append("This record is at another location.")
        elif not kind.matches(cadence.completes_params or {}, record):
            errors.append(f"This record is not {kind.text}.")
        elif not kind.finished(record):
            errors.append("This record is not finished (or is archived).")
        else:
            belongs = kind.belongs_at(record)
            ends = engine.grace_ends(occurrence.due_at, cadence.grace_days)
            if belongs is None or not engine.accepts(
                    window_start=occurrence.window_start, due_at=occurrence.due_at,
                    grace_days=cadence.grace_days, at=belongs):
                errors.append(f"This record belongs to "
                              f"{local_day(belongs) if belongs else 'no date'}, outside this "
                              f"occurrence's window ({local_day(occurrence.window_start)} to "
                              f"{local_day(ends)}).")
        if errors:
            raise InvalidInput("This record cannot complete this occurrence.",
                               {"record": errors})
        done_at = kind.done_at(record) or now
        changes.update(status=_outcome(occurrence, done_at), completed_at=done_at,
                       record_type=ContentType.objects.get_for_model(type(record)),
                       record_id=record.pk, record_uuid=getattr(record, "uuid", None),
                       record_label=record_label_of(record), manual_reason=reason)
    return tracked_update(actor=actor, obj=occurrence, changes=changes,
                          expected_version=expected_version,
                          message="Completed by hand." if record is None else
                          f"Completed by hand with {record_label_of(record)}.")


def handle_record_written(*, actor: Any, label: str, objs: Sequence[Any]) -> int:
    """Complete occurrences for records just written (the `core.events` handler)."""
    total = 0
    for kind in kinds_for_label(label):
        for obj in objs:
            total += len(complete_from_record(actor=actor, obj=obj, kind=kind))
    return total


# --- playbooks ----------------------------------------------------------------------------

def cadences_from_playbook(*, actor: Any, theme: Any, playbook: Any = None,
                           now: dt.datetime | None = None) -> list[Cadence]:
    """Create the playbook's declared governance cadences at the theme's location (owner:
    the role the playbook names). Idempotent: a cadence already there (same playbook and
    cadence code, not archived) is left as it is."""
    from sustain.playbooks.services import playbook_spec

    playbook = playbook or theme.playbook
    if playbook is None or theme.location_id is None:
        return []
    spec = playbook_spec(playbook)
    existing = set(Cadence.objects.filter(
        organisation_id=theme.organisation_id, location_id=theme.location_id,
        playbook_code=spec.code, source=Cadence.Source.PLAYBOOK, archived_at__isnull=True)
        .values_list("cadence_code", flat=True))
    created = []
    for declared in spec.governance_cadences:
        if declared.code in existing:
            continue
        params = declared.completes_with.model_dump(exclude={"kind"})
        if declared.completes_with.kind == "audit":
            from sustain.audits.models import AuditTemplate

            if not AuditTemplate.objects.filter(code=params.get("template")).exists():
                continue  # the template is not loaded here (yet): nothing to complete it
        created.append(_cadence_create(
            actor=actor, organisation=theme.organisation, location=theme.location,
            title=declared.title, owner_role=declared.owner_role,
            frequency=declared.frequency, completes_with=declared.completes_with.kind,
            completes_params={k: v for k, v in params.items() if v not in ("", None)},
            grace_days=declared.grace_days, theme=theme, source=Cadence.Source.PLAYBOOK,
            playbook=playbook, playbook_code=spec.code, cadence_code=declared.code,
            owner_person=None, weekday=None, day_of_month=None, month=None, shift_ends=(),
            source_text=declared.source, generate=True, now=now))
    return created
