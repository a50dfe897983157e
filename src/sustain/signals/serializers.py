"""Serializers of signals (read) and of an interpretation (input)."""

from __future__ import annotations

from rest_framework import serializers

from sustain.signals.models import Signal


class SignalSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    indicator = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    location = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    location_name = serializers.CharField(source="location.name", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)
    theme = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)
    action = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)
    interpreted_by = serializers.SlugRelatedField(slug_field="uuid", read_only=True,
                                                  allow_null=True)
    # plain strings: "direction" and "status" are enums of other choices elsewhere
    direction = serializers.CharField(read_only=True, help_text="concern or improvement.")
    status = serializers.CharField(read_only=True,
                                   help_text="open, interpreted, noted or withdrawn.")
    overdue = serializers.SerializerMethodField(
        help_text="An open concern signal past its interpretation deadline.")

    class Meta:
        model = Signal
        fields = ["id", "indicator", "indicator_code", "indicator_name", "location",
                  "location_name", "period_start", "period_end", "direction", "method",
                  "strength", "change_period_start", "explanation", "raised_at", "due_at",
                  "overdue", "owner", "status", "meaning", "response", "theme", "action",
                  "interpreted_by", "interpreted_at", "withdrawn_reason", "version",
                  "archived_at", "created_at", "updated_at"]
        read_only_fields = fields

    def get_overdue(self, obj: Signal) -> bool:
        now = self.context["now"]
        return bool(obj.status == Signal.Status.OPEN and obj.due_at is not None
                    and obj.due_at < now)


class InterpretSerializer(serializers.Serializer):
    meaning = serializers.CharField(required=False, default="", allow_blank=True,
                                    help_text="What the signal means (at least 20 characters).")
    response = serializers.CharField(
        required=False, default="", allow_blank=True,
        help_text="What is being done about it (at least 20 characters).")
    theme = serializers.UUIDField(required=False, allow_null=True,
                                  help_text="A theme at the signal's location.")
    action = serializers.UUIDField(required=False, allow_null=True,
                                   help_text="An action at the signal's location.")
    version = serializers.IntegerField(required=False, help_text="The version you saw.")
