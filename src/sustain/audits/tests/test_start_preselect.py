"""Starting a re-audit from a theme preselects the template its playbook names."""

from __future__ import annotations

import pytest
from django.test import Client

from sustain.playbooks.models import Playbook
from sustain.playbooks.services import playbook_apply, playbooks_load
from sustain.themes import services as themes

pytestmark = pytest.mark.django_db


def test_reaudit_start_preselects_the_playbooks_reaudit_template(make_user, org, location):
    playbooks_load()
    manager = make_user(org, "registered_manager", location=location)
    theme = themes.theme_create(actor=manager, organisation=org, location=location,
                                title="Care planning", origin="inspection")
    playbook = Playbook.objects.get(code="care-planning", organisation__isnull=True)
    theme, _ = playbook_apply(actor=manager, playbook=playbook, theme=theme)
    template = playbook.audit_templates.get(code="care-plan-audit")
    client = Client()
    client.force_login(manager)
    url = f"/audits/new/?location={location.uuid}&theme={theme.uuid}&reaudit=1"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<option value="{template.uuid}" selected>' in html
