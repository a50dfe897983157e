"""Adapters: model rows -> `engine.escalation_records.Rec` (ADR 0014 §2).

For every record type of the engine's catalogue, `load(type, location, since, until)` reads
the records of one location whose time is in [since, until] and turns them into `Rec`s;
`recs_from_instance(label, obj)` does the same for one row just written (the on-write path).

Conventions (the contract with the rules and the API):

- Ids are public ids: `Rec.id`, `Rec.location_id` and every `staff` / `person` / `theme`
  field are the `uuid` of the row as text, so `Firing.records`, `Firing.subject` and a task's
  subject name records the way the API does.
- A record whose type's time is a *date* in the catalogue (a supervision, a care-plan review,
  an action's due date) is placed at the start of that day in Europe/London; the engine
  compares such records by date, so a supervision dated the day of the trigger counts as
  "after the trigger". A visit (a date on the model, a date and time in the catalogue) is
  placed at the end of its day, so a visit on the day of a trigger counts too.
- A medicines discrepancy happened during its check's shift: it is placed at the start of that
  shift (location's shift times); a safeguarding concern carries `shift_end`, the end of the
  shift it was raised in (`engine.timeliness.shift_containing` with the location's times).
- Archived rows are not records (nor discrepancies of an archived check): archiving a record
  makes the firing it belonged to fail on the next evaluation (withdrawn with a reason).
- An indicator signal (`signals.Signal`) is a record while it is not withdrawn: `signal` is
  "improvement", "concern", or "uninterpreted" for an open concern signal whose
  interpretation deadline has passed by the evaluation's time (the query's `until`; for a
  row just written, now). An uninterpreted signal is placed at its deadline (`due_at`), any
  other at `raised_at`, so a firing on an uninterpreted signal starts when it became so.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone, translation

from sustain.engine.escalation_records import Rec
from sustain.engine.timeliness import LONDON, shift_containing

UTC = dt.UTC


def _day_end(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=LONDON).astimezone(UTC)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=LONDON).astimezone(UTC)


def _uuid(obj: Any) -> str | None:
    return None if obj is None else str(obj.uuid)


def _fmt_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(LONDON).date()
    return f"{value.day} {value:%b %Y}"


def _fmt_time(value: dt.datetime) -> str:
    local = value.astimezone(LONDON)
    return f"{local.day} {local:%b %Y} {local:%H:%M}"


@functools.lru_cache(maxsize=1024)
def _label(model: type, field: str, value: Any, language: str | None) -> str:
    return str(dict(model._meta.get_field(field).flatchoices).get(value, value))


def _display(obj: Any, field: str) -> str:
    """`obj.get_<field>_display()` without a lazy translation per row."""
    model: Any = obj._row_model if isinstance(obj, _Row) else type(obj)
    return _label(model, field, getattr(obj, field), translation.get_language())


class _Row:
    """A row read with `values_list()` standing in for a model instance in the `to_rec`
    functions: one attribute per column, a related row (`staff__full_name`) as a nested
    `_Row` (None when every column of it is None: a null foreign key). The same `to_rec`
    turns instances (on write) and these rows (the sweep) into the same `Rec`s."""

    _row_model: Any

    def __init__(self, model: Any, values: Mapping[str, Any]) -> None:
        self._row_model = model
        self.__dict__.update(values)


def _row_maker(model: Any, columns: tuple[str, ...]) -> Callable[[tuple[Any, ...]], _Row]:
    """A function turning a `values_list(*columns)` tuple into a `_Row` of `model`."""
    def nest(values: Mapping[str, Any], rel_model: Any) -> _Row | None:
        flat: dict[str, Any] = {}
        related: dict[str, dict[str, Any]] = defaultdict(dict)
        for name, value in values.items():
            head, _sep, rest = name.partition("__")
            if rest:
                related[head][rest] = value
            else:
                flat[head] = value
        for head, sub in related.items():
            flat[head] = nest(sub, rel_model._meta.get_field(head).related_model)
        if all(v is None for v in flat.values()):
            return None
        return _Row(rel_model, flat)

    def make(values: tuple[Any, ...]) -> _Row:
        return nest(dict(zip(columns, values, strict=True)), model) or _Row(model, {})
    return make


def _as_float(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Adapter:
    """How one record type is read: its model, the query of a location's rows in a time
    range, and how one row becomes a `Rec` (None: the row is not a record of this type)."""

    type: str
    model: str                                   # "app_label.modelname"
    query: Callable[[Any, dt.datetime, dt.datetime], QuerySet]
    to_rec: Callable[[Any, Any], Rec | None]     # (row, location) -> Rec | None
    # Other models whose writes change records of this type (a check's date moves its
    # discrepancies).
    also: tuple[str, ...] = ()
    # The fields of those models whose change moves or hides records of this type (an update
    # setting none of them, or a create — a new check has no discrepancies yet — changes no
    # record of this type).
    also_fields: tuple[str, ...] = ()
    # The columns `to_rec` reads (related ones through `__`): `load` reads these with
    # `values_list()` instead of model instances (empty: instances).
    columns: tuple[str, ...] = ()


def _model(label: str) -> Any:
    return apps.get_model(label)


def _live(qs: QuerySet, location: Any) -> QuerySet:
    return qs.filter(organisation_id=location.organisation_id, location_id=location.pk,
                     archived_at__isnull=True)


# --- trigger records ---------------------------------------------------------------------

def _shift_start(location: Any, day: dt.date, shift: str) -> dt.datetime:
    start = location.day_shift_start if shift == "day" else location.night_shift_start
    return dt.datetime.combine(day, start, tzinfo=LONDON).astimezone(UTC)


def _discrepancies(location: Any, since: dt.datetime, until: dt.datetime) -> QuerySet:
    # A shift starts on its check date: a day either side covers any shift start time.
    return _live(_model("medicines.discrepancy").objects, location).filter(
        check_record__archived_at__isnull=True,
        check_record__check_date__gte=since.astimezone(LONDON).date() - dt.timedelta(days=1),
        check_record__check_date__lte=until.astimezone(LONDON).date() + dt.timedelta(days=1),
    ).select_related("check_record", "person", "staff_responsible").only(
        "uuid", "type", "archived_at", "location_id", "person__uuid",
        "staff_responsible__uuid", "staff_responsible__full_name", "check_record__check_date",
        "check_record__shift", "check_record__archived_at")


def _discrepancy_rec(d: Any, location: Any) -> Rec | None:
    check = d.check_record
    if d.archived_at is not None or check.archived_at is not None:
        return None
    at = _shift_start(location, check.check_date, check.shift)
    who = f", {d.staff_responsible.full_name}" if d.staff_responsible_id else ""
    return Rec(type="medicines_discrepancy", id=str(d.uuid), location_id=str(location.uuid),
               at=at, label=f"MAR discrepancy ({_display(d, 'type').lower()}) on "
                            f"{_fmt_date(check.check_date)}, {check.shift} shift{who}",
               fields={"type": d.type, "person": _uuid(d.person),
                       "staff_member": _uuid(d.staff_responsible), "shift": check.shift,
                       "occurred_at": at})


def _concerns(location: Any, since: dt.datetime, until: dt.datetime) -> QuerySet:
    return _live(_model("safeguarding.safeguardingconcern").objects, location).filter(
        raised_at__gte=since, raised_at__lte=until).select_related("raised_by", "person")


def _concern_rec(c: Any, location: Any) -> Rec | None:
    if c.archived_at is not None:
        return None
    shift = shift_containing(c.raised_at, location.day_shift_start, location.night_shift_start)
    return Rec(type="safeguarding_concern", id=str(c.uuid), location_id=str(location.uuid),
               at=c.raised_at,
               label=f"Safeguarding concern ({_display(c, 'category').lower()}) raised "
                     f"{_fmt_time(c.raised_at)} by {c.raised_by.full_name}",
               fields={"raised_at": c.raised_at, "staff_member": _uuid(c.raised_by),
                       "person": _uuid(c.person), "category": c.category,
                       "shift_lead_notified_at": c.shift_lead_notified_at,
                       "manager_reviewed_at": c.manager_reviewed_at,
                       "decision": c.decision or None, "la_referral_at": c.la_referral_at,
                       "cqc_notified_at": c.cqc_notified_at, "shift_end": shift.end})


def _reviews(location: Any, since: dt.datetime, until: dt.datetime) -> QuerySet:
    return _live(_model("careplans.careplanreview").objects, location).filter(
        completed_on__gte=since.astimezone(LONDON).date(),
        completed_on__lte=until.astimezone(LONDON).date()).select_related("person", "key_worker")


def _review_rec(r: Any, location: Any) -> Rec | None:
    if r.archived_at is not None or r.completed_on is None:
        return None
    mismatch = ", mismatch found" if r.mismatch_found else ""
    return Rec(type="care_plan_review", id=str(r.uuid), location_id=str(location.uuid),
               at=_day_start(r.completed_on),
               label=f"Care-plan review of {r.person.reference} on "
                     f"{_fmt_date(r.completed_on)}{mismatch}",
               fields={"person": _uuid(r.person), "key_worker": _uuid(r.key_worker),
                       "mismatch_found": bool(r.mismatch_found), "due_date": r.due_date,
                       "completed_on": r.completed_on})


def _incidents(location: Any, since: dt.datetime, until: dt.datetime) -> QuerySet:
    return _live(_model("incidents.incident").objects, location).filter(
        occurred_at__gte=since, occurred_at__lte=until).select_related("person")


def _incident_rec(i: Any, location: Any) -> Rec | None:
    if i.archived_at is not None:
        return None
    about = f" ({i.person.reference})" if i.person_id else ""
    return Rec(type="incident", id=str(i.uuid), location_id=str(location.uuid),
               at=i.occurred_at,
               label=f"{_display(i, 'type')} on {_fmt_date(i.occurred_at)}{about}",
               fields={"type": i.type, "severity": i.severity, "person": _uuid(i.person),
                       "occurred_at": i.occurred_at})


def _complaints(location: Any, since: dt.datetime, until: dt.datetime) -> QuerySet:
    return _live(_model("incidents.complaint").objects, location).filter(
        received_on__gte=since.astimezone(LONDON).date(),
        received_on__lte=until.astimezone(LONDON).date()).select_related("person")


def _complaint_rec(c: Any, location: Any) -> Rec | None:
    if c.archived_at is not None:
        return None
    return Rec(type="complaint", id=str(c.uuid), location_id=str(location.uuid),
               at=_day_start(c.received_on),
               label=f"Complaint ({c.category}) received {_fmt_date(c.received_on)}",
               fields={"person": _uuid(c.person), "category": c.category,
                       "received_on": c.received_on, "response_due": c.response_due,
                       "response_sent_on": c.response_sent_on})


def _audits(location: Any, since: dt.datetime, until: dt.datetime) -> QuerySet:
    return _live(_model("audits.audit").objects, location).filter(
        status="completed", completed_at__gte=since, completed_at__lte=until,
    ).select_related("template", "theme")


def _audit_rec(a: Any, location: Any) -> Rec | None:
    if a.archived_at is not None or a.status != "completed" or a.completed_at is None:
        return None
    kind = "Re-audit" if a.is_reaudit else "Audit"
    score = f", {float(a.score):g}%" if a.score is not None else ""
    return Rec(type="audit", id=str(a.uuid), location_id=str(location.uuid),
               at=a.completed_at,
               label=f"{kind} “{a.template.title}” on {_fmt_date(a.audit_date)}{score}",
               fields={"template": a.template.code, "score": _as_float(a.score),
                       "pass_mark": _as_float(a.template.pass_mark), "passed": a.passed,
                       "is_reaudit": bool(a.is_reaudit), "kind": a.kind,
                       "theme": _uuid(a.theme), "completed_at": a.completed_at})


def _occurrences(location: Any, since: dt.datetime, until: dt.datetime) -> QuerySet:
    return _live(_model("governance.occurrence").objects, location).filter(
        due_at__gte=since, due_at__lte=until, cadence__archived_at__isnull=True,
    ).select_related("cadence", "cadence__theme")


def _occurrence_rec(o: Any, location: Any) -> Rec | None:
    if o.archived_at is not None:
        return None
    cadence = o.cadence
    return Rec(type="occurrence", id=str(o.uuid), location_id=str(location.uuid),
               at=o.due_at,
               label=f"{cadence.title} due {_fmt_time(o.due_at)} ({_display(o, 'status')})",
               fields={"cadence": cadence.cadence_code or str(cadence.uuid),
                       "status": o.status, "due_at": o.due_at,
                       "completed_at": o.completed_at, "theme": _uuid(cadence.theme)})


def _actions(location: Any, since: dt.datetime, until: dt.datetime) -> QuerySet:
    return _live(_model("themes.action").objects, location).filter(
        due_date__gte=since.astimezone(LONDON).date(),
        due_date__lte=until.astimezone(LONDON).date()).select_related("theme", "owner")


def _action_rec(a: Any, location: Any) -> Rec | None:
    if a.archived_at is not None:
        return None
    return Rec(type="action", id=str(a.uuid), location_id=str(location.uuid),
               at=_day_start(a.due_date),
               label=f"Action “{a.description[:80]}” due {_fmt_date(a.due_date)} "
                     f"({a.theme.title})",
               fields={"theme": _uuid(a.theme), "status": a.status, "due_date": a.due_date,
                       "completed_on": a.completed_on, "owner": _uuid(a.owner)})


# --- fulfilment records -------------------------------------------------------------------

def _dated(label: str, field: str, *related: str) -> Callable[..., QuerySet]:
    def query(location: Any, since: dt.datetime, until: dt.datetime) -> QuerySet:
        return _live(_model(label).objects, location).filter(**{
            f"{field}__gte": since.astimezone(LONDON).date(),
            f"{field}__lte": until.astimezone(LONDON).date()}).select_related(*related)
    return query


def _supervision_rec(s: Any, location: Any) -> Rec | None:
    if s.archived_at is not None:
        return None
    return Rec(type="supervision", id=str(s.uuid), location_id=str(location.uuid),
               at=_day_start(s.date),
               label=f"Supervision of {s.supervisee.full_name} on {_fmt_date(s.date)}",
               fields={"staff_member": _uuid(s.supervisee), "date": s.date,
                       "topic": s.topics})


def _competency_rec(c: Any, location: Any) -> Rec | None:
    if c.archived_at is not None:
        return None
    return Rec(type="competency_assessment", id=str(c.uuid), location_id=str(location.uuid),
               at=_day_start(c.date),
               label=f"Competency assessment ({_display(c, 'assessment_type').lower()}) of "
                     f"{c.staff.full_name} on {_fmt_date(c.date)}",
               fields={"staff_member": _uuid(c.staff), "assessment_type": c.assessment_type,
                       "date": c.date, "outcome": c.outcome})


def _training_rec(t: Any, location: Any) -> Rec | None:
    if t.archived_at is not None:
        return None
    return Rec(type="training", id=str(t.uuid), location_id=str(location.uuid),
               at=_day_start(t.completed_on),
               label=f"Training “{t.course}” completed by {t.staff.full_name} on "
                     f"{_fmt_date(t.completed_on)}",
               fields={"staff_member": _uuid(t.staff), "course": t.course,
                       "completed_on": t.completed_on})


def _visit_rec_of(record_type: str) -> Callable[[Any, Any], Rec | None]:
    def to_rec(v: Any, location: Any) -> Rec | None:
        if v.archived_at is not None:
            return None
        if record_type == "observation" and v.type != "observation":
            return None
        at = _day_end(v.date)  # a datetime field in the catalogue: the end of its day
        # A visit is the visitor's; an observation of practice is about who was observed
        # (none named: it cannot fulfil a task about a staff member).
        observed = v.staff_observed if record_type == "observation" else None
        staff = observed if record_type == "observation" else v.visitor
        label = f"{_display(v, 'type')} by {v.visitor.full_name} on {_fmt_date(v.date)}"
        if observed is not None:
            label = (f"Observation of {observed.full_name}'s practice by "
                     f"{v.visitor.full_name} on {_fmt_date(v.date)}")
        return Rec(type=record_type, id=str(v.uuid), location_id=str(location.uuid),
                   at=at,  # type: ignore[arg-type]
                   label=label,
                   fields={"type": v.type, "staff_member": _uuid(staff), "person": None,
                           "visited_at": at})
    return to_rec


def _observations(location: Any, since: dt.datetime, until: dt.datetime) -> QuerySet:
    return _dated("feedback.visit", "date", "visitor", "staff_observed")(
        location, since, until).filter(type="observation")


def _meeting_rec(m: Any, location: Any) -> Rec | None:
    if m.archived_at is not None or m.location_id != location.pk:
        return None
    return Rec(type="meeting", id=str(m.uuid), location_id=str(location.uuid),
               at=_day_start(m.held_on),
               label=f"{_display(m, 'meeting_type')} held {_fmt_date(m.held_on)}",
               fields={"meeting_type": m.meeting_type, "held_on": m.held_on, "theme": None})


def _signals(location: Any, since: dt.datetime, until: dt.datetime) -> QuerySet:
    from django.db.models import DateTimeField, Q, Value

    return _live(_model("signals.signal").objects, location).exclude(status="withdrawn").filter(
        Q(raised_at__gte=since, raised_at__lte=until) | Q(due_at__gte=since, due_at__lte=until)
    ).select_related("indicator", "theme").annotate(as_of=Value(until, DateTimeField()))


def _signal_rec(s: Any, location: Any) -> Rec | None:
    if s.archived_at is not None or s.status == "withdrawn":
        return None
    as_of = getattr(s, "as_of", None) or timezone.now()
    signal = s.direction
    at = s.raised_at
    if s.direction == "concern" and s.status == "open" and s.due_at is not None \
            and s.due_at <= as_of:
        signal, at = "uninterpreted", s.due_at
    period = f"{s.period_start:%b %Y}"
    what = {"uninterpreted": f"concern signal for {period} not interpreted by "
                             f"{_fmt_time(s.due_at)}" if s.due_at else "",
            "concern": f"concern signal for {period}",
            "improvement": f"improvement signal for {period}"}[signal]
    return Rec(type="indicator_signal", id=str(s.uuid), location_id=str(location.uuid), at=at,
               label=f"{s.indicator.name}: {what}",
               fields={"indicator": s.indicator.code, "signal": signal,
                       "theme": _uuid(s.theme), "signalled_at": at})


_STAFF = ("uuid", "full_name")


def _cols(*names: str, **related: tuple[str, ...]) -> tuple[str, ...]:
    """Columns: `uuid` and `archived_at`, `names`, and `related` ones as `name__column`."""
    return ("uuid", "archived_at", *names,
            *(f"{rel}__{col}" for rel, cols in related.items() for col in cols))


_VISIT_COLS = _cols("date", "type", visitor=_STAFF, staff_observed=_STAFF)

ADAPTERS: Mapping[str, Adapter] = {a.type: a for a in (
    Adapter("medicines_discrepancy", "medicines.discrepancy", _discrepancies,
            _discrepancy_rec, also=("medicines.medicinescheck",),
            also_fields=("check_date", "shift", "location", "archived_at", "organisation"),
            columns=_cols("type", "staff_responsible_id", person=("uuid",),
                          staff_responsible=_STAFF,
                          check_record=("check_date", "shift", "archived_at"))),
    Adapter("safeguarding_concern", "safeguarding.safeguardingconcern", _concerns,
            _concern_rec,
            columns=_cols("raised_at", "category", "shift_lead_notified_at",
                          "manager_reviewed_at", "decision", "la_referral_at",
                          "cqc_notified_at", raised_by=_STAFF, person=("uuid",))),
    Adapter("care_plan_review", "careplans.careplanreview", _reviews, _review_rec,
            columns=_cols("completed_on", "mismatch_found", "due_date",
                          person=("uuid", "reference"), key_worker=("uuid",))),
    Adapter("incident", "incidents.incident", _incidents, _incident_rec,
            columns=_cols("occurred_at", "type", "severity", "person_id",
                          person=("uuid", "reference"))),
    Adapter("complaint", "incidents.complaint", _complaints, _complaint_rec,
            columns=_cols("received_on", "category", "response_due", "response_sent_on",
                          person=("uuid",))),
    Adapter("audit", "audits.audit", _audits, _audit_rec,
            columns=_cols("status", "completed_at", "is_reaudit", "score", "audit_date",
                          "passed", "kind", template=("title", "code", "pass_mark"),
                          theme=("uuid",))),
    Adapter("occurrence", "governance.occurrence", _occurrences, _occurrence_rec,
            columns=_cols("due_at", "status", "completed_at",
                          cadence=("title", "cadence_code", "uuid", "theme__uuid"))),
    Adapter("action", "themes.action", _actions, _action_rec,
            columns=_cols("due_date", "status", "completed_on", "description",
                          theme=("uuid", "title"), owner=("uuid",))),
    Adapter("supervision", "workforce.supervision",
            _dated("workforce.supervision", "date", "supervisee"), _supervision_rec,
            columns=_cols("date", "topics", supervisee=_STAFF)),
    Adapter("competency_assessment", "workforce.competencyassessment",
            _dated("workforce.competencyassessment", "date", "staff"), _competency_rec,
            columns=_cols("date", "assessment_type", "outcome", staff=_STAFF)),
    Adapter("training", "workforce.trainingrecord",
            _dated("workforce.trainingrecord", "completed_on", "staff"), _training_rec,
            columns=_cols("completed_on", "course", staff=_STAFF)),
    Adapter("visit", "feedback.visit", _dated("feedback.visit", "date", "visitor"),
            _visit_rec_of("visit"), columns=_VISIT_COLS),
    Adapter("observation", "feedback.visit", _observations, _visit_rec_of("observation"),
            columns=_VISIT_COLS),
    Adapter("meeting", "meetings.meeting", _dated("meetings.meeting", "held_on"),
            _meeting_rec, columns=_cols("location_id", "held_on", "meeting_type")),
    Adapter("indicator_signal", "signals.signal", _signals, _signal_rec,
            columns=_cols("direction", "status", "due_at", "raised_at", "period_start", "as_of",
                          indicator=("code", "name"), theme=("uuid",))),
)}


def types_of_model(label: str) -> tuple[str, ...]:
    """The record types a model's rows are (or change: a medicines check)."""
    label = label.lower()
    return tuple(t for t, a in ADAPTERS.items()
                 if a.model == label or label in a.also)


