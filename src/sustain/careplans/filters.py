"""Filters for the care-plan API and pages."""

import django_filters
from django.utils import timezone

from sustain.careplans.models import CarePlanAction, CarePlanReview
from sustain.careplans.selectors import action_overdue_q, review_overdue_q


class CarePlanReviewFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    person_id = django_filters.UUIDFilter(field_name="person__uuid")
    key_worker_id = django_filters.UUIDFilter(field_name="key_worker__uuid")
    theme_id = django_filters.UUIDFilter(field_name="themes__uuid")
    due_from = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_to = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = CarePlanReview
        fields = ["location_id", "person_id", "key_worker_id", "theme_id", "mismatch_found",
                  "due_from", "due_to", "overdue", "external_ref"]

    def filter_overdue(self, qs, name, value):  # type: ignore[no-untyped-def]
        q = review_overdue_q(timezone.localdate())
        return qs.filter(q) if value else qs.exclude(q)


class CarePlanActionFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    person_id = django_filters.UUIDFilter(field_name="person__uuid")
    review_id = django_filters.UUIDFilter(field_name="review__uuid")
    who_id = django_filters.UUIDFilter(field_name="who__uuid")
    theme_id = django_filters.UUIDFilter(field_name="themes__uuid")
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = CarePlanAction
        fields = ["location_id", "person_id", "review_id", "who_id", "theme_id", "overdue",
                  "external_ref"]

    def filter_overdue(self, qs, name, value):  # type: ignore[no-untyped-def]
        q = action_overdue_q(timezone.localdate())
        return qs.filter(q) if value else qs.exclude(q)
