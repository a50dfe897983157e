"""Drift signs on constructed histories (each with the sign and without it), the drift index
arithmetic and the relapse-review flag."""

from __future__ import annotations

import datetime as dt

import pytest

from sustain.engine.drift import (
    DRIFTING_FROM,
    THRESHOLDS,
    WATCH_FROM,
    ActionFact,
    AuditFact,
    Band,
    FeedbackFact,
    LocationHistory,
    Measure,
    ReviewFact,
    SeedSign,
    SignValue,
    SupervisionFact,
    VisitFact,
    actions_without_reaudit,
    audits_late,
    band_of,
    drift_index,
    drift_signs,
    feedback_without_action,
    meetings_no_challenge,
    relapse_review,
    review_completeness,
    review_length,
    score,
    supervision_duplicates,
    supervision_shrinking,
    supervision_unlinked,
    visits_interval,
)
from sustain.engine.governance_cycles import cycle_bounds, cycle_of
from sustain.engine.meeting_rules import Counts, MeetingFact, Period


def month(year: int, m: int, number: int) -> Period:
    start, end = cycle_bounds(cycle_of(dt.date(year, m, 1)))
    return Period(number, f"Cycle {number}", start, end)


CYCLES = [month(2026, 7, 1), month(2026, 8, 2), month(2026, 9, 3), month(2026, 10, 4)]
OCT = CYCLES[-1]
AS_OF = dt.date(2026, 11, 27)


def d(m: int, day: int) -> dt.date:
    return dt.date(2026, m, day)


# --- (a) audits ---------------------------------------------------------------------------------

def test_audits_late_or_without_analysis() -> None:
    good = [AuditFact(f"g{i}", d(10, 10), d(10, 9), 400, 200) for i in range(4)]
    r = audits_late(good, OCT)
    assert r.value == 0.0 and r.score == 0 and r.record_ids == ()
    bad = good[:2] + [AuditFact("late", d(10, 10), d(10, 20), 400, 200),
                      AuditFact("thin", d(10, 10), d(10, 9), 50, 200),
                      AuditFact("missing", d(10, 15), None)]
    r = audits_late(bad, OCT)
    assert r.value == pytest.approx(3 / 5)
    assert r.score == 2
    assert set(r.record_ids) == {"late", "thin", "missing"}
    assert "1 completed late" in r.finding and "1 not completed" in r.finding


def test_audits_due_in_another_cycle_not_counted_and_too_few_not_judged() -> None:
    rows = [AuditFact("sep", d(9, 10), d(10, 10), 400, 200),  # due in September, done late
            AuditFact("a", d(10, 1), d(10, 1), 400, 200)]
    r = audits_late(rows, OCT)
    assert r.value is None and r.score == 0 and r.judged == 1
    assert audits_late([rows[0]] * 3, CYCLES[2]).record_ids == ("sep",) * 3


def test_audits_not_yet_due_are_not_judged() -> None:
    rows = [AuditFact(f"a{i}", d(10, 20 + i), None) for i in range(3)]
    assert audits_late(rows, OCT, as_of=d(10, 15)).value is None
    r = audits_late(rows, OCT, as_of=d(11, 1))
    assert r.value == 1.0 and "3 not completed" in r.finding


def test_audit_due_in_october_completed_in_november_is_late_in_october() -> None:
    rows = [AuditFact(f"a{i}", d(10, 10), d(11, 5), 400, 200) for i in range(3)]
    assert audits_late(rows, OCT).value == 1.0
    assert audits_late(rows, month(2026, 11, 5)).value is None


# --- (b) supervision ----------------------------------------------------------------------------

TEMPLATE = ("Discussed wellbeing, workload and training. No concerns raised. Staff member happy "
            "in role. Reminded about policies and procedures. Next supervision booked.")
DISTINCT = [
    "Reviewed Mrs K's fall on 3 October: hoist sling size wrong; agreed refresher with the "
    "moving and handling trainer and a spot check on nights.",
    "Talked through the medicines error on the dementia unit; she will shadow the senior on two "
    "morning rounds and complete the MAR competency again.",
    "Explored the family complaint about late breakfasts; rota change proposed for the 7am "
    "handover, to raise at the team meeting on Thursday.",
    "Safeguarding: discussed recognising financial abuse after the training; he gave two "
    "examples from his own practice and will lead the next huddle.",
    "Care plan for Mr P: positive behaviour support plan needs updating after the MDT; to pair "
    "with the key worker and review triggers in the daily notes.",
]


