"""Evaluating escalation rules: records in, firings out (ADR 0014 §3). Pure and deterministic.

`evaluate(rule, records, prior, now)` returns the new firings, the keys of prior firings that
still hold and the prior firings withdrawn (with a reason naming the record). The result
depends on the set of records and the prior firings, never on their order:

- a record that belongs to a prior firing that still holds is not counted again
  (consumption); for `repeated` the unconsumed records of a group are taken in time order and
  a firing takes the first `count` records inside one window (`last.at - first.at <=
  within_days`, both ends inclusive); `audit_below` takes runs of `consecutive` audits below
  the mark, then starts a new run;
- evaluating again with the new firings as prior yields no new firing (idempotence).

`fulfils` says whether a record fulfils a task (None) or why not; `next_step` walks the ladder.

Callers pass every record of `records_needed(rule)` whose time is at or after
`now - lookback(rule)`, every (not archived) record a prior firing names, and as `prior` every
firing not withdrawn triggered at or after `now - lookback(rule)`.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sustain.engine.escalation_records import (
    RECORD_TYPES,
    SUBJECT_KINDS,
    SUBJECTS,
    Rec,
    subject_fields,
)
from sustain.engine.escalation_rules import (
    BOARD,
    ResponseSpec,
    Rule,
    TriggerAuditBelow,
    TriggerIndicatorSignal,
    TriggerMissedOccurrence,
    TriggerOverdueAction,
    TriggerRepeated,
    TriggerTimeliness,
    describe_where,
    group_phrase,
    rule_checksum,
    trigger_record,
)


@dataclass(frozen=True)
class PriorFiring:
    key: str
    record_ids: tuple[str, ...]


@dataclass(frozen=True)
class Firing:
    key: str                  # sha256(rule id, group, sorted record ids)[:32]
    rule_id: str
    rule_version: str
    location_id: str
    group: tuple[str, str]    # (group field, value), e.g. ("staff_member", "41")
    record_ids: tuple[str, ...]   # the matching records, in time order
    triggered_at: datetime
    subject: Mapping[str, str]    # staff_member / person / location / theme ids
    explanation: str

    def as_prior(self) -> PriorFiring:
        return PriorFiring(self.key, self.record_ids)


@dataclass(frozen=True)
class Withdrawal:
    key: str
    reason: str


@dataclass(frozen=True)
class Evaluation:
    new: tuple[Firing, ...]
    kept: tuple[str, ...]
    withdrawn: tuple[Withdrawal, ...]


# --- formatting ---------------------------------------------------------------------------


def fmt_date(d: date | datetime) -> str:
    """`3 Mar 2026`."""
    return f"{d.day} {d:%b %Y}"


def fmt_datetime(d: datetime) -> str:
    """`3 Mar 2026 14:00`."""
    return f"{d.day} {d:%b %Y %H:%M}"


def _name(rec: Rec) -> str:
    """How a record is named in a reason: its label, else its type and date."""
    if rec.label:
        return rec.label
    rt = RECORD_TYPES.get(rec.type)
    label = rt.label if rt else rec.type.replace("_", " ")
    return f"the {label} of {fmt_date(rec.at)}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- helpers ------------------------------------------------------------------------------


def _matches(rec: Rec, where: Mapping[str, object]) -> str | None:
    """None when `rec` matches the filter, else the first field that does not."""
    for name, expected in where.items():
        value = rec.fields.get(name)
        allowed = expected if isinstance(expected, list) else [expected]
        if not any(_equal(value, a) for a in allowed):
            return name
    return None


def _equal(value: object, expected: object) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return value is expected
    if isinstance(expected, int | float) and isinstance(value, int | float):
        return float(value) == float(expected)
    return value == expected


def _order(rec: Rec) -> tuple[datetime, str]:
    return (rec.at, rec.id)


def firing_key(rule_id: str, group: tuple[str, str], record_ids: Sequence[str]) -> str:
    payload = json.dumps([rule_id, list(group), sorted(record_ids)], separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def _subject(record_type: str, group: tuple[str, str], recs: Sequence[Rec]) -> dict[str, str]:
    """The ids the firing is about: the group's, and each subject all matched records agree
    on (plus the location)."""
    out: dict[str, str] = {"location": recs[0].location_id}
    if record_type in RECORD_TYPES:
        kind = RECORD_TYPES[record_type].kind(group[0])
        if kind is not None and kind in SUBJECT_KINDS:
            out[SUBJECT_KINDS[kind]] = group[1]
        for subject, fname in subject_fields(record_type).items():
            if subject in out:
                continue
            values = {r.fields.get(fname) for r in recs}
            if len(values) == 1:
                (value,) = values
                if value is not None:
                    out[subject] = str(value)
    return out


def _dates(recs: Sequence[Rec]) -> str:
    return ", ".join(fmt_date(r.at) + (f" ({r.label})" if r.label else "") for r in recs)


class _Ctx:
    """State of one evaluation."""

    def __init__(self, rule: Rule, version: str) -> None:
        self.rule, self.version = rule, version
        self.new: list[Firing] = []

    def fire(self, group: tuple[str, str], recs: Sequence[Rec], triggered_at: datetime,
             explanation: str) -> None:
        recs = sorted(recs, key=_order)
        ids = tuple(r.id for r in recs)
        record = trigger_record(self.rule.trigger)
        self.new.append(Firing(
            key=firing_key(self.rule.id, group, ids), rule_id=self.rule.id,
            rule_version=self.version, location_id=recs[0].location_id, group=group,
            record_ids=ids, triggered_at=triggered_at, subject=_subject(record, group, recs),
            explanation=explanation))


# --- trigger kinds ------------------------------------------------------------------------
# Each kind gives: `candidates(recs)` (the records it reads), `group_of(rec)`, a check of one
# prior firing (None = holds, else the reason) and the search for new firings among the
# records not consumed.


def _base_filter(rule: Rule) -> Callable[[Rec], str | None]:
    """None when a record of the trigger's type matches its filter, else a reason."""
    trig = rule.trigger
    if isinstance(trig, TriggerRepeated | TriggerTimeliness):
        where: Mapping[str, object] = trig.where
        record = trig.record

        def check(rec: Rec) -> str | None:
            bad = _matches(rec, where)
            if bad is None:
                return None
            return (f"{_name(rec)} no longer matches the rule ({bad.replace('_', ' ')} is now "
                    f"{_show(rec.fields.get(bad))}; the rule needs "
                    f"{describe_where(record, {bad: where[bad]})})")
        return check
    if isinstance(trig, TriggerAuditBelow):
        def check_audit(rec: Rec) -> str | None:
            if trig.template is not None and rec.fields.get("template") != trig.template:
                return f"{_name(rec)} is no longer an audit of template {trig.template}"
            if trig.reaudit_only and rec.fields.get("is_reaudit") is not True:
                return f"{_name(rec)} is no longer marked as a re-audit"
            if trig.group_by == "theme" and not rec.fields.get("theme"):
                return f"{_name(rec)} is no longer linked to a theme"
            if _score(rec) is None:
                return f"{_name(rec)} no longer has a score"
            return None
        return check_audit
    if isinstance(trig, TriggerMissedOccurrence):
        def check_occ(rec: Rec) -> str | None:
            if trig.cadence is not None and rec.fields.get("cadence") != trig.cadence:
                return f"{_name(rec)} is no longer an occurrence of {trig.cadence}"
            status = rec.fields.get("status")
            if status != "missed":
                return f"{_name(rec)} is no longer missed (now {_show(status)})"
            return None
        return check_occ
    if isinstance(trig, TriggerOverdueAction):
        def check_action(rec: Rec) -> str | None:
            if rec.fields.get("status") == "cancelled":
                return f"{_name(rec)} was cancelled"
            return None
        return check_action
    assert isinstance(trig, TriggerIndicatorSignal)

    def check_signal(rec: Rec) -> str | None:
        if trig.indicator is not None and rec.fields.get("indicator") != trig.indicator:
            return f"{_name(rec)} is no longer about indicator {trig.indicator}"
        if rec.fields.get("signal") != trig.signal:
            return f"{_name(rec)} no longer signals a {_signal_word(trig.signal)}"
        return None
    return check_signal


