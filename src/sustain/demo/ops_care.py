"""Demo records of care: medicines checks and weekly reviews, safeguarding concerns,
care-plan reviews and actions, incidents (see `operational` for the story)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from typing import Any

from sustain.careplans.models import CarePlanAction, CarePlanReview
from sustain.demo import ops_text as text
from sustain.demo.operational import (
    CARE_ROLES,
    LONDON,
    MANAGERS,
    MAR_CHECKERS,
    Ctx,
    Writer,
    monthly,
    poisson,
    ramp,
    weighted,
)
from sustain.engine.timeliness import shift_containing
from sustain.incidents.models import Incident, IncidentType, Severity, UlcerCategory
from sustain.medicines.models import Discrepancy, MedicinesCheck, WeeklyReview
from sustain.safeguarding.models import SafeguardingConcern

Decision = SafeguardingConcern.Decision

# -- medicines -------------------------------------------------------------------------------
# (checks per day, share of shifts checked, discrepancies per check) by location and date.
TYPES_BEFORE = (("omission", 34), ("missing_signature", 36), ("wrong_time", 10), ("stock", 10),
                ("wrong_dose", 3), ("controlled_drug", 3), ("other", 4))
TYPES_AFTER = (("omission", 12), ("missing_signature", 55), ("wrong_time", 12), ("stock", 12),
               ("wrong_dose", 2), ("controlled_drug", 3), ("other", 4))


# Rosewood's discrepancies fall further over the last six weeks (a double-signature check on
# every medicines round, from its medicines theme): an improvement signal on the weekly rate.
RH_FURTHER_DROP_DAYS = 42


def _mar_profile(ctx: Ctx, key: str, day: dt.date) -> tuple[tuple[str, ...], float, float]:
    months = ctx.months_ago(day)
    if key == "RH":
        since = ctx.since("RH:medicines", day)
        if since is None:  # drifting towards the failed inspection
            return ("day", "night"), 0.8, ramp(0.8, 1.15, (24 - months) / 9)
        if (ctx.as_of - day).days <= RH_FURTHER_DROP_DAYS:
            return ("day", "night"), 0.99, 0.0  # the double-signature check on every round
        return ("day", "night"), ramp(0.85, 0.99, since / 2), 0.1 + 1.05 * math.exp(-since / 2.2)
    if key == "MB":
        drift = (6 - months) / 6
        return ("day", "night"), ramp(0.97, 0.86, drift), ramp(0.16, 0.28, drift)
    if key == "WC":
        return ("day", "night"), 0.99, 0.08
    if key == "WH":
        return ("day",), 0.95, 0.22
    return ("day", "night"), 0.98, 0.1


def medicines(ctx: Ctx, writer: Writer) -> None:
    for key, location in ctx.locations.items():
        rng = ctx.rng("medicines", key)
        checks: list[MedicinesCheck] = []
        rows: list[list[dict[str, Any]]] = []
        themes: list[list[Any]] = []
        for day in ctx.days():
            shifts, completion, rate = _mar_profile(ctx, key, day)
            present = ctx.present(key, day)
            for shift in shifts:
                if rng.random() > completion:
                    continue
                checker = ctx.pick_staff(rng, key, day, MAR_CHECKERS, MANAGERS)
                charts = len(present) if key != "WH" else rng.randint(9, 18)
                found = []
                for _ in range(min(poisson(rng, rate), 6)):
                    types = TYPES_AFTER if ctx.since("RH:medicines", day) is not None \
                        or key != "RH" else TYPES_BEFORE
                    kind = weighted(rng, types)
                    found.append({
                        "type": kind, "person": rng.choice(present) if present else None,
                        "staff_responsible": ctx.pick_staff(rng, key, day, CARE_ROLES)
                        if rng.random() < 0.8 else None,
                        "action_taken": rng.choice(text.DISCREPANCY_ACTIONS[kind])})
                notes = rng.choice(text.CHECK_NOTES_ISSUES if found else text.CHECK_NOTES_CLEAN)
                checks.append(MedicinesCheck(
                    organisation=ctx.org, location=location, check_date=day, shift=shift,
                    checked_by=checker, charts_checked=max(charts, 1), notes=notes))
                rows.append(found)
                themes.append(ctx.theme("RH:medicines", day) if key == "RH" else [])
        writer.create(checks, {"themes": themes})
        discrepancies = [Discrepancy(organisation=ctx.org, location=location, check_record=check,
                                     **row)
                         for check, found in zip(checks, rows, strict=True) for row in found]
        writer.create(discrepancies)
        _weekly_reviews(ctx, writer, key, checks, rows)


PLURALS = {"omission": "omissions", "missing_signature": "missing signatures",
           "wrong_dose": "wrong doses", "wrong_time": "doses given at the wrong time",
           "stock": "stock discrepancies", "controlled_drug": "controlled-drug record errors",
           "other": "other recording issues"}


def _weekly_reviews(ctx: Ctx, writer: Writer, key: str, checks: list[MedicinesCheck],
                    rows: list[list[dict[str, Any]]]) -> None:
    rng = ctx.rng("weekly-reviews", key)
    location = ctx.locations[key]
    manager = ctx.manager(key)
    by_week: dict[dt.date, list[tuple[MedicinesCheck, list[dict[str, Any]]]]] = {}
    for check, found in zip(checks, rows, strict=True):
        monday = check.check_date - dt.timedelta(days=check.check_date.weekday())
        by_week.setdefault(monday, []).append((check, found))
    reviews: list[WeeklyReview] = []
    covered: list[list[MedicinesCheck]] = []
    themes: list[list[Any]] = []
    for monday, week in sorted(by_week.items()):
        months = ctx.months_ago(monday)
        lax = False
        if key == "RH" and ctx.since("RH:medicines", monday) is None:
            chance, lax = 0.45, True  # managers had not identified the gaps
        elif key == "MB":
            chance = ramp(0.95, 0.55, (6 - months) / 6)
            lax = months < 6 and rng.random() < 0.6
        else:
            chance = 0.93 if key in ("WH", "LC") else 0.98
        if rng.random() > chance:
            continue
        reviewed = ctx.at(monday + dt.timedelta(days=7 + rng.choice((0, 0, 1, 2))),
                          rng.randint(9, 16), rng.choice((0, 15, 30, 45)))
        if ctx.done(reviewed) is None:
            continue
        found = [row for _, rows_ in week for row in rows_]
        if lax:
            pattern = rng.choice(text.REVIEW_PATTERNS_LAX)
        elif not found:
            pattern = rng.choice(text.REVIEW_PATTERNS_NONE)
        else:
            kinds = Counter(row["type"] for row in found)
            night = sum(len(rows_) for c, rows_ in week if c.shift == "night")
            shift_note = (f"{night} of them on the night shift." if night * 2 > len(found)
                          else "Spread across shifts and staff.")
            if len(found) == 1:
                only = Discrepancy.Type(kinds.most_common(1)[0][0]).label.lower()
                pattern = (f"One discrepancy this week ({only}); followed up with the staff "
                           "member on their next shift.")
            else:
                pattern = rng.choice(text.REVIEW_PATTERNS_SOME).format(
                    n=len(found), kind=PLURALS[kinds.most_common(1)[0][0]],
                    shift_note=shift_note if night else "None on nights.")
        user = manager.user if manager.user and manager.start_date <= monday else None
        reviews.append(WeeklyReview(organisation=ctx.org, location=location, week_starting=monday,
                                    reviewed_by=user, reviewed_at=reviewed, pattern_noted=pattern))
        covered.append([c for c, _ in week])
        themes.append(ctx.theme("RH:medicines", monday) if key == "RH" else [])
    writer.create(reviews, {"checks_covered": covered, "themes": themes})


# -- safeguarding ----------------------------------------------------------------------------
CATEGORIES = {
    "care_home": (("neglect", 30), ("physical", 30), ("psychological", 12), ("financial", 8),
                  ("organisational", 4), ("discriminatory", 3), ("sexual", 2)),
    "home_care": (("neglect", 25), ("financial", 30), ("self_neglect", 25),
                  ("psychological", 10), ("domestic", 10)),
    "supported_living": (("self_neglect", 25), ("financial", 25), ("psychological", 20),
                         ("physical", 15), ("domestic", 10), ("discriminatory", 5)),
}
LA_PREFIX = {"RH": "NYC", "MB": "NYC", "WC": "DCC", "WH": "WMDC", "LC": "DCC"}


def _safeguarding_profile(ctx: Ctx, key: str, day: dt.date) -> tuple[float, float, float]:
    """(concerns a month, share notified in time, share reviewed within 24 hours)."""
    if key == "RH":
        since = ctx.since("RH:safeguarding", day)
        if since is None:
            return 2.5, 0.5, 0.3
        return 4.0, ramp(0.7, 0.97, since / 4), ramp(0.55, 0.96, since / 4)
    if key == "MB":
        months = ctx.months_ago(day)
        return (3.0 if months < 6 else 2.0), ramp(0.9, 0.75, (6 - months) / 6), \
            ramp(0.9, 0.7, (6 - months) / 6)
    return {"WC": (2.0, 0.96, 0.95), "WH": (3.0, 0.9, 0.88)}.get(key, (1.5, 0.94, 0.9))


def safeguarding(ctx: Ctx, writer: Writer) -> None:
    for key, location in ctx.locations.items():
        rng = ctx.rng("safeguarding", key)
        kind = location.service_type if location.service_type in CATEGORIES else "care_home"
        concerns: list[SafeguardingConcern] = []
        themes: list[list[Any]] = []
        manager = ctx.manager(key)
        for number, day in enumerate(monthly(ctx, rng, lambda d, k=key:
                                             _safeguarding_profile(ctx, k, d)[0]), start=1):
            _, notify_ok, review_ok = _safeguarding_profile(ctx, key, day)
            present = ctx.present(key, day)
            if not present:
                continue
            person = rng.choice(present)
            raised = ctx.at(day, rng.randint(7, 22), rng.randint(0, 59))
            if ctx.done(raised) is None:
                continue
            shift = shift_containing(raised, location.day_shift_start,
                                     location.night_shift_start)
            to_end = (shift.end - raised).total_seconds() / 60
            if rng.random() < notify_ok:
                notified = raised + dt.timedelta(minutes=rng.uniform(2, max(to_end - 5, 3)))
            else:
                notified = shift.end + dt.timedelta(hours=rng.uniform(1, 20))
            if rng.random() < review_ok:
                reviewed = raised + dt.timedelta(hours=rng.uniform(1, 22))
            else:
                reviewed = raised + dt.timedelta(hours=rng.uniform(27, 100))
            category = weighted(rng, CATEGORIES[kind])
            decision = weighted(rng, ((Decision.REFERRAL, 0.35 if category in (
                "physical", "financial", "sexual", "domestic") else 0.15),
                (Decision.INTERNAL_ACTION, 0.45), (Decision.NO_FURTHER_ACTION, 0.2)))
            values: dict[str, Any] = {
                "shift_lead_notified_at": ctx.done(notified),
                "manager_reviewed_at": ctx.done(reviewed)}
            if values["manager_reviewed_at"] is not None:
                values["decision"] = decision
                values["reviewed_by"] = manager.user if manager.user and \
                    manager.start_date <= day else None
                if decision == Decision.REFERRAL:
                    late = rng.random() > review_ok
                    referral = ctx.done(reviewed + dt.timedelta(
                        hours=rng.uniform(0.5, 3) if not late else rng.uniform(20, 60)))
                    values["la_referral_at"] = referral
                    if referral is not None:
                        values["la_reference"] = \
                            f"{LA_PREFIX[key]}-SG-{day:%y}{1000 + number * 7:05d}"
                        values["cqc_notified_at"] = ctx.done(
                            referral + dt.timedelta(hours=rng.uniform(1, 30)))
                closing = reviewed + dt.timedelta(days=rng.randint(14, 45) if decision ==
                                                  Decision.REFERRAL else rng.randint(2, 14))
                ready = decision != Decision.REFERRAL or values.get("la_referral_at")
                if ctx.done(closing) is not None and ready:
                    values["closed_at"] = closing
                    values["outcome"] = rng.choice(text.OUTCOMES[decision]).format(
                        ref=person.reference)
            concerns.append(SafeguardingConcern(
                organisation=ctx.org, location=location, raised_at=raised,
                raised_by=ctx.pick_staff(rng, key, day, CARE_ROLES), person=person,
                category=category, description=rng.choice(text.CONCERNS[category]).format(
                    ref=person.reference), **values))
            themes.append(ctx.theme("RH:safeguarding", day) if key == "RH" else [])
        writer.create(concerns, {"themes": themes})


# -- care plans ------------------------------------------------------------------------------
def _careplan_profile(ctx: Ctx, key: str, due: dt.date) -> tuple[float, float, bool]:
    """(share with a mismatch, share completed late, all four checks usually made)."""
    months = ctx.months_ago(due)
    if key == "RH":
        since = ctx.since("RH:care-planning", due)
        if since is None:
            return 0.45, 0.3, False
        return ramp(0.35, 0.07, since / 5), ramp(0.2, 0.05, since / 4), since > 1
    if key == "MB":
        return ramp(0.1, 0.22, (6 - months) / 6), ramp(0.08, 0.45, (6 - months) / 6), True
    return 0.08, 0.06, True


def care_plans(ctx: Ctx, writer: Writer) -> None:
    for key, location in ctx.locations.items():
        rng = ctx.rng("care-plans", key)
        every = 91 if location.service_type == "home_care" else 30
        reviews: list[CarePlanReview] = []
        themes: list[list[Any]] = []
        for person in ctx.people[key]:
            due = max(person.admission_date, ctx.start) + dt.timedelta(days=rng.randint(5, every))
            end = min(person.discharge_date or ctx.as_of + dt.timedelta(days=20),
                      ctx.as_of + dt.timedelta(days=20))
            while due <= end:
                mismatch_rate, late_rate, thorough = _careplan_profile(ctx, key, due)
                key_worker = ctx.pick_staff(rng, key, min(due, ctx.last_day), CARE_ROLES)
                delay = rng.randint(8, 40) if rng.random() < late_rate else rng.randint(-6, 2)
                completed = ctx.done_day(due + dt.timedelta(days=delay))
                review = CarePlanReview(organisation=ctx.org, location=location, person=person,
                                        key_worker=key_worker, due_date=due,
                                        completed_on=completed)
                if completed is not None:
                    review.checked_daily_notes = True
                    review.checked_incidents = thorough or rng.random() < 0.3
                    review.checked_family_feedback = thorough and rng.random() < 0.8
                    review.checked_observed_practice = thorough and rng.random() < 0.7
                    if rng.random() < mismatch_rate:
                        review.mismatch_found = True
                        review.mismatch_detail = rng.choice(text.MISMATCHES).format(
                            ref=person.reference)
                        review.changes_made = rng.choice(text.CHANGES_MADE[:-1]).format(
                            ref=person.reference)
                    else:
                        review.changes_made = rng.choice(text.NO_CHANGE).format(
                            ref=person.reference)
                reviews.append(review)
                themes.append(ctx.theme("RH:care-planning", due) if key == "RH" else [])
                due += dt.timedelta(days=every + rng.randint(-3, 3))
        writer.create(reviews, {"themes": themes})
        _care_plan_actions(ctx, writer, key, reviews, themes)


def _care_plan_actions(ctx: Ctx, writer: Writer, key: str, reviews: list[CarePlanReview],
                       review_themes: list[list[Any]]) -> None:
    rng = ctx.rng("care-plan-actions", key)
    actions: list[CarePlanAction] = []
    themes: list[list[Any]] = []
    for review, tags in zip(reviews, review_themes, strict=True):
        if review.completed_on is None:
            continue
        # Actions for what did not match, and now and then a routine follow-up.
        count = rng.choice((1, 1, 2)) if review.mismatch_found else int(rng.random() < 0.1)
        for _ in range(count):
            due = review.completed_on + dt.timedelta(days=rng.randint(7, 21))
            slow = key == "MB" and ctx.months_ago(due) < 6
            done = due + dt.timedelta(days=rng.randint(5, 30) if slow and rng.random() < 0.5
                                      else rng.randint(-5, 1))
            actions.append(CarePlanAction(
                organisation=ctx.org, location=review.location, person=review.person,
                review=review, what=rng.choice(text.CAREPLAN_ACTIONS).format(
                    ref=review.person.reference),
                who=review.key_worker, due_date=due, done_on=ctx.done_day(done)))
            themes.append(tags)
    writer.create(actions, {"themes": themes})


# -- incidents -------------------------------------------------------------------------------
def _incident_rates(ctx: Ctx, key: str, day: dt.date) -> dict[str, float]:
    """Incidents a month by type."""
    months = ctx.months_ago(day)
    service = ctx.locations[key].service_type
    if service in ("care_home", "care_home_nursing"):
        rates = {"fall": 5.0, "near_miss": 1.5, "medicines_error": 0.4, "pressure_ulcer": 0.4,
                 "behaviour": 1.2, "injury": 1.0, "missing_person": 0.04, "other": 0.4}
        if service == "care_home_nursing":
            rates["pressure_ulcer"] = 0.8
        if key == "MB":
            rates["fall"] = ramp(4.0, 11.0, (9 - months) / 9)  # falls rising: early drift
            rates["pressure_ulcer"] = ramp(0.4, 0.8, (6 - months) / 6)
        if key == "RH":
            since = ctx.since("RH:medicines", day)
            rates["medicines_error"] = 2.5 if since is None else ramp(1.5, 0.3, since / 6)
    elif service == "home_care":
        rates = {"fall": 1.8, "near_miss": 1.0, "medicines_error": 0.6, "pressure_ulcer": 0.3,
                 "injury": 0.6, "other": 1.5}
    else:
        rates = {"fall": 0.6, "behaviour": 3.0, "near_miss": 0.6, "medicines_error": 0.3,
                 "missing_person": 0.15, "injury": 0.5, "other": 0.3}
    return rates


SEVERITY = {
    "fall": ((Severity.NO_HARM, 60), (Severity.LOW, 40)),
    "fall_with_harm": ((Severity.LOW, 50), (Severity.MODERATE, 40), (Severity.SEVERE, 10)),
    "pressure_ulcer": ((Severity.LOW, 60), (Severity.MODERATE, 35), (Severity.SEVERE, 5)),
}


def months_back(ctx: Ctx, day: dt.date) -> int:
    """Calendar months from `day`'s month to `as_of`'s (0: the current month)."""
    return (ctx.as_of.year - day.year) * 12 + ctx.as_of.month - day.month


# Incidents a calendar month planned exactly rather than drawn, so that the early-warning
# story does not depend on chance (`demo.early_warning`): Meadowbank's falls rising month by
# month over the last nine months (about 4 a month before), and Rosewood's summer spike of
# medicines errors, four months ago (agency night nurses; a concern signal it interpreted).
PLANNED: dict[tuple[str, str], dict[int, int]] = {
    ("MB", "fall"): {9: 5, 8: 6, 7: 6, 6: 7, 5: 8, 4: 9, 3: 9, 2: 10, 1: 11, 0: 11},
    ("RH", "medicines_error"): {4: 12},
}


def _planned(ctx: Ctx, key: str, kind: str) -> dict[dt.date, int]:
    """The planned incidents of `kind` at `key` per day (a month's count spread over its
    days up to the day before `as_of`, the current month pro rata), or {}."""
    plan = PLANNED.get((key, kind))
    if not plan:
        return {}
    rng = ctx.rng("incidents-planned", key, kind)
    out: dict[dt.date, int] = {}
    for back, count in sorted(plan.items(), reverse=True):
        days = [d for d in ctx.days() if months_back(ctx, d) == back]
        if back == 0:
            count = round(count * len(days) / 30.44)
        for day in (rng.choice(days) for _ in range(count)) if days else ():
            out[day] = out.get(day, 0) + 1
    return out


def incidents(ctx: Ctx, writer: Writer) -> None:
    for key in ctx.locations:
        rng = ctx.rng("incidents", key)
        rows: list[Incident] = []
        staff_involved: list[list[Any]] = []
        themes: list[list[Any]] = []
        planned = {kind: (_planned(ctx, key, kind), min(PLANNED[(key, kind)]),
                          max(PLANNED[(key, kind)]))
                   for k, kind in PLANNED if k == key}
        for day in ctx.days():
            for kind, rate in _incident_rates(ctx, key, day).items():
                count = poisson(rng, rate / 30.44)
                if kind in planned:
                    by_day, first, last = planned[kind]
                    if first <= months_back(ctx, day) <= last:
                        count = by_day.get(day, 0)
                for _ in range(count):
                    # About one fall in eight causes harm.
                    actual = "fall_with_harm" if kind == "fall" and rng.random() < 0.13 else kind
                    incident = _incident(ctx, rng, key, day, actual)
                    if incident is None:
                        continue
                    rows.append(incident)
                    staff_involved.append([ctx.pick_staff(rng, key, day, CARE_ROLES)
                                           for _ in range(rng.choice((1, 1, 2)))])
                    tags = []
                    if actual in ("fall", "fall_with_harm"):
                        tags = ctx.theme("MB:falls", day) if key == "MB" else []
                    elif actual == "medicines_error" and key == "RH":
                        tags = ctx.theme("RH:medicines", day)
                    themes.append(tags)
        writer.create(rows, {"staff_involved": staff_involved, "themes": themes})


def _incident(ctx: Ctx, rng: Any, key: str, day: dt.date, kind: str) -> Incident | None:
    present = ctx.present(key, day)
    if not present:
        return None
    person = rng.choice(present)
    hour = weighted(rng, ((rng.randint(0, 6), 3), (rng.randint(7, 13), 3),
                          (rng.randint(14, 23), 4)))
    occurred = dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)), tzinfo=LONDON)
    if ctx.done(occurred) is None:
        return None
    severity = weighted(rng, SEVERITY.get(kind, ((Severity.NO_HARM, 70), (Severity.LOW, 30))))
    description, immediate = rng.choice(text.INCIDENT_TEXT[kind])
    harm = severity in (Severity.MODERATE, Severity.SEVERE)
    age_days = (ctx.as_of - day).days
    drifting = key == "MB" and age_days < 270 and kind.startswith("fall")
    investigated = (harm or rng.random() < 0.6) and age_days > 7 and not (
        drifting and rng.random() < 0.7)
    notify = harm and kind in ("fall_with_harm", "pressure_ulcer") or severity == Severity.SEVERE
    incident = Incident(
        organisation=ctx.org, location=ctx.locations[key], type=IncidentType(kind),
        ulcer_category=weighted(rng, ((UlcerCategory.CATEGORY_2, 60),
                                      (UlcerCategory.CATEGORY_3, 25),
                                      (UlcerCategory.DEEP_TISSUE, 15)))
        if kind == "pressure_ulcer" else "",
        severity=severity, occurred_at=occurred, person=person,
        description=description.format(ref=person.reference),
        immediate_action=immediate.format(ref=person.reference),
        investigation=rng.choice(text.INVESTIGATIONS) if investigated else "",
        learning=rng.choice(text.LEARNING) if investigated else "",
        duty_of_candour_applies=harm, cqc_notification_required=notify)
    if harm:
        incident.duty_of_candour_done_at = ctx.done(
            occurred + dt.timedelta(days=rng.randint(1, 8), hours=rng.randint(1, 6)))
    if notify:
        incident.cqc_notified_at = ctx.done(occurred + dt.timedelta(hours=rng.randint(6, 60)))
    return incident
