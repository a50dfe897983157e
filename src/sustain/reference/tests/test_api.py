"""The reference API: read by any member of an organisation, filterable, never writable."""

from __future__ import annotations

from typing import Any

import pytest

from sustain.accounts.tests.factories import UserFactory
from sustain.reference.models import KeyQuestion, QualityStatement, ReferenceLibrary, Regulation
from sustain.reference.services import reference_items_count, reference_load

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "key-questions": 5, "quality-statements": 34, "regulations": 20,
    "evidence-categories": 6, "rating-levels": 4, "enforcement-types": 11,
}


@pytest.fixture
def library(db: Any) -> None:
    reference_load()


@pytest.fixture
def member(org: Any, location: Any, make_user: Any) -> Any:
    return make_user(org, "care_staff", location=location)


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_anonymous_gets_401(api_client: Any, library: None, endpoint: str) -> None:
    resp = api_client.get(f"/api/v1/{endpoint}/")
    assert resp.status_code == 401
    assert set(resp.json()) == {"message", "errors"}


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_member_lists_everything(token_client: Any, member: Any, library: None,
                                 endpoint: str) -> None:
    resp = token_client(member).get(f"/api/v1/{endpoint}/", {"page_size": 100})
    assert resp.status_code == 200
    body = resp.json()
    assert body["count"] == ENDPOINTS[endpoint]
    row = body["results"][0]
    assert {"id", "code", "status", "verified", "sources", "library"} <= set(row)
    assert row["library"]["urn"].startswith("urn:sustain:cqc:")


@pytest.mark.parametrize("role", ["care_staff", "board_member", "commissioner",
                                  "registered_manager", "administrator"])
def test_every_role_reads_the_framework(token_client: Any, org: Any, location: Any,
                                        make_user: Any, library: None, role: str) -> None:
    user = make_user(org, role, location=location)
    assert token_client(user).get("/api/v1/quality-statements/").json()["count"] == 34


def test_a_user_without_an_organisation_sees_nothing(token_client: Any, library: None) -> None:
    loner = UserFactory(organisation=None)
    client = token_client(loner)
    assert client.get("/api/v1/key-questions/").json()["count"] == 0
    kq = KeyQuestion.objects.get(code="safe")
    assert client.get(f"/api/v1/key-questions/{kq.uuid}/").status_code == 404


def test_detail_by_uuid_exposes_code_and_mappings(token_client: Any, member: Any,
                                                  library: None) -> None:
    s3 = QualityStatement.objects.get(code="S3")
    resp = token_client(member).get(f"/api/v1/quality-statements/{s3.uuid}/")
    assert resp.status_code == 200
    body = resp.json()
    assert body["id"] == str(s3.uuid)
    assert body["code"] == "S3"
    assert body["key_question"] == "safe"
    assert body["regulations"] == ["RA2014-13"]
    assert body["status"] == "VERIFIED_VERBATIM_CQC" and body["verified"] is True
    assert body["regulations_status"] == "UNVERIFIED_MEMORY"
    assert body["sources"][0]["url"].startswith("https://www.cqc.org.uk/")
    assert body["library"] == {"urn": "urn:sustain:cqc:saf:quality-statements", "version": 1}
    # Lookup is by uuid, as everywhere: a code in the path is not found.
    assert token_client(member).get("/api/v1/quality-statements/S3/").status_code == 404


def test_statement_filters(token_client: Any, member: Any, library: None) -> None:
    client = token_client(member)

    def codes(**params: Any) -> list[str]:
        resp = client.get("/api/v1/quality-statements/", {"page_size": 100, **params})
        assert resp.status_code == 200, resp.json()
        return [r["code"] for r in resp.json()["results"]]

    assert codes(key_question="safe") == [f"S{n}" for n in range(1, 9)]
    assert codes(key_question="well-led")[0] == "W1"
    kq = KeyQuestion.objects.get(code="caring")
    assert codes(key_question_id=str(kq.uuid)) == ["C1", "C2", "C3", "C4", "C5"]
    on_13 = codes(regulation="RA2014-13")
    assert on_13 == sorted(on_13, key=lambda c: "SECRW".index(c[0])) and "S3" in on_13
    assert set(on_13) == set(Regulation.objects.get(code="RA2014-13")
                             .quality_statements.values_list("code", flat=True))
    assert len(codes(regulation="RA2014-12")) == len(set(codes(regulation="RA2014-12")))
    assert codes(code="s3") == ["S3"]
    assert set(codes(status="UNVERIFIED_MEMORY")) == {"S8", "W8"}
    assert codes(key_question="safe", status="VERIFIED_VERBATIM_CQC") == [
        "S1", "S3", "S5", "S6", "S7"]
    assert codes(key_question="nonsense") == []


def test_other_filters_by_code(token_client: Any, member: Any, library: None) -> None:
    client = token_client(member)
    resp = client.get("/api/v1/regulations/", {"code": "RA2014-9A"})
    assert [r["title"] for r in resp.json()["results"]] == [
        "Visiting and accompanying in care homes, hospitals and hospices"]
    resp = client.get("/api/v1/enforcement-types/", {"track": "criminal"})
    assert {r["code"] for r in resp.json()["results"]} == {
        "simple-caution", "fixed-penalty-notice", "prosecution"}
    resp = client.get("/api/v1/rating-levels/")
    assert [r["name"] for r in resp.json()["results"]] == [
        "Outstanding", "Good", "Requires improvement", "Inadequate"]
    resp = client.get("/api/v1/evidence-categories/", {"code": "observation"})
    assert resp.json()["count"] == 1
    resp = client.get("/api/v1/key-questions/", {"code": "well-led"})
    assert [r["name"] for r in resp.json()["results"]] == ["Well-led"]


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_writes_are_refused_and_change_nothing(token_client: Any, org: Any, make_user: Any,
                                               library: None, endpoint: str) -> None:
    admin = make_user(org, "administrator", scope="organisation")
    client = token_client(admin)
    before = reference_items_count()
    first = client.get(f"/api/v1/{endpoint}/").json()["results"][0]
    detail = f"/api/v1/{endpoint}/{first['id']}/"
    assert client.post(f"/api/v1/{endpoint}/", {"code": "X1"}, format="json") \
        .status_code == 405
    assert client.patch(detail, {"code": "X1", "version": 1}, format="json").status_code == 405
    assert client.put(detail, {"code": "X1", "version": 1}, format="json").status_code == 405
    assert client.delete(detail).status_code == 405
    assert client.post(f"{detail}archive/", {}, format="json").status_code == 404
    assert reference_items_count() == before
    assert client.get(detail).json() == first
    assert ReferenceLibrary.objects.count() == 5


def test_list_query_count_does_not_grow_with_rows(token_client: Any, member: Any,
                                                  library: None,
                                                  django_assert_max_num_queries: Any) -> None:
    client = token_client(member)
    client.get("/api/v1/quality-statements/")  # warm the session/token caches
    with django_assert_max_num_queries(12):
        resp = client.get("/api/v1/quality-statements/", {"page_size": 100})
    assert resp.json()["count"] == 34
