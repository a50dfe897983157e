"""The escalation evaluator (ADR 0014 §3): windows, grouping, consumption, withdrawal,
timeliness, audit runs, governance triggers, fulfilment and the ladder."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sustain.engine.escalation_eval import (
    Evaluation,
    Firing,
    PriorFiring,
    evaluate,
    firing_key,
    fulfils,
    next_step,
)
from sustain.engine.escalation_records import Rec
from sustain.engine.escalation_rules import Rule, TriggerRepeated, parse_rule

T0 = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
NOW = datetime(2026, 9, 1, tzinfo=UTC)

RESPONSE = """\
responses:
  - task: supervision
    title: Immediate supervision
    subject: staff_member
    owner_role: registered_manager
    due_within_hours: 24
    fulfilled_by: {record: supervision}
"""


def rule(trigger: str, responses: str = RESPONSE, rule_id: str = "r") -> Rule:
    text = f"id: {rule_id}\ntitle: Test rule\nsource: test\ntrigger:\n{trigger}{responses}"
    return parse_rule(text, "test.yaml")


MAR = rule("""\
  kind: repeated
  record: medicines_discrepancy
  group_by: staff_member
  count: 2
  within_days: 28
""", rule_id="repeated-mar-discrepancy")


def disc(rid: str, at: datetime, staff: str | None = "41", location: str = "L1",
         type_: str = "omission", label: str = "") -> Rec:
    return Rec("medicines_discrepancy", rid, location, at,
               {"staff_member": staff, "type": type_, "person": "p1", "occurred_at": at},
               label)


def priors(*evaluations: Evaluation, kept: Sequence[PriorFiring] = ()) -> list[PriorFiring]:
    return [*kept, *(f.as_prior() for e in evaluations for f in e.new)]


# --- repeated: windows and grouping -------------------------------------------------------


def test_two_in_window_fire_once_with_explanation_and_subject() -> None:
    ev = evaluate(MAR, [disc("a", T0), disc("b", T0 + timedelta(days=14))], [], NOW)
    [f] = ev.new
    assert f.record_ids == ("a", "b")
    assert f.group == ("staff_member", "41")
    assert f.location_id == "L1"
    assert f.triggered_at == T0 + timedelta(days=14)
    assert dict(f.subject) == {"location": "L1", "staff_member": "41", "person": "p1"}
    assert f.rule_id == "repeated-mar-discrepancy"
    assert f.key == firing_key("repeated-mar-discrepancy", ("staff_member", "41"), ["b", "a"])
    assert len(f.key) == 32
    assert f.explanation.startswith(
        "2 medicines discrepancies by the same staff member within 28 days: 3 Mar 2026, "
        "17 Mar 2026")
    assert ev.kept == () and ev.withdrawn == ()


def test_window_boundary_is_inclusive_to_the_second() -> None:
    exactly = [disc("a", T0), disc("b", T0 + timedelta(days=28))]
    assert len(evaluate(MAR, exactly, [], NOW).new) == 1
    beyond = [disc("a", T0), disc("b", T0 + timedelta(days=28, seconds=1))]
    assert evaluate(MAR, beyond, [], NOW).new == ()


def test_same_day_and_same_instant_events() -> None:
    same = [disc("a", T0), disc("b", T0)]
    [f] = evaluate(MAR, same, [], NOW).new
    assert f.record_ids == ("a", "b")  # ties broken by id, deterministically
    assert "3 Mar 2026, 3 Mar 2026" in f.explanation


def test_groups_are_kept_apart_by_staff_member_and_location() -> None:
    recs = [disc("a", T0, "41"), disc("b", T0 + timedelta(days=1), "42"),
            disc("c", T0 + timedelta(days=2), "41", location="L2")]
    assert evaluate(MAR, recs, [], NOW).new == ()
    recs.append(disc("d", T0 + timedelta(days=3), "42"))
    [f] = evaluate(MAR, recs, [], NOW).new
    assert (f.group, f.record_ids) == (("staff_member", "42"), ("b", "d"))


def test_records_without_the_group_field_and_other_types_do_not_count() -> None:
    recs = [disc("a", T0, None), disc("b", T0 + timedelta(days=1), None),
            Rec("incident", "c", "L1", T0, {"staff_member": "41"})]
    assert evaluate(MAR, recs, [], NOW).new == ()


def test_where_filter_and_membership() -> None:
    falls = rule("""\
  kind: repeated
  record: incident
  where: {type: [fall, fall_with_harm]}
  group_by: person
  count: 3
  within_days: 30
""", """\
responses:
  - {task: risk_review, title: Review risk, subject: person, owner_role: registered_manager,
     due_within_hours: 48, fulfilled_by: {record: care_plan_review}}