def _signal_word(signal: str) -> str:
    return "concern not interpreted in time" if signal == "uninterpreted" else signal


def _show(value: object) -> str:
    if value is None:
        return "not recorded"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return fmt_datetime(value)
    if isinstance(value, date):
        return fmt_date(value)
    if isinstance(value, int | float):
        return f"{value:g}"
    return str(value).replace("_", " ")


def _group_of(rule: Rule, rec: Rec) -> tuple[str, str] | None:
    """The group a record counts in (besides its location), or None when it has none."""
    trig = rule.trigger
    if isinstance(trig, TriggerRepeated):
        if trig.group_by == "location":
            return ("location", rec.location_id)
        value = rec.fields.get(trig.group_by)
        return None if value is None else (trig.group_by, str(value))
    if isinstance(trig, TriggerAuditBelow):
        if trig.group_by == "theme":
            theme = rec.fields.get("theme")
            return None if not theme else ("theme", str(theme))
        template = rec.fields.get("template")
        return None if template is None else ("template", str(template))
    if isinstance(trig, TriggerMissedOccurrence):
        if trig.count == 1:
            return ("record", rec.id)
        cadence = rec.fields.get("cadence")
        return ("cadence", str(cadence)) if cadence is not None else None
    return ("record", rec.id)


# -- repeated / missed occurrences (a count within a window) -------------------------------


