import django_filters
from django.db.models import QuerySet

from sustain.medicines.models import Discrepancy, MedicinesCheck, WeeklyReview


class MedicinesCheckFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    checked_by_id = django_filters.UUIDFilter(field_name="checked_by__uuid")
    theme_id = django_filters.UUIDFilter(field_name="themes__uuid")
    date_from = django_filters.DateFilter(field_name="check_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="check_date", lookup_expr="lte")
    has_discrepancies = django_filters.BooleanFilter(method="filter_has_discrepancies")

    class Meta:
        model = MedicinesCheck
        fields = ["location_id", "checked_by_id", "theme_id", "shift", "date_from", "date_to",
                  "has_discrepancies", "external_ref"]

    def filter_has_discrepancies(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        with_rows = Discrepancy.objects.filter(archived_at__isnull=True).values("check_record")
        return qs.filter(pk__in=with_rows) if value else qs.exclude(pk__in=with_rows)


class DiscrepancyFilter(django_filters.FilterSet):
    check_id = django_filters.UUIDFilter(field_name="check_record__uuid")
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    staff_responsible_id = django_filters.UUIDFilter(field_name="staff_responsible__uuid")

    class Meta:
        model = Discrepancy
        fields = ["check_id", "location_id", "staff_responsible_id", "type"]


class WeeklyReviewFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    week_from = django_filters.DateFilter(field_name="week_starting", lookup_expr="gte")
    week_to = django_filters.DateFilter(field_name="week_starting", lookup_expr="lte")

    class Meta:
        model = WeeklyReview
        fields = ["location_id", "week_from", "week_to"]
