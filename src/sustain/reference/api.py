"""Read-only REST resources for the CQC reference library.

Reference rows are shared by every organisation: any signed-in user who belongs to an
organisation sees all of them; anyone else sees nothing. They are written only by
`sustain load-reference`, so these viewsets offer list and retrieve and nothing else.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sustain.core.api import ScopedReadViewSet
from sustain.engine.reference_schema import STATUS_MARKS
from sustain.reference import filters
from sustain.reference.models import (
    EnforcementType,
    EvidenceCategory,
    KeyQuestion,
    QualityStatement,
    RatingLevel,
    ReferenceItem,
    Regulation,
)
from sustain.tenancy.permissions import actor_organisation_id


def filter_reference_visible(qs: QuerySet, actor: Any) -> QuerySet:
    """Everything for a member of an organisation, nothing otherwise (default deny)."""
    return qs if actor_organisation_id(actor) is not None else qs.none()


# A pattern rather than an enum: the enum post-processor would name the same set once per
# field (IStatementsStatusEnum, RegulationsStatusEnum, …) and warn about it.
@extend_schema_field({
    "type": "string", "pattern": "^(" + "|".join(STATUS_MARKS) + ")$",
    "description": "Status mark: VERIFIED… read on CQC or legislation.gov.uk; SECONDARY from a "
                   "third party; UNVERIFIED… not confirmed.",
})
class StatusMarkField(serializers.CharField):
    """A status mark (one vocabulary for every status field, described once in the schema)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)


class _ItemSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    status = StatusMarkField()
    verified = serializers.BooleanField(source="is_verified", read_only=True)
    library = serializers.SerializerMethodField()

    common_fields = ["id", "status", "verified", "status_note", "sources", "library",
                     "archived_at"]

    def get_library(self, obj: ReferenceItem) -> dict[str, Any]:
        return {"urn": obj.library.urn, "version": obj.library.version}


class KeyQuestionSerializer(_ItemSerializer):
    class Meta:
        model = KeyQuestion
        fields = ["id", "code", "name", "definition", "ambition", *_ItemSerializer.common_fields]
        read_only_fields = fields


class RegulationSerializer(_ItemSerializer):
    class Meta:
        model = Regulation
        fields = ["id", "code", "instrument", "number", "title", "summary",
                  "fundamental_standard", "prosecutable", "paragraphs",
                  *_ItemSerializer.common_fields]
        read_only_fields = fields


class EvidenceCategorySerializer(_ItemSerializer):
    class Meta:
        model = EvidenceCategory
        fields = ["id", "code", "framework_version", "name", "description",
                  *_ItemSerializer.common_fields]
        read_only_fields = fields


class QualityStatementSerializer(_ItemSerializer):
    i_statements_status = StatusMarkField()
    evidence_categories_status = StatusMarkField()
    regulations_status = StatusMarkField()
    key_question = serializers.SlugRelatedField(slug_field="code", read_only=True)
    key_question_id = serializers.UUIDField(source="key_question.uuid", read_only=True)
    regulations = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    evidence_categories = serializers.SlugRelatedField(slug_field="code", many=True,
                                                       read_only=True)

    class Meta:
        model = QualityStatement
        fields = ["id", "code", "framework_version", "key_question", "key_question_id",
                  "title", "we_statement", "i_statements", "i_statements_status",
                  "i_statements_note", "subtopics", "also_consider", "cqc_page_last_updated",
                  "evidence_categories", "evidence_categories_status",
                  "evidence_categories_note", "regulations", "regulations_status",
                  "regulations_note", *_ItemSerializer.common_fields]
        read_only_fields = fields


class RatingLevelSerializer(_ItemSerializer):
    band_status = StatusMarkField()

    class Meta:
        model = RatingLevel
        fields = ["id", "code", "name", "rank", "band_min_pct", "band_max_pct", "band_status",
                  "band_note", *_ItemSerializer.common_fields]
        read_only_fields = fields


class EnforcementTypeSerializer(_ItemSerializer):
    class Meta:
        model = EnforcementType
        fields = ["id", "code", "name", "track", "description", "statute", "details",
                  *_ItemSerializer.common_fields]
        read_only_fields = fields


class _ReferenceViewSet(ScopedReadViewSet):
    """List and retrieve only; looked up by uuid like every resource, filterable by code."""

    filter_visible = staticmethod(filter_reference_visible)
    ordering_fields = ["position", "code"]


class KeyQuestionViewSet(_ReferenceViewSet):
    """CQC's five key questions."""

    queryset = KeyQuestion.objects.select_related("library")
    serializer_class = KeyQuestionSerializer
    filterset_class = filters.KeyQuestionFilter


class QualityStatementViewSet(_ReferenceViewSet):
    """Quality statements with their key question, evidence categories and regulations."""

    queryset = QualityStatement.objects.select_related("library", "key_question") \
        .prefetch_related("regulations", "evidence_categories") \
        .order_by("key_question__position", "framework_version", "position")
    serializer_class = QualityStatementSerializer
    filterset_class = filters.QualityStatementFilter

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Filtering across a many-to-many can repeat a row.
        return super().filter_queryset(queryset).distinct()


class RegulationViewSet(_ReferenceViewSet):
    """Regulations CQC enforces: fundamental standards and incident notifications."""

    queryset = Regulation.objects.select_related("library")
    serializer_class = RegulationSerializer
    filterset_class = filters.RegulationFilter


class EvidenceCategoryViewSet(_ReferenceViewSet):
    """The evidence categories of each framework version."""

    queryset = EvidenceCategory.objects.select_related("library")
    serializer_class = EvidenceCategorySerializer
    filterset_class = filters.EvidenceCategoryFilter


class RatingLevelViewSet(_ReferenceViewSet):
    """CQC's four ratings and their key question score bands."""

    queryset = RatingLevel.objects.select_related("library").order_by("-rank")
    serializer_class = RatingLevelSerializer
    filterset_class = filters.RatingLevelFilter


class EnforcementTypeViewSet(_ReferenceViewSet):
    """CQC's enforcement powers."""

    queryset = EnforcementType.objects.select_related("library")
    serializer_class = EnforcementTypeSerializer
    filterset_class = filters.EnforcementTypeFilter
