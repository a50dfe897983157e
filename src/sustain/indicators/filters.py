import django_filters

from sustain.indicators.models import Direction, Frequency, Indicator, IndicatorValue, Kind, Source


class IndicatorFilter(django_filters.FilterSet):
    source = django_filters.ChoiceFilter(choices=Source.choices)
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    frequency = django_filters.ChoiceFilter(choices=Frequency.choices)
    direction = django_filters.ChoiceFilter(choices=Direction.choices)

    class Meta:
        model = Indicator
        fields = ["code", "source", "kind", "frequency", "direction"]


class IndicatorValueFilter(django_filters.FilterSet):
    indicator_id = django_filters.UUIDFilter(field_name="indicator__uuid")
    indicator = django_filters.CharFilter(field_name="indicator__code",
                                          help_text="The indicator's code.")
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    period_from = django_filters.DateFilter(field_name="period_start", lookup_expr="gte",
                                            help_text="Periods starting on or after this date.")
    period_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte",
                                          help_text="Periods starting on or before this date.")
    source = django_filters.ChoiceFilter(choices=Source.choices)

    class Meta:
        model = IndicatorValue
        fields = ["indicator_id", "indicator", "location_id", "period_from", "period_to",
                  "source"]
