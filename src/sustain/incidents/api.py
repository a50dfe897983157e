"""REST resources: `incidents/`, `complaints/`, `compliments/`."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sustain.incidents import permissions as perms
from sustain.incidents.filters import ComplaintFilter, ComplimentFilter, IncidentFilter
from sustain.incidents.models import Complaint, Compliment, Incident
from sustain.incidents.records_api import RecordViewSet, record_serializer
from sustain.incidents.services import COMPLAINT, COMPLIMENT, INCIDENT


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class OpenDutiesField(serializers.ReadOnlyField):
    """Statutory duties still to do."""


_IncidentBase = record_serializer("IncidentBaseSerializer", INCIDENT, extra={
    "open_duties": OpenDutiesField(help_text="Duty of candour / CQC notification not yet done.")})


class IncidentSerializer(_IncidentBase):  # type: ignore[valid-type,misc]
    pass


_ComplaintBase = record_serializer("ComplaintBaseSerializer", COMPLAINT, extra={
    "overdue": serializers.SerializerMethodField()})


class ComplaintSerializer(_ComplaintBase):  # type: ignore[valid-type,misc]
    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, obj: Complaint) -> bool:
        return obj.is_overdue()


ComplimentSerializer = record_serializer("ComplimentSerializer", COMPLIMENT)


class IncidentViewSet(RecordViewSet):
    """Incidents: falls, pressure ulcers, medicines errors, near misses and more."""

    kind = INCIDENT
    queryset = Incident.objects.select_related("location", "person") \
        .prefetch_related("themes", "staff_involved")
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter
    filter_visible = staticmethod(perms.filter_incidents_visible)
    ordering_fields = ["occurred_at", "created_at"]


class ComplaintViewSet(RecordViewSet):
    """Complaints and their responses (due 28 days after receipt by default)."""

    kind = COMPLAINT
    queryset = Complaint.objects.select_related("location", "person").prefetch_related("themes")
    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilter
    filter_visible = staticmethod(perms.filter_complaints_visible)
    ordering_fields = ["received_on", "response_due", "created_at"]


class ComplimentViewSet(RecordViewSet):
    """Compliments received."""

    kind = COMPLIMENT
    queryset = Compliment.objects.select_related("location").prefetch_related("themes")
    serializer_class = ComplimentSerializer
    filterset_class = ComplimentFilter
    filter_visible = staticmethod(perms.filter_compliments_visible)
    ordering_fields = ["received_on", "created_at"]
