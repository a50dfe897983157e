"""The filterset of drift assessments (the project's one-filterset-per-model rule): by
location, band and cycle range, for lists of assessments such as a provider's view."""

import django_filters

from sustain.drift.models import Band, DriftAssessment


class DriftAssessmentFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    band = django_filters.ChoiceFilter(choices=Band.choices)
    cycle_from = django_filters.DateFilter(field_name="cycle_start", lookup_expr="gte",
                                           help_text="Cycles starting on or after this date.")
    cycle_to = django_filters.DateFilter(field_name="cycle_start", lookup_expr="lte",
                                         help_text="Cycles starting on or before this date.")

    class Meta:
        model = DriftAssessment
        fields = ["location_id", "band", "cycle_from", "cycle_to"]
