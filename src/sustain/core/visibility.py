"""Which function decides the rows of a tenant-scoped model an actor may see.

Each app's `permissions.py` declares `VISIBILITY_FILTERS = {"app_label.model": filter_fn}`
where `filter_fn(queryset, actor) -> queryset` denies by default. This module collects them;
`tests/test_meta.py` fails when a concrete TenantScopedModel has none.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from typing import Any

from django.apps import apps
from django.db.models import QuerySet

VisibilityFilter = Callable[[QuerySet, Any], QuerySet]


@cache
def visibility_filters() -> dict[str, VisibilityFilter]:
    """Model label → visibility filter, over every installed Sustain app."""
    found: dict[str, VisibilityFilter] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("sustain."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.permissions":
                raise
            continue
        found.update(getattr(module, "VISIBILITY_FILTERS", {}))
    return found


def filter_visible(qs: QuerySet, actor: Any) -> QuerySet:
    """Scope any registered model's queryset; unregistered models show nothing."""
    fn = visibility_filters().get(qs.model._meta.label_lower)
    return fn(qs, actor) if fn is not None else qs.none()