def _window_of(rule: Rule) -> tuple[int, timedelta | None]:
    trig = rule.trigger
    if isinstance(trig, TriggerRepeated):
        return trig.count, timedelta(days=trig.within_days)
    assert isinstance(trig, TriggerMissedOccurrence)
    return trig.count, (timedelta(days=trig.within_days) if trig.within_days else None)


def _windowed_explanation(rule: Rule, group: tuple[str, str], recs: Sequence[Rec]) -> str:
    trig = rule.trigger
    record = trigger_record(trig)
    rt = RECORD_TYPES[record]
    if isinstance(trig, TriggerRepeated):
        cond = describe_where(record, trig.where)
        what = f"{rt.plural}" + (f" ({cond})" if cond else "")
        kind = rt.kind(trig.group_by)
        who = "at the service" if trig.group_by == "location" else \
            f"{'by' if kind == 'staff' else 'for'} {group_phrase(record, trig.group_by)}"
        return (f"{len(recs)} {what} {who} within {trig.within_days} days: {_dates(recs)}. "
                f"Rule: {rule.title}.")
    assert isinstance(trig, TriggerMissedOccurrence)
    if len(recs) == 1:
        return f"{_cap(_name(recs[0]))} was missed ({fmt_date(recs[0].at)}). Rule: {rule.title}."
    return (f"{len(recs)} missed occurrences of {group[1]} within {trig.within_days} days: "
            f"{_dates(recs)}. Rule: {rule.title}.")


def _check_windowed(rule: Rule, recs: Sequence[Rec]) -> str | None:
    count, window = _window_of(rule)
    if len(recs) < count:
        return f"only {len(recs)} of the {count} records needed still match"
    keys = [(r.location_id, _group_of(rule, r)) for r in recs]
    if len(set(keys)) > 1:
        common = max(sorted(set(keys), key=str), key=keys.count)
        moved = next(r for r, k in zip(recs, keys, strict=True) if k != common)
        return _moved_reason(moved, common, rule)
    if window is not None and recs[-1].at - recs[0].at > window:
        return (f"{_cap(_name(recs[-1]))} ({fmt_date(recs[-1].at)}) is now more than "
                f"{window.days} days after {_name(recs[0])} ({fmt_date(recs[0].at)})")
    return None


