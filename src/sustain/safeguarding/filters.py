import django_filters
from django.db.models import QuerySet

from sustain.safeguarding.models import SafeguardingConcern


class SafeguardingConcernFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    person_id = django_filters.UUIDFilter(field_name="person__uuid")
    theme_id = django_filters.UUIDFilter(field_name="themes__uuid")
    raised_from = django_filters.DateFilter(field_name="raised_at", lookup_expr="date__gte")
    raised_to = django_filters.DateFilter(field_name="raised_at", lookup_expr="date__lte")
    reviewed = django_filters.BooleanFilter(field_name="manager_reviewed_at",
                                            lookup_expr="isnull", exclude=True)
    closed = django_filters.BooleanFilter(method="filter_closed")

    class Meta:
        model = SafeguardingConcern
        fields = ["location_id", "person_id", "theme_id", "category", "decision",
                  "raised_from", "raised_to", "reviewed", "closed", "external_ref"]

    def filter_closed(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(closed_at__isnull=not value)
