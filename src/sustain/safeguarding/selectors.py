"""Reads for safeguarding concerns: the scoped list, the manager's review queue (unreviewed
first) and each concern's timeliness, computed by `engine.timeliness` from the location's
shift times (never stored, so a rule change applies to every concern)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from sustain.engine import timeliness as rules
from sustain.safeguarding.models import SafeguardingConcern
from sustain.safeguarding.permissions import filter_concerns_visible


def concern_list(*, actor: Any) -> QuerySet:
    return filter_concerns_visible(SafeguardingConcern.objects.select_related(
        "location", "person", "raised_by", "reviewed_by"), actor)


def review_queue(*, actor: Any) -> QuerySet:
    """Open concerns, unreviewed first (oldest first), then reviewed ones, newest first."""
    return concern_list(actor=actor).filter(archived_at__isnull=True).annotate(
        unreviewed=Case(When(manager_reviewed_at__isnull=True, then=Value(0)),
                        default=Value(1), output_field=IntegerField())).order_by(
        "unreviewed", "closed_at", "-raised_at")


@dataclass(frozen=True)
class Timeliness:
    shift_lead: rules.Check
    review: rules.Check
    referral: rules.Check

    def lines(self) -> list[tuple[str, rules.Check]]:
        return [(rules.summary(self.shift_lead, "Shift lead notified"), self.shift_lead),
                (rules.summary(self.review, "Manager review"), self.review),
                (rules.summary(self.referral, "Referral"), self.referral)]

    @property
    def overdue_review(self) -> bool:
        return self.review.status == rules.MISSING

    @property
    def any_late(self) -> bool:
        return any(c.needs_attention for c in (self.shift_lead, self.review, self.referral))


def timeliness(concern: SafeguardingConcern, now: dt.datetime) -> Timeliness:
    """The three timeliness checks for one concern, as of `now`."""
    location = concern.location
    return Timeliness(
        shift_lead=rules.shift_lead_notification(
            raised_at=concern.raised_at, notified_at=concern.shift_lead_notified_at,
            day_start=location.day_shift_start, night_start=location.night_shift_start,
            now=now),
        review=rules.manager_review(raised_at=concern.raised_at,
                                    reviewed_at=concern.manager_reviewed_at, now=now),
        referral=rules.referral(raised_at=concern.raised_at, decision=concern.decision,
                                referral_at=concern.la_referral_at, now=now))
