"""Schema of the CQC reference library files, and a pure parser that names file, line and field.

The reference library is data: versioned YAML files shipped in the package (see
`sustain/reference/data/`). Each file has a header (urn, version, locale, framework version,
sources, dependencies) and one `kind` of content. This module validates a file's text against
the schema for its kind and reports every problem as a `LibraryIssue` with the file, the line
(taken from the YAML node marks) and the field path, so a maintainer can go straight to it.

Cross-references between files (a statement's key question, its regulations, a library's
dependencies) and uniqueness across files are checked by `check_references`.

No Django here: this is used by the loader, the tests and any offline tool alike.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sustain.engine.yaml_source import (
    FRIENDLY,
    PathPart,
    compose,
    duplicate_keys,
    field_name,
    line_of,
)
from sustain.engine.yaml_source import (
    LibraryError as LibraryError,  # re-exported: callers catch it from here
)
from sustain.engine.yaml_source import (
    LibraryIssue as LibraryIssue,
)

# --- status marks -------------------------------------------------------------------------

STATUS_MARKS: Mapping[str, str] = {
    "VERIFIED_VERBATIM_CQC": "Read word for word on a CQC single assessment framework page.",
    "VERIFIED_CQC_EVIDENCE_CATEGORY_PAGE": (
        "Read word for word on a CQC evidence-category page; the wording may be shorter or "
        "older than the quality statement page."),
    "VERIFIED": "Read on a CQC or legislation.gov.uk page (or a copy of CQC's own page).",
    "SECONDARY": "Taken from a third party that quotes or describes CQC; CQC's wording not seen.",
    "UNVERIFIED_SECONDARY": "Only seen in third-party copies; may be paraphrased.",
    "UNVERIFIED_MEMORY": "Not found in any source that was read; treat as a paraphrase.",
    "UNVERIFIED": "Not confirmed; check before relying on it.",
}

StatusMark = Literal[
    "VERIFIED_VERBATIM_CQC", "VERIFIED_CQC_EVIDENCE_CATEGORY_PAGE", "VERIFIED", "SECONDARY",
    "UNVERIFIED_SECONDARY", "UNVERIFIED_MEMORY", "UNVERIFIED",
]


def is_verified(mark: str) -> bool:
    """True only for marks that record a reading of CQC's or the legislation's own text."""
    return mark.startswith("VERIFIED")


def library_checksum(text: str) -> str:
    """SHA-256 (hex) of a library file's text as UTF-8: the identity of its content."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- building blocks ----------------------------------------------------------------------

Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$")]
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Source(_Strict):
    """Where a fact comes from: a URL, a citation that is not a URL, or both."""

    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    note: str | None = None

    @model_validator(mode="after")
    def _url_or_note(self) -> Source:
        if not self.url and not self.note:
            raise ValueError("a source needs a url or a note")
        return self


Sources = Annotated[list[Source], Field(min_length=1)]


class _Fact(_Strict):
    """A fact with its status mark and sources (every item carries both)."""

    status: StatusMark
    status_note: str = ""
    sources: Sources


class CodeMapping(_Strict):
    """A list of codes mapped to an item, with its own status (mappings are often tentative)."""

    codes: list[Code]
    status: StatusMark
    note: str = ""


class IStatements(_Strict):
    """The 'I statements' (Making it Real) CQC shows for a quality statement."""

    statements: list[Text] = Field(default_factory=list)
    status: StatusMark
    note: str = ""


# --- item kinds ---------------------------------------------------------------------------


class KeyQuestionItem(_Fact):
    code: Code
    name: Text
    definition: Text
    ambition: str = ""


class RegulationParagraph(_Strict):
    ref: Text
    text: Text
    status: StatusMark
    status_note: str = ""


class RegulationItem(_Fact):
    code: Code
    instrument: Text
    number: Text
    title: Text
    summary: Text
    fundamental_standard: bool
    prosecutable: str = ""
    paragraphs: list[RegulationParagraph] = Field(default_factory=list)


class EvidenceCategoryItem(_Fact):
    code: Code
    name: Text
    description: str = ""


class QualityStatementItem(_Fact):
    code: Code
    key_question: Code
    title: Text
    we_statement: Text
    i_statements: IStatements
    subtopics: list[Text] = Field(default_factory=list)
    also_consider: list[Text] = Field(default_factory=list)
    cqc_page_last_updated: datetime.date | None = None
    evidence_categories: CodeMapping
    regulations: CodeMapping


class RatingLevelItem(_Fact):
    code: Code
    name: Text
    rank: int = Field(ge=1, le=4)
    band_min_pct: int = Field(ge=0, le=100)
    band_max_pct: int = Field(ge=0, le=100)
    band_status: StatusMark
    band_note: str = ""


class ScoreLevelItem(_Fact):
    value: int = Field(ge=1, le=4)
    description: Text


class EnforcementTypeItem(_Fact):
    code: Code
    name: Text
    track: Literal["civil", "criminal", "accountability"]
    description: Text
    statute: str = ""
    details: list[Text] = Field(default_factory=list)


