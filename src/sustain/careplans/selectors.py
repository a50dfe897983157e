"""Reads for care plans: overdue reviews and actions."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q


def review_overdue_q(today: dt.date) -> Q:
    """Reviews not completed by their due date."""
    return Q(completed_on__isnull=True, due_date__lt=today, archived_at__isnull=True)


def action_overdue_q(today: dt.date) -> Q:
    """Tracker items not done by their due date."""
    return Q(done_on__isnull=True, due_date__lt=today, archived_at__isnull=True)
