"""Filters for the feedback and visits API and pages."""

import django_filters
from django.utils import timezone

from sustain.feedback.models import Feedback, Visit
from sustain.feedback.selectors import unanswered_q


class FeedbackFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    theme_id = django_filters.UUIDFilter(field_name="themes__uuid")
    received_from = django_filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_to = django_filters.DateFilter(field_name="received_on", lookup_expr="lte")
    unanswered = django_filters.BooleanFilter(method="filter_unanswered")

    class Meta:
        model = Feedback
        fields = ["location_id", "theme_id", "source", "channel", "rating", "received_from",
                  "received_to", "unanswered", "external_ref"]

    def filter_unanswered(self, qs, name, value):  # type: ignore[no-untyped-def]
        q = unanswered_q(timezone.localdate())
        return qs.filter(q) if value else qs.exclude(q)


class VisitFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    visitor_id = django_filters.UUIDFilter(field_name="visitor__uuid")
    theme_id = django_filters.UUIDFilter(field_name="themes__uuid")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Visit
        fields = ["location_id", "visitor_id", "theme_id", "type", "date_from", "date_to",
                  "external_ref"]
