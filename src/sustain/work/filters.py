import django_filters

from sustain.work.models import CalendarToken


class CalendarTokenFilter(django_filters.FilterSet):
    """(No list of calendar links is served by the API; kept for the conventions.)"""

    archived = django_filters.BooleanFilter(field_name="archived_at", lookup_expr="isnull",
                                            exclude=True)

    class Meta:
        model = CalendarToken
        fields = ["archived"]
