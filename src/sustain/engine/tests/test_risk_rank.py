"""Provider risk ranking on constructed facts: order, ties, caps, unknown facts, and every
component explained by a sentence whose numbers add up to its points."""

from __future__ import annotations

import re

import pytest

from sustain.engine.risk_rank import (
    NOT_SHOWN,
    RULE_VERSION,
    DriftFact,
    LocationFacts,
    rank,
    risk_score,
    sort_key,
)


def facts(name: str, **kw: object) -> LocationFacts:
    base: dict[str, object] = {"key": name.lower(), "name": name, "inspected": True,
                               "rating": "good", "themes_by_stage": {}, "drift": None,
                               "open_concerns": 0, "overdue_interpretations": 0,
                               "overdue_governance": 0, "open_tasks": 0, "overdue_tasks": 0}
    base.update(kw)
    return LocationFacts(**base)  # type: ignore[arg-type]


def parts(name: str, **kw: object) -> dict[str, tuple[int, str]]:
    score = risk_score(facts(name, **kw))
    return {c.key: (c.points, c.sentence) for c in score.components}


@pytest.mark.parametrize(("rating", "points"), [
    ("inadequate", 10), ("requires-improvement", 5), ("not-rated", 3), ("good", 0),
    ("outstanding", 0)])
def test_rating_points(rating: str, points: int) -> None:
    got, sentence = parts("A", rating=rating)["rating"]
    assert got == points
    assert f"({points} point" in sentence


def test_never_inspected_weighs_like_not_rated() -> None:
    got, sentence = parts("A", inspected=False, rating=None)["rating"]
    assert got == 3 and sentence.startswith("Never inspected")


def test_themes_by_stage_relapsed_and_early_weigh_more() -> None:
    got, sentence = parts("A", themes_by_stage={
        "relapsed": 1, "identified": 2, "recovering": 1, "actions_complete": 1,
        "verified": 3, "embedded": 2})["themes"]
    assert got == 4 + 6 + 2 + 1
    assert sentence == ("1 relapsed × 4 + 2 identified × 3 + 1 recovering × 2 + "
                        "1 actions complete × 1 + 3 verified × 0 + 2 embedded × 0 "
                        "= 13 points.")
    # One relapse outweighs one theme at any other stage.
    one = {s: parts("A", themes_by_stage={s: 1})["themes"][0]
           for s in ("relapsed", "identified", "recovering", "actions_complete", "sustaining")}
    assert one["relapsed"] > one["identified"] > one["recovering"] > \
        one["actions_complete"] > one["sustaining"] == 0


@pytest.mark.parametrize(("value", "band", "points"), [
    (0, "none", 0), (2, "watch", 3), (5, "drifting", 8), (14, "drifting", 17)])
def test_drift_index_plus_band(value: int, band: str, points: int) -> None:
    got, sentence = parts("A", drift=DriftFact(value, band))["drift"]
    assert got == points
    assert sentence.startswith(f"Drift index {value} (")


def test_no_assessment_and_hidden_drift_score_nothing() -> None:
    assert parts("A", drift=None)["drift"] == (0, "No drift assessment yet (0 points).")
    assert parts("A", drift=DriftFact(9, "drifting"), drift_known=False)["drift"] == \
        (0, NOT_SHOWN)


def test_signals_overdue_interpretations_and_cap() -> None:
    assert parts("A", open_concerns=2, overdue_interpretations=1)["signals"][0] == 2 * 3 + 2
    got, sentence = parts("A", open_concerns=8, overdue_interpretations=7)["signals"]
    assert got == 5 * 3 + 5 * 2
    assert "counted 5 of 8" in sentence


def test_governance_and_escalations_with_caps() -> None:
    assert parts("A", overdue_governance=4)["governance"][0] == 4
    assert parts("A", overdue_governance=25)["governance"][0] == 10
    assert parts("A", open_tasks=3, overdue_tasks=1)["escalations"][0] == 3 + 2
    assert parts("A", open_tasks=30, overdue_tasks=30)["escalations"][0] == 10 + 20


def test_unknown_facts_score_nothing_and_say_so() -> None:
    score = risk_score(LocationFacts(key="x", name="Hidden", inspected=None,
                                     themes_by_stage=None, drift_known=False))
    assert score.total == 0
    assert all(c.sentence == NOT_SHOWN for c in score.components)
    assert "nothing in the facts shown to you" in score.explanation


def test_every_component_is_explained_and_its_numbers_add_up() -> None:
    score = risk_score(facts("Rosewood", rating="requires-improvement",
                             themes_by_stage={"relapsed": 1, "recovering": 2},
                             drift=DriftFact(6, "drifting"), open_concerns=2,
                             overdue_interpretations=1, overdue_governance=3, open_tasks=4,
                             overdue_tasks=2))
    keys = [c.key for c in score.components]
    assert keys == ["rating", "themes", "drift", "signals", "governance", "escalations"]
    for c in score.components:
        assert c.sentence.endswith(".") and c.label
        stated = re.search(r"(\d+) points?\)?\.$", c.sentence)
        assert stated is not None and int(stated.group(1)) == c.points, c.sentence
    assert score.total == sum(c.points for c in score.components) == 5 + 8 + 9 + 8 + 3 + 8
    assert score.rule_version == RULE_VERSION
    assert score.explanation == ("Risk score 41: drift 9; open themes 8; concern signals 8; "
                                 "escalation tasks 8; CQC rating 5; overdue governance 3.")


def test_rank_orders_by_score_then_name() -> None:
    ranked = rank([
        facts("birch house"),
        facts("Oak Lodge", rating="inadequate"),
        facts("Ash Court"),
        facts("Elm View", themes_by_stage={"relapsed": 1}, open_tasks=1),
        facts("Cedar", rating="requires-improvement"),
    ])
    assert [s.name for s in ranked] == ["Oak Lodge", "Cedar", "Elm View", "Ash Court",
                                        "birch house"]
    assert [s.total for s in ranked] == [10, 5, 5, 0, 0]


def test_ties_with_the_same_name_break_by_key_and_order_is_stable() -> None:
    a = risk_score(LocationFacts(key="b", name="Same", inspected=True, rating="good"))
    b = risk_score(LocationFacts(key="a", name="Same", inspected=True, rating="good"))
    assert sorted([a, b], key=sort_key) == [b, a]
    assert a.sort_key() == (0, "same", "b")


def test_a_drifting_home_with_a_good_rating_outranks_a_quiet_requires_improvement() -> None:
    """The point of early warning: drift shows before the rating does."""
    ranked = rank([facts("Quiet RI", rating="requires-improvement"),
                   facts("Drifting Good", drift=DriftFact(4, "drifting"), open_concerns=1)])
    assert ranked[0].name == "Drifting Good"