def _moved_reason(rec: Rec, common: tuple[str, tuple[str, str] | None], rule: Rule) -> str:
    """Why a record no longer counts with the others of its firing."""
    if rec.location_id != common[0]:
        return f"{_cap(_name(rec))} is now recorded at another location"
    group = _group_of(rule, rec)
    field = (common[1] or group or ("group", ""))[0].replace("_", " ")
    if group is None:
        return f"{_cap(_name(rec))} no longer names a {field}"
    return f"{_cap(_name(rec))} now names another {field}"


def _find_windowed(rule: Rule, free: Sequence[Rec], ctx: _Ctx) -> None:
    count, window = _window_of(rule)
    groups: dict[tuple[str, tuple[str, str]], list[Rec]] = defaultdict(list)
    for rec in free:
        group = _group_of(rule, rec)
        if group is not None:
            groups[(rec.location_id, group)].append(rec)
    for (_loc, group), recs in sorted(groups.items()):
        remaining = sorted(recs, key=_order)
        i = 0
        while i < len(remaining):
            first = remaining[i]
            take = [r for r in remaining[i:]
                    if window is None or r.at - first.at <= window][:count]
            if len(take) == count:
                ctx.fire(group, take, take[-1].at, _windowed_explanation(rule, group, take))
                taken = {r.id for r in take}
                remaining = [r for r in remaining if r.id not in taken]
            else:
                i += 1


# -- timeliness ----------------------------------------------------------------------------


def _limit(trig: TriggerTimeliness, rec: Rec) -> datetime | None:
    start = rec.fields.get(trig.from_field)
    if not isinstance(start, datetime):
        return None
    if trig.within_hours is not None:
        return start + timedelta(hours=trig.within_hours)
    end = rec.fields.get("shift_end")
    return end if isinstance(end, datetime) else None


def _breach(trig: TriggerTimeliness, rec: Rec, now: datetime) -> tuple[datetime, str] | str:
    """(triggered_at, explanation) when the record breaches; else why it does not."""
    limit = _limit(trig, rec)
    to_name = trig.to_field.removesuffix("_at").replace("_", " ")
    if limit is None:
        what = "shift end" if trig.deadline else trig.from_field.replace("_", " ")
        return f"{_name(rec)} has no {what} recorded"
    done = rec.fields.get(trig.to_field)
    limit_text = ("the end of the shift" if trig.deadline else
                  f"{trig.within_hours} hours after {trig.from_field.replace('_', ' ')}")
    if done is None:
        if now > limit:
            return limit, (f"{_cap(_name(rec))}: {to_name} not recorded by {limit_text} "
                           f"({fmt_datetime(limit)}).")
        return f"{_name(rec)}: the limit ({fmt_datetime(limit)}) has not passed"
    if isinstance(done, datetime) and done > limit:
        return limit, (f"{_cap(_name(rec))}: {to_name} {fmt_datetime(done)}, after "
                       f"{limit_text} ({fmt_datetime(limit)}).")
    return (f"{_name(rec)}: {to_name} is now recorded as {_show(done)}, within "
            f"{limit_text} ({fmt_datetime(limit)})")


# -- audits below a mark -------------------------------------------------------------------


def _score(rec: Rec) -> float | None:
    score = rec.fields.get("score")
    if isinstance(score, int | float) and not isinstance(score, bool):
        return float(score)
    return None


def _mark(trig: TriggerAuditBelow, rec: Rec) -> float | None:
    if trig.below is not None:
        return trig.below
    mark = rec.fields.get("pass_mark")
    if isinstance(mark, int | float) and not isinstance(mark, bool):
        return float(mark)
    return None


def _is_below(trig: TriggerAuditBelow, rec: Rec) -> bool:
    score, mark = _score(rec), _mark(trig, rec)
    if score is None:
        return False
    if mark is None:
        return rec.fields.get("passed") is False
    return score < mark


