""""My work" items from signals, for `sustain.work.providers` (kind "signal"; the signals
app's `ready()` registers it).

An open concern signal is its owner's (the registered manager the detection named) until it
is interpreted; the item is due at the interpretation deadline and links to the signal's
page, where the interpretation is written. One query whatever the data size.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone


def signal_items(user: Any, today: dt.date, until: dt.date) -> list[Any]:
    from sustain.engine.work_rules import Status, classify
    from sustain.signals.models import Signal
    from sustain.signals.permissions import filter_signals_visible
    from sustain.work.providers import WorkItem

    if not getattr(user, "is_authenticated", False):
        return []
    qs = filter_signals_visible(Signal.objects.filter(
        owner=user, direction=Signal.Direction.CONCERN, status=Signal.Status.OPEN,
        archived_at__isnull=True, due_at__isnull=False), user).select_related(
        "indicator", "location").order_by("due_at", "pk")
    now = timezone.now()
    items = []
    for s in qs:
        local = timezone.localtime(s.due_at)
        if local.date() > until:
            continue
        items.append(WorkItem(
            kind="signal", kind_label="Signal to interpret",
            title=f"Interpret the concern signal on {s.indicator.name} "
                  f"({s.period_start:%B %Y})",
            due_date=local.date(), due_time=local.time().replace(second=0, microsecond=0),
            location=s.location.name,
            url=reverse("signals:detail", kwargs={"uuid": s.uuid}),
            why="A concern signal at a location you manage: say what it means and what is "
                "being done.",
            status=Status.OVERDUE if s.due_at < now else classify(local.date(), today),
            record_id=s.uuid))
    return items


def register() -> None:
    from sustain.work import providers

    providers.register("signal", signal_items)
