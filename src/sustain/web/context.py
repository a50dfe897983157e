"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    organisation = getattr(user, "organisation", None) if user and user.is_authenticated else None
    return {"current_organisation": organisation}
