import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from sustain.governance.models import Cadence, CompletesWith, Occurrence

STATUS_FILTER = [("due", "Due (not past due)"), ("overdue", "Past due, not done"),
                 ("open", "Not done (due or overdue)"), ("done_on_time", "Done on time"),
                 ("done_late", "Done late"), ("missed", "Missed"), ("done", "Done")]


class CadenceFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    organisation_wide = django_filters.BooleanFilter(field_name="location", lookup_expr="isnull")
    owner_person_id = django_filters.UUIDFilter(field_name="owner_person__uuid")
    completes_with = django_filters.ChoiceFilter(choices=CompletesWith.choices)
    frequency = django_filters.ChoiceFilter(choices=Cadence.FREQUENCY_CHOICES)
    theme_id = django_filters.UUIDFilter(field_name="theme__uuid")

    class Meta:
        model = Cadence
        fields = ["location_id", "organisation_wide", "owner_role", "owner_person_id",
                  "completes_with", "frequency", "source", "playbook_code", "cadence_code",
                  "theme_id"]


class OccurrenceFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    cadence_id = django_filters.UUIDFilter(field_name="cadence__uuid")
    status = django_filters.ChoiceFilter(choices=STATUS_FILTER, method="filter_status")
    due_from = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_to = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lt")
    owner_role = django_filters.CharFilter(field_name="cadence__owner_role")
    owner_person_id = django_filters.UUIDFilter(field_name="cadence__owner_person__uuid")

    class Meta:
        model = Occurrence
        fields = ["location_id", "cadence_id", "status", "due_from", "due_to", "owner_role",
                  "owner_person_id"]

    def filter_status(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        now = timezone.now()
        if value == "due":
            return qs.filter(status=Occurrence.Status.OPEN, due_at__gte=now)
        if value == "overdue":
            return qs.filter(status=Occurrence.Status.OPEN, due_at__lt=now)
        if value == "done":
            return qs.filter(Q(status=Occurrence.Status.DONE_ON_TIME)
                             | Q(status=Occurrence.Status.DONE_LATE))
        return qs.filter(status=value) if value else qs
