"""The playbook library pages: list, detail in plain English, upload with file/line/field
errors, apply to a theme, archive; permissions and scoping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sustain.playbooks.models import Playbook
from sustain.playbooks.services import playbook_upload
from sustain.playbooks.tests.conftest import org_playbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for() -> Callable[[Any], Client]:
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client
    return make


def test_list_and_nav(shipped: Any, rm: Any, client_for: Callable[[Any], Client]) -> None:
    resp = client_for(rm).get("/playbooks/")
    assert resp.status_code == 200
    html = resp.content.decode()
    for title in ("Medicines governance", "Person-centred care planning",
                  "Safeguarding oversight", "Falls prevention and risk management"):
        assert title in html
    assert 'href="/playbooks/"' in html and ">Playbooks<" in html  # the main nav link
    assert "Add your own playbook" not in html  # a registered manager cannot upload


def test_list_refused_without_theme_view(shipped: Any, org: Any, location: Any,
                                         make_user: Callable[..., Any],
                                         client_for: Callable[[Any], Client]) -> None:
    commissioner = make_user(org, "commissioner", location=location)
    assert client_for(commissioner).get("/playbooks/").status_code == 403
    assert Client().get("/playbooks/").status_code == 302  # to sign in


def test_detail_spells_the_playbook_out(shipped: Any, rm: Any, theme: Any,
                                        client_for: Callable[[Any], Client]) -> None:
    pb = Playbook.objects.get(code="medicines-governance")
    resp = client_for(rm).get(f"/playbooks/{pb.uuid}/")
    assert resp.status_code == 200
    html = resp.content.decode()
    expected = [
        "Regulation 12: Safe care and treatment", "S8 Medicines optimisation",
        "Weekly MAR chart audit", "The controlled drugs register matches the stock held.",
        "Critical: fails the audit on its own", "Asked for each MAR chart",
        "scores at least 90 %, 2 times in a row", "at least 2 governance cycles",
        "At the end of every shift", "Senior carer", "Nominated individual",
        "immediate supervision on the discrepancies by the registered manager within 24 hours",
        "the same staff member has 2 or more medicines discrepancies within 28 days",
        "MAR accuracy (weekly MAR audit score)",
        "Staff handovers", "Apply playbook", "code: medicines-governance",
        '<th scope="col">How often</th>',
    ]
    for text in expected:
        assert text in html, text
    # Scheduled rows as table rows, with the theme the manager may change offered.
    assert "Medicines governance — Oak House" in html


def test_detail_query_count_does_not_grow_with_the_playbook(
        shipped: Any, rm: Any, client_for: Callable[[Any], Client]) -> None:
    client = client_for(rm)
    counts = []
    for code in ("good-governance", "medicines-governance"):  # 1 vs 2 templates, 4 vs 1 rules
        pb = Playbook.objects.get(code=code)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/playbooks/{pb.uuid}/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_another_organisations_playbook_is_404(shipped: Any, other_org: Any, rm: Any,
                                               make_user: Callable[..., Any],
                                               client_for: Callable[[Any], Client]) -> None:
    other_lead = make_user(other_org, "quality_lead", scope="organisation")
    theirs = playbook_upload(actor=other_lead, organisation=other_org, text=org_playbook(),
                             filename="t.yaml")
    assert client_for(rm).get(f"/playbooks/{theirs.uuid}/").status_code == 404


def test_upload_page_needs_playbook_manage(shipped: Any, rm: Any, lead: Any,
                                           client_for: Callable[[Any], Client]) -> None:
    assert client_for(rm).get("/playbooks/upload/").status_code == 403
    resp = client_for(lead).get("/playbooks/upload/")
    assert resp.status_code == 200
    assert 'enctype="multipart/form-data"' in resp.content.decode()


def test_upload_a_file(shipped: Any, lead: Any, client_for: Callable[[Any], Client]) -> None:
    upload = SimpleUploadedFile("night.yaml", org_playbook().encode(), "application/x-yaml")
    resp = client_for(lead).post("/playbooks/upload/", {"file": upload})
    pb = Playbook.objects.get(code="night-rounds")
    assert resp.status_code == 302 and resp["Location"] == f"/playbooks/{pb.uuid}/"
    assert pb.source == Playbook.Source.ORGANISATION


def test_upload_errors_name_file_line_field_and_save_nothing(
        shipped: Any, lead: Any, client_for: Callable[[Any], Client]) -> None:
    text = org_playbook().replace("embedding_channels: [handovers, supervision]",
                                  "embedding_channels: [handovers, gossip]")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "gossip" in row)
    before = Playbook.objects.count()
    resp = client_for(lead).post("/playbooks/upload/", {"yaml": text})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "There is a problem" in html
    assert (f"pasted.yaml:{line}: embedding_channels[1]: unknown embedding channel "
            "&#x27;gossip&#x27;") in html
    assert Playbook.objects.count() == before


def test_upload_needs_a_file_or_text(shipped: Any, lead: Any,
                                     client_for: Callable[[Any], Client]) -> None:
    resp = client_for(lead).post("/playbooks/upload/", {})
    assert resp.status_code == 400
    assert "Choose a playbook file or paste its YAML." in resp.content.decode()


def test_apply_from_the_page(shipped: Any, rm: Any, theme: Any,
                             client_for: Callable[[Any], Client]) -> None:
    pb = Playbook.objects.get(code="care-planning")
    client = client_for(rm)
    resp = client.post(f"/playbooks/{pb.uuid}/apply/", {"theme": str(theme.uuid)})
    assert resp.status_code == 302
    theme.refresh_from_db()
    assert theme.playbook == pb
    assert theme.consecutive_passes == 1
    page = client.get(resp["Location"]).content.decode()
    assert "Applied “Person-centred care planning” to the theme “Medicines governance”" in page


def test_apply_with_no_theme_chosen_shows_the_error(shipped: Any, rm: Any, theme: Any,
                                                    client_for: Callable[[Any], Client]) -> None:
    pb = Playbook.objects.get(code="care-planning")
    resp = client_for(rm).post(f"/playbooks/{pb.uuid}/apply/", {"theme": ""})
    assert resp.status_code == 400
    assert "Choose the theme." in resp.content.decode()
    theme.refresh_from_db()
    assert theme.playbook is None


def test_apply_refused_for_a_user_who_changes_no_theme(
        shipped: Any, theme: Any, org: Any, location: Any, make_user: Callable[..., Any],
        client_for: Callable[[Any], Client]) -> None:
    carer = make_user(org, "care_staff", location=location)
    pb = Playbook.objects.get(code="care-planning")
    client = client_for(carer)
    assert "Apply playbook" not in client.get(f"/playbooks/{pb.uuid}/").content.decode()
    resp = client.post(f"/playbooks/{pb.uuid}/apply/", {"theme": str(theme.uuid)})
    assert resp.status_code == 403
    theme.refresh_from_db()
    assert theme.playbook is None


def test_archive_an_organisation_playbook(shipped: Any, org: Any, lead: Any,
                                          client_for: Callable[[Any], Client]) -> None:
    pb = playbook_upload(actor=lead, organisation=org, text=org_playbook(), filename="a.yaml")
    client = client_for(lead)
    assert client.post(f"/playbooks/{pb.uuid}/archive/", {"reason": "old"}).status_code == 302
    pb.refresh_from_db()
    assert pb.archived_at is not None
    link = f'href="/playbooks/{pb.uuid}/"'
    assert link not in client.get("/playbooks/").content.decode()
    assert link in client.get("/playbooks/?archived=1").content.decode()
    shipped_pb = Playbook.objects.get(code="safeguarding")
    assert client.post(f"/playbooks/{shipped_pb.uuid}/archive/").status_code == 403