def _audit_explanation(rule: Rule, trig: TriggerAuditBelow, recs: Sequence[Rec]) -> str:
    parts = []
    for r in recs:
        mark = _mark(trig, r)
        score = _score(r)
        parts.append(f"{fmt_date(r.at)} {score:g} %" + (f" (pass mark {mark:g} %)"
                                                        if mark is not None else ""))
    what = "re-audits" if trig.reaudit_only else "audits"
    scope = "for the theme" if trig.group_by == "theme" else \
        f"of {recs[0].fields.get('template')}"
    if len(recs) == 1:
        return f"An {what[:-1]} {scope} scored below the mark: {parts[0]}. Rule: {rule.title}."
    return (f"{len(recs)} {what} {scope} in a row below the mark: {', '.join(parts)}. "
            f"Rule: {rule.title}.")


def _audit_groups(rule: Rule, recs: Sequence[Rec]) -> dict[tuple[str, tuple[str, str]],
                                                            list[Rec]]:
    groups: dict[tuple[str, tuple[str, str]], list[Rec]] = defaultdict(list)
    for rec in recs:
        group = _group_of(rule, rec)
        if group is not None:
            groups[(rec.location_id, group)].append(rec)
    for key in groups:
        groups[key].sort(key=_order)
    return groups


# --- evaluation ---------------------------------------------------------------------------


def evaluate(rule: Rule, records: Sequence[Rec], prior: Sequence[PriorFiring], now: datetime,
             *, version: str | None = None) -> Evaluation:
    """New firings, kept prior keys and withdrawn prior firings for one rule.

    `version` is stored on each firing (default: the rule's checksum, 12 hex digits).
    """
    ctx = _Ctx(rule, version if version is not None else rule_checksum(rule)[:12])
    trig = rule.trigger
    record = trigger_record(trig)
    base = _base_filter(rule)
    of_type = {r.id: r for r in records if r.type == record}
    candidates = {i: r for i, r in of_type.items() if base(r) is None}

    kept: list[str] = []
    withdrawn: list[Withdrawal] = []
    consumed: set[str] = set()
    audit_groups = _audit_groups(rule, list(candidates.values())) \
        if isinstance(trig, TriggerAuditBelow) else {}

    def check_prior(p: PriorFiring) -> str | None:
        for rid in p.record_ids:
            if rid in consumed:
                return f"record {rid} is already counted in another firing of this rule"
            if rid not in of_type:
                return f"record {rid} is no longer recorded (archived or moved)"
            reason = base(of_type[rid])
            if reason is not None:
                return reason
        recs = sorted((of_type[i] for i in p.record_ids), key=_order)
        if not recs:
            return "the firing names no records"
        if isinstance(trig, TriggerRepeated) or (
                isinstance(trig, TriggerMissedOccurrence) and trig.count > 1):
            return _check_windowed(rule, recs)
        if isinstance(trig, TriggerTimeliness):
            result = _breach(trig, recs[0], now)
            return result if isinstance(result, str) else None
        if isinstance(trig, TriggerAuditBelow):
            return _check_run(rule, trig, recs, audit_groups)
        if isinstance(trig, TriggerOverdueAction):
            result2 = _overdue(trig, recs[0], now)
            return result2 if isinstance(result2, str) else None
        return None  # missed occurrence (count 1), indicator signal: the base filter says it

    for p in sorted(prior, key=lambda x: x.key):
        reason = check_prior(p)
        if reason is None:
            kept.append(p.key)
            consumed.update(p.record_ids)
        else:
            withdrawn.append(Withdrawal(p.key, _cap(reason)))

    free = sorted((r for i, r in candidates.items() if i not in consumed), key=_order)
    if isinstance(trig, TriggerRepeated | TriggerMissedOccurrence):
        _find_windowed(rule, free, ctx)
    elif isinstance(trig, TriggerTimeliness):
        for rec in free:
            result = _breach(trig, rec, now)
            if not isinstance(result, str):
                ctx.fire(("record", rec.id), [rec], result[0],
                         f"{result[1]} Rule: {rule.title}.")
    elif isinstance(trig, TriggerAuditBelow):
        _find_runs(rule, trig, audit_groups, consumed, ctx)
    elif isinstance(trig, TriggerOverdueAction):
        for rec in free:
            result2 = _overdue(trig, rec, now)
            if not isinstance(result2, str):
                ctx.fire(("record", rec.id), [rec], result2[0],
                         f"{result2[1]} Rule: {rule.title}.")
    else:
        for rec in free:
            indicator = str(rec.fields.get("indicator") or "an indicator")
            ctx.fire(("indicator", indicator), [rec], rec.at,
                     f"{_cap(_name(rec))}: {indicator} signals a {_signal_word(trig.signal)} "
                     f"({fmt_date(rec.at)}). Rule: {rule.title}.")
    new = tuple(sorted(ctx.new, key=lambda f: (f.triggered_at, f.key)))
    return Evaluation(new=new, kept=tuple(sorted(kept)),
                      withdrawn=tuple(sorted(withdrawn, key=lambda w: w.key)))