""")

    def inc(rid: str, days: int, type_: str, person: str = "p1") -> Rec:
        return Rec("incident", rid, "L1", T0 + timedelta(days=days),
                   {"type": type_, "person": person, "severity": "low"})

    recs = [inc("a", 0, "fall"), inc("b", 5, "medicines_error"), inc("c", 10, "fall_with_harm")]
    assert evaluate(falls, recs, [], NOW).new == ()
    [f] = evaluate(falls, [*recs, inc("d", 30, "fall")], [], NOW).new
    assert f.record_ids == ("a", "c", "d")
    assert dict(f.subject) == {"location": "L1", "person": "p1"}
    assert "3 incidents (type fall or fall with harm) for the same person" in f.explanation


def test_consumption_a_b_c_fire_once_and_d_fires_again() -> None:
    recs = [disc("a", T0), disc("b", T0 + timedelta(days=1)), disc("c", T0 + timedelta(days=2))]
    first = evaluate(MAR, recs, [], NOW)
    assert [f.record_ids for f in first.new] == [("a", "b")]
    # C waits: re-evaluating with the firing as prior gives nothing new.
    again = evaluate(MAR, recs, priors(first), NOW)
    assert again.new == () and again.kept == (first.new[0].key,)
    recs.append(disc("d", T0 + timedelta(days=20)))
    second = evaluate(MAR, recs, priors(first), NOW)
    assert [f.record_ids for f in second.new] == [("c", "d")]
    assert second.kept == (first.new[0].key,)


def test_a_later_record_outside_the_first_window_starts_a_new_one() -> None:
    recs = [disc("a", T0), disc("b", T0 + timedelta(days=29)), disc("c", T0 + timedelta(days=40))]
    [f] = evaluate(MAR, recs, [], NOW).new
    assert f.record_ids == ("b", "c")


def test_location_grouping_and_rule_version() -> None:
    by_location = rule("""\
  kind: repeated
  record: medicines_discrepancy
  group_by: location
  count: 2
  within_days: 7
""", RESPONSE.replace("subject: staff_member", "subject: location"))
    recs = [disc("a", T0, "41"), disc("b", T0 + timedelta(days=1), "42")]
    [f] = evaluate(by_location, recs, [], NOW, version="7").new
    assert f.group == ("location", "L1")
    assert f.rule_version == "7"
    assert "staff_member" not in f.subject  # two different staff members
    assert "at the service" in f.explanation
    [g] = evaluate(by_location, recs, [], NOW).new
    assert len(g.rule_version) == 12  # the rule's checksum by default
    assert g.key == f.key  # the key does not depend on the version


# --- withdrawal ---------------------------------------------------------------------------


def _fired(recs: list[Rec]) -> Firing:
    [f] = evaluate(MAR, recs, [], NOW).new
    return f


def test_edit_moving_a_record_out_of_the_window_withdraws_with_a_reason() -> None:
    recs = [disc("a", T0, label="MAR discrepancy on 3 Mar, night shift"),
            disc("b", T0 + timedelta(days=10), label="MAR discrepancy on 13 Mar, day shift")]
    f = _fired(recs)
    edited = [recs[0], disc("b", T0 + timedelta(days=40),
                            label="MAR discrepancy on 12 Apr, day shift")]
    ev = evaluate(MAR, edited, [f.as_prior()], NOW)
    assert ev.kept == () and ev.new == ()
    [w] = ev.withdrawn
    assert w.key == f.key
    assert "MAR discrepancy on 12 Apr, day shift" in w.reason
    assert "more than 28 days after" in w.reason


def test_edit_changing_the_staff_member_withdraws_naming_the_record() -> None:
    recs = [disc("a", T0), disc("b", T0 + timedelta(days=10))]
    f = _fired(recs)
    ev = evaluate(MAR, [recs[0], disc("b", T0 + timedelta(days=10), "42")], [f.as_prior()], NOW)
    [w] = ev.withdrawn
    assert "17 Mar 2026" not in w.reason and "13 Mar 2026" in w.reason
    assert "another staff member" in w.reason


def test_edit_so_a_record_no_longer_matches_the_filter_withdraws() -> None:
    r = rule("""\
  kind: repeated
  record: care_plan_review
  where: {mismatch_found: true}
  group_by: key_worker
  count: 2
  within_days: 56
