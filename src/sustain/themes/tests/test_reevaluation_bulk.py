"""The nightly job writes its moves in bulk (`core.bulk`): the same transitions, theme
updates and history entries — in the same order — as re-evaluating each theme on its own
(`theme_reevaluate`), with an intact hash chain, a query count that does not grow with the
number of themes moving, and the one-by-one path for themes edited while the job ran."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from sustain.core.history import verify_organisation
from sustain.core.models import HistoryEntry
from sustain.core.services import tracked_archive, tracked_update
from sustain.people.tests.factories import StaffFactory
from sustain.reference.models import QualityStatement, Regulation
from sustain.tenancy.tests.factories import LocationFactory
from sustain.themes import services
from sustain.themes.models import Theme, ThemeTransition
from sustain.themes.tests.factories import ActionFactory, AuditFactory, AuditTemplateFactory

pytestmark = pytest.mark.django_db
D = dt.date
AS_OF = D(2026, 6, 15)
MONTH_LATER = D(2026, 7, 16)


def _evidence(theme: Theme, profile: int, template: Any) -> None:
    """Facts for one of ten profiles (as in bench/lifecycle_reevaluate.py): no plan, actions
    open, all done without a re-audit, a failed re-audit, a pass this month, passes months
    ago (sustaining), a pass then a failure (relapsed)."""
    if profile == 0:
        return
    done = profile >= 3
    for j in range(4):
        open_one = not done or (profile == 1 and j == 0)
        ActionFactory(theme=theme, raised_on=D(2025, 11, 1), due_date=D(2026, 1, 1 + j),
                      status="open" if open_one else "done",
                      completed_on=None if open_one else D(2026, 1, 10 + j))

    def audit(day: dt.date, score: int, reaudit: bool = True) -> None:
        AuditFactory(theme=theme, template=template, audit_date=day, score=score,
                     passed=score >= 90, is_reaudit=reaudit)

    audit(D(2025, 10, 20), 61, reaudit=False)
    if profile == 4:
        audit(D(2026, 6, 1), 72)
    elif profile in (5, 6):
        audit(D(2026, 6, 10), 94)
    elif profile in (7, 8):
        for day, score in ((D(2026, 2, 10), 93), (D(2026, 4, 12), 95), (D(2026, 5, 12), 96)):
            audit(day, score)
    elif profile == 9:
        audit(D(2026, 2, 10), 93)
        audit(D(2026, 5, 20), 70)


def _themes(org: Any, locations: list[Any], profiles: list[int]) -> list[Theme]:
    """Themes opened through the service (with history, owners, quality statements and
    regulations), then given evidence directly, so that only the job moves them."""
    template = AuditTemplateFactory(organisation=org)
    statements = list(QualityStatement.objects.order_by("pk")[:2])
    regulations = list(Regulation.objects.order_by("pk")[:1])
    owner = StaffFactory(organisation=org, locations=locations)
    themes = []
    for n, profile in enumerate(profiles):
        theme = services.theme_create(
            actor="test", organisation=org, location=locations[n % len(locations)],
            title=f"Theme {n} (profile {profile})", origin="inspection", owner=owner,
            quality_statements=statements[: n % 3], regulations=regulations,
            as_of=D(2025, 10, 1))
        _evidence(theme, profile, template)
        themes.append(theme)
    return themes


def _written(since_entry: int, since_transition: int) -> dict[str, Any]:
    """What re-evaluation wrote: transitions, history entries (a transition's own UUID
    aside, new on every write) and the themes' state."""
    transitions = [
        (t.organisation_id, t.theme_id, t.location_id, t.from_stage, t.to_stage,
         t.effective_on, t.moved_by, t.actor_id, t.reason, t.evidence, t.rule_version)
        for t in ThemeTransition.objects.filter(pk__gt=since_transition).order_by(
            "organisation_id", "pk")]
    entries = []
    for e in HistoryEntry.objects.filter(pk__gt=since_entry).order_by("organisation_id", "seq"):
        own = e.object_type == "themes.themetransition"
        strip = (lambda s: {k: v for k, v in s.items() if k != "uuid"} if s else s) if own \
            else (lambda s: s)
        entries.append((e.organisation_id, e.seq, e.actor_id, e.actor_repr, e.request_id
                        is not None, e.action, e.object_type, None if own else e.object_uuid,
                        e.object_repr, e.location_id, strip(e.before), strip(e.after),
                        e.message))
    themes = list(Theme.objects.order_by("pk").values_list(
        "pk", "stage", "stage_since", "verified_on", "sustaining_since", "relapsed_on",
        "evaluation", "version", "archived_at"))
    return {"transitions": transitions, "entries": entries, "themes": themes}