# --- library files ------------------------------------------------------------------------


class _Header(_Strict):
    urn: str = Field(pattern=r"^urn:sustain:[a-z0-9][a-z0-9:.-]*$", max_length=200)
    version: int = Field(ge=1)
    locale: str = Field(pattern=r"^[a-z]{2}-[A-Z]{2}$")
    name: Text
    description: str = ""
    framework_version: Text = Field(max_length=40)
    sources: Sources
    dependencies: list[str] = Field(default_factory=list)


class KeyQuestionsLibrary(_Header):
    kind: Literal["key-questions"]
    key_questions: Annotated[list[KeyQuestionItem], Field(min_length=1)]


class RegulationsLibrary(_Header):
    kind: Literal["regulations"]
    regulations: Annotated[list[RegulationItem], Field(min_length=1)]


class QualityStatementsLibrary(_Header):
    kind: Literal["quality-statements"]
    evidence_categories: Annotated[list[EvidenceCategoryItem], Field(min_length=1)]
    quality_statements: Annotated[list[QualityStatementItem], Field(min_length=1)]


class RatingsLibrary(_Header):
    kind: Literal["ratings"]
    rating_levels: Annotated[list[RatingLevelItem], Field(min_length=1)]
    score_levels: list[ScoreLevelItem] = Field(default_factory=list)


class EnforcementLibrary(_Header):
    kind: Literal["enforcement"]
    enforcement_types: Annotated[list[EnforcementTypeItem], Field(min_length=1)]


Library = (KeyQuestionsLibrary | RegulationsLibrary | QualityStatementsLibrary | RatingsLibrary
           | EnforcementLibrary)

LIBRARY_KINDS: Mapping[str, type[_Header]] = {
    "key-questions": KeyQuestionsLibrary,
    "regulations": RegulationsLibrary,
    "quality-statements": QualityStatementsLibrary,
    "ratings": RatingsLibrary,
    "enforcement": EnforcementLibrary,
}

# Which list in each kind holds items, and the field that identifies an item within it.
_ITEM_KEYS: Mapping[str, str] = {
    "key_questions": "code", "regulations": "code", "evidence_categories": "code",
    "quality_statements": "code", "rating_levels": "code", "score_levels": "value",
    "enforcement_types": "code",
}


# --- parsing ------------------------------------------------------------------------------


@dataclass
class ParsedLibrary:
    """A validated library file: its text, checksum, typed content and YAML nodes (for lines)."""

    filename: str
    text: str
    checksum: str
    library: Library
    node: yaml.Node = field(repr=False)

    @property
    def urn(self) -> str:
        return self.library.urn

    @property
    def version(self) -> int:
        return self.library.version

    @property
    def kind(self) -> str:
        return self.library.kind

    def line_for(self, path: Sequence[PathPart], *, key: bool = False) -> int:
        return line_of(self.node, path, key=key)

    def issue(self, path: Sequence[PathPart], message: str, *, key: bool = False) -> LibraryIssue:
        data = self.library.model_dump(mode="python")
        return LibraryIssue(self.filename, self.line_for(path, key=key),
                            field_name(data, path), message)


def _unique_codes(parsed: ParsedLibrary) -> list[LibraryIssue]:
    issues: list[LibraryIssue] = []
    for section, ident in _ITEM_KEYS.items():
        items = getattr(parsed.library, section, None)
        if items is None:
            continue
        first_at: dict[object, int] = {}
        for index, item in enumerate(items):
            value = getattr(item, ident)
            if value in first_at:
                issues.append(parsed.issue(
                    [section, index, ident],
                    f"duplicate {ident} {value!r} (first used in item {first_at[value]})"))
            else:
                first_at[value] = index
    return issues


def _internal_references(parsed: ParsedLibrary) -> list[LibraryIssue]:
    """References that resolve inside one file: statements to evidence categories, bands."""
    lib = parsed.library
    issues: list[LibraryIssue] = []
    if isinstance(lib, QualityStatementsLibrary):
        categories = {c.code for c in lib.evidence_categories}
        for i, qs in enumerate(lib.quality_statements):
            for j, code in enumerate(qs.evidence_categories.codes):
                if code not in categories:
                    issues.append(parsed.issue(
                        ["quality_statements", i, "evidence_categories", "codes", j],
                        f"unknown evidence category {code!r}"))
    if isinstance(lib, RatingsLibrary):
        for i, level in enumerate(lib.rating_levels):
            if level.band_min_pct > level.band_max_pct:
                issues.append(parsed.issue(["rating_levels", i, "band_min_pct"],
                                           "band_min_pct is above band_max_pct"))
    return issues


