"""Lifecycle rules: table tests plus a hypothesis state machine over random event sequences."""

from __future__ import annotations

import datetime as dt

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from sustain.engine.governance_cycles import cycle_bounds, cycle_of, full_cycles_between
from sustain.engine.lifecycle import (
    ActionFact,
    AuditFact,
    Milestones,
    Rule,
    SignalFact,
    Stage,
    ThemeFacts,
    evaluate,
    manual_transition_blockers,
)

D = dt.date


def audit(i: int, on: dt.date, score: float, reaudit: bool = True, mark: float = 90) -> AuditFact:
    return AuditFact(f"a{i}", on, score, mark, score >= mark, reaudit)


def test_cycles_over_month_and_year_ends() -> None:
    assert cycle_of(D(2025, 12, 31)) + 1 == cycle_of(D(2026, 1, 1))
    assert cycle_bounds(cycle_of(D(2024, 2, 10))) == (D(2024, 2, 1), D(2024, 2, 29))
    assert cycle_bounds(cycle_of(D(2026, 5, 5), "quarterly"), "quarterly") == \
        (D(2026, 4, 1), D(2026, 6, 30))
    assert full_cycles_between(D(2026, 3, 10), D(2026, 4, 30)) == 0
    assert full_cycles_between(D(2026, 3, 10), D(2026, 5, 1)) == 1


def test_no_actions_is_identified() -> None:
    result = evaluate(ThemeFacts(stage=Stage.IDENTIFIED, as_of=D(2026, 1, 5)))
    assert result.stage == Stage.IDENTIFIED
    assert "action plan" in result.missing[0]


def test_open_action_is_recovering_and_names_it() -> None:
    facts = ThemeFacts(stage=Stage.IDENTIFIED, as_of=D(2026, 1, 5), actions=[
        ActionFact("x1", "done", D(2026, 1, 1), D(2026, 1, 2)),
        ActionFact("x2", "open", D(2026, 1, 1), title="Retrain night staff")])
    result = evaluate(facts)
    assert result.stage == Stage.RECOVERING
    assert any("Retrain night staff" in m for m in result.missing)


def test_done_actions_without_reaudit_stop_at_actions_complete() -> None:
    facts = ThemeFacts(stage=Stage.RECOVERING, as_of=D(2026, 3, 1), actions=[
        ActionFact("x1", "done", D(2026, 1, 1), D(2026, 2, 1))],
        audits=[audit(1, D(2026, 1, 10), 95)])  # passed, but before the actions were done
    result = evaluate(facts)
    assert result.stage == Stage.ACTIONS_COMPLETE
    assert "re-audit" in result.missing[0]


def test_a_plain_audit_is_not_a_reaudit() -> None:
    facts = ThemeFacts(stage=Stage.ACTIONS_COMPLETE, as_of=D(2026, 3, 1), actions=[
        ActionFact("x1", "done", D(2026, 1, 1), D(2026, 2, 1))],
        audits=[audit(1, D(2026, 2, 10), 95, reaudit=False)])
    assert evaluate(facts).stage == Stage.ACTIONS_COMPLETE


def test_passing_reaudit_after_actions_verifies_with_evidence() -> None:
    facts = ThemeFacts(stage=Stage.ACTIONS_COMPLETE, as_of=D(2026, 3, 1), actions=[
        ActionFact("x1", "done", D(2026, 1, 1), D(2026, 2, 1))],
        audits=[audit(1, D(2026, 2, 10), 92)])
    result = evaluate(facts)
    assert result.stage == Stage.VERIFIED
    assert result.since == D(2026, 2, 10)
    assert "a1" in result.evidence and "x1" in result.evidence


def test_consecutive_passes_rule() -> None:
    base = {"stage": Stage.ACTIONS_COMPLETE, "as_of": D(2026, 4, 1),
                "actions": [ActionFact("x1", "done", D(2026, 1, 1), D(2026, 2, 1))],
                "rule": Rule(consecutive_passes=2)}
    one = ThemeFacts(**base, audits=[audit(1, D(2026, 2, 10), 92)])  # type: ignore[arg-type]
    assert evaluate(one).stage == Stage.ACTIONS_COMPLETE
    two = ThemeFacts(**base, audits=[audit(1, D(2026, 2, 10), 92),  # type: ignore[arg-type]
                                     audit(2, D(2026, 3, 10), 91)])
    assert evaluate(two).stage == Stage.VERIFIED


def test_verified_becomes_sustaining_when_its_cycle_ends() -> None:
    ms = Milestones(verified_on=D(2026, 2, 10))
    during = ThemeFacts(stage=Stage.VERIFIED, as_of=D(2026, 2, 28), milestones=ms)
    assert evaluate(during).stage == Stage.VERIFIED
    after = ThemeFacts(stage=Stage.VERIFIED, as_of=D(2026, 3, 1), milestones=ms)
    result = evaluate(after)
    assert result.stage == Stage.SUSTAINING and result.since == D(2026, 3, 1)


