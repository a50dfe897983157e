"""REST resource `playbooks/`: the library (shipped and the organisation's own), upload of an
organisation playbook (YAML text or a file), archive/restore, and `apply` to a theme."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model, Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from sustain.audits.models import AuditTemplate
from sustain.core.api import TenantModelViewSet, UUIDRelatedField
from sustain.core.errors import InvalidInput
from sustain.engine.access import Perm
from sustain.engine.playbook_schedule import ScheduleRow, playbook_schedule
from sustain.playbooks import services
from sustain.playbooks.filters import PlaybookFilter
from sustain.playbooks.models import Playbook
from sustain.playbooks.permissions import filter_playbooks_visible
from sustain.themes.models import Theme
from sustain.themes.permissions import filter_themes_visible


class ScheduleRowSerializer(serializers.Serializer):
    what = serializers.CharField()
    role = serializers.CharField()
    who = serializers.CharField()
    frequency = serializers.CharField(allow_blank=True, help_text="Empty when it follows events "
                                                                   "(see how_often).")
    how_often = serializers.CharField()
    kind = serializers.ChoiceField(choices=["audit", "cadence", "tracker"])


def schedule_payload(rows: tuple[ScheduleRow, ...]) -> list[dict[str, str]]:
    return [{"what": r.what, "role": r.role, "who": r.who, "frequency": r.frequency,
             "how_often": r.how_often, "kind": r.kind} for r in rows]


class TemplateRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    code = serializers.CharField()
    template_version = serializers.IntegerField()
    title = serializers.CharField()


class PlaybookSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    shipped = serializers.SerializerMethodField()
    audit_templates = TemplateRefSerializer(many=True, read_only=True)
    schedule = serializers.SerializerMethodField()

    class Meta:
        model = Playbook
        fields = ["id", "code", "version", "title", "summary", "source", "shipped", "checksum",
                  "audit_templates", "schedule", "created_at", "archived_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_shipped(self, obj: Playbook) -> bool:
        return obj.organisation_id is None

    @extend_schema_field(ScheduleRowSerializer(many=True))
    def get_schedule(self, obj: Playbook) -> list[dict[str, str]]:
        return schedule_payload(playbook_schedule(services.playbook_spec(obj)))


class PlaybookDetailSerializer(PlaybookSerializer):
    yaml = serializers.CharField(source="raw", read_only=True)
    content = serializers.JSONField(read_only=True, help_text="The validated playbook.")

    class Meta(PlaybookSerializer.Meta):
        fields = [*PlaybookSerializer.Meta.fields, "yaml", "content"]
        read_only_fields = fields


class PlaybookUploadSerializer(serializers.Serializer):
    filename = serializers.CharField(required=False, allow_blank=True, max_length=200)
    yaml = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False,
                                 help_text="The playbook's YAML text (or send `file`).")
    file = serializers.FileField(required=False, help_text="A YAML file (multipart).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("yaml" in attrs) == ("file" in attrs):
            raise serializers.ValidationError(
                {"yaml": ["Send the playbook either as `yaml` text or as a `file`."]})
        return attrs


class ApplySerializer(serializers.Serializer):
    theme = UUIDRelatedField(queryset=Theme.objects.all(), visible=filter_themes_visible)
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="The theme's version you saw (optional).")


class AppliedThemeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    location = serializers.UUIDField(source="location.uuid", read_only=True)
    playbook = serializers.UUIDField(source="playbook.uuid", read_only=True)
    embedding_channels = serializers.ListField(child=serializers.CharField(), read_only=True)
    quality_statements = serializers.SlugRelatedField(slug_field="code", many=True,
                                                      read_only=True)
    regulations = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Theme
        fields = ["id", "title", "location", "stage", "playbook", "pass_mark",
                  "consecutive_passes", "sustain_cycles", "embedding_channels",
                  "quality_statements", "regulations", "version"]
        read_only_fields = fields


class ApplyResultSerializer(serializers.Serializer):
    theme = AppliedThemeSerializer()
    schedule = ScheduleRowSerializer(many=True)


class PlaybookViewSet(TenantModelViewSet):
    """Playbooks: the shipped library and the organisation's own, each version a record.
    Anyone who may see themes may read them; `playbook.manage` over the whole organisation
    uploads and archives the organisation's own."""

    queryset = Playbook.objects.select_related("organisation").prefetch_related(
        Prefetch("audit_templates", queryset=AuditTemplate.objects.order_by("code")))
    serializer_class = PlaybookSerializer
    filterset_class = PlaybookFilter
    view_permission = Perm.THEME_VIEW
    filter_visible = staticmethod(filter_playbooks_visible)
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return PlaybookSerializer if self.action == "list" else PlaybookDetailSerializer

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().order_by("title", "-version", "pk")

    @extend_schema(
        request={"application/json": PlaybookUploadSerializer,
                 "multipart/form-data": PlaybookUploadSerializer},
        responses={201: PlaybookDetailSerializer,
                   400: OpenApiResponse(description="Invalid playbook: each message reads "
                                                    "file:line: field: problem")})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Upload an organisation playbook (or a new version of one), validated like the
        shipped library; nothing is saved when it is invalid."""
        body = PlaybookUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        field, text, filename = "yaml", data.get("yaml", ""), data.get("filename", "")
        upload = data.get("file")
        if upload is not None:
            field, filename = "file", filename or upload.name
            if upload.size > services.MAX_UPLOAD_CHARS * 4:
                raise InvalidInput("The file is too large.", {"file": ["At most 2 MB."]})
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidInput("The file is not UTF-8 text.",
                                   {"file": ["Save the playbook as UTF-8 text."]}) from exc
        with transaction.atomic():
            obj = services.playbook_upload(actor=request.user,
                                           organisation=request.user.organisation,
                                           text=text, filename=filename or "playbook.yaml",
                                           field=field)
            self._check_visible(obj)
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(PlaybookDetailSerializer(obj, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    def archive_object(self, obj: Model, reason: str, restore: bool) -> Model:
        assert isinstance(obj, Playbook)
        return services.playbook_archive(actor=self.request.user, playbook=obj, reason=reason,
                                         restore=restore)

    @extend_schema(request=ApplySerializer, responses={
        200: ApplyResultSerializer,
        400: OpenApiResponse(description="Refused: the errors name the field (theme, "
                                         "playbook)")})
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Apply the playbook to a theme: sets its playbook, verification rule, sustain cycles
        and embedding channels, adds its quality statements and regulations; returns the
        theme and the playbook's schedule."""
        playbook = self.get_object()
        body = ApplySerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            theme, schedule = services.playbook_apply(
                actor=request.user, playbook=playbook, theme=body.validated_data["theme"],
                expected_version=body.validated_data.get("version"))
        theme = Theme.objects.select_related("location", "playbook").prefetch_related(
            "quality_statements", "regulations").get(pk=theme.pk)
        return Response({"theme": AppliedThemeSerializer(theme).data,
                         "schedule": schedule_payload(schedule)})
