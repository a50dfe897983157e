"""Demo records of people's voice and leaders' presence: complaints, compliments, feedback
("you said, we did") and senior visits / observations of practice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sustain.demo import ops_text as text
from sustain.demo.operational import MANAGERS, Ctx, Writer, monthly, ramp, weighted
from sustain.feedback.models import Channel, Feedback, Source, Visit, VisitType
from sustain.incidents.models import Complaint, Compliment, From, Upheld


def _drift(ctx: Ctx, key: str, day: dt.date, months: float = 6) -> float:
    """0 before Meadowbank's drift, rising to 1 by `as_of` (always 0 elsewhere)."""
    return ramp(0, 1, (months - ctx.months_ago(day)) / months) if key == "MB" else 0.0


def _recovering(ctx: Ctx, key: str, day: dt.date) -> float:
    """0 before Rosewood's recovery, 1 once it is well under way (always 1 elsewhere)."""
    if key != "RH":
        return 1.0
    since = ctx.since("RH:medicines", day)
    return 0.0 if since is None else ramp(0.3, 1, since / 4)


def complaints_and_compliments(ctx: Ctx, writer: Writer) -> None:
    for key, location in ctx.locations.items():
        rng = ctx.rng("complaints", key)
        small = location.service_type == "supported_living"
        base = 0.35 if small else 0.8

        def complaint_rate(day: dt.date, key: str = key, base: float = base) -> float:
            return base * (1.6 - 0.8 * _recovering(ctx, key, day)) + _drift(ctx, key, day)

        complaints = []
        themes: list[list[Any]] = []
        for day in monthly(ctx, rng, complaint_rate):
            present = ctx.present(key, day)
            category, summary = rng.choice(text.COMPLAINTS)
            late = rng.random() < 0.15 + 0.5 * _drift(ctx, key, day)
            sent = ctx.done_day(day + dt.timedelta(days=rng.randint(30, 50) if late
                                                   else rng.randint(4, 25)))
            if late and key == "MB" and rng.random() < 0.5:
                sent = None
            complaints.append(Complaint(
                organisation=ctx.org, location=location, received_on=day,
                received_from=weighted(rng, ((From.FAMILY, 60), (From.PERSON, 25),
                                             (From.PROFESSIONAL, 10), (From.OTHER, 5))),
                category=category, summary=summary,
                person=rng.choice(present) if present and rng.random() < 0.7 else None,
                response_due=day + dt.timedelta(days=28), response_sent_on=sent,
                outcome=rng.choice(text.COMPLAINT_OUTCOMES) if sent else "",
                upheld=weighted(rng, ((Upheld.YES, 35), (Upheld.PARTLY, 35), (Upheld.NO, 30)))
                if sent else ""))
            themes.append(ctx.theme("RH:medicines", day) if key == "RH"
                          and category == "Medicines" else [])
        writer.create(complaints, {"themes": themes})

        def compliment_rate(day: dt.date, key: str = key, small: bool = small) -> float:
            return (1.0 if small else 2.0 + 1.2 * _recovering(ctx, key, day)) \
                - 1.6 * _drift(ctx, key, day, 9)

        compliments = [Compliment(
            organisation=ctx.org, location=location, received_on=day,
            received_from=weighted(rng, ((From.FAMILY, 65), (From.PERSON, 15),
                                         (From.PROFESSIONAL, 20))),
            summary=rng.choice(text.COMPLIMENTS))
            for day in monthly(ctx, rng, compliment_rate)]
        writer.create(compliments)