def sups(texts: list[str], when: list[dt.date], linked: bool = True) -> list[SupervisionFact]:
    return [SupervisionFact(f"s{i}-{w.month}", w, t, linked)
            for i, (t, w) in enumerate(zip(texts, when, strict=True))]


def test_supervision_duplicates_detects_generic_notes() -> None:
    generic = sups([TEMPLATE, TEMPLATE.replace("happy", "settled"), TEMPLATE, DISTINCT[0]],
                   [d(10, 2), d(10, 9), d(10, 16), d(10, 23)])
    r = supervision_duplicates(generic, CYCLES)
    assert r.value == pytest.approx(3 / 4)
    assert r.score == 2
    assert "s3-10" not in r.record_ids and len(r.record_ids) == 3


def test_supervision_duplicates_quiet_for_distinct_notes() -> None:
    varied = sups(DISTINCT[:4], [d(10, 2), d(10, 9), d(10, 16), d(10, 23)])
    r = supervision_duplicates(varied, CYCLES)
    assert r.value == 0.0 and r.score == 0


def test_supervision_duplicate_of_an_earlier_cycle_counts() -> None:
    history = sups([TEMPLATE], [d(8, 5)]) + sups(
        [TEMPLATE, DISTINCT[1], DISTINCT[2]], [d(10, 2), d(10, 9), d(10, 16)])
    r = supervision_duplicates(history, CYCLES)
    assert r.value == pytest.approx(1 / 3)
    assert r.score == 1
    assert "s0-8" in r.record_ids  # the earlier note it repeats is shown too


def test_supervision_unlinked() -> None:
    when = [d(10, 2), d(10, 9), d(10, 16), d(10, 23)]
    linked = sups(DISTINCT[:4], when, linked=True)
    assert supervision_unlinked(linked, OCT).score == 0
    unlinked = sups(DISTINCT[:3], when[:3], linked=False) + linked[3:]
    r = supervision_unlinked(unlinked, OCT)
    assert r.value == pytest.approx(0.75) and r.score == 2 and len(r.record_ids) == 3


def test_supervision_unlinked_not_judged_with_nothing_open_to_link_to() -> None:
    when = [d(10, 2), d(10, 9), d(10, 16)]
    unlinked = sups(DISTINCT[:3], when, linked=False)
    # a theme open during October (opened before, closed in it, or still open): judged
    for span in [(d(9, 1), None), (d(6, 1), d(10, 5)), (d(10, 30), None)]:
        assert supervision_unlinked(unlinked, OCT, [span]).score == 2
    # no theme or action at all, one opened after October, one embedded before it: not judged
    for spans in ([], [(d(11, 2), None)], [(d(3, 1), d(9, 30))]):
        r = supervision_unlinked(unlinked, OCT, spans)
        assert r.value is None and r.score == 0 and r.record_ids == ()
        assert "no open theme or action to link to" in r.finding and r.judged == 3
    history = LocationHistory(supervisions=unlinked, open_spans=[])
    by = {v.measure: v for v in drift_signs(history, CYCLES, AS_OF)}
    assert by[Measure.SUPERVISION_UNLINKED].score == 0


def test_supervision_shrinking() -> None:
    long_notes = sups(DISTINCT[:3], [d(7, 5), d(8, 5), d(9, 5)])
    short = sups(["Fine.", "No issues."], [d(10, 5), d(10, 12)])
    r = supervision_shrinking(long_notes + short, CYCLES)
    assert r.value is not None and r.value > 0.8 and r.score == 2
    assert set(r.record_ids) == {s.id for s in short}
    same = sups(DISTINCT[3:5], [d(10, 5), d(10, 12)])
    assert supervision_shrinking(long_notes + same, CYCLES).score == 0


def test_shrinking_needs_a_baseline() -> None:
    short = sups(["Fine.", "No issues."], [d(10, 5), d(10, 12)])
    r = supervision_shrinking(short, CYCLES)
    assert r.value is None and "Not enough" in r.finding


