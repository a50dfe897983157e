"""Admin: indicators and their values, read-only (written by the library install, the
nightly computation and imports)."""

from __future__ import annotations

from django.contrib import admin

from sustain.core.admin import ReadOnlyAdmin
from sustain.indicators.models import Indicator, IndicatorValue


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "organisation", "source", "kind", "direction", "frequency",
                    "target", "archived_at")
    list_filter = ("source", "kind", "direction", "frequency")
    search_fields = ("name", "code")


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "location", "period_start", "numerator", "denominator",
                    "value", "source", "computed_at")
    list_filter = ("source",)
    date_hierarchy = "period_start"
