"""Reads for feedback: which feedback has gone unanswered (engine.feedback_rules)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from sustain.engine.feedback_rules import unanswered_cutoff


def unanswered_q(today: dt.date) -> Q:
    """Feedback with no response more than 30 days after it was received."""
    return Q(responded_on__isnull=True, received_on__lt=unanswered_cutoff(today))
