"""Django admin for people supported and staff (archive, never delete)."""

from __future__ import annotations

from django.contrib import admin

from sustain.core.admin import ArchivedFilter, TrackedModelAdmin
from sustain.people.models import PersonSupported, StaffMember


@admin.register(PersonSupported)
class PersonSupportedAdmin(TrackedModelAdmin):
    list_display = ("reference", "initials", "location", "organisation", "admission_date",
                    "discharge_date", "archived_at")
    list_filter = (ArchivedFilter, "organisation")
    search_fields = ("reference",)
    list_select_related = ("location", "organisation")


@admin.register(StaffMember)
class StaffMemberAdmin(TrackedModelAdmin):
    list_display = ("full_name", "job_role", "staff_reference", "organisation", "start_date",
                    "leaving_date", "archived_at")
    list_filter = (ArchivedFilter, "organisation")
    search_fields = ("full_name", "staff_reference", "job_role")
    filter_horizontal = ("locations",)
    raw_id_fields = ("user",)
