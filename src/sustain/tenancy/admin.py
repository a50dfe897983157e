"""Django admin for organisations, regions, locations and memberships (archive, never delete)."""

from __future__ import annotations

from django.contrib import admin

from sustain.core.admin import BOOKKEEPING, ArchivedFilter, TrackedModelAdmin
from sustain.tenancy.models import Location, Membership, Organisation, Region


@admin.register(Organisation)
class OrganisationAdmin(TrackedModelAdmin):
    list_display = ("name", "slug", "cqc_provider_id", "governance_cycle", "archived_at")
    search_fields = ("name", "slug", "cqc_provider_id")


@admin.register(Region)
class RegionAdmin(TrackedModelAdmin):
    list_display = ("name", "organisation", "archived_at")
    list_filter = (ArchivedFilter, "organisation")
    search_fields = ("name",)


@admin.register(Location)
class LocationAdmin(TrackedModelAdmin):
    list_display = ("name", "cqc_location_id", "organisation", "service_type", "capacity",
                    "region", "archived_at")
    list_filter = (ArchivedFilter, "service_type", "organisation")
    search_fields = ("name", "cqc_location_id", "postcode", "local_authority")
    list_select_related = ("organisation", "region")
    raw_id_fields = ("registered_manager",)


@admin.register(Membership)
class MembershipAdmin(TrackedModelAdmin):
    list_display = ("user", "role", "scope", "region", "location", "organisation",
                    "archived_at")
    list_filter = (ArchivedFilter, "role", "scope", "organisation")
    search_fields = ("user__username", "user__last_name")
    list_select_related = ("user", "region", "location", "organisation")
    raw_id_fields = ("user",)
    readonly_fields = BOOKKEEPING
