"""Tested assurance (manager's own audits vs the independent sample) and key-person risk."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sustain.engine.assurance import (
    AuditScore,
    ThemeRecord,
    assurance_gap,
    assurance_gaps,
    key_person_risk,
)
from sustain.engine.meeting_rules import Period

NOV = Period(14, "Cycle 14 — November 2026", dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def d(day: int, month: int = 11) -> dt.date:
    return dt.date(2026, month, day)


def test_gap_above_threshold_is_a_signal_with_the_audits() -> None:
    audits = [AuditScore("o1", "mar", d(3), 98, False), AuditScore("o2", "mar", d(17), 94, False),
              AuditScore("i1", "mar", d(20), 78, True),
              AuditScore("oct", "mar", d(20, 10), 50, True)]  # another month: left out
    gap = assurance_gap(audits, "mar", NOV, template_name="MAR")
    assert gap.own_mean == pytest.approx(96) and gap.independent_mean == pytest.approx(78)
    assert gap.gap == pytest.approx(18)
    assert gap.signal
    assert gap.record_ids == ("o1", "o2", "i1")
    assert gap.finding.startswith("The manager's own MAR audits in Cycle 14 — November 2026 "
                                  "averaged 96%")
    assert "scored 78%" in gap.finding and "a gap of 18 points" in gap.finding
    assert "Leadership should test whether assurance is credible." in gap.finding


def test_small_gap_or_independent_higher_is_not_a_signal() -> None:
    close = [AuditScore("o", "mar", d(3), 90, False), AuditScore("i", "mar", d(4), 85, True)]
    assert not assurance_gap(close, "mar", NOV).signal
    higher = [AuditScore("o", "mar", d(3), 60, False), AuditScore("i", "mar", d(4), 90, True)]
    g = assurance_gap(higher, "mar", NOV)
    assert not g.signal and g.gap == pytest.approx(-30) and "not over-assuring" in g.finding


def test_threshold_is_a_setting_and_strict() -> None:
    audits = [AuditScore("o", "mar", d(3), 90, False), AuditScore("i", "mar", d(4), 80, True)]
    assert not assurance_gap(audits, "mar", NOV).signal  # exactly 10: not above
    assert assurance_gap(audits, "mar", NOV, threshold=5).signal


def test_no_independent_sample_means_not_tested() -> None:
    g = assurance_gap([AuditScore("o", "mar", d(3), 90, False)], "mar", NOV)
    assert g.gap is None and not g.signal
    assert g.finding == ("Assurance not tested for mar in Cycle 14 — November 2026: there is no "
                         "independent sample to compare.")
    g = assurance_gap([AuditScore("i", "mar", d(3), 90, True)], "mar", NOV)
    assert g.gap is None and "no audit by the manager" in g.finding


def test_tested_assurance_per_template_signals_first() -> None:
    audits = [AuditScore("o1", "mar", d(3), 96, False), AuditScore("i1", "mar", d(4), 78, True),
              AuditScore("o2", "ipc", d(3), 80, False), AuditScore("i2", "ipc", d(4), 82, True),
              AuditScore("o3", "falls", d(3), 70, False)]  # no independent sample
    gaps = assurance_gaps(audits, NOV, template_names={"mar": "MAR"})
    assert [g.template for g in gaps] == ["mar", "ipc"]
    assert gaps[0].signal and not gaps[1].signal
    assert gaps[0].template_name == "MAR" and gaps[1].template_name == "ipc"


@given(st.lists(st.floats(0, 100), min_size=1, max_size=5),
       st.lists(st.floats(0, 100), min_size=1, max_size=5), st.floats(0, 50))
def test_signal_iff_mean_gap_above_threshold(own: list[float], ind: list[float],
                                             threshold: float) -> None:
    audits = [AuditScore(f"o{i}", "t", d(5), s, False) for i, s in enumerate(own)]
    audits += [AuditScore(f"i{i}", "t", d(6), s, True) for i, s in enumerate(ind)]
    g = assurance_gap(audits, "t", NOV, threshold=threshold)
    expected = sum(own) / len(own) - sum(ind) / len(ind)
    assert g.gap == pytest.approx(expected)
    assert g.signal == (g.gap is not None and g.gap > threshold)


# --- key-person risk ---------------------------------------------------------------------------

def recs(people: list[str], month: int = 11) -> list[ThemeRecord]:
    return [ThemeRecord(f"r{i}-{month}", p, d(1 + i, month)) for i, p in enumerate(people)]


def test_owner_left_is_flagged() -> None:
    r = key_person_risk("t1", owner_id="ann", records=recs(["ann", "bob", "cat"]), cycle=NOV,
                        left={"ann"}, names={"ann": "Ann Smith"})
    assert r.flagged
    assert r.reasons == ("Ann Smith owns this theme and has left: hand it over.",)
    assert r.person_ids == ("ann",) and r.record_ids == ("r0-11",)


def test_one_person_making_most_records_is_flagged() -> None:
    records = recs(["bob"] * 8 + ["cat", "dan"]) + recs(["cat"] * 5, month=10)
    r = key_person_risk("t1", owner_id="ann", records=records, cycle=NOV,
                        names={"bob": "Bob Jones"})
    assert r.flagged and r.dominant_share == pytest.approx(0.8)
    assert r.person_ids == ("bob",)
    assert len(r.record_ids) == 8
    assert r.reasons[0].startswith("Bob Jones made 8 of the theme's 10 records")
    assert "depends on them" in r.reasons[0]


def test_shared_records_and_active_owner_not_flagged() -> None:
    r = key_person_risk("t1", owner_id="ann", records=recs(["bob"] * 7 + ["cat"] * 3),
                        cycle=NOV)
    assert not r.flagged and r.dominant_share == pytest.approx(0.7)  # 70 % is not more than 70 %
    assert r.reasons == () and r.record_ids == ()


def test_too_few_records_not_flagged_for_dominance() -> None:
    r = key_person_risk("t1", owner_id=None, records=recs(["bob", "bob"]), cycle=NOV)
    assert not r.flagged
    assert key_person_risk("t1", owner_id=None, records=recs(["bob", "bob"]), cycle=NOV,
                           min_records=2).flagged


def test_dominant_person_who_left_and_owner_who_left() -> None:
    r = key_person_risk("t1", owner_id="ann", records=recs(["bob"] * 4 + ["ann"]), cycle=NOV,
                        left={"ann", "bob"})
    assert r.flagged and len(r.reasons) == 2
    assert r.person_ids == ("ann", "bob")
    assert r.reasons[1].endswith("and has left.")
    assert set(r.record_ids) == {f"r{i}-11" for i in range(5)}
