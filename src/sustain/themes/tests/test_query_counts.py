"""The theme list runs the same number of SQL queries for 3 locations × 10 themes as for
300 × 10 (bulk-created, with owners, actions, overdue actions and quality statements), for an
organisation-wide and a region-scoped viewer, with and without filters. The theme page, the
location page and home do not grow with the data either. Query counts, not timings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sustain.audits.models import Audit, AuditTemplate
from sustain.people.models import StaffMember
from sustain.reference.models import QualityStatement
from sustain.tenancy.models import Location
from sustain.themes import services
from sustain.themes.models import Action, Theme, ThemeTransition
from sustain.themes.tests.conftest import days_ago

pytestmark = pytest.mark.django_db

_seq = iter(range(10**6))


def add_themes(org: Any, region: Any, locations: int, per_location: int = 10) -> list[Theme]:
    """Bulk-create locations, each with `per_location` themes, an owner, three actions per
    theme (one done, one open, one overdue) and two quality statements per theme."""
    places = Location.objects.bulk_create([
        Location(organisation=org, region=region, name=f"Home {next(_seq):05d}",
                 cqc_location_id=f"1-{800000000 + next(_seq)}", service_type="care_home",
                 capacity=30) for _ in range(locations)])
    places = list(Location.objects.filter(pk__in=[p.pk for p in places]))
    owners = StaffMember.objects.bulk_create([
        StaffMember(organisation=org, full_name=f"Owner {next(_seq)}", job_role="Manager",
                    start_date=dt.date(2023, 1, 1)) for _ in places])
    stages = ["identified", "recovering", "actions_complete", "verified", "sustaining"]
    themes = Theme.objects.bulk_create([
        Theme(organisation=org, location=place, owner=owner, title=f"Theme {k}",
              origin="inspection", stage=stages[k % len(stages)],
              stage_since=days_ago(30), evaluation={
                  "stage": stages[k % len(stages)], "missing": ["A re-audit."],
                  "reasons": ["Because."], "evidence": [], "rule_version": "lifecycle-1"})
        for place, owner in zip(places, owners, strict=True) for k in range(per_location)])
    Action.objects.bulk_create([
        Action(organisation=org, theme=theme, location_id=theme.location_id,
               description=f"Step {j}", raised_on=days_ago(40), due_date=due,
               status=status, completed_on=days_ago(35) if status == "done" else None)
        for theme in themes for j, (status, due) in enumerate(
            [("done", days_ago(30)), ("open", days_ago(-30)), ("open", days_ago(3))])])
    statements = list(QualityStatement.objects.order_by("pk")[:2])
    through = Theme.quality_statements.through
    through.objects.bulk_create([through(theme_id=t.pk, qualitystatement_id=s.pk)
                                 for t in themes for s in statements])
    return themes


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.fixture(params=["organisation", "region"])
def viewer(request: Any, org: Any, region: Any, make_user: Any) -> Client:
    role = "administrator" if request.param == "organisation" else "quality_lead"
    client = Client()
    client.force_login(make_user(org, role, scope=request.param, region=region))
    return client


def test_theme_list_queries_constant(viewer: Client, org: Any, region: Any,
                                     library: None) -> None:
    add_themes(org, region, 3)
    base = reverse("themes:list")
    urls = [base, base + "?stage=recovering&overdue=on", base + "?key_question=safe",
            base + "?origin=inspection&page=2"]
    small = [count_queries(viewer, url) for url in urls]
    add_themes(org, region, 297)
    assert Theme.objects.filter(organisation=org).count() == 3000
    large = [count_queries(viewer, url) for url in urls]
    assert small == large, (small, large)


def test_location_page_and_home_queries_constant(viewer: Client, org: Any,
                                                 region: Any) -> None:
    themes = add_themes(org, region, 3)
    target = themes[0].location
    url = reverse("web:location-detail", kwargs={"uuid": target.uuid})
    small = (count_queries(viewer, url), count_queries(viewer, reverse("web:home")))
    add_themes(org, region, 297)
    # Many more themes and overdue actions at the same location.
    more = add_themes(org, region, 1, per_location=40)
    Theme.objects.filter(pk__in=[t.pk for t in more]).update(location=target)
    Action.objects.filter(theme__in=more).update(location=target)
    assert (count_queries(viewer, url), count_queries(viewer, reverse("web:home"))) == small


def test_theme_page_queries_do_not_grow(rm: Any, org: Any, location: Any) -> None:
    client = Client()
    client.force_login(rm)
    theme = services.theme_create(actor=rm, organisation=org, location=location,
                                  title="Medicines", origin="inspection", as_of=days_ago(90))
    template = AuditTemplate.objects.create(code="q", title="MAR audit", pass_mark=90,
                                            sections=[])

    def grow(n: int) -> None:
        for _ in range(n):
            action = services.action_create(actor=rm, theme=theme, description="Step",
                                            raised_on=days_ago(80), due_date=days_ago(10),
                                            status="done", completed_on=days_ago(60))
            audit = Audit.objects.create(organisation=org, location=location, theme=theme,
                                         template=template, is_reaudit=True,
                                         audit_date=days_ago(50), status="completed",
                                         score=95, passed=True)
            services.action_verify(actor=rm, action=action, evidence_audit=audit)
            for status in ("open", "done"):  # with their workflow forms on the page
                services.action_create(actor=rm, theme=theme, description=status,
                                       raised_on=days_ago(80), due_date=days_ago(10),
                                       status=status)

    grow(1)
    url = reverse("themes:detail", kwargs={"uuid": theme.uuid})
    small = count_queries(client, url)
    grow(6)
    assert ThemeTransition.objects.filter(theme=theme).count() >= 3
    assert count_queries(client, url) == small
