import django_filters

from sustain.inspections.models import (
    EnforcementAction,
    Finding,
    Inspection,
    KeyQuestionRating,
    RegulationBreach,
)


class InspectionFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    date_from = django_filters.DateFilter(field_name="inspection_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="inspection_date", lookup_expr="lte")

    class Meta:
        model = Inspection
        fields = ["location_id", "overall_rating", "inspection_type", "date_from", "date_to"]


class _PartFilter(django_filters.FilterSet):
    inspection_id = django_filters.UUIDFilter(field_name="inspection__uuid")
    location_id = django_filters.UUIDFilter(field_name="location__uuid")


class KeyQuestionRatingFilter(_PartFilter):
    class Meta:
        model = KeyQuestionRating
        fields = ["inspection_id", "location_id", "rating"]


class RegulationBreachFilter(_PartFilter):
    class Meta:
        model = RegulationBreach
        fields = ["inspection_id", "location_id"]


class EnforcementActionFilter(_PartFilter):
    class Meta:
        model = EnforcementAction
        fields = ["inspection_id", "location_id", "status"]


class FindingFilter(_PartFilter):
    class Meta:
        model = Finding
        fields = ["inspection_id", "location_id"]