def _check_run(rule: Rule, trig: TriggerAuditBelow, recs: Sequence[Rec],
               groups: Mapping[tuple[str, tuple[str, str]], Sequence[Rec]]) -> str | None:
    if len(recs) != trig.consecutive:
        return f"the run has {len(recs)} audits; the rule needs {trig.consecutive} in a row"
    keys_list = [(r.location_id, _group_of(rule, r)) for r in recs]
    keys = set(keys_list)
    if len(keys) != 1:
        common = max(sorted(keys, key=str), key=keys_list.count)
        moved = next(r for r, k in zip(recs, keys_list, strict=True) if k != common)
        return _moved_reason(moved, common, rule)
    for r in recs:
        if not _is_below(trig, r):
            mark = _mark(trig, r)
            return (f"{_name(r)} now scores {_show(_score(r))} %, not below the mark"
                    + (f" ({mark:g} %)" if mark is not None else ""))
    (key,) = keys
    assert key[1] is not None
    members = {r.id for r in recs}
    between = [a for a in groups.get((key[0], key[1]), ())
               if _order(recs[0]) < _order(a) < _order(recs[-1]) and a.id not in members]
    if between:
        return (f"{_name(between[0])} ({fmt_date(between[0].at)}) now comes between the "
                f"audits of the run, so they are no longer in a row")
    return None


def _find_runs(rule: Rule, trig: TriggerAuditBelow,
               groups: Mapping[tuple[str, tuple[str, str]], Sequence[Rec]],
               consumed: set[str], ctx: _Ctx) -> None:
    for (_loc, group), audits in sorted(groups.items()):
        run: list[Rec] = []
        for audit in audits:
            if audit.id in consumed or not _is_below(trig, audit):
                run = []
                continue
            run.append(audit)
            if len(run) == trig.consecutive:
                ctx.fire(group, run, run[-1].at, _audit_explanation(rule, trig, run))
                run = []


# -- overdue actions -----------------------------------------------------------------------


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _overdue(trig: TriggerOverdueAction, rec: Rec, now: datetime) -> tuple[datetime, str] | str:
    due = _as_date(rec.fields.get("due_date")) or rec.at.date()
    last_ok = due + timedelta(days=trig.days_overdue)
    # The moment it became overdue: the start of the day after the last day allowed, in the
    # record's own time zone (its `at` is the start of its due date).
    triggered_at = rec.at + (last_ok - rec.at.date()) + timedelta(days=1)
    done = _as_date(rec.fields.get("completed_on"))
    grace = "" if trig.days_overdue == 0 else f" (plus {trig.days_overdue} days)"
    if done is None:
        if rec.fields.get("status") in ("done", "effective"):
            return f"{_name(rec)} is done"
        if now >= triggered_at:
            return triggered_at, (f"{_cap(_name(rec))} was due {fmt_date(due)}{grace} and is "
                                  f"not done.")
        return f"{_name(rec)} is not overdue (due {fmt_date(due)}{grace})"
    if done > last_ok:
        return triggered_at, (f"{_cap(_name(rec))} was due {fmt_date(due)}{grace} and was done "
                              f"late, on {fmt_date(done)}.")
    return f"{_name(rec)} is now done on {fmt_date(done)}, in time (due {fmt_date(due)}{grace})"


