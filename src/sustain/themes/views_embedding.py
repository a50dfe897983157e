"""The embedding map page: where a theme shows up in business as usual, cycle by cycle."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sustain.engine.governance_cycles import CycleKind
from sustain.themes.embedding import embedding_payload, theme_embedding
from sustain.themes.views import visible_theme


@login_required
def theme_embedding_page(request: HttpRequest, uuid: Any) -> HttpResponse:
    theme = visible_theme(request, uuid)
    kind = CycleKind(theme.organisation.governance_cycle)
    payload = embedding_payload(theme_embedding(theme), kind)
    rows = [{**channel, "cells": list(zip(payload["cycles"], channel["cells"], strict=True))}
            for channel in payload["channels"]]
    return render(request, "themes/embedding.html",
                  {"theme": theme, "map": payload, "rows": rows})
