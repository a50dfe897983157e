"""Filters for the meetings API and pages."""

import django_filters

from sustain.meetings.models import AgendaItem, GovernanceCycle, Meeting, MinuteEntry


class MeetingFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    organisation_level = django_filters.BooleanFilter(field_name="location",
                                                      lookup_expr="isnull")
    held_from = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")
    held_to = django_filters.DateFilter(field_name="held_on", lookup_expr="lte")
    chair_id = django_filters.UUIDFilter(field_name="chair__uuid")
    theme_id = django_filters.UUIDFilter(method="filter_theme")

    class Meta:
        model = Meeting
        fields = ["location_id", "organisation_level", "meeting_type", "held_from", "held_to",
                  "chair_id", "theme_id", "external_ref"]

    def filter_theme(self, qs, name, value):  # type: ignore[no-untyped-def]
        """Meetings with an agenda item or a minute about the theme."""
        from django.db.models import Q

        return qs.filter(Q(agenda_items__theme__uuid=value) | Q(entries__theme__uuid=value)) \
            .distinct()


class AgendaItemFilter(django_filters.FilterSet):
    meeting_id = django_filters.UUIDFilter(field_name="meeting__uuid")
    theme_id = django_filters.UUIDFilter(field_name="theme__uuid")

    class Meta:
        model = AgendaItem
        fields = ["meeting_id", "theme_id"]


class MinuteEntryFilter(django_filters.FilterSet):
    meeting_id = django_filters.UUIDFilter(field_name="meeting__uuid")
    agenda_item_id = django_filters.UUIDFilter(field_name="agenda_item__uuid")
    theme_id = django_filters.UUIDFilter(field_name="theme__uuid")
    location_id = django_filters.UUIDFilter(field_name="meeting__location__uuid")
    meeting_type = django_filters.CharFilter(field_name="meeting__meeting_type")

    class Meta:
        model = MinuteEntry
        fields = ["meeting_id", "agenda_item_id", "theme_id", "location_id", "meeting_type",
                  "kind", "satisfied"]


class GovernanceCycleFilter(django_filters.FilterSet):
    on = django_filters.DateFilter(method="filter_on", label="Cycle containing this day")
    start_from = django_filters.DateFilter(field_name="start", lookup_expr="gte")
    start_to = django_filters.DateFilter(field_name="start", lookup_expr="lte")

    class Meta:
        model = GovernanceCycle
        fields = ["number", "kind", "on", "start_from", "start_to"]

    def filter_on(self, qs, name, value):  # type: ignore[no-untyped-def]
        return qs.filter(start__lte=value, end__gte=value)
