"""Filters for the history log: by object, location, actor, action and date range."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from sustain.core.models import HistoryEntry


class HistoryFilter(django_filters.FilterSet):
    object_type = django_filters.CharFilter(
        help_text='The kind of record, as "app_label.model", e.g. "people.personsupported".')
    object_id = django_filters.UUIDFilter(field_name="object_uuid",
                                          help_text="The record's id (UUID).")
    location = django_filters.UUIDFilter(method="filter_location",
                                         help_text="Entries about records at this location.")
    actor = django_filters.UUIDFilter(field_name="actor__uuid",
                                      help_text="Entries written by this user.")
    action = django_filters.ChoiceFilter(choices=HistoryEntry.Action.choices)
    request_id = django_filters.CharFilter()
    from_ = django_filters.DateFilter(field_name="at", lookup_expr="date__gte",
                                      label="From (date, inclusive)")
    to = django_filters.DateFilter(field_name="at", lookup_expr="date__lte",
                                   label="To (date, inclusive)")

    class Meta:
        model = HistoryEntry
        fields = ["object_type", "object_id", "location", "actor", "action", "request_id"]

    def filter_location(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        from sustain.tenancy.models import Location

        return queryset.filter(
            location_id__in=Location.objects.filter(uuid=value).values("pk"))


# `from` is a Python keyword, so the filter is declared as `from_` and published as `from`.
HistoryFilter.base_filters["from"] = HistoryFilter.base_filters.pop("from_")
