"""Filters for the incidents API and pages."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from sustain.incidents.models import Complaint, Compliment, Incident


class IncidentFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    person_id = django_filters.UUIDFilter(field_name="person__uuid")
    theme_id = django_filters.UUIDFilter(field_name="themes__uuid")
    occurred_from = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__gte")
    occurred_to = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__lte")
    duties_open = django_filters.BooleanFilter(method="filter_duties_open")

    class Meta:
        model = Incident
        fields = ["location_id", "person_id", "theme_id", "type", "severity", "occurred_from",
                  "occurred_to", "duties_open", "external_ref"]

    def filter_duties_open(self, qs, name, value):  # type: ignore[no-untyped-def]
        q = (Q(duty_of_candour_applies=True, duty_of_candour_done_at__isnull=True)
             | Q(cqc_notification_required=True, cqc_notified_at__isnull=True))
        return qs.filter(q) if value else qs.exclude(q)


class ComplaintFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    theme_id = django_filters.UUIDFilter(field_name="themes__uuid")
    received_from_date = django_filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_to_date = django_filters.DateFilter(field_name="received_on", lookup_expr="lte")
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Complaint
        fields = ["location_id", "theme_id", "received_from", "upheld", "received_from_date",
                  "received_to_date", "overdue", "external_ref"]

    def filter_overdue(self, qs, name, value):  # type: ignore[no-untyped-def]
        q = Q(response_sent_on__isnull=True, response_due__lt=timezone.localdate())
        return qs.filter(q) if value else qs.exclude(q)


class ComplimentFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    theme_id = django_filters.UUIDFilter(field_name="themes__uuid")
    received_from_date = django_filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_to_date = django_filters.DateFilter(field_name="received_on", lookup_expr="lte")

    class Meta:
        model = Compliment
        fields = ["location_id", "theme_id", "received_from", "received_from_date",
                  "received_to_date", "external_ref"]
