import django_filters

from sustain.tenancy.models import Location, Membership, Region


class LocationFilter(django_filters.FilterSet):
    region_id = django_filters.UUIDFilter(field_name="region__uuid")
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Location
        fields = ["service_type", "cqc_location_id", "local_authority", "region_id", "name"]


class MembershipFilter(django_filters.FilterSet):
    user_id = django_filters.UUIDFilter(field_name="user__uuid")
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    region_id = django_filters.UUIDFilter(field_name="region__uuid")

    class Meta:
        model = Membership
        fields = ["role", "scope", "user_id", "location_id", "region_id"]


class RegionFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Region
        fields = ["name"]
