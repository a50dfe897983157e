"""Turn a validated library into rows: what to create, update, leave alone or archive.

Used only by `reference.services.reference_load`, which validates everything first and calls
`apply` inside one transaction (or with no library row, as a dry run that writes nothing).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel as Schema

from sustain.engine.reference_schema import (
    EnforcementTypeItem,
    EvidenceCategoryItem,
    KeyQuestionItem,
    ParsedLibrary,
    QualityStatementItem,
    RatingLevelItem,
    RegulationItem,
    ScoreLevelItem,
)
from sustain.reference.models import (
    EnforcementType,
    EvidenceCategory,
    KeyQuestion,
    QualityStatement,
    RatingLevel,
    ReferenceItem,
    ReferenceLibrary,
    Regulation,
    ScoreLevel,
)


@dataclass(frozen=True)
class Spec:
    """One kind of reference row: the library section it comes from and its natural key."""

    label: str
    model: type[ReferenceItem]
    key_fields: tuple[str, ...]


SPECS: dict[str, Spec] = {s.label: s for s in (
    Spec("key_questions", KeyQuestion, ("code",)),
    Spec("regulations", Regulation, ("code",)),
    Spec("evidence_categories", EvidenceCategory, ("framework_version", "code")),
    Spec("quality_statements", QualityStatement, ("framework_version", "code")),
    Spec("rating_levels", RatingLevel, ("code",)),
    Spec("score_levels", ScoreLevel, ("value",)),
    Spec("enforcement_types", EnforcementType, ("code",)),
)}


@dataclass
class Row:
    """The wanted state of one reference row."""

    key: tuple[Any, ...]
    path: tuple[str | int, ...]
    values: dict[str, Any]
    key_question: str | None = None
    m2m: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class Plan:
    """Wanted rows of one kind for one library, beside the rows that exist now."""

    spec: Spec
    urn: str
    framework_version: str
    rows: list[Row]
    existing: dict[tuple[Any, ...], Any]


@dataclass
class Counts:
    """What loading did (or, in a dry run, would do) to one kind of row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.archived)


def _common(item: Any, position: int) -> dict[str, Any]:
    return {"position": position, "status": item.status, "status_note": item.status_note,
            "sources": [s.model_dump(exclude_none=True) for s in item.sources]}


def _dump(items: list[Schema]) -> list[dict[str, Any]]:
    return [i.model_dump(mode="json", exclude_none=True) for i in items]


def _values(item: Any, framework_version: str, position: int) -> dict[str, Any]:
    """Column values of one item (everything except the key question and many-to-many)."""
    base = _common(item, position)
    if isinstance(item, KeyQuestionItem):
        base.update(code=item.code, name=item.name, definition=item.definition,
                    ambition=item.ambition)
    elif isinstance(item, RegulationItem):
        base.update(code=item.code, instrument=item.instrument, number=item.number,
                    title=item.title, summary=item.summary,
                    fundamental_standard=item.fundamental_standard,
                    prosecutable=item.prosecutable, paragraphs=_dump(list(item.paragraphs)))
    elif isinstance(item, EvidenceCategoryItem):
        base.update(framework_version=framework_version, code=item.code, name=item.name,
                    description=item.description)
    elif isinstance(item, QualityStatementItem):
        base.update(
            framework_version=framework_version, code=item.code, title=item.title,
            we_statement=item.we_statement, i_statements=list(item.i_statements.statements),
            i_statements_status=item.i_statements.status,
            i_statements_note=item.i_statements.note, subtopics=list(item.subtopics),
            also_consider=list(item.also_consider),
            cqc_page_last_updated=item.cqc_page_last_updated,
            evidence_categories_status=item.evidence_categories.status,
            evidence_categories_note=item.evidence_categories.note,
            regulations_status=item.regulations.status,
            regulations_note=item.regulations.note)
    elif isinstance(item, RatingLevelItem):
        base.update(code=item.code, name=item.name, rank=item.rank,
                    band_min_pct=item.band_min_pct, band_max_pct=item.band_max_pct,
                    band_status=item.band_status, band_note=item.band_note)
    elif isinstance(item, ScoreLevelItem):
        base.update(value=item.value, description=item.description)
    elif isinstance(item, EnforcementTypeItem):
        base.update(code=item.code, name=item.name, track=item.track,
                    description=item.description, statute=item.statute,
                    details=list(item.details))
    else:  # pragma: no cover - the schema has no other item kinds
        raise TypeError(type(item).__name__)
    return base


