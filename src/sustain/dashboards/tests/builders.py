"""Records the dashboards read, written straight to the tables (these tests and the benchmark
need many of them; the services that normally write them are tested in their own apps)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sustain.escalations.models import EscalationTask, Firing
from sustain.governance.models import Cadence, Occurrence
from sustain.inspections.models import Inspection
from sustain.playbooks.models import Playbook
from sustain.themes.models import Theme


def playbook(code: str, title: str, version: int = 1) -> Playbook:
    found = Playbook.objects.filter(code=code, version=version,
                                    organisation__isnull=True).first()
    return found or Playbook.objects.create(code=code, version=version, title=title,
                                            source="shipped", checksum="0" * 64, raw="",
                                            content={})


def inspection(location: Any, rating: str, on: dt.date) -> Inspection:
    return Inspection.objects.create(organisation_id=location.organisation_id,
                                     location=location, inspection_date=on,
                                     inspection_type="comprehensive", overall_rating=rating)


def theme(location: Any, title: str, stage: str, book: Playbook | None = None) -> Theme:
    return Theme.objects.create(organisation_id=location.organisation_id, location=location,
                                title=title, origin="internal_audit", stage=stage,
                                stage_since=dt.date(2026, 1, 1), playbook=book)


def overdue_occurrence(location: Any, days_late: int = 3, title: str = "Weekly walk-round",
                       now: dt.datetime | None = None) -> Occurrence:
    now = now or timezone.now()
    cadence = Cadence.objects.create(
        organisation_id=location.organisation_id, location=location, title=title,
        owner_role="registered_manager", frequency="weekly", weekday=0, completes_with="note")
    due = now - dt.timedelta(days=days_late)
    return Occurrence.objects.create(organisation_id=location.organisation_id, cadence=cadence,
                                     location=location, due_at=due,
                                     window_start=due - dt.timedelta(days=7))


def task(location: Any, due_in_hours: float, title: str = "Immediate supervision",
         now: dt.datetime | None = None) -> EscalationTask:
    now = now or timezone.now()
    n = Firing.objects.count()
    firing = Firing.objects.create(
        organisation_id=location.organisation_id, location=location, source="organisation",
        rule_code="repeated-mar-discrepancy", rule_title="Repeated MAR discrepancy",
        rule_version="1", key=f"k{n}-{location.pk}", triggered_at=now,
        explanation="Two discrepancies in 28 days.")
    due = now + dt.timedelta(hours=due_in_hours)
    return EscalationTask.objects.create(
        organisation_id=location.organisation_id, firing=firing, location=location,
        response_index=0, task_type="supervision", title=title,
        fulfilled_by_type="supervision", owner_role="registered_manager", due_at=due,
        original_due_at=due)


def indicator_series(location: Any, values: list[int], code: str = "falls-rate") -> Any:
    """A monthly falls indicator with these numerators (per 1,000 bed days) from Jan 2024."""
    from sustain.indicators.models import Indicator, IndicatorValue

    ind = Indicator.objects.create(
        organisation_id=location.organisation_id, code=code,
        name=f"Falls per 1,000 occupied bed days ({code})", unit="per 1,000 occupied bed days",
        numerator="falls", denominator="occupied_bed_days", multiplier=1000.0,
        direction="higher_is_worse", kind="rate")
    for n, falls in enumerate(values):
        start = dt.date(2024 + n // 12, n % 12 + 1, 1)
        end = dt.date(2024 + (n + 1) // 12, (n + 1) % 12 + 1, 1)
        IndicatorValue.objects.create(
            organisation_id=location.organisation_id, indicator=ind, location=location,
            period_start=start, period_end=end, numerator=falls, denominator=1000,
            value=falls, computed_at=timezone.now())
    return ind
