"""The embedding map (service, API, page) and the lifecycle's use of every observed channel:
a supervision tagged with a theme puts it in the supervision channel for that cycle; a
channel with no record is a gap; a channel Sustain cannot observe is shown, never a gap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from sustain.people.tests.factories import StaffFactory
from sustain.themes import selectors, services
from sustain.themes.embedding import observed_channels, theme_embedding
from sustain.workforce.services import briefing_create, supervision_create

pytestmark = pytest.mark.django_db

CHANNELS = ["audit_cycles", "supervision", "handovers", "briefings", "dashboards"]


@pytest.fixture
def theme(rm: Any, org: Any, location: Any, owner: Any) -> Any:
    theme = services.theme_create(actor=rm, organisation=org, location=location,
                                  title="Medicines governance", origin="inspection",
                                  owner=owner, as_of=timezone.localdate() - dt.timedelta(days=90))
    return services.theme_update(actor=rm, theme=theme, expected_version=theme.version,
                                 changes={"embedding_channels": CHANNELS})


def _supervise(rm: Any, org: Any, location: Any, owner: Any, theme: Any, day: dt.date) -> Any:
    carer = StaffFactory(organisation=org, locations=[location], full_name="Dana Carer")
    return supervision_create(actor=rm, organisation=org, location=location, date=day,
                              supervisor=owner, supervisee=carer, topics="MAR gaps",
                              themes=[theme])


def test_the_map_counts_records_per_channel_and_names_the_gaps(
        rm: Any, org: Any, location: Any, owner: Any, theme: Any) -> None:
    today = timezone.localdate()
    _supervise(rm, org, location, owner, theme, today)
    briefing_create(actor=rm, organisation=org, location=location, theme=theme,
                    title="Why we sign at the time", what_changed="Sign as you give.",
                    why="Gaps hid omissions.", what_good_looks_like="No blank boxes.",
                    delivered_via="handover", delivered_by=owner)
    result = theme_embedding(theme)
    rows = {r.channel: r for r in result.map.rows}
    assert rows["supervision"].counts[-1] == 1
    assert rows["handovers"].counts[-1] == 1 and rows["briefings"].counts[-1] == 1
    assert rows["dashboards"].observed is False
    current = result.map.summaries[-1]
    assert current.gaps == ("audit_cycles",)  # dashboards is never a gap
    assert current.percent == 75
    previous = result.map.summaries[0]
    assert previous.percent == 0 and set(previous.gaps) == {
        "audit_cycles", "supervision", "handovers", "briefings"}
    cell = result.records[(result.map.cycles[-1], "supervision")]
    assert cell[0].label == "Supervision" and cell[0].day == today


def test_an_untagged_or_archived_record_does_not_count(
        rm: Any, org: Any, location: Any, owner: Any, theme: Any) -> None:
    carer = StaffFactory(organisation=org, locations=[location])
    supervision_create(actor=rm, organisation=org, location=location,
                       date=timezone.localdate(), supervisor=owner, supervisee=carer,
                       topics="Not tagged")
    assert theme_embedding(theme).map.rows[1].counts[-1] == 0


def test_the_lifecycle_requires_every_observed_channel(
        rm: Any, org: Any, location: Any, owner: Any, theme: Any) -> None:
    """The stage rules see the same channels as the map (not only audits)."""
    assert {"audit_cycles", "supervision", "handovers", "briefings"} <= observed_channels()
    assert "dashboards" not in observed_channels()
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=3)
    facts = selectors.theme_facts(theme)
    assert facts.embedding_required == {"audit_cycles", "supervision", "handovers",
                                        "briefings"}
    _supervise(rm, org, location, owner, theme, last_month)
    facts = selectors.theme_facts(theme)
    from sustain.engine.governance_cycles import cycle_of
    assert facts.embedding_active[cycle_of(last_month)] == {"supervision"}


def test_api_and_page_show_the_map(rm: Any, org: Any, location: Any, owner: Any, theme: Any,
                                   token_client: Callable[[Any], Any],
                                   client_for: Callable[[Any], Any]) -> None:
    _supervise(rm, org, location, owner, theme, timezone.localdate())
    response = token_client(rm).get(f"/api/v1/themes/{theme.uuid}/embedding/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [c["channel"] for c in body["channels"]] == CHANNELS
    supervision = body["channels"][1]
    assert supervision["cells"][-1]["count"] == 1
    assert body["cycles"][-1]["gaps"] == ["audit_cycles", "handovers", "briefings"]
    assert body["explanation"][-1].endswith("Briefings — what changed and why.")
    page = client_for(rm).get(reverse("themes:embedding", kwargs={"uuid": theme.uuid}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Supervision discussions" in text and "Not yet observed by Sustain" in text
    assert "25% covered" in text


def test_someone_who_cannot_see_the_theme_gets_404(theme: Any, other_org: Any,
                                                   make_user: Callable[..., Any],
                                                   token_client: Callable[[Any], Any],
                                                   client_for: Callable[[Any], Any]) -> None:
    stranger = make_user(other_org, "nominated_individual", scope="organisation")
    assert token_client(stranger).get(
        f"/api/v1/themes/{theme.uuid}/embedding/").status_code == 404
    assert client_for(stranger).get(
        reverse("themes:embedding", kwargs={"uuid": theme.uuid})).status_code == 404


def test_the_theme_page_links_to_its_map(rm: Any, theme: Any,
                                         client_for: Callable[[Any], Any]) -> None:
    page = client_for(rm).get(reverse("themes:detail", kwargs={"uuid": theme.uuid}))
    assert reverse("themes:embedding", kwargs={"uuid": theme.uuid}) in page.content.decode()
