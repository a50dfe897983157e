import django_filters

from sustain.accounts.models import User


class UserFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(lookup_expr="icontains")
    name = django_filters.CharFilter(method="filter_name", label="Name contains")

    class Meta:
        model = User
        fields = ["username", "is_active", "name"]

    def filter_name(self, queryset, name, value):  # type: ignore[no-untyped-def]
        from django.db.models import Q

        return queryset.filter(Q(first_name__icontains=value) | Q(last_name__icontains=value))