# --- (c) risk reviews ---------------------------------------------------------------------------

def reviews(ticked: list[int], words: list[int], when: list[dt.date]) -> list[ReviewFact]:
    return [ReviewFact(f"r{i}-{w.month}", w, t, 10, n)
            for i, (t, n, w) in enumerate(zip(ticked, words, when, strict=True))]


BEFORE = reviews([10, 9, 10], [300, 280, 320], [d(7, 3), d(8, 3), d(9, 3)])


def test_review_completeness_falling() -> None:
    now = reviews([6, 7], [300, 300], [d(10, 3), d(10, 17)])
    r = review_completeness(BEFORE + now, CYCLES)
    # before: 29/30 ≈ 96.7 %; now 65 %: down ≈ 31.7 points
    assert r.value == pytest.approx(29 / 30 - 0.65)
    assert r.score == 2
    steady = reviews([10, 9], [300, 300], [d(10, 3), d(10, 17)])
    assert review_completeness(BEFORE + steady, CYCLES).score == 0


def test_review_length_falling() -> None:
    now = reviews([10, 10], [200, 190], [d(10, 3), d(10, 17)])
    r = review_length(BEFORE + now, CYCLES)
    assert r.value == pytest.approx(1 - 195 / 300)
    assert r.score == 1
    longer = reviews([10, 10], [400, 350], [d(10, 3), d(10, 17)])
    assert review_length(BEFORE + longer, CYCLES).value == 0.0


# --- (d) feedback -------------------------------------------------------------------------------

def test_feedback_without_action() -> None:
    # due in October: received 1 Sep to 1 Oct
    rows = [FeedbackFact("f1", d(9, 5), True, None),
            FeedbackFact("f2", d(9, 10), True, d(10, 30)),  # after its 30 days
            FeedbackFact("f3", d(9, 12), True, d(9, 20)),
            FeedbackFact("pos", d(9, 12), False, None),  # positive: not judged
            FeedbackFact("new", d(10, 20), True, None)]  # not due yet
    r = feedback_without_action(rows, OCT, AS_OF)
    assert r.judged == 3
    assert set(r.record_ids) == {"f1", "f2"}
    assert r.score == 2
    answered = [FeedbackFact("a", d(9, 5), True, d(9, 6)), FeedbackFact("b", d(9, 8), True,
                                                                          d(10, 8))]
    assert feedback_without_action(answered, OCT, AS_OF).score == 0


def test_feedback_not_judged_before_its_time_runs_out() -> None:
    rows = [FeedbackFact("f1", d(9, 25), True, None), FeedbackFact("f2", d(9, 28), True, None)]
    early = feedback_without_action(rows, OCT, as_of=d(10, 20))
    assert early.value is None
    assert feedback_without_action(rows, OCT, as_of=AS_OF).score == 2


# --- (e) visits ---------------------------------------------------------------------------------

def test_visits_less_frequent() -> None:
    monthly = [VisitFact(f"v{m}", d(m, 10)) for m in range(6, 11)]
    r = visits_interval(monthly, CYCLES, 30, as_of=d(10, 31))
    assert r.value is not None and r.value < 1.1 and r.score == 0
    sparse = [VisitFact("v6", d(6, 10)), VisitFact("v8", d(8, 25))]
    r = visits_interval(sparse, CYCLES, 30, as_of=d(10, 31))
    # intervals: 76 days (ending in the window) and the open 67 days since 25 Aug
    assert r.value == pytest.approx((76 + 67) / 2 / 30)
    assert r.score == 2
    assert set(r.record_ids) == {"v6", "v8"}
    assert "67 days since the last visit" in r.finding


def test_no_visit_at_all_is_said() -> None:
    r = visits_interval([], CYCLES, 30, AS_OF)
    assert r.value is None and "No senior visit" in r.finding


# --- (f) actions --------------------------------------------------------------------------------