def test_embedded_needs_two_cycles_with_reaudits_and_channels() -> None:
    ms = Milestones(verified_on=D(2026, 2, 10), sustaining_since=D(2026, 3, 1))
    channels = frozenset({"supervision", "audit_cycle"})
    april, may = cycle_of(D(2026, 4, 1)), cycle_of(D(2026, 5, 1))
    facts = ThemeFacts(stage=Stage.SUSTAINING, as_of=D(2026, 6, 2), milestones=ms,
                       audits=[audit(1, D(2026, 4, 12), 93), audit(2, D(2026, 5, 12), 94)],
                       embedding_required=channels, embedding_active={may: channels})
    assert evaluate(facts).stage == Stage.EMBEDDED
    too_soon = ThemeFacts(stage=Stage.SUSTAINING, as_of=D(2026, 5, 20), milestones=ms,
                          audits=facts.audits, embedding_required=channels,
                          embedding_active={april: channels})
    assert evaluate(too_soon).stage == Stage.SUSTAINING
    no_channels = ThemeFacts(stage=Stage.SUSTAINING, as_of=D(2026, 6, 2), milestones=ms,
                             audits=facts.audits, embedding_required=channels,
                             embedding_active={may: frozenset({"supervision"})})
    result = evaluate(no_channels)
    assert result.stage == Stage.SUSTAINING
    assert any("audit_cycle" in m for m in result.missing)
    gap = ThemeFacts(stage=Stage.SUSTAINING, as_of=D(2026, 6, 2), milestones=ms,
                     audits=[audit(2, D(2026, 5, 12), 94)], embedding_required=channels,
                     embedding_active={may: channels})
    assert evaluate(gap).stage == Stage.SUSTAINING


def test_failed_reaudit_after_verification_relapses() -> None:
    ms = Milestones(verified_on=D(2026, 2, 10), sustaining_since=D(2026, 3, 1))
    facts = ThemeFacts(stage=Stage.SUSTAINING, as_of=D(2026, 4, 20), milestones=ms,
                       audits=[audit(1, D(2026, 2, 10), 92), audit(2, D(2026, 4, 15), 70)])
    result = evaluate(facts)
    assert result.stage == Stage.RELAPSED and result.evidence == ("a2",)


def test_concern_signal_relapses_embedded_theme() -> None:
    ms = Milestones(verified_on=D(2026, 2, 10), sustaining_since=D(2026, 3, 1))
    facts = ThemeFacts(stage=Stage.EMBEDDED, as_of=D(2026, 9, 1), milestones=ms,
                       signals=[SignalFact("s1", D(2026, 8, 30), concern=True),
                                SignalFact("s0", D(2026, 8, 1), concern=False)])
    assert evaluate(facts).stage == Stage.RELAPSED


def test_relapsed_needs_new_actions_and_a_new_reaudit() -> None:
    ms = Milestones(verified_on=D(2026, 2, 10), relapsed_on=D(2026, 4, 15))
    old = [ActionFact("x1", "done", D(2026, 1, 1), D(2026, 2, 1))]
    stuck = ThemeFacts(stage=Stage.RELAPSED, as_of=D(2026, 4, 20), milestones=ms, actions=old,
                       audits=[audit(1, D(2026, 2, 10), 92)])
    assert evaluate(stuck).stage == Stage.RELAPSED
    replanned = ThemeFacts(stage=Stage.RELAPSED, as_of=D(2026, 4, 20), milestones=ms,
                           actions=[*old, ActionFact("x2", "open", D(2026, 4, 16))],
                           audits=stuck.audits)
    assert evaluate(replanned).stage == Stage.RECOVERING
    done = [*old, ActionFact("x2", "done", D(2026, 4, 16), D(2026, 4, 18))]
    old_pass_only = ThemeFacts(stage=Stage.RECOVERING, as_of=D(2026, 4, 20), milestones=ms,
                               actions=done, audits=stuck.audits)
    assert evaluate(old_pass_only).stage == Stage.ACTIONS_COMPLETE


def test_manual_moves_cannot_skip_the_evidence() -> None:
    facts = ThemeFacts(stage=Stage.ACTIONS_COMPLETE, as_of=D(2026, 3, 1), actions=[
        ActionFact("x1", "done", D(2026, 1, 1), D(2026, 2, 1))])
    assert manual_transition_blockers(facts, Stage.VERIFIED)
    assert manual_transition_blockers(facts, Stage.SUSTAINING)
    assert manual_transition_blockers(facts, Stage.EMBEDDED)
    assert manual_transition_blockers(facts, Stage.RECOVERING) == ()
    verified = ThemeFacts(stage=Stage.VERIFIED, as_of=D(2026, 2, 20),
                          milestones=Milestones(verified_on=D(2026, 2, 10)))
    assert manual_transition_blockers(verified, Stage.SUSTAINING) == ()
    assert manual_transition_blockers(verified, Stage.RELAPSED) == ()


