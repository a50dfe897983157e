"""API building blocks shared by the operational record types: a serializer factory (public
ids for every related record, choices scoped to what the user may see) and a viewset whose
writes go through the `records` services."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import serializers

from sustain.core.api import TenantModelViewSet, UUIDRelatedField
from sustain.engine.access import Perm
from sustain.incidents.records import (
    RecordKind,
    filter_staff_for_records,
    record_archive,
    record_create,
    record_update,
)
from sustain.people.models import PersonSupported, StaffMember
from sustain.people.permissions import filter_people_visible
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_locations_visible
from sustain.themes.models import Theme
from sustain.themes.permissions import filter_themes_visible

COMMON = ["id", "location"]
TRAILER = ["version", "archived_at", "created_at", "updated_at"]


def record_serializer(name: str, kind: RecordKind, *,
                      extra: dict[str, serializers.Field] | None = None,
                      read_only: tuple[str, ...] = ()) -> type[serializers.ModelSerializer]:
    """A ModelSerializer for a record kind: `id`, `location`, the kind's fields (related
    records by public id), `extra` read-only fields, then version and timestamps."""
    attrs: dict[str, Any] = {
        "id": serializers.UUIDField(source="uuid", read_only=True),
        "location": UUIDRelatedField(queryset=Location.objects.all(),
                                     visible=filter_locations_visible),
        "version": serializers.IntegerField(read_only=True),
        "themes": UUIDRelatedField(queryset=Theme.objects.all(), visible=filter_themes_visible,
                                   many=True, required=False,
                                   help_text="Themes this record is evidence for."),
    }
    for field in kind.people:
        attrs[field] = UUIDRelatedField(queryset=PersonSupported.objects.all(),
                                        visible=filter_people_visible, required=False,
                                        allow_null=True)
    for field in (*kind.staff, *kind.staff_org):
        attrs[field] = UUIDRelatedField(queryset=StaffMember.objects.all(),
                                        visible=filter_staff_for_records, required=False,
                                        allow_null=True)
    for field in kind.staff_many:
        attrs[field] = UUIDRelatedField(queryset=StaffMember.objects.all(),
                                        visible=filter_staff_for_records, many=True,
                                        required=False)
    attrs.update(extra or {})
    fields = [*COMMON, *kind.fields, *(extra or {}), *read_only, *TRAILER]
    meta = type("Meta", (), {"model": kind.model, "fields": list(dict.fromkeys(fields)),
                             "read_only_fields": ["archived_at", "created_at", "updated_at",
                                                  *read_only],
                             "validators": []})
    attrs["Meta"] = meta
    return type(name, (serializers.ModelSerializer,), attrs)


class RecordViewSet(TenantModelViewSet):
    """Create, update, archive and restore through the kind's services."""

    kind: ClassVar[RecordKind]
    view_permission = Perm.TRACKER_VIEW

    def create_object(self, data: dict[str, Any]) -> Any:
        location = data.pop("location")
        return record_create(self.kind, actor=self.request.user,
                             organisation=location.organisation, location=location, **data)

    def update_object(self, obj: Any, data: dict[str, Any], expected_version: int) -> Any:
        return record_update(self.kind, actor=self.request.user, obj=obj, changes=data,
                             expected_version=expected_version)

    def archive_object(self, obj: Any, reason: str, restore: bool) -> Any:
        return record_archive(self.kind, actor=self.request.user, obj=obj, reason=reason,
                              restore=restore)