def test_actions_without_reaudit() -> None:
    actions = [ActionFact("a1", d(10, 2), "t1"), ActionFact("a2", d(10, 5), "t2"),
               ActionFact("a3", d(10, 6), "t2"), ActionFact("loose", d(10, 6), None)]
    reaudit_t1 = AuditFact("re1", d(10, 20), d(10, 20), 300, 100, frozenset({"t1"}))
    before = AuditFact("old", d(9, 20), d(9, 20), 300, 100, frozenset({"t2"}))
    r = actions_without_reaudit(actions, [reaudit_t1, before], OCT, AS_OF)
    assert r.judged == 3
    assert set(r.record_ids) == {"a2", "a3"}
    assert r.score == 2
    reaudit_t2 = AuditFact("re2", d(11, 3), d(11, 3), 300, 100, frozenset({"t2"}))
    ok = actions_without_reaudit(actions, [reaudit_t1, reaudit_t2], OCT, AS_OF)
    assert ok.value == 0.0 and ok.score == 0


def test_recent_actions_get_grace() -> None:
    actions = [ActionFact("a1", d(10, 25), "t1"), ActionFact("a2", d(10, 28), "t1")]
    assert actions_without_reaudit(actions, [], OCT, as_of=d(11, 1)).value is None
    assert actions_without_reaudit(actions, [], OCT, as_of=AS_OF).score == 2


# --- (g) meetings -------------------------------------------------------------------------------

def meeting(key: str, day: dt.date, updates: int, challenges: int) -> MeetingFact:
    return MeetingFact(key, day, Counts(updates=updates, challenges=challenges))


def test_meetings_updates_only_uses_challenge_trend() -> None:
    challenged = [meeting(f"m{m}", d(m, 15), 5, 2) for m in (7, 8, 9)] + [
        meeting("m10a", d(10, 5), 5, 1), meeting("m10b", d(10, 20), 6, 0)]
    r = meetings_no_challenge(challenged, CYCLES)
    assert r.value == 0.5 and r.score == 1 and r.record_ids == ("m10b",)
    falling = [meeting(f"m{m}", d(m, 15), 5, 2) for m in (7, 8)] + [
        meeting("m9", d(9, 15), 5, 0), meeting("m10a", d(10, 5), 5, 0),
        meeting("m10b", d(10, 20), 6, 0)]
    r = meetings_no_challenge(falling, CYCLES)
    assert r.score == 2 and "Falling" in r.finding
    healthy = [meeting(f"m{m}", d(m, 15), 5, 2) for m in (7, 8, 9, 10)]
    assert meetings_no_challenge(healthy, CYCLES).score == 0


def test_meetings_after_the_cycle_do_not_change_its_judgement() -> None:
    falling = [meeting(f"m{i}", d(10, 3 + i), 5, 0) for i in range(3)]
    later = [meeting(f"n{i}", d(11, 3 + i), 5, 3) for i in range(3)]
    assert meetings_no_challenge(falling + later, CYCLES).score == 2


# --- index --------------------------------------------------------------------------------------

def sv(measure: Measure, value: float | None, ids: tuple[str, ...] = ()) -> SignValue:
    return SignValue(measure, value, score(measure, value), f"{measure} finding", ids, 3)


def test_score_thresholds_are_inclusive() -> None:
    t = THRESHOLDS[Measure.AUDITS_LATE]
    assert score(Measure.AUDITS_LATE, t.watch) == 1
    assert score(Measure.AUDITS_LATE, t.watch - 0.01) == 0
    assert score(Measure.AUDITS_LATE, t.drift) == 2
    assert score(Measure.AUDITS_LATE, None) == 0


def test_index_takes_max_per_sign_and_sums() -> None:
    values = [sv(Measure.SUPERVISION_DUPLICATE, 0.6, ("s1",)),  # 2
              sv(Measure.SUPERVISION_UNLINKED, 0.8, ("s2",)),  # 2, same sign
              sv(Measure.SUPERVISION_SHRINKING, 0.25),  # 1, same sign
              sv(Measure.AUDITS_LATE, 0.25, ("a1",)),  # 1
              sv(Measure.VISITS_INTERVAL, 1.0)]  # 0
    idx = drift_index(values)
    assert idx.value == 3
    assert idx.band is Band.WATCH
    by_sign = {c.sign: c for c in idx.contributions}
    assert by_sign[SeedSign.SUPERVISION].score == 2
    assert by_sign[SeedSign.SUPERVISION].record_ids == ("s1", "s2")
    assert by_sign[SeedSign.AUDITS].score == 1
    assert by_sign[SeedSign.VISITS].score == 0
    assert by_sign[SeedSign.FEEDBACK].reason == "Not enough records to judge."
    assert len(idx.contributions) == 7
    assert "supervision" in idx.explanation.lower()


