"""Dashboard pages: `dashboards:provider` (every location the reader may see, highest risk
first, with the heat map) and `dashboards:location` (one location's panels). Both need
theme.view: at some location for the provider page, at that location for its page."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from sustain.dashboards import panels, selectors
from sustain.dashboards.render import provider_fragments as render_fragments
from sustain.dashboards.render import risk_explanation
from sustain.engine.access import Perm
from sustain.web.views.base import get_visible_or_404, require_perm_anywhere


@functools.cache
def partner_css() -> list[str]:
    """Stylesheets of the partials included from the drift and indicators apps (those that
    exist: a page without its partner's stylesheet still reads, only plainer)."""
    return [css for css in ("drift/drift.css", "indicators/indicators.css")
            if finders.find(css)]


@login_required
def provider(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.THEME_VIEW)
    board = selectors.provider_dashboard(request.user, timezone.now())
    render_fragments(board)
    return render(request, "dashboards/provider.html", {"board": board,
                                                         "extra_css": partner_css()})


@login_required
def location(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    place = get_visible_or_404(selectors.visible_locations(user), lambda qs, _: qs, user, uuid)
    dashboard = panels.location_dashboard(user, place, timezone.now())
    return render(request, "dashboards/location.html", {
        "d": dashboard, "location": place, "risk_html": risk_explanation(dashboard.row.score),
        "extra_css": partner_css()})
