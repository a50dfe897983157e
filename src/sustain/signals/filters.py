import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from sustain.signals.models import Signal


class SignalFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    indicator = django_filters.CharFilter(field_name="indicator__code",
                                          help_text="The indicator's code.")
    status = django_filters.ChoiceFilter(choices=Signal.Status.choices)
    direction = django_filters.ChoiceFilter(choices=Signal.Direction.choices)
    overdue = django_filters.ChoiceFilter(
        method="filter_overdue", choices=[("1", "yes"), ("0", "no")],
        help_text="1: open signals past their interpretation deadline; 0: the others.")

    class Meta:
        model = Signal
        fields = ["location_id", "indicator", "status", "direction", "overdue"]

    def filter_overdue(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value not in ("0", "1"):
            return qs
        late = {"status": Signal.Status.OPEN, "due_at__lt": timezone.now()}
        return qs.filter(**late) if value == "1" else qs.exclude(**late)