def test_bands() -> None:
    assert band_of(0) is Band.NONE and band_of(WATCH_FROM - 1) is Band.NONE
    assert band_of(WATCH_FROM) is Band.WATCH and band_of(DRIFTING_FROM - 1) is Band.WATCH
    assert band_of(DRIFTING_FROM) is Band.DRIFTING and band_of(14) is Band.DRIFTING


def drifting_history() -> LocationHistory:
    return LocationHistory(
        audits=[AuditFact(f"a{i}", d(10, 10), d(10, 25), 10, 200) for i in range(4)],
        supervisions=sups([TEMPLATE] * 4, [d(10, 2), d(10, 9), d(10, 16), d(10, 23)],
                          linked=False),
        visits=[VisitFact("v", d(6, 1))], visit_cadence_days=30,
        meetings=[meeting(f"m{i}", d(10, 3 + i), 5, 0) for i in range(3)],
    )


def test_drift_signs_and_index_on_a_drifting_home() -> None:
    signs = drift_signs(drifting_history(), CYCLES, AS_OF)
    assert [s.measure for s in signs] == list(Measure)
    idx = drift_index(signs)
    scores = {c.sign: c.score for c in idx.contributions}
    assert scores[SeedSign.AUDITS] == 2
    assert scores[SeedSign.SUPERVISION] == 2
    assert scores[SeedSign.VISITS] == 2
    assert scores[SeedSign.MEETINGS] == 2
    assert idx.value == 8 and idx.band is Band.DRIFTING


def test_drift_signs_on_a_steady_home() -> None:
    steady = LocationHistory(
        audits=[AuditFact(f"a{i}", d(10, 10), d(10, 8), 400, 200) for i in range(4)],
        supervisions=sups(DISTINCT[:4], [d(10, 2), d(10, 9), d(10, 16), d(10, 23)]),
        visits=[VisitFact(f"v{m}", d(m, 12)) for m in range(6, 11)], visit_cadence_days=30,
        meetings=[meeting(f"m{i}", d(10, 3 + i), 5, 2) for i in range(3)],
    )
    idx = drift_index(drift_signs(steady, CYCLES, AS_OF))
    assert idx.value == 0 and idx.band is Band.NONE


def test_visits_not_judged_without_cadence() -> None:
    signs = drift_signs(LocationHistory(visits=[VisitFact("v", d(1, 1))]), CYCLES, AS_OF)
    visit = next(s for s in signs if s.measure is Measure.VISITS_INTERVAL)
    assert visit.value is None and "cadence" in visit.finding


def test_relapse_review_flags_theme_in_drifting_area() -> None:
    idx = drift_index(drift_signs(drifting_history(), CYCLES, AS_OF))
    flag = relapse_review("medicines", {"audit_cycles", "competency_checks"}, idx)
    assert flag.flagged
    assert SeedSign.AUDITS in flag.signs and SeedSign.SUPERVISION in flag.signs
    assert "a0" in flag.record_ids
    other = relapse_review("falls", {"incident_review"}, idx)
    assert not other.flagged and other.record_ids == ()


def test_relapse_watch_score_flags_only_when_location_drifting() -> None:
    one = drift_index([sv(Measure.AUDITS_LATE, 0.25, ("a1",))])
    assert one.band is Band.NONE
    assert not relapse_review("t", {"audit_cycles"}, one).flagged
    many = drift_index([sv(Measure.AUDITS_LATE, 0.25, ("a1",)),
                        sv(Measure.SUPERVISION_UNLINKED, 0.9),
                        sv(Measure.FEEDBACK_NO_ACTION, 0.3)])
    assert many.band is Band.DRIFTING
    assert relapse_review("t", {"audit_cycles"}, many).flagged


def test_custom_area_mapping() -> None:
    idx = drift_index([sv(Measure.FEEDBACK_NO_ACTION, 0.9, ("f1",))])
    areas = {SeedSign.FEEDBACK: frozenset({"R4"})}
    assert relapse_review("t", {"R4"}, idx, areas).flagged
    assert not relapse_review("t", {"feedback"}, idx, areas).flagged
