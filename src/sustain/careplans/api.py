"""REST resources: `care-plan-reviews/`, `care-plan-actions/`."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sustain.careplans import permissions as perms
from sustain.careplans.filters import CarePlanActionFilter, CarePlanReviewFilter
from sustain.careplans.models import CarePlanAction, CarePlanReview
from sustain.careplans.services import ACTION, REVIEW
from sustain.core.api import UUIDRelatedField
from sustain.incidents.records_api import RecordViewSet, record_serializer

_ReviewBase = record_serializer("CarePlanReviewBaseSerializer", REVIEW, extra={
    "overdue": serializers.SerializerMethodField()})


class CarePlanReviewSerializer(_ReviewBase):  # type: ignore[valid-type,misc]
    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, obj: CarePlanReview) -> bool:
        return obj.is_overdue()


_ActionBase = record_serializer("CarePlanActionBaseSerializer", ACTION, extra={
    "review": UUIDRelatedField(queryset=CarePlanReview.objects.all(),
                               visible=perms.filter_reviews_visible, required=False,
                               allow_null=True),
    "overdue": serializers.SerializerMethodField()})


class CarePlanActionSerializer(_ActionBase):  # type: ignore[valid-type,misc]
    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, obj: CarePlanAction) -> bool:
        return obj.is_overdue()


class CarePlanReviewViewSet(RecordViewSet):
    """Care-plan reviews: due, completed, checks made, mismatches and changes."""

    kind = REVIEW
    queryset = CarePlanReview.objects.select_related("location", "person", "key_worker") \
        .prefetch_related("themes")
    serializer_class = CarePlanReviewSerializer
    filterset_class = CarePlanReviewFilter
    filter_visible = staticmethod(perms.filter_reviews_visible)
    ordering_fields = ["due_date", "completed_on", "created_at"]


class CarePlanActionViewSet(RecordViewSet):
    """The care-plan action tracker: what, who, due, done."""

    kind = ACTION
    queryset = CarePlanAction.objects.select_related("location", "person", "who", "review") \
        .prefetch_related("themes")
    serializer_class = CarePlanActionSerializer
    filterset_class = CarePlanActionFilter
    filter_visible = staticmethod(perms.filter_actions_visible)
    ordering_fields = ["due_date", "done_on", "created_at"]
