import django_filters

from sustain.people.models import PersonSupported, StaffMember


class PersonFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    current = django_filters.BooleanFilter(field_name="discharge_date", lookup_expr="isnull")

    class Meta:
        model = PersonSupported
        fields = ["location_id", "reference", "current"]


class StaffFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="locations__uuid", distinct=True)
    current = django_filters.BooleanFilter(field_name="leaving_date", lookup_expr="isnull")
    job_role = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = StaffMember
        fields = ["location_id", "current", "job_role", "staff_reference"]