def types_changed(label: str, action: str, fields: Iterable[str] | None = None
                  ) -> tuple[str, ...]:
    """The record types a write of `label` rows can change: every type the model's rows are,
    and the types it changes through `Adapter.also` only when the write can move or hide
    their records (not on a create; on an update only when it sets one of `also_fields`;
    `fields` None: unknown, assume it does)."""
    label = label.lower()
    changed = set(fields) if fields is not None else None
    out = []
    for t in types_of_model(label):
        adapter = ADAPTERS[t]
        if adapter.model != label and label in adapter.also:
            if action == "create":
                continue
            if action == "update" and changed is not None and not (
                    changed & set(adapter.also_fields)):
                continue
        out.append(t)
    return tuple(out)


def model_labels() -> list[str]:
    """Every model whose writes can change a record of some type."""
    labels = {a.model for a in ADAPTERS.values()}
    labels |= {m for a in ADAPTERS.values() for m in a.also}
    return sorted(labels)


def load(record_type: str, location: Any, since: dt.datetime,
         until: dt.datetime | None = None) -> list[Rec]:
    """The records of `record_type` at `location` with their time in [since, until]."""
    adapter = ADAPTERS.get(record_type)
    if adapter is None:
        return []
    until = until or dt.datetime.max.replace(tzinfo=UTC) - dt.timedelta(days=2)
    found = []
    rows: Iterable[Any] = adapter.query(location, since, until)
    if adapter.columns:
        make = _row_maker(_model(adapter.model), adapter.columns)
        rows = (make(values) for values in rows.values_list(  # type: ignore[attr-defined]
            *adapter.columns))
    for row in rows:
        rec = adapter.to_rec(row, location)
        if rec is not None and since <= rec.at <= until:
            found.append(rec)
    found.sort(key=lambda r: (r.at, r.id))
    return found


