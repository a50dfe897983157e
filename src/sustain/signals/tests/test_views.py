"""Pages: the list (awaiting first, overdue marked, filters) and the detail with its chart,
its form, errors by field, and the interpretation shown after."""

from __future__ import annotations

from typing import Any

import pytest

from sustain.signals.models import Signal
from sustain.signals.tests.conftest import step, write_series
from sustain.signals.tests.factories import make_signal
from sustain.signals.tests.test_interpret import MEANING, RESPONSE

pytestmark = pytest.mark.django_db


def test_list_puts_awaiting_first_and_marks_overdue(client: Any, falls: Any, location: Any,
                                                    sibling_location: Any,
                                                    quality_lead: Any) -> None:
    import datetime as dt

    make_signal(falls, location, direction="improvement", period=dt.date(2026, 5, 1))
    make_signal(falls, location, raised_days_ago=9)
    client.force_login(quality_lead)
    html = client.get("/signals/").content.decode()
    assert html.index("Concern") < html.index("Noted (improvement)") or \
        html.index("tag-concern") < html.index("tag-improvement")
    assert "Overdue" in html
    filtered = client.get(f"/signals/?location={sibling_location.uuid}").content.decode()
    assert "No signals here." in filtered
    assert "Signals (1)" in client.get("/signals/?direction=improvement").content.decode()


def test_detail_form_errors_then_success(client: Any, falls: Any, location: Any,
                                         manager: Any) -> None:
    write_series(falls, location, step(4, 12, 37))
    s = make_signal(falls, location, owner=manager)
    client.force_login(manager)
    page = client.get(f"/signals/{s.uuid}/").content.decode()
    assert "<svg" in page and "Poisson–Gamma changepoint" in page
    bad = client.post(f"/signals/{s.uuid}/", {"meaning": "short", "response": "",
                                              "version": s.version})
    assert bad.status_code == 400
    assert "at least 20 characters" in bad.content.decode()
    ok = client.post(f"/signals/{s.uuid}/", {"meaning": MEANING, "response": RESPONSE,
                                             "version": s.version})
    assert ok.status_code == 302
    s.refresh_from_db()
    assert s.status == Signal.Status.INTERPRETED
    assert MEANING in client.get(f"/signals/{s.uuid}/").content.decode()


def test_detail_without_permission(client: Any, falls: Any, location: Any, carer: Any,
                                   make_user: Any, other_org: Any) -> None:
    s = make_signal(falls, location)
    client.force_login(carer)
    assert "Your role cannot interpret" in client.get(f"/signals/{s.uuid}/").content.decode()
    assert client.post(f"/signals/{s.uuid}/", {"meaning": MEANING,
                                               "response": RESPONSE}).status_code == 403
    client.force_login(make_user(other_org, "quality_lead", scope="organisation"))
    assert client.get(f"/signals/{s.uuid}/").status_code == 404