def _marks() -> tuple[int, int]:
    last_entry = HistoryEntry.objects.order_by("-pk").first()
    last_transition = ThemeTransition.objects.order_by("-pk").first()
    return (last_entry.pk if last_entry else 0, last_transition.pk if last_transition else 0)


def _one_by_one(as_of: dt.date) -> dict[str, Any]:
    """`theme_reevaluate` on every current theme, in the job's order; then rolled back."""
    marks = _marks()
    with transaction.atomic():
        for theme in Theme.objects.filter(archived_at__isnull=True).order_by(
                "organisation_id", "pk"):
            services.theme_reevaluate(theme=theme, as_of=as_of)
        written = _written(*marks)
        transaction.set_rollback(True)
    assert _marks() == marks
    return written


def test_bulk_job_writes_what_the_single_path_writes(org: Any, other_org: Any, location: Any,
                                                     sibling_location: Any,
                                                     library: None) -> None:
    _themes(org, [location, sibling_location], list(range(10)) * 2)
    _themes(other_org, [LocationFactory(organisation=other_org)], [3, 5, 7, 9])
    for as_of, moving in ((AS_OF, 18 + 4), (MONTH_LATER, 4 + 1)):
        expected = _one_by_one(as_of)
        marks = _marks()
        assert services.themes_reevaluate(as_of=as_of) == {"themes": 24, "moved": moving}
        written = _written(*marks)
        assert written == expected
        assert len(written["transitions"]) >= moving
        assert {e[5] for e in written["entries"]} == {"create", "update"}
        assert verify_organisation(org.pk) is None
        assert verify_organisation(other_org.pk) is None
        marks = _marks()
        assert services.themes_reevaluate(as_of=as_of) == {"themes": 24, "moved": 0}
        assert _marks() == marks  # the second run writes nothing
    stages = dict(Theme.objects.filter(organisation=org, title="Theme 7 (profile 7)")
                  .values_list("title", "stage"))
    assert stages == {"Theme 7 (profile 7)": "sustaining"}
    update = HistoryEntry.objects.filter(object_type="themes.theme", action="update",
                                         message__contains="→").order_by("seq").first()
    assert update is not None and update.actor_repr == "rules"
    assert update.message.startswith("Identified → ")


def test_queries_do_not_grow_with_themes_moving(org: Any, other_org: Any, location: Any,
                                                library: None) -> None:
    _themes(org, [location], list(range(1, 10)))
    _themes(other_org, [LocationFactory(organisation=other_org)], list(range(1, 10)) * 4)
    counts = []
    for organisation, moving in ((org, 9), (other_org, 36)):
        with CaptureQueriesContext(connection) as queries:
            summary = services.themes_reevaluate(organisation_id=organisation.pk, as_of=AS_OF)
        assert summary == {"themes": moving, "moved": moving}
        counts.append(len(queries))
        assert verify_organisation(organisation.pk) is None
    # Four times the themes: the same statements, but for SQLite's limit of 999 parameters
    # a statement, which splits the inserts of ~100 transitions and ~150 history entries.
    extra = 0 if connection.vendor == "postgresql" else 3
    assert counts[0] <= counts[1] <= counts[0] + extra


def test_a_theme_edited_meanwhile_is_reevaluated_on_its_own(
        org: Any, location: Any, library: None, monkeypatch: Any) -> None:
    themes = _themes(org, [location], [5, 5, 7, 7])
    edited, archived = themes[1], themes[3]
    read_facts = services.facts_for_themes

    def facts_then_edits(batch: list[Theme], as_of: dt.date) -> Any:
        facts = read_facts(batch, as_of)
        tracked_update(actor="someone", obj=Theme.objects.get(pk=edited.pk),
                       changes={"title": "Renamed meanwhile"}, expected_version=edited.version)
        tracked_archive(actor="someone", obj=Theme.objects.get(pk=archived.pk),
                        reason="Merged into theme 0 meanwhile.")
        return facts

    monkeypatch.setattr(services, "facts_for_themes", facts_then_edits)
    since_transition = _marks()[1]
    assert services.themes_reevaluate(as_of=AS_OF) == {"themes": 4, "moved": 3}
    now = {t.pk: t for t in Theme.objects.filter(organisation=org)}
    assert now[edited.pk].title == "Renamed meanwhile"  # not overwritten by the job
    assert now[edited.pk].stage == now[themes[0].pk].stage == "verified"
    assert now[archived.pk].stage == "identified" and now[archived.pk].archived_at
    assert now[themes[2].pk].stage == "sustaining"
    moves = dict(ThemeTransition.objects.filter(pk__gt=since_transition).values("theme_id")
                 .annotate(n=Count("pk")).values_list("theme_id", "n"))
    assert moves[edited.pk] == moves[themes[0].pk]  # one set of transitions, not two
    assert archived.pk not in moves
    assert verify_organisation(org.pk) is None