def load_many(types: Iterable[str], location: Any, since: dt.datetime,
              until: dt.datetime | None = None) -> list[Rec]:
    out: list[Rec] = []
    for t in sorted(set(types)):
        out.extend(load(t, location, since, until))
    return out


def load_one(record_type: str, organisation_id: int, record_id: Any) -> tuple[Any, Rec] | None:
    """One record of a type by its public id (uuid) in an organisation, with its `Rec`
    (None when there is no such live record of that type)."""
    adapter = ADAPTERS.get(record_type)
    if adapter is None:
        return None
    model = _model(adapter.model)
    try:
        row = model.objects.select_related("location").get(
            organisation_id=organisation_id, uuid=record_id)
    except (model.DoesNotExist, DjangoValidationError, ValueError, TypeError):
        return None
    if row.location_id is None:
        return None
    rec = adapter.to_rec(row, row.location)
    return (row, rec) if rec is not None else None


def recs_from_instance(label: str, obj: Any, location: Any) -> list[Rec]:
    """The `Rec`s one written row is (a visit of type observation is both a visit and an
    observation); empty when it is archived or not a record of any type."""
    out = []
    for t in types_of_model(label):
        adapter = ADAPTERS[t]
        if adapter.model != label.lower():
            continue
        rec = adapter.to_rec(obj, location)
        if rec is not None:
            out.append(rec)
    return out


def rec_from_instance(label: str, obj: Any) -> Rec | None:
    """The first `Rec` of a written row (see `recs_from_instance`)."""
    location = getattr(obj, "location", None)
    if location is None:
        return None
    found = recs_from_instance(label, obj, location)
    return found[0] if found else None


def record_ref(rec: Rec) -> dict[str, str]:
    """How a firing or task stores a record: {type, id, label, at}."""
    return {"type": rec.type, "id": rec.id, "label": rec.label, "at": rec.at.isoformat()}


def day_start(day: dt.date) -> dt.datetime:
    return _day_start(day)
