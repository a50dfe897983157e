import django_filters

from sustain.workforce.models import (
    Attestation,
    Briefing,
    CompetencyAssessment,
    Supervision,
    TrainingRecord,
)


class SupervisionFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    supervisee_id = django_filters.UUIDFilter(field_name="supervisee__uuid")
    supervisor_id = django_filters.UUIDFilter(field_name="supervisor__uuid")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    external_ref = django_filters.CharFilter()

    class Meta:
        model = Supervision
        fields = ["location_id", "supervisee_id", "supervisor_id", "date_from", "date_to",
                  "external_ref"]


class CompetencyAssessmentFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    staff_id = django_filters.UUIDFilter(field_name="staff__uuid")
    external_ref = django_filters.CharFilter()

    class Meta:
        model = CompetencyAssessment
        fields = ["location_id", "staff_id", "assessment_type", "outcome", "external_ref"]


class TrainingRecordFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    staff_id = django_filters.UUIDFilter(field_name="staff__uuid")
    expires_before = django_filters.DateFilter(field_name="expires_on", lookup_expr="lt")
    external_ref = django_filters.CharFilter()

    class Meta:
        model = TrainingRecord
        fields = ["location_id", "staff_id", "expires_before", "external_ref"]


class BriefingFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    theme_id = django_filters.UUIDFilter(field_name="theme__uuid")
    external_ref = django_filters.CharFilter()

    class Meta:
        model = Briefing
        fields = ["location_id", "theme_id", "delivered_via", "external_ref"]


class AttestationFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    briefing_id = django_filters.UUIDFilter(field_name="briefing__uuid")
    staff_id = django_filters.UUIDFilter(field_name="staff__uuid")
    external_ref = django_filters.CharFilter()

    class Meta:
        model = Attestation
        fields = ["location_id", "briefing_id", "staff_id", "external_ref"]
