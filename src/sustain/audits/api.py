"""REST resources: audit templates (read-only) and audits (start, save a draft, complete,
attach evidence, raise an action, archive a draft)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from sustain.audits import permissions as perms
from sustain.audits import services
from sustain.audits.filters import AuditFilter, AuditTemplateFilter
from sustain.audits.models import Audit, AuditAttachment, AuditTemplate
from sustain.audits.questions import template_sections
from sustain.audits.selectors import audit_comparison, timeliness
from sustain.core.api import ScopedReadViewSet, TenantModelViewSet, UUIDRelatedField
from sustain.core.errors import InvalidInput, NotFound
from sustain.engine.access import Perm
from sustain.people.models import StaffMember
from sustain.people.permissions import filter_staff_visible
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_locations_visible
from sustain.themes.models import Theme
from sustain.themes.permissions import filter_themes_visible

START_FIELDS = {"location", "template", "theme", "is_reaudit", "earlier_audit", "kind",
                "samples", "audit_date", "due_date"}
SAVE_FIELDS = {"answers", "sample_answers", "item_notes", "analysis"}


# --- templates --------------------------------------------------------------------------


class QuestionSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    answer_type = serializers.ChoiceField(choices=["yes_no", "scale", "number", "text"])
    weight = serializers.FloatField()
    critical = serializers.BooleanField()
    per_sample = serializers.BooleanField()
    required = serializers.BooleanField()
    scale_max = serializers.IntegerField()
    at_least = serializers.FloatField(allow_null=True)
    at_most = serializers.FloatField(allow_null=True)
    help = serializers.CharField(allow_blank=True)


class SectionSerializer(serializers.Serializer):
    title = serializers.CharField()
    questions = QuestionSerializer(many=True)


def sections_payload(template: AuditTemplate) -> list[dict[str, Any]]:
    """The template's sections with every question's settings spelled out (defaults too)."""
    return [{"title": s["title"], "questions": [{
        "code": q.code, "text": q.text, "answer_type": q.answer_type, "weight": q.weight,
        "critical": q.critical, "per_sample": q.per_sample, "required": q.required,
        "scale_max": q.scale_max, "at_least": q.question.at_least,
        "at_most": q.question.at_most, "help": q.help} for q in s["questions"]]}
        for s in template_sections(template)]


class AuditTemplateSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    shared = serializers.SerializerMethodField()
    playbook = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    sections = serializers.SerializerMethodField()

    class Meta:
        model = AuditTemplate
        fields = ["id", "code", "template_version", "title", "purpose", "pass_mark",
                  "sample_size", "sample_label", "min_analysis_length", "sections", "shared",
                  "playbook", "archived_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_shared(self, obj: AuditTemplate) -> bool:
        return obj.organisation_id is None

    @extend_schema_field(SectionSerializer(many=True))
    def get_sections(self, obj: AuditTemplate) -> list[dict[str, Any]]:
        return sections_payload(obj)


class AuditTemplateViewSet(ScopedReadViewSet):
    """Audit templates: shipped with Sustain (from the playbooks) or the organisation's own.
    Versioned: an audit keeps the version it was run against."""

    queryset = AuditTemplate.objects.select_related("playbook")
    serializer_class = AuditTemplateSerializer
    filterset_class = AuditTemplateFilter
    view_permission = Perm.AUDIT_VIEW
    filter_visible = staticmethod(perms.filter_templates_visible)
    ordering_fields = ["title", "code", "template_version"]


# --- audits -----------------------------------------------------------------------------


class AttachmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = AuditAttachment
        fields = ["id", "question_code", "original_name", "content_type", "size", "sha256",
                  "uploaded_by", "created_at"]
        read_only_fields = fields


class QuestionChangeSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    before = serializers.FloatField(allow_null=True, help_text="Percentage of the question's "
                                    "marks in the earlier audit (null: not scored or n/a).")
    after = serializers.FloatField(allow_null=True)
    delta = serializers.FloatField(allow_null=True)
    direction = serializers.ChoiceField(choices=["better", "worse", "same", "not comparable"])


class ComparisonSerializer(serializers.Serializer):
    earlier_audit = serializers.UUIDField()
    earlier_date = serializers.DateField()
    earlier_score = serializers.FloatField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True)
    questions = QuestionChangeSerializer(many=True)


class AuditSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    location = UUIDRelatedField(queryset=Location.objects.all(), visible=filter_locations_visible)
    template = UUIDRelatedField(queryset=AuditTemplate.objects.all(),
                                visible=perms.filter_templates_visible)
    theme = UUIDRelatedField(queryset=Theme.objects.all(), visible=filter_themes_visible,
                             required=False, allow_null=True)
    earlier_audit = UUIDRelatedField(queryset=Audit.objects.all(),
                                     visible=perms.filter_audits_visible, required=False,
                                     allow_null=True)
    auditor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    samples = serializers.ListField(child=serializers.CharField(max_length=200),
                                    required=False, max_length=200)
    answers = serializers.DictField(child=serializers.JSONField(allow_null=True),
                                    required=False)
    sample_answers = serializers.DictField(
        child=serializers.DictField(child=serializers.JSONField(allow_null=True)),
        required=False)
    item_notes = serializers.DictField(child=serializers.CharField(allow_blank=True),
                                       required=False)
    analysis = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    critical_failures = serializers.ListField(child=serializers.CharField(), read_only=True)
    failed_items = serializers.ListField(child=serializers.CharField(), read_only=True)
    timeliness = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)
    comparison = serializers.SerializerMethodField()
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Audit
        fields = ["id", "location", "template", "theme", "is_reaudit", "earlier_audit", "kind",
                  "auditor", "audit_date", "due_date", "samples", "answers", "sample_answers",
                  "item_notes", "analysis", "status", "completed_at", "score", "passed",
                  "critical_failures", "failed_items", "scoring_version", "timeliness",
                  "attachments", "comparison", "version", "archived_at", "created_at",
                  "updated_at"]
        read_only_fields = ["status", "completed_at", "score", "passed", "scoring_version",
                            "archived_at", "created_at", "updated_at"]
        validators: list[Any] = []

    @extend_schema_field(serializers.ChoiceField(choices=["", "overdue", "late"]))
    def get_timeliness(self, obj: Audit) -> str:
        return timeliness(obj)

    @extend_schema_field(ComparisonSerializer(allow_null=True))
    def get_comparison(self, obj: Audit) -> dict[str, Any] | None:
        """Question by question against the earlier audit (on a single audit only)."""
        if not self.context.get("with_comparison") or obj.earlier_audit_id is None:
            return None
        found = audit_comparison(obj)
        if found is None:
            return None
        return {"earlier_audit": found.earlier.uuid, "earlier_date": found.earlier.audit_date,
                "earlier_score": found.earlier_score, "score": found.score,
                "change": found.change, "questions": [
                    {"code": r.code, "text": r.text, "before": r.before, "after": r.after,
                     "delta": r.delta, "direction": r.direction} for r in found.rows]}


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The audit's version as you last read it.")


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    question_code = serializers.CharField(required=False, allow_blank=True, max_length=40)


class RaiseActionSerializer(serializers.Serializer):
    question_code = serializers.CharField(max_length=40)
    description = serializers.CharField()
    due_date = serializers.DateField()
    owner = UUIDRelatedField(queryset=StaffMember.objects.all(), visible=filter_staff_visible,
                             required=False, allow_null=True)


class RaisedActionSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    theme = serializers.UUIDField(source="theme.uuid")
    description = serializers.CharField()
    due_date = serializers.DateField()
    status = serializers.CharField()
    check_method = serializers.CharField()
    check_criterion = serializers.CharField()
    source_question = serializers.CharField()


class AuditViewSet(TenantModelViewSet):
    """Audits and re-audits. POST starts one (a draft with its sampled items); PATCH saves the
    draft's answers, notes and analysis (with `version`); `complete` scores and closes it.
    Completed audits are final: they are corrected by a new audit, never edited."""

    queryset = Audit.objects.select_related(
        "location", "template", "theme", "auditor", "earlier_audit__template").prefetch_related(
        Prefetch("attachments", queryset=AuditAttachment.objects.select_related("uploaded_by")
                 .order_by("created_at", "pk")))
    serializer_class = AuditSerializer
    filterset_class = AuditFilter
    view_permission = Perm.AUDIT_VIEW
    filter_visible = staticmethod(perms.filter_audits_visible)
    ordering_fields = ["audit_date", "score", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["with_comparison"] = self.action != "list"
        return context

    def create_object(self, data: dict[str, Any]) -> Audit:
        extra = sorted(set(data) - START_FIELDS)
        if extra:
            raise InvalidInput("Start the audit first, then save its answers (PATCH).",
                               {f: ["Not accepted when starting an audit."] for f in extra})
        user = self.request.user
        return services.audit_start(actor=user, organisation=user.organisation, **data)

    def update_object(self, obj: Audit, data: dict[str, Any], expected_version: int) -> Audit:
        extra = sorted(set(data) - SAVE_FIELDS)
        if extra:
            raise InvalidInput("Only a draft's answers, notes and analysis can be changed.",
                               {f: ["Cannot be changed once the audit is started."]
                                for f in extra})
        return services.audit_save(actor=self.request.user, audit=obj,
                                   expected_version=expected_version, **data)

    def archive_object(self, obj: Audit, reason: str, restore: bool) -> Audit:
        return services.audit_archive(actor=self.request.user, audit=obj, reason=reason,
                                      restore=restore)

    def _read(self, audit: Audit) -> dict[str, Any]:
        fresh = self.get_queryset().get(pk=audit.pk)
        return self.get_serializer(fresh).data

    @extend_schema(request=VersionSerializer, responses={
        200: AuditSerializer, 400: OpenApiResponse(description="Refused: the errors name "
                                                   "each unanswered question, the analysis "
                                                   "and each failed item without a note")})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Score the audit and close it (refused until every required question is answered
        and the written analysis and failed-item notes are there)."""
        audit = self.get_object()
        body = VersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            done = services.audit_complete(actor=request.user, audit=audit,
                                           expected_version=body.validated_data["version"])
        return Response(self._read(done))

    @extend_schema(request={"multipart/form-data": AttachmentUploadSerializer},
                   responses={201: AttachmentSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Attach evidence (multipart: `file`, optional `question_code`). Stored with its
        SHA-256; never overwritten."""
        audit = self.get_object()
        body = AttachmentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            attachment = services.attachment_add(
                actor=request.user, audit=audit, uploaded_file=body.validated_data["file"],
                question_code=body.validated_data.get("question_code", ""))
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"],
            url_path=r"attachments/(?P<attachment_id>[0-9a-fA-F-]{36})",
            url_name="attachment-file")
    def attachment_file(self, request: Request, attachment_id: str, *args: Any,
                        **kwargs: Any) -> FileResponse:
        """Download one attachment (the stored bytes, as uploaded)."""
        audit = self.get_object()
        attachment = perms.filter_attachments_visible(
            AuditAttachment.objects.filter(audit=audit, uuid=attachment_id),
            request.user).first()
        if attachment is None:
            raise NotFound("No such attachment.")
        return FileResponse(attachment.file.open("rb"), as_attachment=True,
                            filename=attachment.original_name,
                            content_type=attachment.content_type or "application/octet-stream")

    @extend_schema(request=RaiseActionSerializer, responses={201: RaisedActionSerializer})
    @action(detail=True, methods=["post"], url_path="raise-action", url_name="raise-action")
    def raise_action(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Raise an action on the audit's theme from one of its questions."""
        audit = self.get_object()
        body = RaiseActionSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            created = services.raise_action(actor=request.user, audit=audit,
                                            **body.validated_data)
        return Response(RaisedActionSerializer(created).data, status=status.HTTP_201_CREATED)
