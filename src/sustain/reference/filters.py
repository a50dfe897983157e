"""Filters for the reference API: every resource can be filtered by its stable code."""

from __future__ import annotations

import django_filters

from sustain.reference.models import (
    EnforcementType,
    EvidenceCategory,
    KeyQuestion,
    QualityStatement,
    RatingLevel,
    Regulation,
)


class KeyQuestionFilter(django_filters.FilterSet):
    class Meta:
        model = KeyQuestion
        fields = ["code", "status"]


class QualityStatementFilter(django_filters.FilterSet):
    key_question = django_filters.CharFilter(field_name="key_question__code",
                                             lookup_expr="iexact",
                                             label="Key question code (e.g. safe)")
    key_question_id = django_filters.UUIDFilter(field_name="key_question__uuid")
    regulation = django_filters.CharFilter(field_name="regulations__code", lookup_expr="iexact",
                                           label="Regulation code (e.g. RA2014-12)")
    evidence_category = django_filters.CharFilter(field_name="evidence_categories__code",
                                                  lookup_expr="iexact")
    code = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = QualityStatement
        fields = ["code", "status", "framework_version", "key_question", "key_question_id",
                  "regulation", "evidence_category"]


class RegulationFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Regulation
        fields = ["code", "status", "fundamental_standard", "number"]


class EvidenceCategoryFilter(django_filters.FilterSet):
    class Meta:
        model = EvidenceCategory
        fields = ["code", "status", "framework_version"]


class RatingLevelFilter(django_filters.FilterSet):
    class Meta:
        model = RatingLevel
        fields = ["code", "status"]


class EnforcementTypeFilter(django_filters.FilterSet):
    class Meta:
        model = EnforcementType
        fields = ["code", "status", "track"]
