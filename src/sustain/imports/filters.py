"""Filters for import jobs (API and web list)."""

from __future__ import annotations

import django_filters

from sustain.imports.models import ImportJob


class ImportJobFilter(django_filters.FilterSet):
    location = django_filters.UUIDFilter(field_name="location__uuid")

    class Meta:
        model = ImportJob
        fields = ("kind", "status", "location")
