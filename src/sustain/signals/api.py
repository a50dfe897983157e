"""REST resource `signals/` (read) and `POST signals/{id}/interpret/`."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sustain.core.api import ScopedReadViewSet
from sustain.core.errors import InvalidInput
from sustain.engine.access import Perm
from sustain.signals import permissions as perms
from sustain.signals import services
from sustain.signals.filters import SignalFilter
from sustain.signals.models import Signal
from sustain.signals.serializers import InterpretSerializer, SignalSerializer
from sustain.themes.models import Action, Theme


def _linked(model: Any, value: Any, signal: Signal, field: str) -> Any:
    """The theme or action named by UUID, if the actor's organisation has it (the service
    checks it is at the signal's location)."""
    if value is None:
        return None
    found = model.objects.filter(organisation_id=signal.organisation_id, uuid=value).first()
    if found is None:
        raise InvalidInput(f"Unknown {field}.", {field: [f"No such {field} in your "
                                                         "organisation."]})
    return found


class SignalViewSet(ScopedReadViewSet):
    """Signals: new changes found by the alerting on an indicator's series at a location
    (concern or improvement), with the method, its strength and the numbers in words. A
    concern signal awaits its owner's interpretation until `due_at`. Filter by `location_id`,
    `indicator` (code), `status`, `direction`, `overdue=1`."""

    queryset = Signal.objects.select_related("indicator", "location", "owner", "theme",
                                             "action", "interpreted_by")
    serializer_class = SignalSerializer
    filterset_class = SignalFilter
    view_permission = Perm.THEME_VIEW
    filter_visible = staticmethod(perms.filter_signals_visible)
    ordering_fields = ["due_at", "period_start", "raised_at"]

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(request=InterpretSerializer, responses={
        200: SignalSerializer,
        400: OpenApiResponse(description="Refused: the errors name `meaning`, `response`, "
                                         "`theme` or `action`"),
        403: OpenApiResponse(description="Your role cannot interpret signals here"),
        409: OpenApiResponse(description="The signal changed since `version`")})
    @action(detail=True, methods=["post"])
    def interpret(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Interpret an open concern signal: what it means and what is being done, optionally
        linked to a theme or action at its location."""
        signal = self.get_object()
        body = InterpretSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with transaction.atomic():
            done = services.interpret(
                actor=request.user, signal=signal, meaning=data["meaning"],
                response=data["response"],
                theme=_linked(Theme, data.get("theme"), signal, "theme"),
                action=_linked(Action, data.get("action"), signal, "action"),
                expected_version=data.get("version"))
        return Response(self.get_serializer(done).data)
