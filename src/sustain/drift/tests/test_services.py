"""`services.assess` on constructed records: every seed sign fires on a drifting October and
none on a healthy one; the stored JSON names the records; tested assurance, key-person risk
and relapse review through the service; idempotence and the history convention."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sustain.core.models import HistoryEntry
from sustain.drift import selectors, services
from sustain.drift.models import DriftAssessment
from sustain.drift.tests.conftest import AS_OF, OCT, Records
from sustain.engine.drift import Measure, SeedSign

pytestmark = pytest.mark.django_db


def _assess(records: Records, cycles: int = 1) -> DriftAssessment:
    services.assess(organisation=records.org, as_of=AS_OF, cycles=cycles)
    return DriftAssessment.objects.get(location=records.location, cycle_start=OCT)


def _by_measure(a: DriftAssessment) -> dict[str, dict[str, Any]]:
    return {s["measure"]: s for s in a.signs}


def test_a_healthy_october_shows_no_drift(records: Records) -> None:
    records.baseline()
    records.healthy_october()
    a = _assess(records)
    signs = _by_measure(a)
    assert {m: s["score"] for m, s in signs.items()} == {m.value: 0 for m in Measure}
    # every measure was judged (enough records), none is "not enough to judge"
    assert all(s["value"] is not None for s in signs.values()), signs
    assert (a.value, a.band) == (0, "none")
    assert a.cycle_end == dt.date(2026, 10, 31) and a.as_of == AS_OF
    assert a.relapse == []
    assert "Drift index 0" in a.explanation and "How it is scored" in a.explanation


def test_a_drifting_october_fires_every_sign(records: Records) -> None:
    records.baseline()
    records.drifting_october()
    a = _assess(records)
    signs = _by_measure(a)
    assert {m: s["score"] for m, s in signs.items()} == {m.value: 2 for m in Measure}
    assert (a.value, a.band) == (14, "drifting")
    assert {s["sign"] for s in a.signs} == {s.value for s in SeedSign}
    late = signs[Measure.AUDITS_LATE]
    assert late["value"] == 1.0 and "3 completed late" in late["finding"]
    assert [r["type"] for r in late["records"]] == ["audit"] * 3
    assert all("audit, completed" in r["label"] for r in late["records"])
    generic = signs[Measure.SUPERVISION_DUPLICATE]
    assert generic["records"] and all(r["type"] == "supervision" for r in generic["records"])
    assert "Supervision of Carer" in generic["records"][0]["label"]
    assert signs[Measure.SUPERVISION_UNLINKED]["value"] == 1.0
    feedback = signs[Measure.FEEDBACK_NO_ACTION]
    assert feedback["value"] == 1.0 and len(feedback["records"]) == 2
    assert feedback["records"][0]["label"].startswith("Feedback from family or friend (1 of 5)")
    visits = signs[Measure.VISITS_INTERVAL]
    assert visits["value"] == pytest.approx(118 / 30, abs=1e-3)
    assert [r["type"] for r in visits["records"]] == ["visit"]
    actions = signs[Measure.ACTIONS_NO_REAUDIT]
    assert actions["value"] == 1.0 and [r["type"] for r in actions["records"]] == ["action"] * 2
    meetings = signs[Measure.MEETINGS_NO_CHALLENGE]
    assert "Falling" in meetings["finding"] and len(meetings["records"]) == 3
    reviews = signs[Measure.REVIEW_COMPLETENESS]
    assert reviews["value"] == pytest.approx(0.75) and reviews["records"][0]["type"] == \
        "care_plan_review"
    assert "Drift index 14 (drifting)" in a.explanation


def test_each_sign_alone(records: Records) -> None:
    """A healthy month with one drifting part scores only that sign: three updates-only
    meetings beside the one that challenged (3 of 4, the last three not all updates only)
    put meetings on watch, and late audits (3 of 7) make audits drift."""
    records.baseline()
    records.healthy_october()
    for day in (dt.date(2026, 10, 2), dt.date(2026, 10, 14), dt.date(2026, 10, 28)):
        records.meeting(day, 0)
    a = _assess(records)
    scores = {s["measure"]: s["score"] for s in a.signs}
    assert scores.pop(Measure.MEETINGS_NO_CHALLENGE) == 1
    assert set(scores.values()) == {0}
    assert (a.value, a.band) == (1, "none")
    for d in (6, 13, 20):
        records.audit(due=OCT.replace(day=d), done=OCT.replace(day=d + 3))
    a = _assess(records)
    late = _by_measure(a)[Measure.AUDITS_LATE]
    assert late["score"] == 2 and late["value"] == pytest.approx(3 / 7, abs=1e-4)
    assert (a.value, a.band) == (3, "watch")


def test_relapse_review_flags_a_theme_whose_area_drifts(records: Records) -> None:
    records.baseline()
    records.drifting_october()
    a = _assess(records)
    [flag] = a.relapse
    assert flag["theme"] == str(records.theme.uuid) and flag["title"] == "Medicines recording"
    assert set(flag["signs"]) == {"supervision", "audits", "actions"}
    assert flag["reason"].startswith("Relapse review: drift in the theme's area")
    assert {r["type"] for r in flag["records"]} >= {"supervision", "audit"}


def test_tested_assurance_gap_through_the_service(records: Records) -> None:
    records.baseline()
    records.healthy_october()
    mar = records.template.__class__.objects.create(
        code="mar-audit", title="MAR chart audit", pass_mark=90, sections=records.template.sections)
    own = [records.audit(due=OCT.replace(day=d + 2), done=OCT.replace(day=d), score=s,
                         template=mar) for d, s in ((6, 96), (13, 97))]
    ind = records.audit(due=None, done=OCT.replace(day=15), score=78, template=mar,
                        kind="independent")
    a = _assess(records)
    gaps = {g["template"]: g for g in a.assurance}
    gap = gaps["mar-audit"]
    assert gap["signal"] is True and gap["gap"] == pytest.approx(18.5)
    assert gap["finding"].startswith("The manager's own MAR chart audits in October 2026 "
                                     "averaged 96% (2 audits)")
    assert gap["independent"][0]["label"] == \
        "MAR chart audit (independent sample), completed 15 Oct 2026"
    assert "Leadership should test whether assurance is credible" in gap["finding"]
    assert [r["uuid"] for r in gap["own"]] == [str(x.uuid) for x in own]
    assert [r["uuid"] for r in gap["independent"]] == [str(ind.uuid)]
    assert a.signals == [gap]
    # the care-plan template has no independent sample: not compared
    assert records.template.code not in gaps


def test_key_person_risk_owner_left_and_one_person(records: Records) -> None:
    records.baseline()
    records.healthy_october()
    records.manager.leaving_date = dt.date(2026, 11, 1)
    records.manager.save()
    a = _assess(records)
    [risk] = a.key_person
    assert risk["theme"] == str(records.theme.uuid)
    assert risk["people"] == ["Rhian Morgan"]
    text = " ".join(risk["reasons"])
    assert "Rhian Morgan owns this theme and has left" in text
    # the manager made the two actions and all supervisions naming the theme in October
    assert "Rhian Morgan made" in text and "and has left." in text
    assert {r["type"] for r in risk["records"]} >= {"action", "supervision"}


def test_no_key_person_risk_when_records_are_shared(records: Records) -> None:
    records.baseline()
    records.healthy_october()
    records.theme.owner = records.carers[0]
    records.theme.save()
    # the healthy month: 2 actions and 4 supervisions by the manager, so share the work
    for i in range(1, 5):
        records.action(OCT.replace(day=10 + i), owner=records.carers[i])
    a = _assess(records)
    assert a.key_person == []


def test_assess_is_idempotent_and_writes_one_history_entry_per_location(
        records: Records, sibling_location: Any) -> None:
    records.baseline()
    records.drifting_october()
    first = services.assess(organisation=records.org, as_of=AS_OF, cycles=3)
    assert first.counts()["created"] == 6 and first.counts()["locations"] == 2
    assert first.drifting == 1
    entries = HistoryEntry.objects.filter(object_type="drift.driftassessment")
    assert entries.count() == 2  # one per location
    mine = entries.get(location_id=records.location.pk)
    assert mine.action == "create" and "October 2026: 14 (drifting)" in mine.message
    again = services.assess(organisation=records.org, as_of=AS_OF, cycles=3)
    assert again.counts()["created"] == 0 and again.counts()["updated"] == 0
    assert again.counts()["unchanged"] == 2  # only the latest cycle is judged again
    assert entries.count() == 2
    # a late re-audit of the theme changes October's actions sign: one update entry
    records.audit(due=None, done=dt.date(2026, 11, 10), theme=records.theme)
    third = services.assess(organisation=records.org, as_of=AS_OF, cycles=3)
    assert third.counts()["updated"] == 1
    entry = entries.order_by("-seq").first()
    assert entry.action == "update" and entry.location_id == records.location.pk
    assert "October 2026: 14 → 12" in entry.message
    assert entry.before == {"2026-10": {"value": 14, "band": "drifting"}}


def test_selectors(records: Records, sibling_location: Any) -> None:
    records.baseline()
    records.drifting_october()
    services.assess(organisation=records.org, as_of=AS_OF, cycles=3)
    latest = selectors.latest_by_location([records.location.pk, sibling_location.pk])
    assert latest[records.location.pk].cycle_start == OCT
    assert latest[sibling_location.pk].value == 0
    hist = selectors.history(records.location)
    assert [a.cycle_start for a in hist] == [dt.date(2026, 8, 1), dt.date(2026, 9, 1), OCT]
    assert selectors.latest_by_location([]) == {}


def test_earlier_cycles_are_judged_once_the_latest_every_run(records: Records) -> None:
    records.baseline()
    services.assess(organisation=records.org, as_of=AS_OF, cycles=3)
    sept = DriftAssessment.objects.get(location=records.location,
                                       cycle_start=dt.date(2026, 9, 1))
    records.drifting_october()
    for d in (3, 10, 17):  # late September audits, entered now
        records.audit(due=dt.date(2026, 9, d), done=dt.date(2026, 10, d))
    result = services.assess(organisation=records.org, as_of=AS_OF, cycles=3)
    assert result.counts()["updated"] == 1 and result.counts()["unchanged"] == 0
    sept.refresh_from_db()
    assert sept.version == 1  # not judged again
    october = DriftAssessment.objects.get(location=records.location, cycle_start=OCT)
    assert october.value == 14
    # a month later, September's assessment stays, October is kept and November judged
    later = services.assess(organisation=records.org, as_of=dt.date(2026, 12, 3), cycles=3)
    assert later.counts()["created"] == 1
    assert DriftAssessment.objects.filter(location=records.location).count() == 4


def test_the_cycle_in_progress_is_not_judged(records: Records) -> None:
    result = services.assess(organisation=records.org, as_of=dt.date(2026, 11, 30), cycles=2)
    assert result.cycles == ["September 2026", "October 2026"]
    assert not DriftAssessment.objects.filter(cycle_start=dt.date(2026, 11, 1)).exists()


def test_bad_cycles_argument() -> None:
    with pytest.raises(ValueError, match="cycles"):
        services.assess(cycles=0)


def test_record_order_is_by_date_not_by_insertion_so_a_rerun_writes_nothing(
        records: Records) -> None:
    # Late audits inserted latest first: the database's own order (pk) is not the date order,
    # so an unordered read would list them differently from one run to the next.
    days = [dt.date(2026, 10, d) for d in (28, 21, 14, 7, 2)]
    for due in days:
        records.audit(due=due, done=due + dt.timedelta(days=5))
    first = services.assess(organisation=records.org, as_of=AS_OF, cycles=1)
    assert first.counts()["created"] == 1
    stored = _by_measure(DriftAssessment.objects.get(location=records.location,
                                                     cycle_start=OCT))
    labels = [r["label"] for r in stored[Measure.AUDITS_LATE.value]["records"]]
    assert len(labels) == 5
    assert [lbl.rsplit("completed ", 1)[1] for lbl in labels] == [
        "7 Oct 2026", "12 Oct 2026", "19 Oct 2026", "26 Oct 2026", "2 Nov 2026"]
    again = services.assess(organisation=records.org, as_of=AS_OF, cycles=1)
    assert again.counts()["updated"] == 0 and again.counts()["unchanged"] == 1


def test_unlinked_supervision_not_judged_when_no_theme_was_open(records: Records) -> None:
    for i, day in enumerate((dt.date(2026, 10, 2), dt.date(2026, 10, 9),
                             dt.date(2026, 10, 16))):
        records.supervision(day, f"Discussed rota and training number {i}.", linked=False)
    sign = _by_measure(_assess(records))[Measure.SUPERVISION_UNLINKED.value]
    assert sign["score"] == 2  # the fixture's theme was open in October
    type(records.theme).objects.filter(pk=records.theme.pk).update(
        created_at=dt.datetime(2026, 11, 3, 10, tzinfo=dt.UTC),
        stage_since=dt.date(2026, 11, 3))  # opened after October
    sign = _by_measure(_assess(records))[Measure.SUPERVISION_UNLINKED.value]
    assert sign["score"] == 0 and sign["value"] is None
    assert "no open theme or action to link to" in sign["finding"]
