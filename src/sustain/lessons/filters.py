import django_filters

from sustain.lessons.models import HandoverNote, Lesson, LessonAdoption


class LessonFilter(django_filters.FilterSet):
    origin_theme_id = django_filters.UUIDFilter(field_name="origin_theme__uuid")
    origin_location_id = django_filters.UUIDFilter(field_name="origin_location__uuid")
    owner_id = django_filters.UUIDFilter(field_name="owner__uuid")

    class Meta:
        model = Lesson
        fields = ["origin_theme_id", "origin_location_id", "owner_id", "source",
                  "applies_to_all"]


class LessonAdoptionFilter(django_filters.FilterSet):
    lesson_id = django_filters.UUIDFilter(field_name="lesson__uuid")
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    region_id = django_filters.UUIDFilter(field_name="location__region__uuid")

    class Meta:
        model = LessonAdoption
        fields = ["lesson_id", "location_id", "region_id", "status"]


class HandoverNoteFilter(django_filters.FilterSet):
    theme_id = django_filters.UUIDFilter(field_name="theme__uuid")
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    to_owner_id = django_filters.UUIDFilter(field_name="to_owner__uuid")
    acknowledged = django_filters.BooleanFilter(field_name="acknowledged_at",
                                                lookup_expr="isnull", exclude=True)

    class Meta:
        model = HandoverNote
        fields = ["theme_id", "location_id", "to_owner_id", "reason", "acknowledged"]
