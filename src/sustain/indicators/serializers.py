"""Serializers of indicators and their values (read-only)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sustain.engine.spc import POINT_TYPE_NAMES, RULE_NAMES
from sustain.indicators.models import Indicator, IndicatorValue

SOURCE_HELP = "computed (from records) or imported."


class IndicatorSerializer(serializers.ModelSerializer):
    """An indicator definition. Writable for custom indicators (the service checks every
    field and names the one that is wrong); a library copy takes only `target`,
    `minimum_points` and `frequency`."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    # Plain strings and numbers: the service checks them and says what is wrong ("source" is
    # also an enum of other choices elsewhere in the schema).
    code = serializers.CharField(required=False, allow_blank=True)
    name = serializers.CharField(required=False, allow_blank=True)
    unit = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    source = serializers.CharField(required=False, help_text=SOURCE_HELP)
    numerator = serializers.CharField(
        required=False, allow_blank=True,
        help_text="A computed indicator: a named computation (GET indicators/computations/); "
                  "an imported one: what the imported numerator counts.")
    denominator = serializers.CharField(required=False, allow_blank=True,
                                        help_text="As `numerator`.")
    multiplier = serializers.FloatField(required=False)
    direction = serializers.CharField(required=False,
                                      help_text="higher_is_better, higher_is_worse or neutral.")
    target = serializers.FloatField(required=False, allow_null=True)
    frequency = serializers.CharField(required=False, help_text="weekly or monthly.")
    minimum_points = serializers.IntegerField(required=False)
    kind = serializers.CharField(required=False,
                                 help_text="rare_count, rate, proportion or continuous.")

    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "unit", "description", "source", "numerator",
                  "denominator", "multiplier", "direction", "target", "frequency",
                  "minimum_points", "kind", "from_library", "version", "archived_at",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "from_library", "version", "archived_at", "created_at",
                            "updated_at"]


class ComputationSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField(help_text="What it counts.")


class FunnelLocationSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The location.")
    name = serializers.CharField()
    count = serializers.IntegerField(help_text="Sum of numerators over the window.")
    exposure = serializers.IntegerField(help_text="Sum of denominators over the window.")
    rate = serializers.FloatField(allow_null=True, help_text="count / exposure × multiplier.")
    z = serializers.FloatField(allow_null=True)
    z_adjusted = serializers.FloatField(allow_null=True,
                                        help_text="z with the overdispersion adjustment.")
    position = serializers.CharField()
    judgement = serializers.CharField(help_text="concern, better, high, low or none.")
    explanation = serializers.CharField()


class FunnelLimitSerializer(serializers.Serializer):
    exposure = serializers.FloatField()
    lower95 = serializers.FloatField()
    upper95 = serializers.FloatField()
    lower998 = serializers.FloatField()
    upper998 = serializers.FloatField()


class OverdispersionSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    phi = serializers.FloatField(allow_null=True)
    tau2 = serializers.FloatField()
    adjusted = serializers.BooleanField()
    explanation = serializers.CharField()


class FunnelSerializer(serializers.Serializer):
    indicator = serializers.DictField()
    window_start = serializers.DateField()
    window_end = serializers.DateField(help_text="The day after the window.")
    kind = serializers.CharField(help_text="rate or proportion.")
    target = serializers.FloatField(help_text="The pooled average × multiplier.")
    overdispersion = OverdispersionSerializer()
    locations = FunnelLocationSerializer(many=True)
    limits = FunnelLimitSerializer(many=True)
    rule_version = serializers.CharField()


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
