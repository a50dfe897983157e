"""Template context shared by every page: the organisation and the main navigation, showing
only the sections the user's roles open."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from sustain.engine.access import Perm
from sustain.tenancy.permissions import can_manage_users, has_perm_anywhere

FRAMEWORK_PATH = "/framework/"


def _nav(request: HttpRequest, user: Any) -> list[dict[str, Any]]:
    items: list[tuple[str, str, bool]] = [
        ("Home", reverse("web:home"), True),
        ("My work", reverse("work:my-work"), True),
        ("Dashboard", reverse("dashboards:provider"), has_perm_anywhere(user, Perm.THEME_VIEW)),
        ("Locations", reverse("web:location-list"), has_perm_anywhere(user, Perm.LOCATION_VIEW)),
        ("People", reverse("web:person-list"), has_perm_anywhere(user, Perm.PERSON_VIEW)),
        ("Staff", reverse("web:staff-list"), has_perm_anywhere(user, Perm.STAFF_VIEW)),
        ("Themes", reverse("themes:list"), has_perm_anywhere(user, Perm.THEME_VIEW)),
        ("Playbooks", reverse("playbooks:list"), has_perm_anywhere(user, Perm.THEME_VIEW)),
        ("Lessons", reverse("lessons:grid"), has_perm_anywhere(user, Perm.THEME_VIEW)),
        ("Indicators", reverse("indicators:list"), has_perm_anywhere(user, Perm.THEME_VIEW)),
        ("Signals", reverse("signals:list"), has_perm_anywhere(user, Perm.THEME_VIEW)),
        ("Audits", reverse("audits:list"), has_perm_anywhere(user, Perm.AUDIT_VIEW)),
        ("Meetings", reverse("meetings:index"), has_perm_anywhere(user, Perm.MEETING_VIEW)),
        ("Medicines", reverse("medicines:list"), has_perm_anywhere(user, Perm.TRACKER_VIEW)),
        ("Safeguarding", reverse("safeguarding:list"),
         has_perm_anywhere(user, Perm.TRACKER_VIEW)),
        ("Records", reverse("incidents:index"), has_perm_anywhere(user, Perm.TRACKER_VIEW)),
        ("Workforce", reverse("workforce:index"), has_perm_anywhere(user, Perm.WORKFORCE_VIEW)),
        ("Governance", reverse("governance:calendar"),
         has_perm_anywhere(user, Perm.GOVERNANCE_VIEW)),
        ("Escalations", reverse("escalations:board"),
         has_perm_anywhere(user, Perm.ESCALATION_VIEW)),
        ("Imports", reverse("imports:index"), has_perm_anywhere(user, Perm.IMPORT_RUN)),
        ("Framework", FRAMEWORK_PATH, True),
        ("Organisation", reverse("web:org-admin"), can_manage_users(user)),
    ]
    path = request.path
    nav = []
    for label, url, shown in items:
        if not shown:
            continue
        current = path == url if url == "/" else path.startswith(url)
        nav.append({"label": label, "url": url, "current": current})
    return nav


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_organisation": None, "nav_items": []}
    return {"current_organisation": getattr(user, "organisation", None),
            "nav_items": _nav(request, user)}
