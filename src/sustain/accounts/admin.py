"""Django admin for user accounts: archive (which deactivates) instead of delete; changes to
organisation accounts are recorded in that organisation's history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.http import HttpRequest

from sustain.accounts.models import User
from sustain.core.admin import ArchivedFilter, TrackedAdminForm, TrackedModelAdmin
from sustain.core.services import tracked_archive


class UserAdminChangeForm(TrackedAdminForm, UserChangeForm):
    """Django's account form plus the version check of every tracked admin form."""


@admin.register(User)
class UserAdmin(TrackedModelAdmin, DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserCreationForm
    list_display = ("username", "first_name", "last_name", "email", "organisation",
                    "is_active", "is_staff", "archived_at")
    list_filter = (ArchivedFilter, "is_active", "is_staff", "is_superuser", "organisation")
    search_fields = ("username", "first_name", "last_name", "email")
    readonly_fields = ("uuid", "version", "archived_at", "last_login", "date_joined")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Sustain", {"fields": ("organisation", "uuid", "version", "archived_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",),
                "fields": ("username", "organisation", "password1", "password2")}),
    )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if obj.organisation_id is None:
            # System accounts belong to no organisation, so there is no history chain to
            # record them in.
            DjangoUserAdmin.save_model(self, request, obj, form, change)
            return
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any,
                     change: bool) -> None:
        # Groups and permissions are many-to-many on the user: let Django save them.
        DjangoUserAdmin.save_related(self, request, form, formsets, change)

    def archive_one(self, request: HttpRequest, obj: Any, restore: bool) -> None:
        if obj.organisation_id is None:
            msg = "System accounts have no organisation: deactivate them instead."
            from sustain.core.errors import InvalidInput

            raise InvalidInput(msg)
        tracked_archive(actor=request.user, obj=obj, restore=restore,
                        changes={"is_active": restore},
                        reason="Restored in the admin" if restore else "Archived in the admin")
