"""The framework browser: signed-in members read it; facts show sources and unconfirmed marks."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import Client

from sustain.accounts.tests.factories import UserFactory
from sustain.reference.models import (
    EnforcementType,
    KeyQuestion,
    QualityStatement,
    ReferenceLibrary,
    Regulation,
)
from sustain.reference.services import reference_items_count, reference_load

pytestmark = pytest.mark.django_db

PAGES = ["/framework/", "/framework/key-questions/safe/", "/framework/statements/S1/",
         "/framework/regulations/", "/framework/regulations/RA2014-12/",
         "/framework/ratings-and-enforcement/"]


class _Outline(HTMLParser):
    """Collects heading levels, table header cells and badges from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.th_without_scope = 0
        self.th = 0
        self.badges: list[str] = []
        self._badge = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "th":
            self.th += 1
            self.th_without_scope += "scope" not in attributes
        if tag == "span" and "badge" in (attributes.get("class") or "").split():
            self._badge = True

    def handle_data(self, data: str) -> None:
        if self._badge:
            self.badges.append(data.strip())
            self._badge = False


def _outline(html: str) -> _Outline:
    parser = _Outline()
    parser.feed(html)
    return parser


@pytest.fixture
def library(db: Any) -> None:
    reference_load()


@pytest.fixture
def member_client(org: Any, location: Any, make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user(org, "care_staff", location=location))
    return client


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_users_are_sent_to_sign_in(client: Client, library: None, url: str) -> None:
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_with_ordered_headings_and_scoped_table_headers(
        member_client: Client, library: None, url: str) -> None:
    resp = member_client.get(url)
    assert resp.status_code == 200
    html = resp.content.decode()
    outline = _outline(html)
    assert outline.headings.count(1) == 1 and outline.headings[0] == 1
    for before, after in zip(outline.headings, outline.headings[1:], strict=False):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after} on {url}"
    assert outline.th_without_scope == 0
    assert 'aria-label="Breadcrumb"' in html


def test_index_lists_key_questions_with_their_statement_counts(member_client: Client,
                                                               library: None) -> None:
    html = member_client.get("/framework/").content.decode()
    for kq in KeyQuestion.objects.all():
        assert f'href="/framework/key-questions/{kq.code}/"' in html
    assert "8 quality statements" in html and "5 quality statements" in html
    assert "saf-2024" in html
    assert "urn:sustain:cqc:regulations" in html


def test_key_question_page_shows_we_and_i_statements_and_evidence(member_client: Client,
                                                                  library: None) -> None:
    html = member_client.get("/framework/key-questions/safe/").content.decode()
    for qs in QualityStatement.objects.filter(key_question__code="safe"):
        assert f'href="/framework/statements/{qs.code}/"' in html
    assert "We work with people to understand what being safe means to them" in html
    assert "I feel safe and am supported to understand and manage any risks." in html
    assert "Feedback from staff and leaders" in html
    assert "Quality statements (8)" in html
    assert "https://dlservices.co/cqc/" in html  # the definition's source


def test_statement_page_shows_regulations_sources_and_confirmation(member_client: Client,
                                                                   library: None) -> None:
    html = member_client.get("/framework/statements/S1/").content.decode()
    assert "Learning culture" in html
    assert 'href="https://www.cqc.org.uk/guidance-regulation/providers/assessment/' \
           'single-assessment-framework/safe/learning-culture"' in html
    for code in ("RA2014-12", "RA2014-17", "RA2014-20"):
        assert f'href="/framework/regulations/{code}/"' in html
    badges = _outline(html).badges
    assert "Confirmed" in badges  # the we statement was read on CQC's page
    assert "Unconfirmed" in badges  # the regulation mapping was not


def test_unconfirmed_we_statement_is_marked(member_client: Client, library: None) -> None:
    html = member_client.get("/framework/statements/S8/").content.decode()
    we_section = html[html.index('id="we-heading"'):html.index('id="i-heading"')]
    assert "badge-warning" in we_section and "Unconfirmed" in we_section
    assert "Not found in any source that was read" in we_section


def test_regulation_page_lists_paragraphs_and_statements(member_client: Client,
                                                         library: None) -> None:
    html = member_client.get("/framework/regulations/RR2009-18/").content.decode()
    assert "Notification of other incidents" in html
    assert "Any abuse or allegation of abuse in relation to a service user" in html
    html = member_client.get("/framework/regulations/RA2014-13/").content.decode()
    assert 'href="/framework/statements/S3/"' in html


def test_regulations_and_enforcement_pages_list_everything(member_client: Client,
                                                           library: None) -> None:
    html = member_client.get("/framework/regulations/").content.decode()
    for reg in Regulation.objects.all():
        assert f'href="/framework/regulations/{reg.code}/"' in html
    html = member_client.get("/framework/ratings-and-enforcement/").content.decode()
    for power in EnforcementType.objects.all():
        assert power.name in html
    assert "Requires improvement" in html and "39% to 62%" in html


def test_unknown_codes_are_404(member_client: Client, library: None) -> None:
    assert member_client.get("/framework/statements/Z9/").status_code == 404
    assert member_client.get("/framework/key-questions/kind/").status_code == 404
    assert member_client.get("/framework/regulations/RA2014-99/").status_code == 404


def test_a_user_without_an_organisation_is_refused(library: None) -> None:
    client = Client()
    client.force_login(UserFactory(organisation=None))
    assert client.get("/framework/").status_code == 403


def test_empty_library_says_how_to_load_it(member_client: Client) -> None:
    html = member_client.get("/framework/").content.decode()
    assert "sustain load-reference" in html


def test_pages_run_a_fixed_number_of_queries(member_client: Client, library: None,
                                             django_assert_max_num_queries: Any) -> None:
    member_client.get("/framework/key-questions/safe/")
    with django_assert_max_num_queries(14):
        assert member_client.get("/framework/key-questions/safe/").status_code == 200
    with django_assert_max_num_queries(14):
        assert member_client.get("/framework/statements/S6/").status_code == 200


# --- Django admin is view only ------------------------------------------------------------


def test_admin_is_view_only(library: None) -> None:
    admin = UserFactory(organisation=None, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    before = reference_items_count()
    for model in (ReferenceLibrary, KeyQuestion, QualityStatement, Regulation):
        model_admin = admin_site._registry[model]
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        assert client.get(base).status_code == 200
        assert client.get(f"{base}add/").status_code == 403
        obj = model.objects.first()
        assert obj is not None
        assert client.get(f"{base}{obj.pk}/change/").status_code == 200  # view only
        assert client.post(f"{base}{obj.pk}/change/", {"code": "X"}).status_code == 403
        assert client.get(f"{base}{obj.pk}/delete/").status_code == 403
        assert not model_admin.has_change_permission(type("R", (), {"user": admin})())
    assert reference_items_count() == before
    assert KeyQuestion.objects.filter(code="X").count() == 0
