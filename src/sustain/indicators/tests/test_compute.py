"""Each shipped indicator's numerator and denominator on constructed records: a record on the
period's first day counts, one on the next period's first day does not, an archived one never."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from sustain.audits.models import Audit
from sustain.audits.tests.factories import CarePlanTemplateFactory
from sustain.careplans.models import CarePlanReview
from sustain.feedback.models import Feedback
from sustain.incidents.models import Complaint, Compliment, Incident
from sustain.indicators.compute import COMPUTATIONS, Period
from sustain.indicators.library import load_library
from sustain.medicines.models import Discrepancy, MedicinesCheck
from sustain.people.tests.factories import PersonFactory, StaffFactory
from sustain.safeguarding.models import SafeguardingConcern
from sustain.tenancy.tests.factories import LocationFactory
from sustain.workforce.models import Supervision, TrainingRecord

LONDON = ZoneInfo("Europe/London")
MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1))
FEB = Period(dt.date(2026, 2, 1), dt.date(2026, 3, 1))
ARCHIVED = timezone.make_aware(dt.datetime(2026, 4, 2, 9, 0), LONDON)

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def count(name: str, location: Any, periods: list[Period] | None = None,
          frequency: str = "monthly") -> dict[dt.date, int]:
    periods = periods or [FEB, MARCH]
    got = COMPUTATIONS[name].compute(location.organisation_id, [location.pk], periods, frequency)
    return {p.start: got.get((location.pk, p.start), 0) for p in periods}


@pytest.fixture
def person(location: Any) -> Any:
    return PersonFactory(location=location, admission_date=dt.date(2025, 1, 1))


@pytest.fixture
def staff(org: Any, location: Any) -> Any:
    s = StaffFactory(organisation=org)
    s.locations.add(location)
    return s


def incident(location: Any, type_: str, when: dt.datetime, severity: str = "no_harm",
             archived: bool = False) -> Incident:
    return Incident.objects.create(
        organisation=location.organisation, location=location, type=type_, severity=severity,
        occurred_at=when, archived_at=ARCHIVED if archived else None)


def test_every_library_computation_exists() -> None:
    for d in load_library().indicators:
        if d.source == "computed":
            assert d.numerator in COMPUTATIONS and d.denominator in COMPUTATIONS


def test_occupied_bed_days(location: Any, sibling_location: Any) -> None:
    # whole of March (31), admitted 10 Mar (22 days: 10..31), discharged 5 Mar (4 days: 1..4),
    # admitted 2 Mar discharged 2 Mar (0), admitted 1 Apr (0), discharged 1 Mar (0), archived.
    PersonFactory(location=location, admission_date=dt.date(2025, 6, 1))
    PersonFactory(location=location, admission_date=dt.date(2026, 3, 10))
    PersonFactory(location=location, admission_date=dt.date(2026, 1, 1),
                  discharge_date=dt.date(2026, 3, 5))
    PersonFactory(location=location, admission_date=dt.date(2026, 3, 2),
                  discharge_date=dt.date(2026, 3, 2))
    PersonFactory(location=location, admission_date=dt.date(2026, 4, 1))
    PersonFactory(location=location, admission_date=dt.date(2026, 1, 1),
                  discharge_date=dt.date(2026, 3, 1))
    PersonFactory(location=location, admission_date=dt.date(2025, 1, 1), archived_at=ARCHIVED)
    PersonFactory(location=sibling_location, admission_date=dt.date(2025, 1, 1))
    # February: first person 28, third person 28, sixth person 28.
    assert count("occupied_bed_days", location) == {FEB.start: 28 * 3,
                                                    MARCH.start: 31 + 22 + 4}
    assert count("occupied_bed_days", sibling_location) == {FEB.start: 28, MARCH.start: 31}


def test_falls_and_falls_with_harm(location: Any) -> None:
    incident(location, "fall", at(MARCH.start))  # first moment of March: March
    incident(location, "fall_with_harm", at(dt.date(2026, 3, 31), 23, 59), "moderate")
    incident(location, "fall", at(dt.date(2026, 3, 15)), "low")  # a fall with harm
    incident(location, "fall", at(MARCH.end))  # 1 April: not March
    incident(location, "fall", at(dt.date(2026, 2, 28), 23, 59))  # February
    incident(location, "fall", at(dt.date(2026, 3, 10)), archived=True)
    incident(location, "near_miss", at(dt.date(2026, 3, 10)))
    assert count("falls", location) == {FEB.start: 1, MARCH.start: 3}
    assert count("falls_with_harm", location) == {FEB.start: 0, MARCH.start: 2}


@pytest.mark.parametrize("name,type_", [("medicines_error_incidents", "medicines_error"),
                                        ("pressure_ulcers", "pressure_ulcer")])
def test_incident_types(location: Any, name: str, type_: str) -> None:
    incident(location, type_, at(MARCH.start))
    incident(location, type_, at(MARCH.end))
    incident(location, type_, at(dt.date(2026, 3, 3)), archived=True)
    incident(location, "fall", at(dt.date(2026, 3, 3)))
    assert count(name, location) == {FEB.start: 0, MARCH.start: 1}


def test_complaints_compliments_safeguarding(location: Any, person: Any, staff: Any) -> None:
    org = location.organisation
    for day, archived in ((MARCH.start, False), (MARCH.end, False),
                          (dt.date(2026, 3, 9), True), (dt.date(2026, 2, 2), False)):
        extra = {"archived_at": ARCHIVED if archived else None}
        Complaint.objects.create(organisation=org, location=location, received_on=day,
                                 received_from="family", category="care", summary="x",
                                 **extra)
        Compliment.objects.create(organisation=org, location=location, received_on=day,
                                  received_from="family", summary="thanks", **extra)
        SafeguardingConcern.objects.create(
            organisation=org, location=location, raised_at=at(day), raised_by=staff,
            person=person, category="neglect", description="seen", **extra)
    for name in ("complaints", "compliments", "safeguarding_concerns"):
        assert count(name, location) == {FEB.start: 1, MARCH.start: 1}, name


def test_mar_discrepancies_and_charts(location: Any, staff: Any) -> None:
    org = location.organisation

    def check(day: dt.date, charts: int, archived: bool = False) -> MedicinesCheck:
        return MedicinesCheck.objects.create(
            organisation=org, location=location, check_date=day, shift="day",
            checked_by=staff, charts_checked=charts, archived_at=ARCHIVED if archived else None)

    first = check(MARCH.start, 10)
    later = check(dt.date(2026, 3, 31), 12)
    april = check(MARCH.end, 7)
    gone = check(dt.date(2026, 3, 12), 9, archived=True)
    for chk, n in ((first, 2), (later, 1), (april, 4), (gone, 3)):
        for _ in range(n):
            Discrepancy.objects.create(organisation=org, location=location, check_record=chk,
                                       type="omission")
    Discrepancy.objects.create(organisation=org, location=location, check_record=first,
                               type="omission", archived_at=ARCHIVED)
    assert count("mar_charts_checked", location) == {FEB.start: 0, MARCH.start: 22}
    assert count("mar_discrepancies", location) == {FEB.start: 0, MARCH.start: 3}
    weeks = [Period(dt.date(2026, 2, 23), dt.date(2026, 3, 2)),
             Period(dt.date(2026, 3, 30), dt.date(2026, 4, 6))]
    assert count("mar_discrepancies", location, weeks, "weekly") == {
        weeks[0].start: 2, weeks[1].start: 1 + 4}


def test_supervisions_due_and_overdue(location: Any, org: Any) -> None:
    sup = StaffFactory(organisation=org)

    def supervision(who: Any, day: dt.date, due: dt.date, archived: bool = False) -> None:
        Supervision.objects.create(organisation=org, location=location, date=day,
                                   supervisor=sup, supervisee=who, next_due=due,
                                   archived_at=ARCHIVED if archived else None)

    a, b, c, d, left = (StaffFactory(organisation=org) for _ in range(5))
    left.leaving_date = dt.date(2026, 3, 5)
    left.save()
    supervision(a, dt.date(2026, 1, 10), MARCH.start)  # due 1 Mar; next held on 1 Mar: on time
    supervision(a, MARCH.start, dt.date(2026, 5, 1))
    supervision(b, dt.date(2026, 1, 10), dt.date(2026, 3, 31))  # next held 2 Apr: overdue
    supervision(b, dt.date(2026, 4, 2), dt.date(2026, 6, 1))
    supervision(c, dt.date(2026, 1, 10), dt.date(2026, 3, 20))  # followed only by archived
    supervision(c, dt.date(2026, 3, 15), dt.date(2026, 5, 20), archived=True)
    supervision(d, dt.date(2026, 1, 10), MARCH.end)  # due 1 April: not March
    supervision(d, dt.date(2026, 1, 5), dt.date(2026, 3, 9), archived=True)
    supervision(left, dt.date(2026, 1, 10), dt.date(2026, 3, 10))  # left before it was due
    assert count("supervisions_due", location) == {FEB.start: 0, MARCH.start: 3}
    assert count("supervisions_overdue", location) == {FEB.start: 0, MARCH.start: 2}


def test_training_current_and_in_date(location: Any, org: Any) -> None:
    a, b, left = (StaffFactory(organisation=org) for _ in range(3))
    left.leaving_date = dt.date(2026, 3, 20)
    left.save()

    def training(who: Any, course: str, done: dt.date, expires: dt.date | None,
                 archived: bool = False) -> None:
        TrainingRecord.objects.create(organisation=org, location=location, staff=who,
                                      course=course, completed_on=done, expires_on=expires,
                                      archived_at=ARCHIVED if archived else None)

    # a: fire safety expired 1 Mar, renewed 31 Mar (latest at end of March: in date);
    #    moving and handling expires on 1 Apr (= end of March period: in date), on 15 Feb
    #    for February's end? no: expires 1 Apr ≥ 1 Mar, in date in February too.
    training(a, "Fire safety", dt.date(2025, 3, 1), dt.date(2026, 3, 1))
    training(a, "Fire safety", dt.date(2026, 3, 31), dt.date(2027, 3, 31))
    training(a, "Moving and handling", dt.date(2025, 4, 1), dt.date(2026, 4, 1))
    # b: safeguarding expired 15 Mar and not renewed; an archived renewal does not count.
    training(b, "Safeguarding", dt.date(2025, 3, 15), dt.date(2026, 3, 15))
    training(b, "Safeguarding", dt.date(2026, 3, 14), dt.date(2027, 3, 14), archived=True)
    # b: infection control done on 1 March (counts from March, not February).
    training(b, "Infection control", MARCH.start, None)
    training(left, "Fire safety", dt.date(2025, 6, 1), dt.date(2027, 6, 1))  # left in March
    # End of February: a fire (expires 1 Mar: in date), a m&h, b safeguarding, left fire.
    assert count("training_current", location) == {FEB.start: 4, MARCH.start: 4}
    assert count("training_in_date", location) == {FEB.start: 4, MARCH.start: 3}


def test_audits(location: Any, org: Any) -> None:
    template = CarePlanTemplateFactory()

    def audit(due: dt.date | None, done: dt.datetime | None, score: str | None,
              archived: bool = False) -> None:
        Audit.objects.create(
            organisation=org, location=location, template=template, audit_date=due or
            dt.date(2026, 3, 1), due_date=due,
            status="completed" if done else "draft", completed_at=done,
            score=Decimal(score) if score else None, archived_at=ARCHIVED if archived else None)

    audit(MARCH.start, at(MARCH.start, 23, 30), "87.55")  # due 1 Mar, done that evening
    audit(dt.date(2026, 3, 20), at(dt.date(2026, 3, 21), 0, 10), "90.10")  # late
    audit(dt.date(2026, 3, 25), None, None)  # not done
    audit(MARCH.end, at(dt.date(2026, 3, 30)), "70.00")  # due April, done in March
    audit(dt.date(2026, 3, 5), at(dt.date(2026, 3, 4)), "99.00", archived=True)
    assert count("audits_due", location) == {FEB.start: 0, MARCH.start: 3}
    assert count("audits_done_on_time", location) == {FEB.start: 0, MARCH.start: 1}
    assert count("audits_completed", location) == {FEB.start: 0, MARCH.start: 3}
    assert count("audit_score_hundredths", location) == {FEB.start: 0,
                                                         MARCH.start: 8755 + 9010 + 7000}


def test_care_plan_reviews(location: Any, person: Any) -> None:
    org = location.organisation

    def review(due: dt.date, done: dt.date | None, archived: bool = False) -> None:
        CarePlanReview.objects.create(organisation=org, location=location, person=person,
                                      due_date=due, completed_on=done,
                                      archived_at=ARCHIVED if archived else None)

    review(MARCH.start, MARCH.start)  # on time
    review(dt.date(2026, 3, 10), dt.date(2026, 3, 11))  # late
    review(dt.date(2026, 3, 31), None)  # not done
    review(MARCH.end, None)  # due April
    review(dt.date(2026, 3, 12), None, archived=True)
    assert count("care_plan_reviews_due", location) == {FEB.start: 0, MARCH.start: 3}
    assert count("care_plan_reviews_late", location) == {FEB.start: 0, MARCH.start: 2}


def test_feedback_without_response(location: Any) -> None:
    org = location.organisation

    def feedback(received: dt.date, responded: dt.date | None, archived: bool = False) -> None:
        Feedback.objects.create(organisation=org, location=location, source="family",
                                channel="conversation", received_on=received, text="x",
                                responded_on=responded,
                                archived_at=ARCHIVED if archived else None)

    feedback(MARCH.start, dt.date(2026, 3, 31))  # day 30: in time
    feedback(dt.date(2026, 3, 2), dt.date(2026, 4, 2))  # day 31: late
    feedback(dt.date(2026, 3, 3), None)
    feedback(MARCH.end, None)  # April
    feedback(dt.date(2026, 3, 4), None, archived=True)
    assert count("feedback_received_30d", location) == {FEB.start: 0, MARCH.start: 3}
    assert count("feedback_unanswered_30d", location) == {FEB.start: 0, MARCH.start: 2}
    assert COMPUTATIONS["feedback_unanswered_30d"].lag_days == 30


# --- the all-periods state computations agree with the per-period definition ----------------

SIX_MONTHS = [Period(dt.date(2025, 10 + k, 1) if k < 3 else dt.date(2026, k - 2, 1),
                     dt.date(2025, 11 + k, 1) if k < 2 else dt.date(2026, k - 1, 1))
              for k in range(6)]  # Oct 2025 … Mar 2026
EIGHT_WEEKS = [Period(dt.date(2026, 1, 5) + dt.timedelta(weeks=k),
                      dt.date(2026, 1, 12) + dt.timedelta(weeks=k)) for k in range(8)]


def per_period(name: str, org_id: int, locs: list[int], periods: list[Period]) -> dict:
    """The per-period definition: `records` counted (training) or its day spans summed (bed
    days), one grouped query per period — what `compute` gave before it went set-based."""
    from django.db.models import Count, DateField, F, Sum
    from django.db.models.functions import Coalesce, Greatest, Least

    out = {}
    for p in periods:
        qs = COMPUTATIONS[name].records(org_id, locs, p.start, p.end).order_by()
        if name == "occupied_bed_days":
            rows = (qs.annotate(_first=Greatest(F("admission_date"), p.start,
                                                output_field=DateField()),
                                _last=Least(Coalesce(F("discharge_date"), p.end), p.end,
                                            output_field=DateField()))
                    .values("location_id").annotate(n=Sum(F("_last") - F("_first"))))
        else:
            rows = qs.values("location_id").annotate(n=Count("pk", distinct=True))
        for r in rows:
            n = r["n"]
            out[(r["location_id"], p.start)] = n.days if isinstance(n, dt.timedelta) else n
    return out


def test_training_all_periods_equals_per_period(org: Any, other_org: Any, location: Any,
                                                sibling_location: Any) -> None:
    import random

    rnd = random.Random(7)
    boundaries = [p.end for p in SIX_MONTHS + EIGHT_WEEKS] + [SIX_MONTHS[0].start]
    staff = [StaffFactory(organisation=org) for _ in range(8)]
    staff[0].leaving_date = dt.date(2026, 1, 1)  # left on a period boundary
    staff[1].leaving_date = dt.date(2026, 2, 10)
    for s in staff[:2]:
        s.save()
    outsider = StaffFactory(organisation=other_org)
    other_location = LocationFactory(organisation=other_org)

    def day() -> dt.date:
        if rnd.random() < 0.4:
            return rnd.choice(boundaries) - dt.timedelta(days=rnd.choice([0, 0, 1]))
        return dt.date(2025, 6, 1) + dt.timedelta(days=rnd.randrange(330))

    for who in staff:
        for course in ("Fire safety", "Safeguarding", "Moving and handling"):
            for _ in range(rnd.randrange(5)):  # renewals, some on the same day
                done = day()
                expires = rnd.choice([None, rnd.choice(boundaries), done + dt.timedelta(
                    days=rnd.randrange(20, 400))])
                TrainingRecord.objects.create(
                    organisation=org, location=rnd.choice([location, sibling_location]),
                    staff=who, course=course, completed_on=done, expires_on=expires,
                    archived_at=ARCHIVED if rnd.random() < 0.15 else None)
    TrainingRecord.objects.create(organisation=other_org, location=other_location,
                                  staff=outsider, course="Fire safety",
                                  completed_on=dt.date(2025, 7, 1), expires_on=None)
    assert TrainingRecord.objects.count() > 30
    for name in ("training_current", "training_in_date"):
        for locs in ([location.pk], [location.pk, sibling_location.pk], None):
            for periods, freq in ((SIX_MONTHS, "monthly"), (EIGHT_WEEKS, "weekly")):
                got = COMPUTATIONS[name].compute(org.pk, locs, periods, freq)
                assert got == per_period(name, org.pk, locs, periods), (name, locs, freq)
                assert got  # the constructed data counts somewhere


def test_bed_days_all_periods_equals_per_period(org: Any, location: Any,
                                                sibling_location: Any) -> None:
    import random

    rnd = random.Random(11)
    boundaries = [p.end for p in SIX_MONTHS + EIGHT_WEEKS] + [SIX_MONTHS[0].start]
    for _ in range(40):
        admitted = rnd.choice([rnd.choice(boundaries), dt.date(2025, 5, 1) + dt.timedelta(
            days=rnd.randrange(360))])
        discharged = rnd.choice([None, rnd.choice(boundaries),
                                 admitted + dt.timedelta(days=rnd.randrange(0, 200))])
        PersonFactory(location=rnd.choice([location, sibling_location]),
                      admission_date=admitted, discharge_date=discharged,
                      archived_at=ARCHIVED if rnd.random() < 0.1 else None)
    for locs in ([location.pk], [location.pk, sibling_location.pk], None):
        for periods, freq in ((SIX_MONTHS, "monthly"), (EIGHT_WEEKS, "weekly")):
            got = COMPUTATIONS["occupied_bed_days"].compute(org.pk, locs, periods, freq)
            assert got == per_period("occupied_bed_days", org.pk, locs, periods)
            assert got
