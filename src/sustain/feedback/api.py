"""REST resources: `feedback/`, `visits/`."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sustain.feedback import permissions as perms
from sustain.feedback.filters import FeedbackFilter, VisitFilter
from sustain.feedback.models import Feedback, Visit
from sustain.feedback.services import FEEDBACK, VISIT
from sustain.incidents.records_api import RecordViewSet, record_serializer

_FeedbackBase = record_serializer("FeedbackBaseSerializer", FEEDBACK, extra={
    "response_status": serializers.SerializerMethodField(
        help_text="answered, awaiting, or unanswered (no response after 30 days)")})


class FeedbackSerializer(_FeedbackBase):  # type: ignore[valid-type,misc]
    @extend_schema_field(OpenApiTypes.STR)
    def get_response_status(self, obj: Feedback) -> str:
        return str(obj.response_status())


VisitSerializer = record_serializer("VisitSerializer", VISIT)


class FeedbackViewSet(RecordViewSet):
    """Feedback from people, families, staff, commissioners and professionals, with the
    response it led to."""

    kind = FEEDBACK
    queryset = Feedback.objects.select_related("location", "response_by") \
        .prefetch_related("themes")
    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilter
    filter_visible = staticmethod(perms.filter_feedback_visible)
    ordering_fields = ["received_on", "responded_on", "created_at"]


class VisitViewSet(RecordViewSet):
    """Senior visits, spot checks, night visits and observations of practice."""

    kind = VISIT
    queryset = Visit.objects.select_related("location", "visitor").prefetch_related("themes")
    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    filter_visible = staticmethod(perms.filter_visits_visible)
    ordering_fields = ["date", "created_at"]
