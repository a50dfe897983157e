"""Django admin for system administrators: history is read-only, domain records are archived
(never deleted), and every add or change goes through the tracked services so it is recorded
in the organisation's history with the admin user as actor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from sustain.core.errors import ApplicationError
from sustain.core.models import HistoryEntry, HistoryHead
from sustain.core.services import tracked_archive, tracked_create, tracked_update

BOOKKEEPING = ("uuid", "version", "archived_at", "created_at", "updated_at")


class ArchivedFilter(admin.SimpleListFilter):
    title = "archived"
    parameter_name = "archived"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", "Current"), ("yes", "Archived")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "no":
            return queryset.filter(archived_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(archived_at__isnull=False)
        return queryset


class TrackedAdminForm(forms.ModelForm):
    """Carries the version the administrator opened, so a concurrent change is not overwritten."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        expected = data.get("expected_version")
        if self.instance.pk and expected is not None:
            current = type(self.instance)._default_manager.filter(pk=self.instance.pk) \
                .values_list("version", flat=True).first()
            if current is not None and current != expected:
                raise forms.ValidationError(
                    "Someone else changed this record while you were editing it (version "
                    f"{current}, you opened version {expected}). Reload the page and apply "
                    "your change again.")
        return data


def _m2m_values(obj: Model, form: forms.ModelForm, only_changed: bool) -> dict[str, Any]:
    names = [f.name for f in obj._meta.many_to_many if f.name in form.cleaned_data]
    if only_changed:
        names = [n for n in names if n in form.changed_data]
    return {name: list(form.cleaned_data[name]) for name in names}


class TrackedModelAdmin(admin.ModelAdmin):
    """Add and change through `tracked_create` / `tracked_update`; archive and restore as
    actions; no delete."""

    form = TrackedAdminForm
    actions = ["archive_selected", "restore_selected"]
    readonly_fields: tuple[str, ...] = BOOKKEEPING
    list_filter: tuple[Any, ...] = (ArchivedFilter,)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            tracked_create(actor=request.user, obj=obj, m2m=_m2m_values(obj, form, False),
                           message="Added in the admin")
            return
        fields = {f.name for f in obj._meta.concrete_fields}
        changes = {name: getattr(obj, name) for name in form.changed_data if name in fields}
        updated = tracked_update(actor=request.user, obj=obj, changes=changes,
                                 expected_version=form.cleaned_data.get("expected_version"),
                                 m2m=_m2m_values(obj, form, True) or None,
                                 message="Changed in the admin")
        obj.version = updated.version

    def save_related(self, request: HttpRequest, form: Any, formsets: Any,
                     change: bool) -> None:
        # Many-to-many values were written by the tracked service, with their history.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def _archive(self, request: HttpRequest, queryset: QuerySet, restore: bool) -> None:
        done = 0
        for obj in queryset:
            try:
                self.archive_one(request, obj, restore)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{obj}: {exc.message}", messages.WARNING)
        verb = "Restored" if restore else "Archived"
        self.message_user(request, f"{verb} {done} record(s).", messages.SUCCESS)

    def archive_one(self, request: HttpRequest, obj: Any, restore: bool) -> None:
        tracked_archive(actor=request.user, obj=obj, restore=restore,
                        reason="Restored in the admin" if restore else "Archived in the admin")

    @admin.action(description="Archive selected records (kept in history, never deleted)")
    def archive_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._archive(request, queryset, restore=False)

    @admin.action(description="Restore selected archived records")
    def restore_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._archive(request, queryset, restore=True)


class ReadOnlyAdmin(admin.ModelAdmin):
    """View only: no add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HistoryEntry)
class HistoryEntryAdmin(ReadOnlyAdmin):
    """The tamper-evident change log. Check it with `sustain verify-history`."""

    list_display = ("at", "organisation", "seq", "action", "object_type", "object_repr",
                    "actor_repr", "request_id")
    list_filter = ("action", "object_type", "organisation")
    search_fields = ("object_uuid", "object_repr", "actor_repr", "request_id", "uuid")
    list_select_related = ("organisation",)
    ordering = ("-at", "-seq")
    date_hierarchy = "at"


@admin.register(HistoryHead)
class HistoryHeadAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "seq", "hash")
