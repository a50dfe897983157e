"""The theme lifecycle: which stage the evidence supports, why, and what the next stage needs.

identified → recovering → actions complete → verified → sustaining → embedded, and relapsed.

- *actions complete* needs every (non-cancelled) action done; it is not closure.
- *verified* needs re-audits at or above the pass mark, completed after the last action was
  done (and after any relapse): the seed's first pitfall is closing plans without re-testing.
- *sustaining* starts at formal closure: a manager's closure, or automatically when the
  governance cycle in which the theme was verified has ended.
- *embedded* needs `sustain_cycles` complete governance cycles in sustaining, each with a
  re-audit that held, no concern signal, and the embedding channels active.
- *relapsed* is entered automatically from verified/sustaining/embedded on a failed re-audit, a
  concern signal on the theme's indicators, or repeated escalations within one cycle; the theme
  returns to recovering once new actions are raised.

Everything here is pure: callers pass the facts and the date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sustain.engine.governance_cycles import CycleKind, cycle_bounds, cycle_of

RULE_VERSION = "lifecycle-1"


class Stage(StrEnum):
    IDENTIFIED = "identified"
    RECOVERING = "recovering"
    ACTIONS_COMPLETE = "actions_complete"
    VERIFIED = "verified"
    SUSTAINING = "sustaining"
    EMBEDDED = "embedded"
    RELAPSED = "relapsed"


STAGE_LABELS = {
    Stage.IDENTIFIED: "Identified",
    Stage.RECOVERING: "Recovering",
    Stage.ACTIONS_COMPLETE: "Actions complete",
    Stage.VERIFIED: "Verified",
    Stage.SUSTAINING: "Sustaining",
    Stage.EMBEDDED: "Embedded",
    Stage.RELAPSED: "Relapsed",
}

LADDER = (Stage.IDENTIFIED, Stage.RECOVERING, Stage.ACTIONS_COMPLETE, Stage.VERIFIED,
          Stage.SUSTAINING, Stage.EMBEDDED)
PROVEN = frozenset({Stage.VERIFIED, Stage.SUSTAINING, Stage.EMBEDDED})
DONE_STATUSES = frozenset({"done", "effective"})


@dataclass(frozen=True)
class ActionFact:
    action_id: str
    status: str  # open | in_progress | done | effective | cancelled
    created_on: dt.date
    completed_on: dt.date | None = None
    title: str = ""


@dataclass(frozen=True)
class AuditFact:
    audit_id: str
    completed_on: dt.date
    score: float  # percentage 0–100
    pass_mark: float
    passed: bool  # score ≥ pass mark and no critical question failed
    is_reaudit: bool


@dataclass(frozen=True)
class SignalFact:
    signal_id: str
    on: dt.date
    concern: bool


@dataclass(frozen=True)
class Rule:
    """The playbook's verification and sustain rule."""

    consecutive_passes: int = 1
    sustain_cycles: int = 2
    relapse_escalations_per_cycle: int = 3
    embedding_min_coverage: float = 1.0


@dataclass(frozen=True)
class Milestones:
    """When the theme entered the stages that later rules count from (from its history)."""

    verified_on: dt.date | None = None
    sustaining_since: dt.date | None = None
    relapsed_on: dt.date | None = None


@dataclass(frozen=True)
class ThemeFacts:
    stage: Stage
    as_of: dt.date
    actions: Sequence[ActionFact] = ()
    audits: Sequence[AuditFact] = ()  # in completion order
    signals: Sequence[SignalFact] = ()
    escalations: Sequence[dt.date] = ()
    embedding_required: frozenset[str] = frozenset()
    embedding_active: dict[int, frozenset[str]] = field(default_factory=dict)
    milestones: Milestones = Milestones()
    rule: Rule = Rule()
    cycle: CycleKind = CycleKind.MONTHLY


@dataclass(frozen=True)
class Evaluation:
    """The stage the evidence supports, the date it was reached, and the explanation."""

    stage: Stage
    since: dt.date
    reasons: tuple[str, ...]
    missing: tuple[str, ...]  # what the next stage still needs
    evidence: tuple[str, ...]  # ids of the records the judgement used
    rule_version: str = RULE_VERSION


