"""Serializers of indicators and their values (read-only)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sustain.engine.spc import POINT_TYPE_NAMES, RULE_NAMES
from sustain.indicators.models import Indicator, IndicatorValue

SOURCE_HELP = "computed (from records) or imported."


class IndicatorSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    # a plain string: "source" is an enum of other choices elsewhere in the schema
    source = serializers.CharField(read_only=True, help_text=SOURCE_HELP)

    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "unit", "description", "source", "numerator",
                  "denominator", "multiplier", "direction", "target", "frequency",
                  "minimum_points", "kind", "from_library", "version", "archived_at",
                  "created_at", "updated_at"]
        read_only_fields = fields


class SPCSerializer(serializers.Serializer):
    """The value's point on its location's XmR chart (Making Data Count rules)."""

    mean = serializers.FloatField(allow_null=True)
    lpl = serializers.FloatField(allow_null=True, help_text="Lower process limit.")
    upl = serializers.FloatField(allow_null=True, help_text="Upper process limit.")
    point_type = serializers.ChoiceField(choices=list(POINT_TYPE_NAMES))
    rule = serializers.ChoiceField(choices=list(RULE_NAMES))
    trial = serializers.BooleanField(help_text="Limits from fewer than 12 points.")


class IndicatorValueSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    indicator = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    unit = serializers.CharField(source="indicator.unit", read_only=True)
    direction = serializers.CharField(source="indicator.direction", read_only=True)
    location = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    source = serializers.CharField(read_only=True, help_text=SOURCE_HELP)
    spc = serializers.SerializerMethodField(
        help_text="SPC fields computed over the location's series; null without a value.")

    class Meta:
        model = IndicatorValue
        fields = ["id", "indicator", "indicator_code", "indicator_name", "unit", "direction",
                  "location", "period_start", "period_end", "numerator", "denominator",
                  "value", "source", "computed_at", "spc", "version", "archived_at",
                  "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(SPCSerializer(allow_null=True))
    def get_spc(self, obj: IndicatorValue) -> dict[str, Any] | None:
        point = self.context.get("spc", {}).get(obj.pk)
        return None if point is None else SPCSerializer(point).data
