"""The embedding map: counts per channel and cycle, coverage over observed channels only,
gaps named, channels Sustain cannot observe shown but never counted."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sustain.engine.embedding import CHANNELS, coverage, embedding_map


def test_counts_coverage_and_gaps_per_cycle() -> None:
    m = embedding_map(
        channels=["audit_cycles", "supervision", "dashboards", "supervision"],
        observed=frozenset({"audit_cycles", "supervision"}),
        cycles=[10, 11],
        counts={(10, "audit_cycles"): 2, (11, "audit_cycles"): 1, (11, "supervision"): 3,
                (11, "dashboards"): 9})
    assert [(r.channel, r.observed, r.counts) for r in m.rows] == [
        ("audit_cycles", True, (2, 1)), ("supervision", True, (0, 3)),
        ("dashboards", False, (0, 9))]
    first, second = m.summaries
    assert (first.coverage, first.active, first.gaps) == (0.5, ("audit_cycles",),
                                                          ("supervision",))
    assert (second.percent, second.gaps) == (100, ())
    lines = m.explanation({10: "October", 11: "November"})
    assert lines[0] == ("October: 1 of 2 channels active (50%); no record through "
                        "Supervision discussions.")
    assert lines[1] == "November: 2 of 2 channels active (100%)."


def test_nothing_observable_has_no_coverage() -> None:
    m = embedding_map(channels=["dashboards"], observed=frozenset({"audit_cycles"}),
                      cycles=[1], counts={})
    assert m.summaries[0].coverage is None
    assert "no channel Sustain can observe" in m.explanation({})[0]


@given(st.sets(st.sampled_from(sorted(CHANNELS)), min_size=1),
       st.sets(st.sampled_from(sorted(CHANNELS))),
       st.dictionaries(st.sampled_from(sorted(CHANNELS)), st.integers(0, 5)))
def test_map_coverage_agrees_with_the_lifecycle_coverage(channels: set[str],
                                                         observed: set[str],
                                                         counts: dict[str, int]) -> None:
    m = embedding_map(channels=sorted(channels), observed=frozenset(observed), cycles=[7],
                      counts={(7, c): n for c, n in counts.items()})
    required = frozenset(channels & observed)
    active = frozenset(c for c, n in counts.items() if n > 0)
    summary = m.summaries[0]
    if required:
        assert summary.coverage == coverage(required, active)
        assert set(summary.gaps) == required - active
    else:
        assert summary.coverage is None
