"""The playbooks API beyond the access matrix: shipped and own visible, another
organisation's never; upload as JSON or multipart with file/line/field errors; apply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sustain.core.models import HistoryEntry
from sustain.playbooks.models import Playbook
from sustain.playbooks.services import playbook_upload
from sustain.playbooks.tests.conftest import org_playbook
from sustain.themes import services as theme_services

pytestmark = pytest.mark.django_db
URL = "/api/v1/playbooks/"


@pytest.fixture
def theirs(shipped: Any, other_org: Any, make_user: Callable[..., Any]) -> Playbook:
    other_lead = make_user(other_org, "quality_lead", scope="organisation")
    return playbook_upload(actor=other_lead, organisation=other_org,
                           text=org_playbook(code="their-rounds"), filename="t.yaml")


def test_list_shows_shipped_and_own_but_never_another_organisations(
        shipped: Any, theirs: Playbook, org: Any, lead: Any, rm: Any,
        token_client: Callable[[Any], Any]) -> None:
    own = playbook_upload(actor=lead, organisation=org, text=org_playbook(), filename="o.yaml")
    body = token_client(rm).get(URL, {"page_size": 100}).json()
    codes = {row["code"] for row in body["results"]}
    assert {"medicines-governance", "safeguarding", "night-rounds"} <= codes
    assert "their-rounds" not in codes
    row = next(r for r in body["results"] if r["code"] == "medicines-governance")
    assert row["shipped"] is True
    assert {t["code"] for t in row["audit_templates"]} == {"mar-audit",
                                                          "medicines-monthly-audit"}
    assert row["schedule"][0] == {"what": "Check MAR records and record discrepancies on the "
                                          "medicines governance tracker",
                                  "role": "senior_carer", "who": "Senior carer",
                                  "frequency": "per_shift",
                                  "how_often": "At the end of every shift", "kind": "cadence"}
    detail = token_client(rm).get(f"{URL}{own.uuid}/").json()
    assert detail["yaml"] == org_playbook()
    assert detail["content"]["verification"]["consecutive_passes"] == 3
    assert token_client(rm).get(f"{URL}{theirs.uuid}/").status_code == 404


def test_filter_by_code(shipped: Any, rm: Any, token_client: Callable[[Any], Any]) -> None:
    body = token_client(rm).get(URL, {"code": "safeguarding"}).json()
    assert [r["code"] for r in body["results"]] == ["safeguarding"]


def test_upload_json_and_multipart(shipped: Any, lead: Any,
                                   token_client: Callable[[Any], Any]) -> None:
    client = token_client(lead)
    resp = client.post(URL, {"filename": "night.yaml", "yaml": org_playbook()}, format="json")
    assert resp.status_code == 201, resp.json()
    assert resp.json()["version"] == 1 and resp.json()["shipped"] is False
    upload = SimpleUploadedFile("night-v2.yaml", org_playbook(version=2).encode(),
                                content_type="application/x-yaml")
    resp = client.post(URL, {"file": upload}, format="multipart")
    assert resp.status_code == 201, resp.json()
    assert resp.json()["version"] == 2
    assert HistoryEntry.objects.filter(object_uuid=resp.json()["id"], action="create",
                                       actor=lead).exists()


def test_invalid_upload_is_400_naming_file_line_field(shipped: Any, lead: Any,
                                                      token_client: Callable[[Any], Any]
                                                      ) -> None:
    text = org_playbook().replace("regulations: [RA2014-12]", "regulations: [RA2014-99]")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "RA2014-99" in row)
    before = Playbook.objects.count(), HistoryEntry.objects.count()
    resp = token_client(lead).post(URL, {"filename": "bad.yaml", "yaml": text}, format="json")
    assert resp.status_code == 400
    body = resp.json()
    assert set(body) == {"message", "errors"}
    assert body["errors"]["yaml"] == [f"bad.yaml:{line}: theme.regulations[0]: unknown "
                                      "regulation 'RA2014-99'"]
    assert (Playbook.objects.count(), HistoryEntry.objects.count()) == before


def test_upload_needs_yaml_or_file(shipped: Any, lead: Any,
                                   token_client: Callable[[Any], Any]) -> None:
    resp = token_client(lead).post(URL, {"filename": "x.yaml"}, format="json")
    assert resp.status_code == 400 and "yaml" in resp.json()["errors"]


def test_upload_refused_without_playbook_manage(shipped: Any, rm: Any,
                                                token_client: Callable[[Any], Any]) -> None:
    resp = token_client(rm).post(URL, {"yaml": org_playbook()}, format="json")
    assert resp.status_code == 403
    assert not Playbook.objects.filter(code="night-rounds").exists()


def test_shipped_playbooks_cannot_be_archived(shipped: Any, lead: Any,
                                              token_client: Callable[[Any], Any]) -> None:
    pb = Playbook.objects.get(code="care-planning")
    resp = token_client(lead).post(f"{URL}{pb.uuid}/archive/", {}, format="json")
    assert resp.status_code == 403
    pb.refresh_from_db()
    assert pb.archived_at is None


def test_apply_returns_theme_and_schedule(theme: Any, rm: Any,
                                          token_client: Callable[[Any], Any]) -> None:
    pb = Playbook.objects.get(code="safeguarding")
    resp = token_client(rm).post(f"{URL}{pb.uuid}/apply/", {"theme": str(theme.uuid)},
                                 format="json")
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert body["theme"]["id"] == str(theme.uuid)
    assert body["theme"]["playbook"] == str(pb.uuid)
    assert body["theme"]["consecutive_passes"] == 2
    assert set(body["theme"]["regulations"]) == {"RA2014-13", "RA2014-17", "RR2009-18"}
    assert ("Daily", "Registered manager") in {(r["how_often"], r["who"])
                                               for r in body["schedule"]}
    assert HistoryEntry.objects.filter(object_uuid=theme.uuid, action="update",
                                       request_id=resp["X-Request-ID"]).exists()


def test_apply_with_a_stale_theme_version_is_409(theme: Any, rm: Any,
                                                 token_client: Callable[[Any], Any]) -> None:
    pb = Playbook.objects.get(code="safeguarding")
    resp = token_client(rm).post(f"{URL}{pb.uuid}/apply/",
                                 {"theme": str(theme.uuid), "version": theme.version + 5},
                                 format="json")
    assert resp.status_code == 409
    theme.refresh_from_db()
    assert theme.playbook is None


def test_apply_another_organisations_playbook_is_404(theme: Any, theirs: Playbook, rm: Any,
                                                     token_client: Callable[[Any], Any]
                                                     ) -> None:
    resp = token_client(rm).post(f"{URL}{theirs.uuid}/apply/", {"theme": str(theme.uuid)},
                                 format="json")
    assert resp.status_code == 404
    theme.refresh_from_db()
    assert theme.playbook is None


def test_apply_to_a_theme_the_user_cannot_see_is_400_naming_theme(
        shipped: Any, other_org: Any, foreign_location: Any, rm: Any,
        token_client: Callable[[Any], Any]) -> None:
    foreign = theme_services.theme_create(actor="test", organisation=other_org,
                                          location=foreign_location, title="Theirs",
                                          origin="other")
    pb = Playbook.objects.get(code="safeguarding")
    resp = token_client(rm).post(f"{URL}{pb.uuid}/apply/", {"theme": str(foreign.uuid)},
                                 format="json")
    assert resp.status_code == 400
    assert "theme" in resp.json()["errors"]
    foreign.refresh_from_db()
    assert foreign.playbook is None


def test_apply_without_theme_change_is_403(theme: Any, org: Any, location: Any,
                                           make_user: Callable[..., Any],
                                           token_client: Callable[[Any], Any]) -> None:
    carer = make_user(org, "care_staff", location=location)
    pb = Playbook.objects.get(code="safeguarding")
    resp = token_client(carer).post(f"{URL}{pb.uuid}/apply/", {"theme": str(theme.uuid)},
                                    format="json")
    assert resp.status_code == 403
    theme.refresh_from_db()
    assert theme.playbook is None


def test_list_query_count_is_constant(shipped: Any, org: Any, lead: Any,
                                      token_client: Callable[[Any], Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = token_client(lead)
    counts = []
    for n in (1, 4):
        while Playbook.objects.filter(organisation=org).count() < n:
            i = Playbook.objects.filter(organisation=org).count()
            playbook_upload(actor=lead, organisation=org, text=org_playbook(code=f"own-{i}"),
                            filename=f"own-{i}.yaml")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"page_size": 100}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
