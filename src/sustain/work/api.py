"""GET /api/v1/my-work/: the signed-in user's due and overdue work, most urgent first."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sustain.core.api_errors import error_response
from sustain.engine.work_rules import STATUS_LABELS, Status, page_horizon
from sustain.work.providers import collect


class WorkItemSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="occurrence, action, audit, care_plan_review, "
                                           "care_plan_action, supervision or briefing.")
    kind_label = serializers.CharField()
    title = serializers.CharField()
    due_date = serializers.DateField()
    due_time = serializers.TimeField(allow_null=True, help_text="UK time, when timed.")
    status = serializers.ChoiceField(choices=[(s.value, STATUS_LABELS[s]) for s in Status])
    status_label = serializers.CharField()
    location = serializers.CharField()
    why = serializers.CharField(help_text="Why it is yours.")
    url = serializers.CharField(help_text="The page to open it (a path on this site).")
    record_id = serializers.UUIDField(help_text="The record's id.")


class MyWorkSerializer(serializers.Serializer):
    today = serializers.DateField()
    until = serializers.DateField(help_text="Work due up to this day (the quarter's end) and "
                                            "everything overdue.")
    items = WorkItemSerializer(many=True)


class MyWorkView(APIView):
    """The signed-in user's work: overdue first, then due today, this week, this quarter."""

    @extend_schema(operation_id="my_work_retrieve", summary="My work",
                   description=(
                       "Governance occurrences, theme actions, audits, care-plan reviews and "
                       "actions, supervisions to give and briefings to attest that are the "
                       "signed-in user's, due by the end of this quarter or overdue, most "
                       "urgent first. Weeks run Monday to Sunday; quarters are calendar "
                       "quarters; dates are UK dates. The same items, as a calendar that "
                       "Outlook or Google Calendar can subscribe to, are at "
                       "`GET /calendar/{token}.ics` (outside /api/: the secret address, "
                       "created on the My work notification settings page, is the key)."),
                   responses={200: MyWorkSerializer, 401: error_response("Not signed in.")},
                   tags=["my-work"])
    def get(self, request: Request) -> Response:
        today = timezone.localdate()
        until = page_horizon(today)
        items = collect(request.user, today, until)
        return Response(MyWorkSerializer({"today": today, "until": until,
                                          "items": items}).data)
