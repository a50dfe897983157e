"""The history page covers the recovery records: actions and audits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from sustain.themes import services as theme_services
from sustain.themes.tests.factories import AuditFactory

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_action_and_audit_history_pages(make_user, org, location, sibling_location):
    manager = make_user(org, "registered_manager", location=location)
    theme = theme_services.theme_create(actor=manager, organisation=org, location=location,
                                        title="Medicines governance", origin="inspection")
    action = theme_services.action_create(actor=manager, theme=theme, description="Retrain",
                                          due_date=timezone.localdate() + dt.timedelta(days=30))
    theme_services.action_update(actor=manager, action=action,
                                 changes={"description": "Retrain night staff"},
                                 expected_version=action.version)
    audit = AuditFactory(theme=theme)
    client = _signed_in(manager)
    page = client.get(f"/history/themes.action/{action.uuid}/")
    assert page.status_code == 200
    assert "Retrain night staff" in page.content.decode()
    assert client.get(f"/history/audits.audit/{audit.uuid}/").status_code == 200
    # A manager of another home sees neither.
    other = make_user(org, "registered_manager", location=sibling_location)
    assert _signed_in(other).get(f"/history/themes.action/{action.uuid}/").status_code == 404