# --- property: no sequence of events reaches a proven stage without a passing re-audit ---

class ThemeMachine(RuleBasedStateMachine):
    """Random actions, audits, signals and days passing; the theme is re-evaluated each step
    and every automatic move is applied as the service would (milestones recorded)."""

    def __init__(self) -> None:
        super().__init__()
        self.day = D(2025, 1, 1)
        self.stage = Stage.IDENTIFIED
        self.actions: list[ActionFact] = []
        self.audits: list[AuditFact] = []
        self.signals: list[SignalFact] = []
        self.ms = Milestones()
        self.n = 0

    def _facts(self) -> ThemeFacts:
        return ThemeFacts(stage=self.stage, as_of=self.day, actions=tuple(self.actions),
                          audits=tuple(self.audits), signals=tuple(self.signals),
                          milestones=self.ms)

    def _settle(self) -> None:
        for _ in range(8):
            result = evaluate(self._facts())
            if result.stage == self.stage:
                return
            new = result.stage
            if new == Stage.VERIFIED:
                self.ms = Milestones(result.since, None, self.ms.relapsed_on)
            elif new == Stage.SUSTAINING:
                self.ms = Milestones(self.ms.verified_on, result.since, self.ms.relapsed_on)
            elif new == Stage.RELAPSED:
                self.ms = Milestones(self.ms.verified_on, self.ms.sustaining_since, self.day)
            self.stage = new

    @rule(days=st.sampled_from([0, 1, 3, 31]))
    def pass_time(self, days: int) -> None:
        self.day += dt.timedelta(days=days)
        self._settle()

    @rule()
    def add_action(self) -> None:
        self.n += 1
        self.actions.append(ActionFact(f"x{self.n}", "open", self.day))
        self._settle()

    @rule(data=st.data())
    def finish_action(self, data: st.DataObject) -> None:
        open_ = [i for i, a in enumerate(self.actions) if a.status == "open"]
        if open_:
            i = data.draw(st.sampled_from(open_))
            a = self.actions[i]
            self.actions[i] = ActionFact(a.action_id, "done", a.created_on, self.day)
        self._settle()

    @rule(score=st.sampled_from([60, 89, 90, 97]), reaudit=st.booleans())
    def run_audit(self, score: int, reaudit: bool) -> None:
        self.n += 1
        self.audits.append(audit(self.n, self.day, score, reaudit))
        self._settle()

    @rule()
    def concern_signal(self) -> None:
        self.n += 1
        self.signals.append(SignalFact(f"s{self.n}", self.day, True))
        self._settle()

    @invariant()
    def proven_stages_rest_on_a_passing_reaudit(self) -> None:
        if self.stage in (Stage.VERIFIED, Stage.SUSTAINING, Stage.EMBEDDED):
            verified_on = self.ms.verified_on
            assert verified_on is not None
            assert any(a.is_reaudit and a.passed and a.completed_on == verified_on
                       for a in self.audits)
            live = [a for a in self.actions if a.status != "cancelled"]
            assert live and all(a.completed_on and a.completed_on <= verified_on for a in live
                                if a.created_on < verified_on)

    @invariant()
    def failed_reaudit_after_verification_means_relapse(self) -> None:
        if self.stage in (Stage.VERIFIED, Stage.SUSTAINING, Stage.EMBEDDED):
            start = self.ms.verified_on
            assert start is not None
            reaudits = [a for a in self.audits if a.is_reaudit]  # in completion order
            anchor = max(i for i, a in enumerate(reaudits)
                         if a.completed_on == start and a.passed)
            assert not any(not a.passed and i > anchor for i, a in enumerate(reaudits))


TestThemeMachine = ThemeMachine.TestCase
TestThemeMachine.settings = settings(max_examples=300, stateful_step_count=30, deadline=None)


def test_a_cycle_that_began_in_sustaining_counts_in_full() -> None:
    channels = frozenset({"audit_cycles"})
    on_first = Milestones(verified_on=D(2026, 2, 10), sustaining_since=D(2026, 3, 1))
    audits = [audit(1, D(2026, 3, 12), 93), audit(2, D(2026, 4, 12), 94)]
    active = {cycle_of(D(2026, 4, 1)): channels}
    facts = ThemeFacts(stage=Stage.SUSTAINING, as_of=D(2026, 5, 2), milestones=on_first,
                       audits=audits, embedding_required=channels, embedding_active=active)
    result = evaluate(facts)
    assert result.stage == Stage.EMBEDDED and result.since == D(2026, 5, 1)
    mid_month = Milestones(verified_on=D(2026, 2, 10), sustaining_since=D(2026, 3, 5))
    later = ThemeFacts(stage=Stage.SUSTAINING, as_of=D(2026, 5, 2), milestones=mid_month,
                       audits=audits, embedding_required=channels, embedding_active=active)
    assert evaluate(later).stage == Stage.SUSTAINING
