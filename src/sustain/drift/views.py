"""The drift page of a location (`drift:location`, /drift/locations/<uuid>/): the drift index
with its band and explanation, the seven seed signs with their measures and the records behind
them, the index over the cycles assessed, tested assurance, key-person risks and the themes
flagged for relapse review. `?cycle=YYYY-MM` shows an earlier cycle. Reading needs
`governance.view` at the location (the detail names supervisions and audits)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from sustain.drift import selectors
from sustain.drift.permissions import VIEW
from sustain.drift.present import cycle_label, parse_cycle, present
from sustain.engine.drift import INDEX_RULE
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_locations_visible, has_perm_at
from sustain.web.views.base import get_visible_or_404, require


@login_required
def location_drift(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    location = get_visible_or_404(Location.objects.all(), filter_locations_visible, user, uuid)
    require(has_perm_at(user, VIEW, location.pk))
    history = selectors.history(location)
    chosen = history[-1] if history else None
    raw = request.GET.get("cycle")
    if raw:
        start = parse_cycle(raw)
        chosen = next((a for a in history if a.cycle_start == start), None)
        if chosen is None:
            raise Http404("No drift assessment for that cycle.")
    rows = [{"assessment": a, "cycle": cycle_label(a.cycle_start),
             "current": chosen is not None and a.pk == chosen.pk} for a in reversed(history)]
    return render(request, "drift/location.html", {
        "location": location, "view": present(chosen, user) if chosen else None,
        "history": rows, "index_rule": INDEX_RULE})
