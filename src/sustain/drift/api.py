"""`GET /api/v1/locations/{uuid}/drift/`: a location's latest drift assessment (or, with
`?cycle=YYYY-MM`, an earlier one) with every sign, its measures and the records behind them,
the relapse-review flags, tested assurance and key-person risks, and the history of the index.

404 when the location is not visible to the reader (as every location-scoped resource);
403 when it is, but the reader's roles do not give `governance.view` there (the detail names
supervisions, audits and feedback). Each record carries `url` (a path on this site) only when
the reader may see that record; otherwise `url` is null.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sustain.core.api_errors import error_response
from sustain.core.errors import InvalidInput, NotFound, PermissionDenied
from sustain.drift import selectors
from sustain.drift.permissions import VIEW
from sustain.drift.present import AssessmentView, cycle_label, parse_cycle, present
from sustain.engine.drift import INDEX_RULE
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_locations_visible, has_perm_at


class RecordSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="audit, supervision, care_plan_review, feedback, "
                                           "visit, action, meeting, briefing.")
    uuid = serializers.CharField(help_text="The record's id.")
    label = serializers.CharField(help_text="What the record is, in words.")
    url = serializers.CharField(allow_null=True, help_text="Its page, when you may see it.")


class MeasureSerializer(serializers.Serializer):
    measure = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="Null: not enough to judge.")
    unit = serializers.CharField(help_text="share, fall, points or ratio.")
    score = serializers.IntegerField(help_text="0 none, 1 watch, 2 drift.")
    watch = serializers.FloatField(allow_null=True)
    drift = serializers.FloatField(allow_null=True, help_text="Null for meetings: a falling "
                                                              "challenge trend scores 2.")
    judged = serializers.IntegerField(help_text="Records judged in the cycle.")
    finding = serializers.CharField()
    records = RecordSerializer(many=True)


class SignSerializer(serializers.Serializer):
    sign = serializers.CharField()
    label = serializers.CharField()
    score = serializers.IntegerField(help_text="The highest score of its measures.")
    measures = MeasureSerializer(many=True)


class FlagSerializer(serializers.Serializer):
    theme = serializers.CharField(help_text="The theme's id.")
    title = serializers.CharField()
    reason = serializers.CharField()
    signs = serializers.ListField(child=serializers.CharField())
    records = RecordSerializer(many=True)


class GapSerializer(serializers.Serializer):
    template = serializers.CharField()
    template_name = serializers.CharField()
    own_mean = serializers.FloatField(allow_null=True)
    independent_mean = serializers.FloatField(allow_null=True)
    gap = serializers.FloatField(allow_null=True, help_text="Own minus independent, points.")
    signal = serializers.BooleanField()
    threshold = serializers.FloatField()
    finding = serializers.CharField()
    own = RecordSerializer(many=True)
    independent = RecordSerializer(many=True)


class KeyPersonSerializer(serializers.Serializer):
    theme = serializers.CharField()
    title = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    people = serializers.ListField(child=serializers.CharField())
    dominant_share = serializers.FloatField(allow_null=True)
    records = RecordSerializer(many=True)


class AssessmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    cycle = serializers.CharField(help_text="YYYY-MM.")
    cycle_label = serializers.CharField()
    cycle_start = serializers.DateField()
    cycle_end = serializers.DateField()
    as_of = serializers.DateField()
    value = serializers.IntegerField(help_text="The drift index, 0–14.")
    band = serializers.CharField(help_text="none, watch or drifting.")
    explanation = serializers.CharField()
    rule = serializers.CharField()
    rule_version = serializers.CharField()
    computed_at = serializers.DateTimeField()
    signs = SignSerializer(many=True)
    relapse = FlagSerializer(many=True)
    assurance = GapSerializer(many=True)
    key_person = KeyPersonSerializer(many=True)


class HistoryPointSerializer(serializers.Serializer):
    cycle = serializers.CharField()
    cycle_label = serializers.CharField()
    value = serializers.IntegerField()
    band = serializers.CharField()


class LocationDriftSerializer(serializers.Serializer):
    location = serializers.UUIDField()
    location_name = serializers.CharField()
    assessment = AssessmentSerializer(allow_null=True, help_text="Null: not assessed yet.")
    history = HistoryPointSerializer(many=True, help_text="Oldest cycle first.")


def _assessment(view: AssessmentView) -> dict[str, Any]:
    a = view.assessment
    return {"id": a.uuid, "cycle": a.cycle_key, "cycle_label": view.cycle,
            "cycle_start": a.cycle_start, "cycle_end": a.cycle_end, "as_of": a.as_of,
            "value": a.value, "band": a.band, "explanation": a.explanation, "rule": INDEX_RULE,
            "rule_version": a.rule_version, "computed_at": a.computed_at,
            "signs": [{"sign": s.sign, "label": s.label, "score": s.score,
                       "measures": s.measures} for s in view.signs],
            "relapse": view.relapse, "assurance": view.assurance, "key_person": view.key_person}


class LocationDriftView(APIView):
    @extend_schema(
        operation_id="location_drift_retrieve", summary="A location's drift",
        parameters=[OpenApiParameter("uuid", str, OpenApiParameter.PATH,
                                     description="The location's id."),
                    OpenApiParameter("cycle", str, description="YYYY-MM: an earlier cycle.")],
        responses={200: LocationDriftSerializer,
                   400: error_response("`cycle` is not a month (YYYY-MM)."),
                   401: error_response("Not signed in."),
                   403: error_response("Your roles do not give governance.view here."),
                   404: error_response("No such location (or not visible), or no assessment "
                                       "for that cycle.")},
        tags=["drift"])
    def get(self, request: Request, uuid: Any) -> Response:
        user = request.user
        location = filter_locations_visible(Location.objects.all(), user).filter(
            uuid=uuid).first()
        if location is None:
            raise NotFound("No such location.")
        if not has_perm_at(user, VIEW, location.pk):
            raise PermissionDenied("Your roles do not let you see drift at this location.")
        history = selectors.history(location)
        chosen = history[-1] if history else None
        raw = request.query_params.get("cycle")
        if raw:
            start = parse_cycle(raw)
            if start is None:
                raise InvalidInput("The cycle is not a month.",
                                   {"cycle": ["Give the month as YYYY-MM, e.g. 2026-10."]})
            chosen = next((a for a in history if a.cycle_start == start), None)
            if chosen is None:
                raise NotFound(f"No drift assessment for {cycle_label(start)} at this "
                               "location.")
        data = {"location": location.uuid, "location_name": location.name,
                "assessment": _assessment(present(chosen, user)) if chosen else None,
                "history": [{"cycle": a.cycle_key, "cycle_label": cycle_label(a.cycle_start),
                             "value": a.value, "band": a.band} for a in history]}
        return Response(LocationDriftSerializer(data).data)