# --- fulfilment and the ladder ------------------------------------------------------------


def fulfils(response: ResponseSpec, subject: Mapping[str, str], triggered_at: datetime,
            rec: Rec, *, triggered_by: Collection[str] = ()) -> str | None:
    """None when `rec` fulfils (one count of) the response; otherwise the reason it does not.

    The record must be of the response's record type, match its filter, be about the task's
    subject (when the record names one: a written note need not) and at its location, be
    dated after the trigger (on or after the trigger's day for records that carry a date
    only), and not be one of the records that made the rule fire (`triggered_by`: a care
    plan review that found the mismatch is not the plan review the mismatch calls for).
    """
    need = response.fulfilled_by
    rt = RECORD_TYPES.get(rec.type)
    label = rt.label if rt else rec.type.replace("_", " ")
    if rec.id in triggered_by and rec.type == need.record:
        return f"the {label} is one of the records that made the rule fire"
    if rec.type != need.record:
        want = RECORD_TYPES[need.record].label if need.record in RECORD_TYPES else need.record
        return f"a {label} does not fulfil this task: it needs a {want}"
    bad = _matches(rec, need.where)
    if bad is not None:
        return (f"the {label} does not match: {bad.replace('_', ' ')} is "
                f"{_show(rec.fields.get(bad))}, the task needs "
                f"{describe_where(need.record, {bad: need.where[bad]})}")
    location = subject.get("location")
    if location is not None and rec.location_id != location:
        return f"the {label} is at another location"
    fields = subject_fields(rec.type)
    for about in ("staff_member", "person", "theme"):
        if about != response.subject or about not in subject or about not in fields:
            continue
        value = rec.fields.get(fields[about])
        if value is None:
            if rec.type == "note":
                continue
            return f"the {label} does not name the {SUBJECTS[about]}"
        if str(value) != subject[about]:
            return f"the {label} is of another {SUBJECTS[about]}"
    if rt is not None and rt.kind(rt.time_field) == "date":
        # A record that carries a date only counts from the trigger's day (in the record's
        # own time zone): a supervision "on 17 Mar" fulfils a trigger at 14:00 that day.
        day = rec.fields.get(rt.time_field)
        on = day if isinstance(day, date) and not isinstance(day, datetime) else rec.at.date()
        trigger_day = triggered_at.astimezone(rec.at.tzinfo).date() if rec.at.tzinfo and \
            triggered_at.tzinfo else triggered_at.date()
        if on < trigger_day:
            return f"the {label} was before the trigger ({fmt_datetime(triggered_at)})"
    elif rec.at < triggered_at:
        return f"the {label} was before the trigger ({fmt_datetime(triggered_at)})"
    return None


def next_step(ladder: Sequence[str], step: int, now: datetime, escalate_after_days: int
              ) -> tuple[str, datetime] | None:
    """Where an overdue task goes next. `step` counts the escalations so far (0: still with
    its owner), so the task moves to `ladder[step]` with a new due date; None once it has
    reached the last step (the board report)."""
    if step < 0 or step >= len(ladder):
        return None
    if step > 0 and ladder[step - 1] == BOARD:
        return None
    return ladder[step], now + timedelta(days=escalate_after_days)


__all__ = ["Evaluation", "Firing", "PriorFiring", "Withdrawal", "evaluate", "firing_key",
           "fmt_date", "fmt_datetime", "fulfils", "next_step"]