def _fmt(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _live_actions(facts: ThemeFacts) -> list[ActionFact]:
    return [a for a in facts.actions if a.status != "cancelled"]


def _relapse(facts: ThemeFacts) -> Evaluation | None:
    """A failed re-audit, a concern signal, or repeated escalations since verification."""
    start = facts.milestones.verified_on
    if facts.stage not in PROVEN or start is None:
        return None
    # Audits arrive in completion order; on the day of verification only failures completed
    # after the verifying re-audit count.
    ordered = [a for a in facts.audits if a.is_reaudit and a.completed_on <= facts.as_of]
    anchor = max((i for i, a in enumerate(ordered) if a.completed_on == start and a.passed),
                 default=-1)
    failed = [a for i, a in enumerate(ordered) if not a.passed and (
        a.completed_on > start or (a.completed_on == start and i > anchor))]
    if failed:
        first = min(failed, key=lambda a: a.completed_on)
        return Evaluation(Stage.RELAPSED, first.completed_on, (
            f"Re-audit on {_fmt(first.completed_on)} scored {first.score:.0f}% "
            f"(pass mark {first.pass_mark:.0f}%): practice has slipped back.",), (
            "New actions to recover the theme.",), (first.audit_id,))
    concerns = [s for s in facts.signals if s.concern and start <= s.on <= facts.as_of]
    if concerns:
        first_signal = min(concerns, key=lambda s: s.on)
        return Evaluation(Stage.RELAPSED, first_signal.on, (
            f"A concern signal on the theme's indicators on {_fmt(first_signal.on)}.",), (
            "New actions to recover the theme.",), (first_signal.signal_id,))
    current = cycle_of(facts.as_of, facts.cycle)
    recent = [d for d in facts.escalations if d >= start and cycle_of(d, facts.cycle) == current]
    if len(recent) >= facts.rule.relapse_escalations_per_cycle:
        return Evaluation(Stage.RELAPSED, max(recent), (
            f"{len(recent)} escalations fired this governance cycle "
            f"(limit {facts.rule.relapse_escalations_per_cycle}).",), (
            "New actions to recover the theme.",), ())
    return None


def _pre_verification(facts: ThemeFacts, baseline: dt.date | None) -> Evaluation:
    """identified / recovering / actions complete / verified, from actions and re-audits."""
    live = _live_actions(facts)
    if baseline is not None and not any(a.created_on >= baseline for a in live):
        return Evaluation(Stage.RELAPSED, baseline, ("The theme relapsed and no new action has "
                                                     "been raised since.",),
                          (f"At least one new action raised on or after {_fmt(baseline)}.",), ())
    if not live:
        return Evaluation(Stage.IDENTIFIED, facts.as_of, ("No action plan yet.",),
                          ("An action plan: at least one action.",), ())
    open_actions = [a for a in live if a.status not in DONE_STATUSES]
    if open_actions:
        return Evaluation(Stage.RECOVERING, min(a.created_on for a in live), (
            f"{len(live) - len(open_actions)} of {len(live)} actions done.",),
            tuple(f"Action not done: {a.title or a.action_id}" for a in open_actions),
            tuple(a.action_id for a in live))
    done_dates = [a.completed_on for a in live if a.completed_on is not None]
    done_on = max(done_dates) if done_dates else facts.as_of
    window_start = max(done_on, baseline) if baseline else done_on
    # A stable sort keeps completion order within a day.
    reaudits = sorted((a for a in facts.audits if a.is_reaudit
                       and window_start <= a.completed_on <= facts.as_of),
                      key=lambda a: a.completed_on)
    need = facts.rule.consecutive_passes
    tail = reaudits[-need:] if len(reaudits) >= need else []
    action_ids = tuple(a.action_id for a in live)
    if tail and all(a.passed for a in tail):
        return Evaluation(Stage.VERIFIED, tail[-1].completed_on, (
            f"All {len(live)} actions done; re-audit on {_fmt(tail[-1].completed_on)} scored "
            f"{tail[-1].score:.0f}% (pass mark {tail[-1].pass_mark:.0f}%)"
            + (f", {need} passes in a row." if need > 1 else "."),),
            ("Formal closure, or the end of this governance cycle.",),
            action_ids + tuple(a.audit_id for a in tail))
    missing = [f"A re-audit at or above the pass mark completed on or after {_fmt(window_start)}"
               + (f" ({need} in a row)" if need > 1 else "") + "."]
    if reaudits and not reaudits[-1].passed:
        last = reaudits[-1]
        missing.append(f"The latest re-audit ({_fmt(last.completed_on)}) scored "
                       f"{last.score:.0f}% against a pass mark of {last.pass_mark:.0f}%.")
    return Evaluation(Stage.ACTIONS_COMPLETE, done_on, (
        f"All {len(live)} actions done; done is not effective until a re-audit proves it.",),
        tuple(missing), action_ids + tuple(a.audit_id for a in reaudits))


def _embedded_check(facts: ThemeFacts, since: dt.date) -> tuple[list[str], list[str], list[str]]:
    """(reasons, missing, evidence) for sustaining → embedded."""
    # Cycles wholly in sustaining: the one it began in counts when it began on its first day.
    began = cycle_of(since, facts.cycle)
    first = began if cycle_bounds(began, facts.cycle)[0] == since else began + 1
    current = cycle_of(facts.as_of, facts.cycle)
    complete = list(range(first, current))
    need = facts.rule.sustain_cycles
    reasons: list[str] = [f"{len(complete)} complete governance cycle(s) in sustaining "
                          f"({need} needed)."]
    missing: list[str] = []
    evidence: list[str] = []
    if len(complete) < need:
        end = cycle_bounds(first + need - 1, facts.cycle)[1]
        missing.append(f"{need - len(complete)} more governance cycle(s) (until {_fmt(end)}).")
    for ordinal in complete[-need:] if complete else []:
        start, end = cycle_bounds(ordinal, facts.cycle)
        held = [a for a in facts.audits if a.is_reaudit and a.passed
                and start <= a.completed_on <= end]
        if held:
            evidence.extend(a.audit_id for a in held)
        else:
            missing.append(f"A re-audit that held in the cycle {_fmt(start)} – {_fmt(end)}.")
    if facts.embedding_required and complete:
        active = facts.embedding_active.get(complete[-1], frozenset())
        covered = facts.embedding_required & active
        coverage = len(covered) / len(facts.embedding_required)
        reasons.append(f"Embedding channels active last cycle: {len(covered)} of "
                       f"{len(facts.embedding_required)}.")
        if coverage < facts.rule.embedding_min_coverage:
            absent = sorted(facts.embedding_required - active)
            missing.append("Embedding channels not active last cycle: " + ", ".join(absent) + ".")
    elif facts.embedding_required:
        missing.append("A complete governance cycle showing the embedding channels active.")
    return reasons, missing, evidence


def evaluate(facts: ThemeFacts) -> Evaluation:
    """The stage the evidence supports now.

    Before verification the stage follows the evidence both ways (a new open action sends an
    actions-complete theme back to recovering). Once verified, the theme only moves forward or
    relapses: adding an improvement action does not un-verify it.
    """
    relapse = _relapse(facts)
    if relapse is not None:
        return relapse
    ms = facts.milestones
    if facts.stage == Stage.EMBEDDED:
        return Evaluation(Stage.EMBEDDED, ms.sustaining_since or facts.as_of, (
            "Embedded: oversight may step down, never to zero.",), (), ())
    if facts.stage == Stage.SUSTAINING:
        since = ms.sustaining_since or facts.as_of
        reasons, missing, evidence = _embedded_check(facts, since)
        if not missing:
            # The last required cycle ended when the current one began.
            became = cycle_bounds(cycle_of(facts.as_of, facts.cycle), facts.cycle)[0]
            return Evaluation(Stage.EMBEDDED, max(became, since), tuple(reasons), (),
                              tuple(evidence))
        return Evaluation(Stage.SUSTAINING, since, tuple(reasons), tuple(missing),
                          tuple(evidence))
    if facts.stage == Stage.VERIFIED:
        verified_on = ms.verified_on or facts.as_of
        if cycle_of(facts.as_of, facts.cycle) > cycle_of(verified_on, facts.cycle):
            start = cycle_bounds(cycle_of(verified_on, facts.cycle) + 1, facts.cycle)[0]
            return Evaluation(Stage.SUSTAINING, start, (
                f"The governance cycle in which the theme was verified ({_fmt(verified_on)}) "
                "has ended: formal closure; the theme stays visible while it sustains.",),
                (f"{facts.rule.sustain_cycles} governance cycles with re-audits holding.",), ())
        return Evaluation(Stage.VERIFIED, verified_on, (
            f"Verified on {_fmt(verified_on)}.",),
            ("Formal closure, or the end of this governance cycle.",), ())
    baseline = ms.relapsed_on
    return _pre_verification(facts, baseline)


MANUAL_TARGETS = frozenset(Stage)


def manual_transition_blockers(facts: ThemeFacts, target: Stage) -> tuple[str, ...]:
    """Why a person may not move the theme to `target` now (empty: allowed, with a reason).

    People may record a relapse, step oversight back (embedded → sustaining), start recovery
    work, or formally close a verified theme. Nobody can move a theme to verified, sustaining
    or embedded without the evidence those stages need.
    """
    current = facts.stage
    if target == current:
        return (f"The theme is already {STAGE_LABELS[target].lower()}.",)
    supported = evaluate(facts)
    if target == Stage.RELAPSED:
        if current in PROVEN:
            return ()
        return ("Only a verified, sustaining or embedded theme can relapse.",)
    if target == Stage.VERIFIED:
        if current in PROVEN:
            return ("The theme is already past verification.",)
        probe = _pre_verification(facts, facts.milestones.relapsed_on)
        return () if probe.stage == Stage.VERIFIED else probe.missing
    if target == Stage.SUSTAINING:
        if current == Stage.VERIFIED:
            return ()  # formal closure of a verified theme
        if current == Stage.EMBEDDED:
            return ()  # stepping oversight back up
        return ("A theme reaches sustaining only after verification by re-audit.",)
    if target == Stage.EMBEDDED:
        if current != Stage.SUSTAINING:
            return ("A theme is embedded only after sustaining for the required cycles.",)
        return () if supported.stage == Stage.EMBEDDED else supported.missing
    # identified / recovering / actions complete: moving back into recovery work.
    if target == Stage.ACTIONS_COMPLETE:
        probe = _pre_verification(facts, facts.milestones.relapsed_on)
        if probe.stage in (Stage.ACTIONS_COMPLETE, Stage.VERIFIED):
            return ()
        return probe.missing
    if target == Stage.RECOVERING:
        return ()
    return ("A theme cannot go back to identified once work has started.",) \
        if current != Stage.RELAPSED else ()
