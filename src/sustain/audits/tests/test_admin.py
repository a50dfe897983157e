"""The admin shows audits read-only: they change only through the audit services."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.utils import timezone

from sustain.accounts.models import User
from sustain.audits import services
from sustain.audits.models import Audit, AuditAttachment, AuditTemplate
from sustain.audits.tests.factories import CarePlanTemplateFactory

pytestmark = pytest.mark.django_db


def test_audits_are_read_only_in_the_admin(org, location):
    superuser = User.objects.create_superuser("sysadmin", "sys@example.org",
                                              "a-long-admin-password-1")
    client = Client()
    client.force_login(superuser)
    audit = services.audit_start(actor="test", organisation=org, location=location,
                                 template=CarePlanTemplateFactory(),
                                 audit_date=timezone.localdate(), samples=["A-1", "A-2"])
    request = RequestFactory().get("/admin/")
    request.user = superuser
    for model in (AuditTemplate, Audit, AuditAttachment):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, None)
        assert not model_admin.has_delete_permission(request)
    assert client.get("/admin/audits/audit/").status_code == 200
    page = client.get(f"/admin/audits/audit/{audit.pk}/change/")
    assert page.status_code == 200 and "Save" not in page.content.decode()
    resp = client.post(f"/admin/audits/audit/{audit.pk}/change/", {"analysis": "Edited"})
    assert resp.status_code == 403
    audit.refresh_from_db()
    assert audit.analysis == ""
