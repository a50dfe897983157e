"""The nightly re-evaluation: the management command and the Huey task (immediate mode in
the test settings) move themes the calendar or the evidence now supports, and a second run
moves nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sustain.core.models import HistoryEntry
from sustain.tenancy.tests.factories import LocationFactory
from sustain.themes import services
from sustain.themes.models import Theme, ThemeTransition
from sustain.themes.tasks import theme_reevaluate_task, themes_reevaluate_nightly_task
from sustain.themes.tests.factories import AuditFactory

pytestmark = pytest.mark.django_db
D = dt.date


def _verified_theme(rm: Any, org: Any, location: Any, title: str = "Medicines") -> Theme:
    """Verified on 15 Feb 2026: sustaining once February's cycle has ended."""
    theme = services.theme_create(actor=rm, organisation=org, location=location, title=title,
                                  origin="inspection", as_of=D(2026, 1, 5))
    services.action_create(actor=rm, theme=theme, description="Retrain",
                           raised_on=D(2026, 1, 5), due_date=D(2026, 2, 1), status="done",
                           completed_on=D(2026, 2, 1))
    AuditFactory(theme=theme, audit_date=D(2026, 2, 15), score=93)
    return services.theme_reevaluate(theme=theme, as_of=D(2026, 2, 20))


def _run(*args: str) -> str:
    out = StringIO()
    call_command("reevaluate_themes", *args, stdout=out)
    return out.getvalue()


def test_command_moves_then_is_idempotent(rm: Any, org: Any, location: Any) -> None:
    theme = _verified_theme(rm, org, location)
    assert theme.stage == "verified"
    assert _run("--as-of", "2026-03-02") == "1 theme(s) evaluated, 1 moved.\n"
    theme.refresh_from_db()
    assert theme.stage == "sustaining" and theme.sustaining_since == D(2026, 3, 1)
    history, transitions = HistoryEntry.objects.count(), ThemeTransition.objects.count()
    assert _run("--as-of", "2026-03-02") == "1 theme(s) evaluated, 0 moved.\n"
    assert (HistoryEntry.objects.count(), ThemeTransition.objects.count()) == \
        (history, transitions)


def test_command_for_one_organisation(rm: Any, org: Any, location: Any, other_org: Any,
                                      make_user: Any) -> None:
    _verified_theme(rm, org, location)
    elsewhere = LocationFactory(organisation=other_org)
    other_rm = make_user(other_org, "registered_manager", location=elsewhere)
    other = _verified_theme(other_rm, other_org, elsewhere, "Other medicines")
    assert _run("--organisation", org.slug, "--as-of", "2026-03-02") == \
        "1 theme(s) evaluated, 1 moved.\n"
    other.refresh_from_db()
    assert other.stage == "verified"


def test_command_refuses_unknown_organisation_and_bad_dates(db: Any) -> None:
    with pytest.raises(CommandError, match="No organisation with the short name 'nope'"):
        _run("--organisation", "nope")
    with pytest.raises(CommandError, match="not a date"):
        _run("--as-of", "27/11/2026")


def test_archived_themes_are_left_alone(rm: Any, org: Any, location: Any) -> None:
    theme = _verified_theme(rm, org, location)
    services.theme_archive(actor=rm, theme=theme, reason="Merged into the main theme.")
    assert _run("--as-of", "2026-03-02") == "0 theme(s) evaluated, 0 moved.\n"


def test_nightly_task_runs_the_reevaluation(rm: Any, org: Any, location: Any) -> None:
    """Enqueued as the scheduler would (immediate mode runs it in-process): the theme
    verified in February 2026 is in sustaining today; a second run moves nothing."""
    from huey.contrib.djhuey import HUEY

    assert HUEY.immediate  # the test settings run tasks in-process
    theme = _verified_theme(rm, org, location)
    themes_reevaluate_nightly_task()  # Huey keeps no result for periodic tasks
    theme.refresh_from_db()
    assert theme.stage == "sustaining" and theme.sustaining_since == D(2026, 3, 1)
    assert theme.evaluation["as_of"] == timezone.localdate().isoformat()
    transitions = ThemeTransition.objects.count()
    themes_reevaluate_nightly_task()
    assert themes_reevaluate_nightly_task.call_local() == {"themes": 1, "moved": 0}
    assert ThemeTransition.objects.count() == transitions


def test_single_theme_task_through_the_queue(rm: Any, org: Any, location: Any) -> None:
    theme = _verified_theme(rm, org, location)
    Theme.objects.filter(pk=theme.pk).update(evaluation={})
    result = theme_reevaluate_task(theme.pk)
    assert result.get() == theme.pk
    theme.refresh_from_db()
    assert theme.evaluation["rule_version"] == "lifecycle-1"