""")

    def review(rid: str, days: int, mismatch: bool) -> Rec:
        at = T0 + timedelta(days=days)
        return Rec("care_plan_review", rid, "L1", at,
                   {"person": "p1", "key_worker": "41", "mismatch_found": mismatch,
                    "completed_on": at.date(), "due_date": at.date()},
                   f"Care plan review of {days + 3} Mar")

    f = evaluate(r, [review("a", 0, True), review("b", 3, True)], [], NOW).new[0]
    assert dict(f.subject)["staff_member"] == "41"
    ev = evaluate(r, [review("a", 0, True), review("b", 3, False)], [f.as_prior()], NOW)
    [w] = ev.withdrawn
    assert w.reason.startswith("Care plan review of 6 Mar no longer matches the rule")
    assert "mismatch found is now no" in w.reason


def test_archived_record_withdraws_and_frees_the_others() -> None:
    recs = [disc("a", T0), disc("b", T0 + timedelta(days=1)), disc("c", T0 + timedelta(days=2))]
    first = evaluate(MAR, recs, [], NOW)
    ev = evaluate(MAR, [recs[1], recs[2]], priors(first), NOW)
    [w] = ev.withdrawn
    assert "record a is no longer recorded" in w.reason.lower()
    # b is free again and pairs with c: a new firing, with a different key.
    [f] = ev.new
    assert f.record_ids == ("b", "c") and f.key != first.new[0].key


# --- properties ---------------------------------------------------------------------------

STAFF = st.sampled_from(["41", "42", None])
OFFSETS = st.integers(min_value=0, max_value=120 * 24 * 3600)
RECS = st.lists(st.tuples(OFFSETS, STAFF, st.sampled_from(["L1", "L2"])),
                min_size=0, max_size=14).map(
    lambda rows: [disc(f"r{i:02d}", T0 + timedelta(seconds=s), staff, loc)
                  for i, (s, staff, loc) in enumerate(rows)])
RULES = st.builds(lambda count, days: rule(f"""\
  kind: repeated
  record: medicines_discrepancy
  group_by: staff_member
  count: {count}
  within_days: {days}
"""), st.integers(min_value=2, max_value=4), st.integers(min_value=1, max_value=40))


@settings(max_examples=150, deadline=None)
@given(RULES, RECS, st.randoms(use_true_random=False))
def test_order_independent(r: Rule, recs: list[Rec], rnd: random.Random) -> None:
    shuffled = list(recs)
    rnd.shuffle(shuffled)
    assert evaluate(r, shuffled, [], NOW) == evaluate(r, recs, [], NOW)


@settings(max_examples=150, deadline=None)
@given(RULES, RECS)
def test_idempotent(r: Rule, recs: list[Rec]) -> None:
    first = evaluate(r, recs, [], NOW)
    again = evaluate(r, list(reversed(recs)), priors(first), NOW)
    assert again.new == ()
    assert again.withdrawn == ()
    assert again.kept == tuple(sorted(f.key for f in first.new))


@settings(max_examples=150, deadline=None)
@given(RULES, RECS)
def test_firings_are_sound_and_disjoint(r: Rule, recs: list[Rec]) -> None:
    trig = r.trigger
    assert isinstance(trig, TriggerRepeated)
    by_id = {x.id: x for x in recs}
    seen: set[str] = set()
    for f in evaluate(r, recs, [], NOW).new:
        members = [by_id[i] for i in f.record_ids]
        assert len(members) == trig.count
        assert {m.fields["staff_member"] for m in members} == {f.group[1]}
        assert {m.location_id for m in members} == {f.location_id}
        assert members == sorted(members, key=lambda m: (m.at, m.id))
        assert members[-1].at - members[0].at <= timedelta(
            days=trig.within_days)
        assert f.triggered_at == members[-1].at
        assert not seen & set(f.record_ids)
        seen |= set(f.record_ids)


@settings(max_examples=150, deadline=None)
@given(RULES, RECS)
def test_nothing_left_could_fire(r: Rule, recs: list[Rec]) -> None:
    """After evaluation no group holds `count` unconsumed records inside one window."""
    trig = r.trigger
    assert isinstance(trig, TriggerRepeated)
    used = {i for f in evaluate(r, recs, [], NOW).new for i in f.record_ids}
    left = sorted((x for x in recs if x.id not in used and x.fields["staff_member"]),
                  key=lambda x: (x.at, x.id))
    window = timedelta(days=trig.within_days)
    for x in left:
        same = [y for y in left if (y.location_id, y.fields["staff_member"]) ==
                (x.location_id, x.fields["staff_member"]) and x.at <= y.at <= x.at + window]
        assert len(same) < trig.count


@settings(max_examples=100, deadline=None)
@given(RULES, RECS)
def test_arrival_in_time_order_gives_the_same_firings_as_one_sweep(r: Rule,
                                                                    recs: list[Rec]) -> None:
    ordered = sorted(recs, key=lambda x: (x.at, x.id))
    prior: list[PriorFiring] = []
    for k in range(1, len(ordered) + 1):
        ev = evaluate(r, ordered[:k], prior, NOW)
        assert ev.withdrawn == ()
        prior += [f.as_prior() for f in ev.new]
    sweep = evaluate(r, recs, [], NOW)
    assert sorted(p.key for p in prior) == sorted(f.key for f in sweep.new)


@settings(max_examples=100, deadline=None)
@given(RULES, RECS, st.data())
def test_removing_a_record_withdraws_exactly_the_firings_that_used_it(
        r: Rule, recs: list[Rec], data: st.DataObject) -> None:
    first = evaluate(r, recs, [], NOW)
    if not first.new:
        return
    gone = data.draw(st.sampled_from([i for f in first.new for i in f.record_ids]))
    ev = evaluate(r, [x for x in recs if x.id != gone], priors(first), NOW)
    assert [w.key for w in ev.withdrawn] == [f.key for f in first.new if gone in f.record_ids]
    assert all(gone in w.reason for w in ev.withdrawn)
    assert set(ev.kept) == {f.key for f in first.new if gone not in f.record_ids}
    again = evaluate(r, [x for x in recs if x.id != gone],
                     [PriorFiring(k, next(f.record_ids for f in first.new if f.key == k))
                      for k in ev.kept] + priors(ev), NOW)
    assert again.new == () and again.withdrawn == ()


# --- timeliness ---------------------------------------------------------------------------

SHIFT = rule("""\
  kind: timeliness
  record: safeguarding_concern
  from_field: raised_at
  to_field: shift_lead_notified_at
  deadline: end_of_shift
