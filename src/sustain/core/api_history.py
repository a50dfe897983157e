"""`/api/v1/history/`: the change log, read-only and scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sustain.core.api import ScopedReadViewSet
from sustain.core.filters import HistoryFilter
from sustain.core.models import HistoryEntry
from sustain.core.selectors import filter_history_visible
from sustain.engine.access import Perm


class ChangedFieldSerializer(serializers.Serializer):
    field = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class _HistoryListSerializer(serializers.ListSerializer):
    """Looks up the location ids of a whole page in one query."""

    def to_representation(self, data: Any) -> list[Any]:
        from sustain.tenancy.models import Location

        entries = list(data.all() if hasattr(data, "all") else data)
        ids = {e.location_id for e in entries if e.location_id is not None}
        self.context["location_uuids"] = dict(
            Location.objects.filter(pk__in=sorted(ids)).values_list("pk", "uuid")) if ids else {}
        return [self.child.to_representation(e) for e in entries]


class HistoryEntrySerializer(serializers.ModelSerializer):
    """One change: who, when, which request, what it was before and after, and its hashes."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    actor = serializers.UUIDField(source="actor.uuid", allow_null=True, default=None,
                                  read_only=True, help_text="The user (null for the system).")
    actor_name = serializers.CharField(source="actor_repr", read_only=True)
    object_id = serializers.UUIDField(source="object_uuid", read_only=True)
    location = serializers.SerializerMethodField()
    changed_fields = serializers.SerializerMethodField()

    class Meta:
        model = HistoryEntry
        fields = ["id", "seq", "at", "actor", "actor_name", "request_id", "action",
                  "object_type", "object_id", "object_repr", "location", "before", "after",
                  "changed_fields", "message", "hash", "prev_hash"]
        read_only_fields = fields
        list_serializer_class = _HistoryListSerializer

    @extend_schema_field(OpenApiTypes.UUID)
    def get_location(self, entry: HistoryEntry) -> str | None:
        if entry.location_id is None:
            return None
        known = self.context.get("location_uuids")
        if known is None or entry.location_id not in known:
            from sustain.tenancy.models import Location

            found = Location.objects.filter(pk=entry.location_id).values_list("uuid", flat=True)
            value = found.first()
            return str(value) if value else None
        return str(known[entry.location_id])

    @extend_schema_field(ChangedFieldSerializer(many=True))
    def get_changed_fields(self, entry: HistoryEntry) -> list[dict[str, Any]]:
        return [{"field": f, "before": b, "after": a} for f, b, a in entry.changed_fields()]


class HistoryViewSet(ScopedReadViewSet):
    """Every recorded change you may see, newest first. Entries cannot be changed or deleted."""

    queryset = HistoryEntry.objects.select_related("actor")
    serializer_class = HistoryEntrySerializer
    filterset_class = HistoryFilter
    view_permission = Perm.HISTORY_VIEW
    filter_visible = staticmethod(filter_history_visible)
    ordering_fields = ["seq", "at"]
    ordering = ["-seq"]
