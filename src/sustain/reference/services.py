"""Loading the CQC reference library: validate everything, then store and load in one transaction.

Two stages, as in CISO Assistant's library importer:

- **store**: each file is kept as a `ReferenceLibrary` row (urn, version, checksum, raw text).
  Storing is idempotent by checksum: the same urn, version and content is "unchanged" and
  nothing is written; the same urn and version with different content is refused (raise the
  version); an older version than the one stored is skipped.
- **load**: the rows of a new or higher version are created, updated in place (their uuid stays,
  so records that point at them keep pointing) or archived when the new version drops them.

Every file is parsed, validated and cross-checked before the first write. Reference rows are
shared by all organisations, so they are not part of any organisation's history chain; the
stored library row with its checksum is the audit record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sustain.core.errors import Conflict, InvalidInput
from sustain.engine.reference_schema import (
    KnownCodes,
    LibraryError,
    LibraryIssue,
    ParsedLibrary,
    check_references,
    order_libraries,
    parse_library,
)
from sustain.reference import loaders
from sustain.reference.models import KeyQuestion, ReferenceLibrary, Regulation

DATA_DIR = Path(__file__).resolve().parent / "data"

Action = Literal["created", "upgraded", "unchanged", "skipped"]


class ReferenceLibraryInvalid(InvalidInput):
    """One or more library files are invalid; `issues` name file, line and field."""

    def __init__(self, error: LibraryError) -> None:
        self.issues = error.issues
        errors: dict[str, list[str]] = {}
        for issue in error.issues:
            where = f"{issue.filename}:{issue.line}"
            text = f"{issue.field}: {issue.message}" if issue.field else issue.message
            errors.setdefault(where, []).append(text)
        count = len(error.issues)
        suffix = "" if count == 1 else f" (and {count - 1} more)"
        super().__init__(f"Invalid reference library: {error.issues[0]}{suffix}", errors)


class ReferenceVersionConflict(Conflict):
    """A file has the urn and version of a stored library but different content."""

    def __init__(self, issue: LibraryIssue) -> None:
        self.issues = (issue,)
        super().__init__(f"Reference library conflict: {issue}",
                         {f"{issue.filename}:{issue.line}": [f"{issue.field}: {issue.message}"]})


ModelCounts = loaders.Counts


@dataclass
class LibraryOutcome:
    """The store decision for one file and the row counts of its load."""

    urn: str
    version: int
    filename: str
    checksum: str
    action: Action
    stored_version: int | None = None
    counts: dict[str, ModelCounts] = field(default_factory=dict)


@dataclass
class LoadSummary:
    """The result of `reference_load`: one outcome per file, in load order."""

    dry_run: bool
    libraries: list[LibraryOutcome] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(o.action in ("created", "upgraded") for o in self.libraries)

    def totals(self) -> dict[str, ModelCounts]:
        out: dict[str, ModelCounts] = {}
        for outcome in self.libraries:
            for label, counts in outcome.counts.items():
                total = out.setdefault(label, ModelCounts())
                total.created += counts.created
                total.updated += counts.updated
                total.unchanged += counts.unchanged
                total.archived += counts.archived
        return out


def default_library_paths() -> list[Path]:
    """The library files shipped in the package."""
    return sorted(DATA_DIR.glob("*.yaml"))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReferenceLibraryInvalid(LibraryError(
            [LibraryIssue(path.name, 1, "", f"cannot read file: {exc}")])) from exc


def _parse_all(paths: Sequence[Path]) -> list[ParsedLibrary]:
    """Parse every file, collecting the issues of all of them before refusing."""
    parsed: list[ParsedLibrary] = []
    issues: list[LibraryIssue] = []
    for path in paths:
        try:
            parsed.append(parse_library(_read(path), path.name))
        except LibraryError as exc:
            issues.extend(exc.issues)
    if issues:
        raise ReferenceLibraryInvalid(LibraryError(issues))
    return parsed


def _plan_store(parsed: Sequence[ParsedLibrary]) -> list[LibraryOutcome]:
    urns = [p.urn for p in parsed]
    stored = {(lib.urn, lib.version): lib.checksum
              for lib in ReferenceLibrary.objects.filter(urn__in=urns)}
    latest = dict(ReferenceLibrary.objects.filter(urn__in=urns).values("urn")
                  .annotate(v=Max("version")).values_list("urn", "v"))
    outcomes = []
    for p in parsed:
        current = latest.get(p.urn)
        checksum = stored.get((p.urn, p.version))
        action: Action
        if checksum is not None and checksum != p.checksum:
            raise ReferenceVersionConflict(p.issue(
                ["version"], f"version {p.version} of {p.urn} is already stored with "
                             "different content; raise the version to change it", key=True))
        if current is not None and p.version < current:
            action = "skipped"  # a newer version is loaded; never go back
        elif checksum is not None:
            action = "unchanged"
        else:
            action = "created" if current is None else "upgraded"
        outcomes.append(LibraryOutcome(p.urn, p.version, p.filename, p.checksum, action,
                                       current))
    return outcomes


def _known_codes(excluding_urns: Iterable[str]) -> KnownCodes:
    """What the database already defines, apart from the libraries being (re)loaded."""
    skip = set(excluding_urns)

    def owners(model: type[KeyQuestion] | type[Regulation]) -> dict[str, str]:
        rows = model.objects.filter(archived_at__isnull=True).values_list("code", "library__urn")
        return {code: urn for code, urn in rows if urn not in skip}

    urns = set(ReferenceLibrary.objects.values_list("urn", flat=True).distinct())
    return KnownCodes(urns=frozenset(urns), key_questions=owners(KeyQuestion),
                      regulations=owners(Regulation))


def _check_ownership(plans: Sequence[tuple[ParsedLibrary, list[loaders.Plan]]]) -> None:
    """A row already owned by another library cannot be redefined by this one."""
    issues: list[LibraryIssue] = []
    for parsed, plans_for_lib in plans:
        for plan in plans_for_lib:
            for row in plan.rows:
                obj = plan.existing.get(row.key)
                if obj is not None and obj.library.urn != parsed.urn:
                    issues.append(parsed.issue(
                        list(row.path), f"{plan.spec.label} {'/'.join(map(str, row.key))} is "
                                        f"already defined by {obj.library.urn}"))
    if issues:
        raise ReferenceLibraryInvalid(LibraryError(issues))


def _store(parsed: ParsedLibrary) -> ReferenceLibrary:
    lib = parsed.library
    return ReferenceLibrary.objects.create(
        urn=lib.urn, version=lib.version, kind=lib.kind, name=lib.name,
        description=lib.description, locale=lib.locale, framework_version=lib.framework_version,
        sources=[s.model_dump(exclude_none=True) for s in lib.sources],
        dependencies=list(lib.dependencies), filename=parsed.filename,
        checksum=parsed.checksum, content=parsed.text)


def reference_load(*, paths: Sequence[Path | str] | None = None,
                   extra_paths: Sequence[Path | str] = (), dry_run: bool = False) -> LoadSummary:
    """Validate and load reference library files; idempotent.

    `paths` defaults to the files shipped in the package; `extra_paths` are loaded with them
    (e.g. a provider's own library). Everything is validated first — schema, cross-references,
    store conflicts, ownership — and only then written, in one transaction. Loading the same
    content again writes nothing. With `dry_run` nothing is written and the summary says what
    would happen.

    Raises `ReferenceLibraryInvalid` (file, line and field of each problem) or
    `ReferenceVersionConflict`; the database is unchanged in both cases.
    """
    chosen = [Path(p) for p in (default_library_paths() if paths is None else paths)]
    chosen += [Path(p) for p in extra_paths]
    parsed = _parse_all(chosen)
    try:
        check_references(parsed, KnownCodes())  # duplicates within the set, before the DB
        outcomes = {o.urn: o for o in _plan_store(parsed)}
        active = [p for p in parsed if outcomes[p.urn].action != "skipped"]
        check_references(active, _known_codes(p.urn for p in active))
        ordered = order_libraries(active)
    except LibraryError as exc:
        raise ReferenceLibraryInvalid(exc) from exc

    to_load = [p for p in ordered if outcomes[p.urn].action in ("created", "upgraded")]
    summary = LoadSummary(dry_run=dry_run)
    summary.libraries = [outcomes[p.urn] for p in ordered]
    summary.libraries += [o for o in outcomes.values() if o.action == "skipped"]

    plans = [(p, loaders.plan_library(p)) for p in to_load]
    _check_ownership(plans)
    if dry_run:
        for p, lib_plans in plans:
            outcomes[p.urn].counts = {pl.spec.label: loaders.apply(pl, None) for pl in lib_plans}
        return summary
    with transaction.atomic():
        now = timezone.now()
        for p in to_load:
            row = _store(p)
            # Plan again inside the transaction so rows created by earlier libraries count.
            outcomes[p.urn].counts = {pl.spec.label: loaders.apply(pl, row, now=now)
                                      for pl in loaders.plan_library(p)}
    return summary


def reference_items_count() -> dict[str, int]:
    """Rows per reference model (for summaries and tests)."""
    return {spec.label: spec.model.objects.count() for spec in loaders.SPECS.values()}


__all__ = ["DATA_DIR", "LoadSummary", "ModelCounts", "ReferenceLibraryInvalid",
           "ReferenceVersionConflict", "default_library_paths", "reference_load"]