""")
REVIEW = rule("""\
  kind: timeliness
  record: safeguarding_concern
  from_field: raised_at
  to_field: manager_reviewed_at
  within_hours: 24
""")
END = T0.replace(hour=20)


def concern(rid: str = "c1", notified: datetime | None = None,
            reviewed: datetime | None = None, shift_end: datetime | None = END) -> Rec:
    return Rec("safeguarding_concern", rid, "L1", T0,
               {"raised_at": T0, "staff_member": "41", "person": "p1", "category": "neglect",
                "shift_lead_notified_at": notified, "manager_reviewed_at": reviewed,
                "shift_end": shift_end}, "Safeguarding concern raised 3 Mar 2026 14:00")


def test_missing_notification_breaches_only_after_the_end_of_the_shift() -> None:
    assert evaluate(SHIFT, [concern()], [], END - timedelta(minutes=1)).new == ()
    assert evaluate(SHIFT, [concern()], [], END).new == ()  # at the limit: not yet past
    [f] = evaluate(SHIFT, [concern()], [], END + timedelta(seconds=1)).new
    assert f.triggered_at == END
    assert f.group == ("record", "c1")
    assert dict(f.subject) == {"location": "L1", "staff_member": "41", "person": "p1"}
    assert "shift lead notified not recorded by the end of the shift (3 Mar 2026 20:00)" in \
        f.explanation


def test_late_notification_breaches_and_timely_one_does_not() -> None:
    late = concern(notified=END + timedelta(minutes=5))
    [f] = evaluate(SHIFT, [late], [], END - timedelta(hours=1)).new  # known late already
    assert "20:05, after the end of the shift" in f.explanation
    assert evaluate(SHIFT, [concern(notified=END)], [], NOW).new == ()
    assert evaluate(SHIFT, [concern(shift_end=None)], [], NOW).new == ()


def test_within_hours_limit() -> None:
    limit = T0 + timedelta(hours=24)
    assert evaluate(REVIEW, [concern(reviewed=limit)], [], NOW).new == ()
    [f] = evaluate(REVIEW, [concern(reviewed=limit + timedelta(seconds=1))], [], NOW).new
    assert f.triggered_at == limit
    assert evaluate(REVIEW, [concern()], [], limit).new == ()
    assert len(evaluate(REVIEW, [concern()], [], limit + timedelta(seconds=1)).new) == 1


def test_timeliness_fires_once_per_record_and_withdraws_when_corrected() -> None:
    recs = [concern("c1"), concern("c2")]
    first = evaluate(SHIFT, recs, [], NOW)
    assert sorted(f.record_ids for f in first.new) == [("c1",), ("c2",)]
    assert evaluate(SHIFT, recs, priors(first), NOW).new == ()
    corrected = [concern("c1", notified=T0 + timedelta(hours=1)), recs[1]]
    ev = evaluate(SHIFT, corrected, priors(first), NOW)
    [w] = ev.withdrawn
    assert "shift lead notified is now recorded as 3 Mar 2026 15:00, within the end of " \
           "the shift" in w.reason
    assert len(ev.kept) == 1


# --- audits below a mark ------------------------------------------------------------------

TWICE = rule("  kind: audit_below\n  consecutive: 2\n",
             RESPONSE.replace("subject: staff_member", "subject: location"))
THEME = rule("  kind: audit_below\n  consecutive: 2\n  reaudit_only: true\n  group_by: theme\n",
             RESPONSE.replace("subject: staff_member", "subject: theme"))


def audit(rid: str, month: int, score: float | None, template: str = "mar-audit",
          pass_mark: float = 90, reaudit: bool = False, theme: str | None = None,
          location: str = "L1") -> Rec:
    at = datetime(2026, month, 10, 12, tzinfo=UTC)
    return Rec("audit", rid, location, at,
               {"template": template, "score": score, "pass_mark": pass_mark,
                "passed": None if score is None else score >= pass_mark,
                "is_reaudit": reaudit, "kind": "self", "theme": theme, "completed_at": at})


def test_two_consecutive_below_fire_and_runs_consume() -> None:
    recs = [audit("a1", 1, 80), audit("a2", 2, 95), audit("a3", 3, 85), audit("a4", 4, 70)]
    first = evaluate(TWICE, recs, [], NOW)
    [f] = first.new
    assert (f.record_ids, f.group) == (("a3", "a4"), ("template", "mar-audit"))
    assert "2 audits of mar-audit in a row below the mark: 10 Mar 2026 85 % (pass mark 90 %)" \
        in f.explanation
    # A fifth below starts a new run; only a sixth completes it.
    recs.append(audit("a5", 5, 60))
    assert evaluate(TWICE, recs, priors(first), NOW).new == ()
    recs.append(audit("a6", 6, 60))
    [g] = evaluate(TWICE, recs, priors(first), NOW).new
    assert g.record_ids == ("a5", "a6")


def test_any_template_is_grouped_per_template_and_location() -> None:
    recs = [audit("a1", 1, 80, "mar-audit"), audit("b1", 2, 50, "care-plan-audit"),
            audit("a2", 3, 80, "mar-audit", location="L2")]
    assert evaluate(TWICE, recs, [], NOW).new == ()
    recs.append(audit("b2", 4, 50, "care-plan-audit"))
    [f] = evaluate(TWICE, recs, [], NOW).new
    assert f.record_ids == ("b1", "b2")


def test_own_pass_mark_or_a_fixed_mark_and_unscored_audits() -> None:
    recs = [audit("a1", 1, 89.9), audit("a2", 2, 89.9, pass_mark=89.9)]
    assert evaluate(TWICE, recs, [], NOW).new == ()  # 89.9 is not below its own 89.9
    fixed = rule("  kind: audit_below\n  template: mar-audit\n  below: 95\n  consecutive: 2\n",
                 RESPONSE.replace("subject: staff_member", "subject: location"))
    assert len(evaluate(fixed, recs, [], NOW).new) == 1
    gap = [audit("a1", 1, 50), audit("a2", 2, None), audit("a3", 3, 50)]
    assert len(evaluate(TWICE, gap, [], NOW).new) == 1  # an unscored audit is not a cycle


def test_theme_reaudits_for_two_cycles() -> None:
    recs = [audit("a1", 1, 50, theme="t1"), audit("r1", 2, 80, "x-reaudit", reaudit=True,
                                                    theme="t1"),
            audit("r2", 3, 85, "y-reaudit", reaudit=True, theme="t2"),
            audit("r3", 4, 70, "x-reaudit", reaudit=True, theme="t1")]
    [f] = evaluate(THEME, recs, [], NOW).new
    assert (f.group, f.record_ids) == (("theme", "t1"), ("r1", "r3"))
    assert dict(f.subject) == {"location": "L1", "theme": "t1"}


def test_an_audit_edited_to_pass_withdraws_the_run() -> None:
    recs = [audit("a1", 1, 80), audit("a2", 2, 70)]
    first = evaluate(TWICE, recs, [], NOW)
    ev = evaluate(TWICE, [audit("a1", 1, 92), recs[1]], priors(first), NOW)
    [w] = ev.withdrawn
    assert "now scores 92 %, not below the mark (90 %)" in w.reason
    backdated = [*recs, audit("x", 1, 99)]
    backdated[-1] = Rec("audit", "x", "L1", datetime(2026, 1, 20, tzinfo=UTC),
                        dict(backdated[-1].fields))
    [w2] = evaluate(TWICE, backdated, priors(first), NOW).withdrawn
    assert "no longer in a row" in w2.reason


# --- governance: missed occurrences, overdue actions, indicator signals -------------------


def occ(rid: str, day: int, status: str = "missed", cadence: str = "weekly-review") -> Rec:
    at = datetime(2026, 3, day, 17, tzinfo=UTC)
    return Rec("occurrence", rid, "L1", at, {"cadence": cadence, "status": status, "due_at": at})


LOC = RESPONSE.replace("subject: staff_member", "subject: location")


def test_missed_occurrence_once_and_counted() -> None:
    once = rule("  kind: missed_occurrence\n  cadence: weekly-review\n", LOC)
    recs = [occ("o1", 1), occ("o2", 8, "done_on_time"), occ("o3", 15, cadence="other")]
    [f] = evaluate(once, recs, [], NOW).new
    assert f.record_ids == ("o1",)
    twice = rule("  kind: missed_occurrence\n  count: 2\n  within_days: 14\n", LOC)
    assert evaluate(twice, [occ("o1", 1), occ("o3", 15, cadence="other")], [], NOW).new == ()
    [g] = evaluate(twice, [occ("o1", 1), occ("o2", 15)], [], NOW).new
    assert g.group == ("cadence", "weekly-review")
    # Marked done after all: withdrawn.
    ev = evaluate(once, [occ("o1", 1, "done_late")], [f.as_prior()], NOW)
    assert "no longer missed (now done late)" in ev.withdrawn[0].reason


ACTION = rule("  kind: overdue_action\n  days_overdue: 14\n",
              RESPONSE.replace("subject: staff_member", "subject: theme"))


def action(rid: str, due: date, done: date | None = None, status: str = "open") -> Rec:
    return Rec("action", rid, "L1", datetime(due.year, due.month, due.day, tzinfo=UTC),
               {"theme": "t1", "status": status, "due_date": due, "completed_on": done})


def test_overdue_action_fires_after_the_grace_and_when_done_late() -> None:
    due = date(2026, 3, 2)
    rec = action("x1", due)
    assert evaluate(ACTION, [rec], [], datetime(2026, 3, 16, 23, 59, tzinfo=UTC)).new == ()
    [f] = evaluate(ACTION, [rec], [], datetime(2026, 3, 17, 0, 0, tzinfo=UTC)).new
    assert f.triggered_at == datetime(2026, 3, 17, tzinfo=UTC)
    assert dict(f.subject) == {"location": "L1", "theme": "t1"}
    assert "due 2 Mar 2026 (plus 14 days) and is not done" in f.explanation
    late = action("x2", due, done=date(2026, 3, 20), status="done")
    assert len(evaluate(ACTION, [late], [], NOW).new) == 1
    in_time = action("x3", due, done=date(2026, 3, 16), status="done")
    assert evaluate(ACTION, [in_time], [], NOW).new == ()
    assert evaluate(ACTION, [action("x4", due, status="cancelled")], [], NOW).new == ()
    # Done in time after all (recorded later): withdrawn.
    ev = evaluate(ACTION, [action("x1", due, done=date(2026, 3, 10))], [f.as_prior()], NOW)
    assert "in time" in ev.withdrawn[0].reason


def test_indicator_signal() -> None:
    r = rule("  kind: indicator_signal\n  indicator: falls-rate\n", LOC)
    at = T0
    recs = [Rec("indicator_signal", "s1", "L1", at, {"indicator": "falls-rate",
                                                     "signal": "concern"}),
            Rec("indicator_signal", "s2", "L1", at, {"indicator": "other", "signal": "concern"})]
    [f] = evaluate(r, recs, [], NOW).new
    assert f.record_ids == ("s1",)
    assert evaluate(r, recs, priors(evaluate(r, recs, [], NOW)), NOW).new == ()


# --- fulfilment ---------------------------------------------------------------------------

MAR_FULL = parse_rule("""\
id: repeated-mar-discrepancy
title: Repeated MAR discrepancy
source: seed
trigger: {kind: repeated, record: medicines_discrepancy, group_by: staff_member, count: 2,
          within_days: 28}
