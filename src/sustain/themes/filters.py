import django_filters
from django.db.models import Exists, OuterRef
from django.utils import timezone

from sustain.themes.models import Action, Theme, ThemeTransition
from sustain.themes.selectors import overdue_q


class ThemeFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    owner_id = django_filters.UUIDFilter(field_name="owner__uuid")
    playbook_id = django_filters.UUIDFilter(field_name="playbook__uuid")
    key_question = django_filters.CharFilter(method="filter_key_question")
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    stage = django_filters.MultipleChoiceFilter(choices=Theme._meta.get_field("stage").choices)

    class Meta:
        model = Theme
        fields = ["location_id", "owner_id", "playbook_id", "stage", "origin", "key_question",
                  "overdue"]

    def filter_key_question(self, qs, name, value):  # type: ignore[no-untyped-def]
        return qs.filter(quality_statements__key_question__code=value).distinct()

    def filter_overdue(self, qs, name, value):  # type: ignore[no-untyped-def]
        overdue = Action.objects.filter(overdue_q(timezone.localdate()),
                                        theme_id=OuterRef("pk"))
        return qs.filter(Exists(overdue)) if value else qs.exclude(Exists(overdue))


class ThemeTransitionFilter(django_filters.FilterSet):
    theme_id = django_filters.UUIDFilter(field_name="theme__uuid")

    class Meta:
        model = ThemeTransition
        fields = ["theme_id", "to_stage", "moved_by"]


class ActionFilter(django_filters.FilterSet):
    theme_id = django_filters.UUIDFilter(field_name="theme__uuid")
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    owner_id = django_filters.UUIDFilter(field_name="owner__uuid")
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Action
        fields = ["theme_id", "location_id", "owner_id", "status", "check_method", "overdue"]

    def filter_overdue(self, qs, name, value):  # type: ignore[no-untyped-def]
        overdue = overdue_q(timezone.localdate())
        return qs.filter(overdue) if value else qs.exclude(overdue)
