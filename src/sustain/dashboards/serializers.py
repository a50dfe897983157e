"""Output shapes of the dashboard API (read-only; the same facts as the pages)."""

from __future__ import annotations

from rest_framework import serializers


class RiskComponentSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="rating, themes, drift, signals, governance or "
                                          "escalations.")
    label = serializers.CharField()
    points = serializers.IntegerField()
    sentence = serializers.CharField(help_text="How the points were worked out, in words.")


class RiskSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    explanation = serializers.CharField()
    rule_version = serializers.CharField()
    components = RiskComponentSerializer(many=True)


class DriftSummarySerializer(serializers.Serializer):
    value = serializers.IntegerField(help_text="Drift index, 0–14.")
    band = serializers.CharField(help_text="none, watch or drifting.")
    band_label = serializers.CharField()
    explanation = serializers.CharField()


class LocationRowSerializer(serializers.Serializer):
    """One location's facts. A null count is not shown to the reader's role (or not
    computed yet) and scores nothing."""

    rank = serializers.IntegerField(help_text="1 = highest risk.")
    location = serializers.UUIDField()
    name = serializers.CharField()
    rating = serializers.CharField(allow_null=True, help_text="Latest overall CQC rating code; "
                                                              "null if never inspected or "
                                                              "not shown.")
    rating_label = serializers.CharField()
    inspection_date = serializers.DateField(allow_null=True)
    rating_shown = serializers.BooleanField()
    themes_by_stage = serializers.DictField(child=serializers.IntegerField(),
                                            help_text="Open themes (not embedded) by stage.")
    open_themes = serializers.IntegerField()
    drift = DriftSummarySerializer(allow_null=True)
    drift_shown = serializers.BooleanField()
    open_concern_signals = serializers.IntegerField(allow_null=True)
    overdue_interpretations = serializers.IntegerField(allow_null=True)
    overdue_governance = serializers.IntegerField(allow_null=True)
    open_escalations = serializers.IntegerField(allow_null=True)
    overdue_escalations = serializers.IntegerField(allow_null=True)
    risk = RiskSerializer()


class ThemeRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    title = serializers.CharField()
    stage = serializers.CharField()
    stage_label = serializers.CharField()


class HeatColumnSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Playbook code; empty for themes without one.")
    title = serializers.CharField()


class HeatCellSerializer(serializers.Serializer):
    column = serializers.CharField()
    stage = serializers.CharField(allow_null=True, help_text="The most at-risk stage of the "
                                                             "cell's themes.")
    label = serializers.CharField()
    themes = ThemeRefSerializer(many=True)


class HeatRowSerializer(serializers.Serializer):
    location = serializers.UUIDField()
    name = serializers.CharField()
    cells = HeatCellSerializer(many=True)


class HeatMapSerializer(serializers.Serializer):
    columns = HeatColumnSerializer(many=True)
    rows = HeatRowSerializer(many=True)


class ProviderDashboardSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    rule = serializers.CharField()
    rule_version = serializers.CharField()
    locations = LocationRowSerializer(many=True)
    heat_map = HeatMapSerializer()


class IndicatorCardSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    variation_icon = serializers.CharField(help_text="The latest point's MDC variation icon.")
    assurance = serializers.CharField(help_text="The MDC assurance icon (target vs limits).")


class SignalItemSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    indicator = serializers.CharField()
    period_start = serializers.DateField()
    raised_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()


class SignalsPanelSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    overdue = serializers.IntegerField()
    items = SignalItemSerializer(many=True)


class StageThemeSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    title = serializers.CharField()
    stage = serializers.CharField()
    stage_label = serializers.CharField()
    stage_since = serializers.DateField()


class OccurrenceItemSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    title = serializers.CharField()
    due_at = serializers.DateTimeField()


class GovernancePanelSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    items = OccurrenceItemSerializer(many=True)


class TaskItemSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    title = serializers.CharField()
    firing = serializers.UUIDField()
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()


class EscalationsPanelSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    overdue = serializers.IntegerField()
    items = TaskItemSerializer(many=True)


class LocationDashboardSerializer(serializers.Serializer):
    """Panels the reader's role does not show at the location are null."""

    generated_at = serializers.DateTimeField()
    location = LocationRowSerializer()
    indicators = IndicatorCardSerializer(many=True, allow_null=True)
    signals = SignalsPanelSerializer(allow_null=True)
    drift = DriftSummarySerializer(allow_null=True, help_text="Needs governance.view.")
    themes = StageThemeSerializer(many=True, allow_null=True)
    governance_overdue = GovernancePanelSerializer(allow_null=True)
    escalations_open = EscalationsPanelSerializer(allow_null=True)