def _existing(spec: Spec) -> dict[tuple[Any, ...], Any]:
    qs = spec.model.objects.select_related("library")
    if spec.model is QualityStatement:
        qs = qs.select_related("key_question").prefetch_related("regulations",
                                                                "evidence_categories")
    return {tuple(getattr(o, f) for f in spec.key_fields): o for o in qs}


def plan_library(parsed: ParsedLibrary) -> list[Plan]:
    """The rows a library wants, section by section, in load order."""
    lib = parsed.library
    fv = lib.framework_version
    plans = []
    for label, spec in SPECS.items():
        items = getattr(lib, label, None)
        if not items:
            continue
        rows = []
        for index, item in enumerate(items):
            values = _values(item, fv, index)
            row = Row(tuple(values[f] for f in spec.key_fields), (label, index), values)
            if isinstance(item, QualityStatementItem):
                row.key_question = item.key_question
                row.m2m = {"regulations": frozenset(item.regulations.codes),
                           "evidence_categories": frozenset(item.evidence_categories.codes)}
            rows.append(row)
        plans.append(Plan(spec, lib.urn, fv, rows, _existing(spec)))
    return plans


def _differs(obj: Any, row: Row) -> bool:
    if obj.archived_at is not None:
        return True
    if any(getattr(obj, name) != value for name, value in row.values.items()):
        return True
    if row.key_question is not None and obj.key_question.code != row.key_question:
        return True
    return any({o.code for o in getattr(obj, name).all()} != codes
               for name, codes in row.m2m.items())


class _Targets:
    """Rows that statements point at, fetched once per apply."""

    def __init__(self, framework_version: str) -> None:
        live = {"archived_at__isnull": True}
        self.key_questions = {k.code: k for k in KeyQuestion.objects.filter(**live)}
        self.m2m: dict[str, dict[str, Any]] = {
            "regulations": {r.code: r for r in Regulation.objects.filter(**live)},
            "evidence_categories": {c.code: c for c in EvidenceCategory.objects.filter(
                framework_version=framework_version, **live)},
        }

    def assign(self, obj: Any, row: Row) -> None:
        if row.key_question is not None:
            obj.key_question = self.key_questions[row.key_question]

    def set_m2m(self, obj: Any, row: Row) -> None:
        for name, codes in row.m2m.items():
            getattr(obj, name).set([self.m2m[name][c] for c in sorted(codes)])


def apply(plan: Plan, library: ReferenceLibrary | None, *,
          now: datetime.datetime | None = None) -> Counts:
    """Bring the rows in line with the plan, or (with no library row) only count the changes.

    Rows keep their uuid when updated; rows the library no longer lists are archived, never
    deleted, so anything that refers to them still resolves.
    """
    counts = Counts()
    dry = library is None
    targets = _Targets(plan.framework_version) if not dry and plan.rows and \
        plan.rows[0].m2m else None
    seen = set()
    model = plan.spec.model
    for row in plan.rows:
        seen.add(row.key)
        obj = plan.existing.get(row.key)
        if obj is None:
            counts.created += 1
            if not dry:
                obj = model(library=library, **row.values)
                if targets:
                    targets.assign(obj, row)
                obj.save()
                if targets:
                    targets.set_m2m(obj, row)
        elif _differs(obj, row):
            counts.updated += 1
            if not dry:
                for name, value in row.values.items():
                    setattr(obj, name, value)
                obj.archived_at = None
                obj.version += 1
                obj.library = library
                if targets:
                    targets.assign(obj, row)
                obj.save()
                if targets:
                    targets.set_m2m(obj, row)
        else:
            counts.unchanged += 1
            if library is not None and obj.library_id != library.pk:
                model.objects.filter(pk=obj.pk).update(library=library)
    for key, obj in plan.existing.items():
        if key in seen or obj.library.urn != plan.urn or obj.archived_at is not None:
            continue
        counts.archived += 1
        if not dry:
            obj.archived_at = now
            obj.version += 1
            obj.save(update_fields=["archived_at", "version", "updated_at"])
    return counts