def feedback(ctx: Ctx, writer: Writer) -> None:
    for key, location in ctx.locations.items():
        rng = ctx.rng("feedback", key)
        rate = {"supported_living": 3.0, "home_care": 5.0}.get(location.service_type, 6.0)
        rows: list[Feedback] = []
        themes: list[list[Any]] = []
        for day in monthly(ctx, rng, lambda _d, rate=rate: rate):
            said, topic = rng.choice(text.FEEDBACK)
            channel = weighted(rng, ((Channel.CONVERSATION, 35), (Channel.SURVEY, 25),
                                     (Channel.MEETING, 25), (Channel.REVIEW_SITE, 8),
                                     (Channel.OTHER, 7)))
            # Meadowbank stops answering from about six months ago.
            answered = 0.7 + 0.25 * _recovering(ctx, key, day) - 0.7 * _drift(
                ctx, key, day, 7) ** 0.4
            responder = ctx.pick_staff(rng, key, day, MANAGERS)
            item = Feedback(
                organisation=ctx.org, location=location,
                source=weighted(rng, ((Source.FAMILY, 40), (Source.PERSON, 30),
                                      (Source.STAFF, 15), (Source.PROFESSIONAL, 10),
                                      (Source.COMMISSIONER, 5))),
                channel=channel, received_on=day, text=said,
                rating=weighted(rng, ((3, 20), (4, 45), (5, 35) if topic != "staffing" else
                                      (2, 30))) if channel in (Channel.SURVEY,
                                                               Channel.REVIEW_SITE) else None)
            if rng.random() < answered:
                responded = ctx.done_day(day + dt.timedelta(days=rng.randint(2, 24)))
                if responded is not None:
                    item.response = rng.choice(text.RESPONSES)
                    item.responded_on = responded
                    item.response_by = responder
            rows.append(item)
            themes.append(ctx.theme("RH:medicines", day) if key == "RH"
                          and topic == "medicines" else [])
        writer.create(rows, {"themes": themes})


VISIT_TYPES = ((VisitType.PROVIDER, 30), (VisitType.SPOT_CHECK, 25), (VisitType.NIGHT, 15),
               (VisitType.OBSERVATION, 30))


def _visit_rate(ctx: Ctx, key: str, day: dt.date) -> float:
    """Senior visits a month."""
    if key == "RH":
        since = ctx.since("RH:medicines", day)
        return 1.2 if since is None else ramp(5.0, 3.0, since / 10)  # leadership grip
    if key == "MB":
        return ramp(3.0, 0.3, (8 - ctx.months_ago(day)) / 3)  # thinning out, now rare
    return {"WC": 3.0, "WH": 4.0}.get(key, 2.0)


def visits(ctx: Ctx, writer: Writer) -> None:
    peers = {key: [other for other in ctx.locations if other != key] for key in ctx.locations}
    for key, location in ctx.locations.items():
        rng = ctx.rng("visits", key)
        rows: list[Visit] = []
        themes: list[list[Any]] = []
        for day in monthly(ctx, rng, lambda d, k=key: _visit_rate(ctx, k, d)):
            kind = weighted(rng, VISIT_TYPES)
            if kind == VisitType.PROVIDER:
                peer = rng.choice([p for p in peers[key]
                                   if ctx.manager(p).start_date <= day] or peers[key])
                visitor = ctx.manager(peer)
                role = (f"Registered manager, {ctx.locations[peer].name} (provider visit for "
                        "the quality lead)")
            else:
                visitor = ctx.pick_staff(rng, key, day, MANAGERS)
                role = visitor.job_role
            tags: list[Any] = []
            if key == "RH":
                tags = ctx.theme("RH:medicines", day) + ctx.theme("RH:safeguarding", day)
            elif key in ("WC", "MB"):
                tags = ctx.theme("WC:governance" if key == "WC" else "MB:falls", day)
            rows.append(Visit(
                organisation=ctx.org, location=location, visitor=visitor, visitor_role=role,
                date=day, type=kind, looked_at=rng.choice(text.VISIT_LOOKED_AT[kind]),
                findings=rng.choice(text.VISIT_FINDINGS),
                actions_raised=rng.choice(text.VISIT_ACTIONS)))
            themes.append(tags)
        writer.create(rows, {"themes": themes})