responses:
  - {task: supervision, title: Immediate supervision, subject: staff_member,
     owner_role: registered_manager, due_within_hours: 24, fulfilled_by: {record: supervision}}
  - {task: competency_reassessment, title: Reassessment, subject: staff_member,
     owner_role: registered_manager, due_within_days: 7,
     fulfilled_by: {record: competency_assessment,
                    where: {assessment_type: medicines_administration}}}
  - {task: spot_checks, title: Spot checks, subject: staff_member, owner_role: senior_carer,
     due_within_days: 7, count: 3, fulfilled_by: {record: audit, where: {template: mar-audit}}}
  - {task: management_review, title: Review, subject: staff_member,
     owner_role: registered_manager, due_within_days: 1, fulfilled_by: {record: note}}
""", "r.yaml")
SUBJECT: Mapping[str, str] = {"location": "L1", "staff_member": "41"}
TRIGGERED = datetime(2026, 3, 17, 14, 0, tzinfo=UTC)


def sup(staff: str | None, day: datetime, location: str = "L1") -> Rec:
    return Rec("supervision", "s1", location, day, {"staff_member": staff, "date": day.date()})


@pytest.mark.parametrize(("rec", "reason"), [
    (sup("41", datetime(2026, 3, 18, tzinfo=UTC)), None),
    (sup("41", datetime(2026, 3, 17, tzinfo=UTC)), None),  # same day, date-only record
    (sup("42", datetime(2026, 3, 18, tzinfo=UTC)), "the supervision is of another staff member"),
    (sup("41", datetime(2026, 3, 16, tzinfo=UTC)),
     "the supervision was before the trigger (17 Mar 2026 14:00)"),
    (sup("41", datetime(2026, 3, 18, tzinfo=UTC), "L2"), "the supervision is at another location"),
    (sup(None, datetime(2026, 3, 18, tzinfo=UTC)),
     "the supervision does not name the staff member"),
    (Rec("training", "t1", "L1", datetime(2026, 3, 18, tzinfo=UTC), {"staff_member": "41"}),
     "a training record does not fulfil this task: it needs a supervision"),
])
def test_fulfils_supervision(rec: Rec, reason: str | None) -> None:
    assert fulfils(MAR_FULL.responses[0], SUBJECT, TRIGGERED, rec) == reason


def test_fulfils_filters_and_datetime_records() -> None:
    later = datetime(2026, 3, 18, tzinfo=UTC)
    ok = Rec("competency_assessment", "c", "L1", later,
             {"staff_member": "41", "assessment_type": "medicines_administration"})
    assert fulfils(MAR_FULL.responses[1], SUBJECT, TRIGGERED, ok) is None
    other = Rec("competency_assessment", "c", "L1", later,
                {"staff_member": "41", "assessment_type": "moving_and_handling"})
    assert fulfils(MAR_FULL.responses[1], SUBJECT, TRIGGERED, other) == (
        "the competency assessment does not match: assessment type is moving and handling, "
        "the task needs assessment type medicines administration")
    # Audits name no staff member: any MAR audit at the service after the trigger counts.
    spot = Rec("audit", "a", "L1", TRIGGERED + timedelta(minutes=1), {"template": "mar-audit"})
    assert fulfils(MAR_FULL.responses[2], SUBJECT, TRIGGERED, spot) is None
    early = Rec("audit", "a", "L1", TRIGGERED - timedelta(minutes=1), {"template": "mar-audit"})
    assert fulfils(MAR_FULL.responses[2], SUBJECT, TRIGGERED, early) == (
        "the audit was before the trigger (17 Mar 2026 14:00)")
    # A written note need not name the staff member.
    note = Rec("note", "n", "L1", TRIGGERED + timedelta(hours=1), {"text": "Reviewed."})
    assert fulfils(MAR_FULL.responses[3], SUBJECT, TRIGGERED, note) is None


def test_fulfilment_of_a_real_firing() -> None:
    [f] = evaluate(MAR_FULL, [disc("a", T0), disc("b", TRIGGERED)], [], NOW).new
    assert f.triggered_at == TRIGGERED
    assert fulfils(MAR_FULL.responses[0], f.subject, f.triggered_at,
                   sup("41", datetime(2026, 3, 19, tzinfo=UTC))) is None
    assert fulfils(MAR_FULL.responses[0], f.subject, f.triggered_at,
                   sup("7", datetime(2026, 3, 19, tzinfo=UTC))) is not None


# --- the ladder ---------------------------------------------------------------------------


def test_next_step_climbs_the_ladder_and_ends_at_the_board() -> None:
    ladder = ["quality_lead", "nominated_individual", "board"]
    now = datetime(2026, 4, 1, 9, tzinfo=UTC)
    assert next_step(ladder, 0, now, 3) == ("quality_lead", now + timedelta(days=3))
    assert next_step(ladder, 1, now, 5) == ("nominated_individual", now + timedelta(days=5))
    assert next_step(ladder, 2, now, 3) == ("board", now + timedelta(days=3))
    assert next_step(ladder, 3, now, 3) is None
    assert next_step(["board"], 0, now, 1) == ("board", now + timedelta(days=1))
    assert next_step(["board"], 1, now, 1) is None
    assert next_step([], 0, now, 3) is None
    assert next_step(ladder, -1, now, 3) is None


# --- properties of the other kinds --------------------------------------------------------

AUDITS = st.lists(st.tuples(st.integers(min_value=0, max_value=400),
                            st.sampled_from([None, 50.0, 85.0, 89.9, 90.0, 99.0]),
                            st.sampled_from(["mar-audit", "care-plan-audit"]),
                            st.sampled_from(["t1", None]), st.booleans()),
                  max_size=12).map(
    lambda rows: [Rec("audit", f"a{i:02d}", "L1", T0 + timedelta(days=d),
                      {"template": tpl, "score": score, "pass_mark": 90.0, "theme": theme,
                       "is_reaudit": re, "passed": None if score is None else score >= 90})
                  for i, (d, score, tpl, theme, re) in enumerate(rows)])
AUDIT_RULES = st.sampled_from([TWICE, THEME, rule(
    "  kind: audit_below\n  template: mar-audit\n  consecutive: 3\n", LOC)])


@settings(max_examples=150, deadline=None)
@given(AUDIT_RULES, AUDITS, st.randoms(use_true_random=False))
def test_audit_runs_order_independent_idempotent_and_sound(
        r: Rule, recs: list[Rec], rnd: random.Random) -> None:
    first = evaluate(r, recs, [], NOW)
    shuffled = list(recs)
    rnd.shuffle(shuffled)
    assert evaluate(r, shuffled, [], NOW) == first
    again = evaluate(r, shuffled, priors(first), NOW)
    assert again.new == () and again.withdrawn == ()
    by_id = {x.id: x for x in recs}
    used: set[str] = set()
    for f in first.new:
        run = [by_id[i] for i in f.record_ids]
        assert all(isinstance(x.fields["score"], float) and x.fields["score"] < 90 for x in run)
        assert not used & set(f.record_ids)
        used |= set(f.record_ids)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=-3600, max_value=48 * 3600) | st.none(),
                          st.integers(min_value=0, max_value=48 * 3600)), max_size=8),
       st.integers(min_value=0, max_value=72 * 3600))
def test_timeliness_fires_exactly_for_the_breaches(rows: list[tuple[int | None, int]],
                                                    now_s: int) -> None:
    recs = [Rec("safeguarding_concern", f"c{i}", "L1", T0,
                {"raised_at": T0, "staff_member": "41",
                 "manager_reviewed_at": None if done is None else T0 + timedelta(seconds=done)})
            for i, (done, _x) in enumerate(rows)]
    now = T0 + timedelta(seconds=now_s)
    limit = T0 + timedelta(hours=24)
    expected = {x.id for x in recs
                if (x.fields["manager_reviewed_at"] is None and now > limit)
                or (x.fields["manager_reviewed_at"] is not None
                    and x.fields["manager_reviewed_at"] > limit)}  # type: ignore[operator]
    first = evaluate(REVIEW, recs, [], now)
    assert {f.record_ids[0] for f in first.new} == expected
    assert all(f.triggered_at == limit for f in first.new)
    assert evaluate(REVIEW, list(reversed(recs)), priors(first), now).new == ()


def test_date_only_records_compare_days_in_their_own_time_zone() -> None:
    bst = timezone(timedelta(hours=1))
    triggered = datetime(2026, 6, 10, 22, 30, tzinfo=UTC)  # 23:30 on 10 Jun in London
    same_day = Rec("supervision", "s", "L1", datetime(2026, 6, 10, tzinfo=bst),
                   {"staff_member": "41", "date": date(2026, 6, 10)})
    assert fulfils(MAR_FULL.responses[0], SUBJECT, triggered, same_day) is None
    day_before = Rec("supervision", "s", "L1", datetime(2026, 6, 9, tzinfo=bst),
                     {"staff_member": "41", "date": date(2026, 6, 9)})
    assert fulfils(MAR_FULL.responses[0], SUBJECT, triggered, day_before) == (
        "the supervision was before the trigger (10 Jun 2026 22:30)")


LABELLED = st.lists(st.tuples(OFFSETS, st.sampled_from(["41", "42"])), max_size=12).map(
    lambda rows: [disc(f"r{i:02d}", T0 + timedelta(seconds=s), staff,
                       label=f"Discrepancy {i:02d}") for i, (s, staff) in enumerate(rows)])


@settings(max_examples=100, deadline=None)
@given(RULES, LABELLED, st.data())
def test_an_edit_that_moves_a_record_withdraws_its_firing_naming_it(
        r: Rule, recs: list[Rec], data: st.DataObject) -> None:
    first = evaluate(r, recs, [], NOW)
    if not first.new:
        return
    victim = data.draw(st.sampled_from([i for f in first.new for i in f.record_ids]))
    old = next(x for x in recs if x.id == victim)
    edited = [x if x.id != victim else disc(x.id, x.at, "99", label=x.label) for x in recs]
    ev = evaluate(r, edited, priors(first), NOW)
    [w] = ev.withdrawn
    assert w.key == next(f.key for f in first.new if victim in f.record_ids)
    assert old.label in w.reason and "another staff member" in w.reason
    assert len(ev.kept) == len(first.new) - 1