def parse_library(text: str, filename: str) -> ParsedLibrary:
    """Parse and validate one library file. Raises `LibraryError` naming file, line and field.

    Pure: no I/O, no database. Checks the schema for the file's `kind`, refuses duplicate
    YAML keys and duplicate item ids, and resolves references inside the file.
    """
    node, data = compose(text, filename)
    issues = duplicate_keys(node, filename)
    if not isinstance(data, dict):
        issues.append(LibraryIssue(filename, line_of(node, []), "",
                                   "a library file must be a mapping with a header and items"))
        raise LibraryError(issues)
    kind = data.get("kind")
    model = LIBRARY_KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        allowed = ", ".join(LIBRARY_KINDS)
        message = "required field is missing" if kind is None else \
            f"unknown kind {kind!r}; expected one of: {allowed}"
        issues.append(LibraryIssue(filename, line_of(node, ["kind"]), "kind", message))
        raise LibraryError(issues)
    try:
        library = model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            path = list(err["loc"])
            on_key = err["type"] == "extra_forbidden"
            issues.append(LibraryIssue(filename, line_of(node, path, key=on_key),
                                       field_name(data, path),
                                       FRIENDLY.get(err["type"], err["msg"])))
        raise LibraryError(issues) from exc
    if issues:
        raise LibraryError(issues)
    assert isinstance(library, KeyQuestionsLibrary | RegulationsLibrary
                      | QualityStatementsLibrary | RatingsLibrary | EnforcementLibrary)
    assert node is not None  # a mapping was parsed, so there is a node
    parsed = ParsedLibrary(filename, text, library_checksum(text), library, node)
    issues = _unique_codes(parsed) + _internal_references(parsed)
    if issues:
        raise LibraryError(issues)
    return parsed


# --- references across files --------------------------------------------------------------


@dataclass(frozen=True)
class KnownCodes:
    """Codes already loaded elsewhere (e.g. the database), by the urn that owns them."""

    urns: frozenset[str] = frozenset()
    key_questions: Mapping[str, str] = field(default_factory=dict)
    regulations: Mapping[str, str] = field(default_factory=dict)


def _anchor_owners(libraries: Iterable[ParsedLibrary], section: str) -> dict[str, str]:
    owners: dict[str, str] = {}
    for parsed in libraries:
        for item in getattr(parsed.library, section, []):
            owners.setdefault(item.code, parsed.urn)
    return owners


def check_references(libraries: Sequence[ParsedLibrary],
                     known: KnownCodes | None = None) -> None:
    """Check a set of parsed files together; raise `LibraryError` listing every issue.

    - each urn appears once in the set;
    - each dependency is in the set or already known;
    - a key question or regulation code is defined by one library only;
    - each statement's key question and regulations exist.
    """
    known = known or KnownCodes()
    issues: list[LibraryIssue] = []
    by_urn: dict[str, ParsedLibrary] = {}
    for parsed in libraries:
        if parsed.urn in by_urn:
            issues.append(parsed.issue(["urn"], f"urn {parsed.urn!r} is also defined in "
                                                f"{by_urn[parsed.urn].filename}"))
        by_urn.setdefault(parsed.urn, parsed)
    urns = set(by_urn) | set(known.urns)
    for parsed in libraries:
        for i, dep in enumerate(parsed.library.dependencies):
            if dep not in urns:
                issues.append(parsed.issue(["dependencies", i], f"unknown library {dep!r}"))

    anchors = {"key_questions": dict(known.key_questions), "regulations": dict(known.regulations)}
    for section, owners in anchors.items():
        for parsed in libraries:
            for i, item in enumerate(getattr(parsed.library, section, [])):
                owner = owners.setdefault(item.code, parsed.urn)
                if owner != parsed.urn:
                    issues.append(parsed.issue([section, i, "code"],
                                               f"{item.code!r} is already defined by {owner}"))
    key_questions, regulations = anchors["key_questions"], anchors["regulations"]
    for parsed in libraries:
        lib = parsed.library
        if not isinstance(lib, QualityStatementsLibrary):
            continue
        for i, qs in enumerate(lib.quality_statements):
            if qs.key_question not in key_questions:
                issues.append(parsed.issue(["quality_statements", i, "key_question"],
                                           f"unknown key question {qs.key_question!r}"))
            for j, code in enumerate(qs.regulations.codes):
                if code not in regulations:
                    issues.append(parsed.issue(
                        ["quality_statements", i, "regulations", "codes", j],
                        f"unknown regulation {code!r}"))
    if issues:
        raise LibraryError(issues)


def order_libraries(libraries: Sequence[ParsedLibrary]) -> list[ParsedLibrary]:
    """Dependencies first (stable otherwise). Call after `check_references`; a cycle raises."""
    by_urn = {p.urn: p for p in libraries}
    done: list[ParsedLibrary] = []
    state: dict[str, str] = {}

    def visit(parsed: ParsedLibrary) -> None:
        mark = state.get(parsed.urn)
        if mark == "done":
            return
        if mark == "visiting":
            raise LibraryError([parsed.issue(["dependencies"], "dependency cycle")])
        state[parsed.urn] = "visiting"
        for dep in parsed.library.dependencies:
            if dep in by_urn:
                visit(by_urn[dep])
        state[parsed.urn] = "done"
        done.append(parsed)

    for parsed in libraries:
        visit(parsed)
    return done
