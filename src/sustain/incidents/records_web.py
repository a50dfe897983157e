"""Pages shared by the operational record types: a quick-entry form (one column, large
controls, works on a 375 px phone), a filtered list, a detail page and an edit form.

A `RecordPages` says which model, kind, fields and filters a record type uses; the app's
views call `record_list`, `record_detail`, `record_form` with it. Every query is scoped to the
user's visible records; every write goes through the kind's services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import ManyToManyField, Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from sustain.engine.access import Perm
from sustain.incidents.records import (
    MIN_REASON,
    RecordKind,
    filter_records_visible,
    filter_staff_for_records,
    record_archive,
    record_create,
    record_update,
)
from sustain.people.models import PersonSupported, StaffMember
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_by_location, has_perm_anywhere, has_perm_at
from sustain.themes.models import Theme
from sustain.themes.permissions import filter_themes_visible
from sustain.web.forms import DateInput
from sustain.web.views.archive import ArchiveTarget, archive_actions, archive_page
from sustain.web.views.base import (
    get_visible_or_404,
    is_visible,
    paginate,
    preselected,
    render_list,
    require,
    require_perm_anywhere,
    run_service,
)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


@dataclass(frozen=True)
class RecordPages:
    """How one record type appears on the pages."""

    kind: RecordKind
    namespace: str  # URL namespace (the app label)
    prefix: str  # URL name prefix, e.g. "incident"
    plural: str  # "incidents"
    quick_fields: tuple[str, ...]  # the quick-entry form
    edit_fields: tuple[str, ...]  # the full edit form
    columns: tuple[str, ...]  # list columns after location (first one links to the record)
    filters: tuple[str, ...] = ()  # choice fields offered as list filters
    date_field: str = "created_at"
    flags: dict[str, tuple[str, Callable[[QuerySet], QuerySet]]] = field(default_factory=dict)
    row_note: Callable[[Any], str] | None = None  # e.g. "Response overdue"
    intro: str = ""

    @property
    def model(self) -> type[Model]:
        return self.kind.model

    def url(self, name: str, **kwargs: Any) -> str:
        return reverse(f"{self.namespace}:{self.prefix}-{name}", kwargs=kwargs or None)

    @property
    def url_list(self) -> str:
        return self.url("list")

    @property
    def url_create(self) -> str:
        return self.url("create")


def _locations(user: Any, perm: Perm) -> QuerySet:
    return filter_by_location(Location.objects.filter(archived_at__isnull=True), user, perm,
                              field="pk").order_by("name")


def _choice_querysets(user: Any, locations: QuerySet) -> dict[str, QuerySet]:
    today = timezone.localdate()
    people = PersonSupported.objects.filter(location__in=locations, archived_at__isnull=True) \
        .exclude(discharge_date__lt=today).order_by("reference")
    staff = filter_staff_for_records(StaffMember.objects.filter(
        locations__in=locations, archived_at__isnull=True).exclude(leaving_date__lt=today),
        user).order_by("full_name")
    themes = Theme.objects.filter(location__in=locations, archived_at__isnull=True) \
        .order_by("title")
    return {"person": people, "staff": staff, "themes": themes}


class RecordForm(forms.ModelForm):
    """Coerces input only; the services validate (their refusals name the field)."""

    label_suffix = ""

    def _post_clean(self) -> None:  # model validation happens in the service
        pass


def _form_class(pages: RecordPages, names: tuple[str, ...], edit: bool) -> type[RecordForm]:
    widgets: dict[str, Any] = {}
    for name in names:
        if name == "location":
            continue
        model_field = pages.model._meta.get_field(name)
        internal = model_field.get_internal_type()
        if internal == "DateField":
            widgets[name] = DateInput
        elif internal == "DateTimeField":
            widgets[name] = DateTimeInput
        elif internal == "TextField":
            widgets[name] = forms.Textarea(attrs={"rows": 3})
        elif isinstance(model_field, ManyToManyField):
            widgets[name] = forms.CheckboxSelectMultiple
    fields = [n for n in names if not (edit and n == "location")]
    attrs: dict[str, Any] = {"Meta": type("Meta", (), {"model": pages.model, "fields": fields,
                                                       "widgets": widgets})}
    if edit:
        attrs["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    return type(f"{pages.model.__name__}Form", (RecordForm,), attrs)


def _build_form(pages: RecordPages, request: HttpRequest, names: tuple[str, ...],
                locations: QuerySet, instance: Any = None, initial: Any = None) -> RecordForm:
    cls = _form_class(pages, names, edit=instance is not None)
    form = cls(request.POST or None, instance=instance, initial=initial)
    choices = _choice_querysets(request.user, locations)
    for name, form_field in form.fields.items():
        if name == "location":
            form_field.queryset = locations
            form_field.to_field_name = "uuid"
        elif name in pages.kind.people:
            form_field.queryset = choices["person"]
        elif name in (*pages.kind.staff, *pages.kind.staff_many, *pages.kind.staff_org):
            form_field.queryset = choices["staff"]
        elif name == "themes":
            form_field.queryset = choices["themes"]
            form_field.help_text = "Tag the themes this record is evidence for."
        elif isinstance(form_field, forms.ModelChoiceField) and name in pages.kind.same_location:
            form_field.queryset = filter_records_visible(
                form_field.queryset.filter(location__in=locations), request.user)
        if isinstance(form_field, forms.ModelChoiceField) and name != "location":
            form_field.to_field_name = "uuid"
        if form_field.required:
            form_field.error_messages["required"] = f"Enter the {str(form_field.label).lower()}."
    return form


def record_form(request: HttpRequest, pages: RecordPages, uuid: Any = None) -> HttpResponse:
    """The quick-entry form (no uuid) or the edit form."""
    user = request.user
    instance = None
    if uuid is None:
        require(has_perm_anywhere(user, pages.kind.create_perm))
        locations = _locations(user, pages.kind.create_perm)
        names = ("location", *pages.quick_fields)
        initial: dict[str, Any] = {}
        if locations.count() == 1:
            initial["location"] = locations.first()
        for name in pages.quick_fields:
            internal = pages.model._meta.get_field(name).get_internal_type()
            if internal == "DateField" and not pages.model._meta.get_field(name).null:
                initial[name] = timezone.localdate()
            elif internal == "DateTimeField" and not pages.model._meta.get_field(name).null:
                initial[name] = timezone.localtime().replace(second=0, microsecond=0)
    else:
        require_perm_anywhere(request, Perm.TRACKER_VIEW)
        instance = get_visible_or_404(pages.model.objects.all(), filter_records_visible,
                                      user, uuid)
        require(has_perm_at(user, pages.kind.update_perm, instance.location_id))
        locations = Location.objects.filter(pk=instance.location_id)
        names = pages.edit_fields
        initial = {"version": instance.version}
    form = _build_form(pages, request, names, locations, instance, initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if instance is None:
            location = data.pop("location")
            call = lambda: record_create(  # noqa: E731
                pages.kind, actor=user, organisation=location.organisation,
                location=location, **data)
        else:
            version = data.pop("version")
            call = lambda: record_update(  # noqa: E731
                pages.kind, actor=user, obj=instance, changes=data, expected_version=version)
        saved = run_service(form, call, is_visible(filter_records_visible, user))
        if saved is not None:
            messages.success(request, f"The {pages.kind.noun} has been saved.")
            return redirect(pages.url("detail", uuid=saved.uuid))
    return render(request, "records/form.html", {
        "form": form, "pages": pages, "record": instance,
        "cancel_url": pages.url("detail", uuid=instance.uuid) if instance else
        pages.url("list")})


class _FilterForm(forms.Form):
    label_suffix = ""


def _filter_form(pages: RecordPages, request: HttpRequest, locations: QuerySet) -> forms.Form:
    fields: dict[str, forms.Field] = {
        "location": forms.ModelChoiceField(queryset=locations, required=False,
                                           to_field_name="uuid", empty_label="Any",
                                           label="Location")}
    for name in pages.filters:
        model_field = pages.model._meta.get_field(name)
        fields[name] = forms.ChoiceField(label=str(model_field.verbose_name).capitalize(),
                                         required=False,
                                         choices=[("", "Any"), *model_field.choices])
    fields["date_from"] = forms.DateField(label="From", required=False, widget=DateInput)
    fields["date_to"] = forms.DateField(label="To", required=False, widget=DateInput)
    for name, (label, _fn) in pages.flags.items():
        fields[name] = forms.BooleanField(label=label, required=False)
    fields["archived"] = forms.BooleanField(label="Show archived records too", required=False)
    return type("RecordFilterForm", (_FilterForm,), fields)(request.GET or None)


def record_list(request: HttpRequest, pages: RecordPages) -> HttpResponse:
    require_perm_anywhere(request, Perm.TRACKER_VIEW)
    user = request.user
    form = _filter_form(pages, request, _locations(user, Perm.TRACKER_VIEW))
    chosen: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    qs = pages.model.objects.all()
    if not chosen.get("archived"):
        qs = qs.filter(archived_at__isnull=True)
    qs = filter_records_visible(qs, user)
    qs = qs.select_related("location", *pages.kind.people, *pages.kind.staff,
                           *pages.kind.staff_org)
    if chosen.get("location"):
        qs = qs.filter(location=chosen["location"])
    for name in pages.filters:
        if chosen.get(name):
            qs = qs.filter(**{name: chosen[name]})
    date_lookup = pages.date_field
    if pages.model._meta.get_field(date_lookup).get_internal_type() == "DateTimeField":
        date_lookup += "__date"
    if chosen.get("date_from"):
        qs = qs.filter(**{f"{date_lookup}__gte": chosen["date_from"]})
    if chosen.get("date_to"):
        qs = qs.filter(**{f"{date_lookup}__lte": chosen["date_to"]})
    for name, (_label, fn) in pages.flags.items():
        if chosen.get(name):
            qs = fn(qs)
    theme = preselected(filter_themes_visible(Theme.objects.all(), user),
                        request.GET.get("theme"))
    if theme is not None:  # from a theme's page: the records tagged with it
        qs = qs.filter(themes=theme)
    page = paginate(request, qs.order_by(f"-{pages.date_field}", "-pk"))
    rows = [{"record": obj, "cells": [_display(obj, c) for c in pages.columns],
             "note": pages.row_note(obj) if pages.row_note else ""} for obj in page]
    headers = [str(pages.model._meta.get_field(c).verbose_name).capitalize()
               for c in pages.columns]
    return render_list(request, "records/list.html", "records/_results.html", {
        "form": form, "page": page, "rows": rows, "headers": headers, "pages": pages,
        "can_create": has_perm_anywhere(user, pages.kind.create_perm), "theme": theme})


def _display(obj: Any, name: str) -> Any:
    model_field = obj._meta.get_field(name)
    if isinstance(model_field, ManyToManyField):
        return ", ".join(str(o) for o in getattr(obj, name).all()) or "—"
    if model_field.choices:
        return getattr(obj, f"get_{name}_display")() or "—"
    value = getattr(obj, name)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%-d %b %Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%-d %b %Y")
    return value


def record_detail(request: HttpRequest, pages: RecordPages, uuid: Any) -> HttpResponse:
    require_perm_anywhere(request, Perm.TRACKER_VIEW)
    user = request.user
    obj = get_visible_or_404(pages.model.objects.select_related("location"),
                             filter_records_visible, user, uuid)
    names = [n for n in pages.edit_fields if n != "location"]
    facts = [(str(obj._meta.get_field(n).verbose_name).capitalize(), _display(obj, n),
              obj._meta.get_field(n).get_internal_type() == "TextField") for n in names]
    return render(request, "records/detail.html", {
        "record": obj, "facts": facts, "pages": pages,
        "note": pages.row_note(obj) if pages.row_note else "",
        "can_edit": has_perm_at(user, pages.kind.update_perm, obj.location_id)
        and obj.archived_at is None,
        "archive": archive_actions(
            obj, allowed=has_perm_at(user, pages.kind.archive_perm, obj.location_id),
            noun=pages.kind.noun, archive_url=pages.url("archive", uuid=obj.uuid),
            restore_url=pages.url("restore", uuid=obj.uuid))})


def record_archive_page(request: HttpRequest, pages: RecordPages, uuid: Any, *,
                        restore: bool) -> HttpResponse:
    """Confirm and archive (or restore) a record through the kind's archive service."""
    require_perm_anywhere(request, Perm.TRACKER_VIEW)
    user = request.user
    obj = get_visible_or_404(pages.model.objects.select_related("location"),
                             filter_records_visible, user, uuid)
    return archive_page(request, ArchiveTarget(
        obj=obj, noun=pages.kind.noun, title=f"{obj} · {obj.location.name}",
        back_url=pages.url("detail", uuid=obj.uuid),
        allowed=has_perm_at(user, pages.kind.archive_perm, obj.location_id),
        service=lambda reason, back: record_archive(pages.kind, actor=user, obj=obj,
                                                    reason=reason, restore=back),
        min_reason=MIN_REASON), restore=restore)
