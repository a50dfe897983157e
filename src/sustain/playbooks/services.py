"""Playbooks: load the shipped library, upload an organisation's own, apply one to a theme.

- **Shipped playbooks** (`playbooks/data/*.yaml`) are loaded like the reference library: every
  file is validated first (schema, references to the reference library, clashes between files
  and with what is stored), then written in one transaction. Loading is idempotent by
  checksum; the same code and version with different content is refused (raise the version);
  a new version makes new rows — a Playbook and its AuditTemplates with
  `template_version` = playbook version — while old ones stay for the audits that used them.
  Shipped rows belong to no organisation, so, like the reference library, they are not part of
  any organisation's history chain: the stored text and its checksum are the record.
- **Organisation playbooks** are uploaded by someone with `playbook.manage` over the whole
  organisation, validated the same way, versioned (the next version of a code must be higher)
  and written through `tracked_create`, so they are in the organisation's history.
- **Applying** a playbook sets a theme's playbook and verification rule and adds its quality
  statements and regulations, through `themes.services.theme_update` (history and
  re-evaluation included), and returns the schedule to show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sustain.audits.models import AuditTemplate
from sustain.core.errors import Conflict, InvalidInput, PermissionDenied
from sustain.core.history import record_change, snapshot
from sustain.core.services import tracked_create
from sustain.engine.playbook_schedule import ScheduleRow, playbook_schedule
from sustain.engine.playbook_schema import (
    KnownReferences,
    LibraryError,
    LibraryIssue,
    parse_playbook,
    playbook_checksum,
    playbook_from_content,
    references_from_libraries,
)
from sustain.engine.playbook_schema import (
    Playbook as PlaybookSpec,
)
from sustain.engine.reference_schema import parse_library
from sustain.engine.yaml_source import PathPart, compose, field_name, line_of
from sustain.playbooks.models import Playbook
from sustain.playbooks.permissions import can_manage_playbooks
from sustain.tenancy.permissions import actor_organisation_id

DATA_DIR = Path(__file__).resolve().parent / "data"
MAX_UPLOAD_CHARS = 500_000

Action = Literal["created", "unchanged", "skipped"]


class PlaybookInvalid(InvalidInput):
    """A playbook file is invalid; `issues` name file, line and field.

    `errors` is keyed by `field` (the request field the text came in, for uploads) or by
    "file:line" (for the loader), each message reading "file:line: field: message".
    """

    def __init__(self, error: LibraryError, field: str | None = None) -> None:
        self.issues = error.issues
        errors: dict[str, list[str]] = {}
        for issue in error.issues:
            key = field or f"{issue.filename}:{issue.line}"
            errors.setdefault(key, []).append(str(issue))
        count = len(error.issues)
        suffix = "" if count == 1 else f" (and {count - 1} more)"
        super().__init__(f"Invalid playbook: {error.issues[0]}{suffix}", errors)


class PlaybookVersionConflict(Conflict):
    """A shipped file has the code and version of a stored playbook but other content."""

    def __init__(self, issue: LibraryIssue) -> None:
        self.issues = (issue,)
        super().__init__(f"Playbook conflict: {issue}",
                         {f"{issue.filename}:{issue.line}": [str(issue)]})


@dataclass
class PlaybookOutcome:
    """What loading did (or would do) with one file."""

    code: str
    version: int
    filename: str
    checksum: str
    action: Action
    templates: list[str] = field(default_factory=list)


@dataclass
class PlaybookLoadSummary:
    dry_run: bool
    reference_loaded: bool = False
    playbooks: list[PlaybookOutcome] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.reference_loaded or any(o.action == "created" for o in self.playbooks)


@dataclass
class _Parsed:
    filename: str
    text: str
    spec: PlaybookSpec

    @property
    def checksum(self) -> str:
        return playbook_checksum(self.text)

    def issue(self, path: Sequence[PathPart], message: str) -> LibraryIssue:
        node, data = compose(self.text, self.filename)
        return LibraryIssue(self.filename, line_of(node, path), field_name(data, path), message)


# --- known codes ----------------------------------------------------------------------------


def known_references() -> KnownReferences:
    """The reference library's codes as stored (the framework version in force)."""
    from sustain.reference.models import EvidenceCategory, KeyQuestion, Regulation
    from sustain.reference.selectors import framework_version_in_force, statements_in_force

    version = framework_version_in_force()
    live = {"archived_at__isnull": True}
    return KnownReferences(
        quality_statements=frozenset(statements_in_force(version).values_list("code",
                                                                              flat=True)),
        regulations=frozenset(Regulation.objects.filter(**live).values_list("code", flat=True)),
        key_questions=frozenset(KeyQuestion.objects.filter(**live).values_list("code",
                                                                              flat=True)),
        evidence_categories=frozenset(EvidenceCategory.objects.filter(
            framework_version=version, **live).values_list("code", flat=True)))


def _known_from_shipped_reference() -> KnownReferences:
    from sustain.reference.services import default_library_paths

    return references_from_libraries(parse_library(p.read_text(encoding="utf-8"), p.name)
                                     for p in default_library_paths())


def _reference_empty() -> bool:
    from sustain.reference.models import Regulation

    return not Regulation.objects.exists()


# --- shipped playbooks ----------------------------------------------------------------------


def default_playbook_paths() -> list[Path]:
    """The playbook files shipped in the package."""
    return sorted(DATA_DIR.glob("*.yaml"))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaybookInvalid(LibraryError(
            [LibraryIssue(path.name, 1, "", f"cannot read file: {exc}")])) from exc


def _parse_all(files: Sequence[tuple[str, str]], known: KnownReferences) -> list[_Parsed]:
    parsed: list[_Parsed] = []
    issues: list[LibraryIssue] = []
    for filename, text in files:
        try:
            parsed.append(_Parsed(filename, text, parse_playbook(text, filename, known)))
        except LibraryError as exc:
            issues.extend(exc.issues)
    if issues:
        raise PlaybookInvalid(LibraryError(issues))
    return parsed


def _cross_file_issues(parsed: Sequence[_Parsed]) -> list[LibraryIssue]:
    """Within the set: one file per playbook code and version; an audit template code belongs
    to one playbook (shipped template codes are shared by every organisation)."""
    issues: list[LibraryIssue] = []
    versions: dict[tuple[str, int], str] = {}
    owners: dict[str, tuple[str, str]] = {}
    for p in parsed:
        key = (p.spec.code, p.spec.version)
        if key in versions:
            issues.append(p.issue(["version"], f"{p.spec.code} version {p.spec.version} is also "
                                               f"defined in {versions[key]}"))
        versions.setdefault(key, p.filename)
        for i, t in enumerate(p.spec.audit_templates):
            owner = owners.setdefault(t.code, (p.spec.code, p.filename))
            if owner[0] != p.spec.code:
                issues.append(p.issue(["audit_templates", i, "code"],
                                      f"audit template {t.code!r} belongs to playbook "
                                      f"{owner[0]!r} ({owner[1]})"))
    stored = dict(AuditTemplate.objects.filter(
        organisation__isnull=True, code__in=list(owners), playbook__isnull=False)
        .values_list("code", "playbook__code").distinct())
    for p in parsed:
        for i, t in enumerate(p.spec.audit_templates):
            if stored.get(t.code, p.spec.code) != p.spec.code:
                issues.append(p.issue(["audit_templates", i, "code"],
                                      f"audit template {t.code!r} already belongs to shipped "
                                      f"playbook {stored[t.code]!r}"))
    return issues


def _plan(parsed: Sequence[_Parsed]) -> list[PlaybookOutcome]:
    codes = [p.spec.code for p in parsed]
    shipped = Playbook.objects.filter(organisation__isnull=True, code__in=codes)
    stored = {(row.code, row.version): row.checksum for row in shipped}
    latest = dict(shipped.values("code").annotate(v=Max("version")).values_list("code", "v"))
    outcomes = []
    for p in parsed:
        checksum = stored.get((p.spec.code, p.spec.version))
        if checksum is not None and checksum != p.checksum:
            raise PlaybookVersionConflict(p.issue(
                ["version"], f"version {p.spec.version} of {p.spec.code} is already loaded "
                             "with different content; raise the version to change it"))
        action: Action
        if checksum is not None:
            action = "unchanged"
        elif latest.get(p.spec.code) is not None and p.spec.version < latest[p.spec.code]:
            action = "skipped"  # a newer version is loaded; never go back
        else:
            action = "created"
        outcomes.append(PlaybookOutcome(p.spec.code, p.spec.version, p.filename, p.checksum,
                                        action, [t.code for t in p.spec.audit_templates]))
    return outcomes


def _template_row(spec: PlaybookSpec, index: int, playbook: Playbook) -> AuditTemplate:
    t = spec.audit_templates[index]
    return AuditTemplate(
        organisation=playbook.organisation, playbook=playbook, code=t.code,
        template_version=spec.version, title=t.title, purpose=t.purpose,
        pass_mark=Decimal(str(t.pass_mark)), sample_size=t.sample_size,
        sample_label=t.sample_label, min_analysis_length=t.min_analysis_length,
        sections=[s.model_dump(mode="json") for s in t.sections])


def _playbook_row(p: _Parsed, organisation: Any, source: str) -> Playbook:
    return Playbook(organisation=organisation, code=p.spec.code, version=p.spec.version,
                    title=p.spec.title, summary=p.spec.summary, source=source,
                    checksum=p.checksum, raw=p.text, content=p.spec.model_dump(mode="json"))


def playbooks_load(*, paths: Sequence[Path | str] | None = None,
                   dry_run: bool = False) -> PlaybookLoadSummary:
    """Validate and load shipped playbook files; idempotent.

    `paths` defaults to the files shipped in the package. The reference library is loaded
    first when the database has none (its codes are what playbooks refer to). Everything is
    validated before the first write, then written in one transaction; with `dry_run` nothing
    is written. Raises `PlaybookInvalid` (file, line and field of each problem) or
    `PlaybookVersionConflict`; the database is unchanged in both cases.
    """
    chosen = [Path(p) for p in (default_playbook_paths() if paths is None else paths)]
    files = [(path.name, _read(path)) for path in chosen]
    reference_empty = _reference_empty()
    known = _known_from_shipped_reference() if reference_empty else known_references()
    parsed = _parse_all(files, known)
    issues = _cross_file_issues(parsed)
    if issues:
        raise PlaybookInvalid(LibraryError(issues))
    outcomes = _plan(parsed)
    summary = PlaybookLoadSummary(dry_run=dry_run, reference_loaded=reference_empty,
                                  playbooks=outcomes)
    if dry_run:
        return summary
    with transaction.atomic():
        if reference_empty:
            from sustain.reference.services import reference_load

            reference_load()
        for p, outcome in zip(parsed, outcomes, strict=True):
            if outcome.action != "created":
                continue
            row = _playbook_row(p, None, Playbook.Source.SHIPPED)
            row.full_clean()
            row.save(force_insert=True)
            for i in range(len(p.spec.audit_templates)):
                template = _template_row(p.spec, i, row)
                template.full_clean()
                template.save(force_insert=True)
    return summary


# --- organisation playbooks -----------------------------------------------------------------


def _system(actor: Any) -> bool:
    return actor is None or isinstance(actor, str)


def _check_manager(actor: Any, organisation: Any) -> None:
    if _system(actor):
        return
    if actor_organisation_id(actor) != organisation.pk or not can_manage_playbooks(actor):
        raise PermissionDenied("Managing playbooks needs the playbook role over the whole "
                               "organisation.")


def playbook_upload(*, actor: Any, organisation: Any, text: str, filename: str,
                    field: str = "yaml") -> Playbook:
    """Add an organisation's own playbook (or a new version of one) from its YAML text.

    Validated exactly like the shipped ones; refused as a whole (nothing written) with every
    problem named by file, line and field. The version must be higher than the organisation's
    latest version of the same code. Its audit templates belong to the organisation.
    """
    _check_manager(actor, organisation)
    filename = Path(str(filename or "playbook.yaml")).name[:200] or "playbook.yaml"
    if not text.strip():
        raise InvalidInput("The playbook is empty.", {field: ["Give the playbook's YAML."]})
    if len(text) > MAX_UPLOAD_CHARS:
        raise InvalidInput("The playbook is too large.",
                           {field: [f"At most {MAX_UPLOAD_CHARS:,} characters."]})
    known = _known_from_shipped_reference() if _reference_empty() else known_references()
    try:
        parsed = _Parsed(filename, text, parse_playbook(text, filename, known))
    except LibraryError as exc:
        raise PlaybookInvalid(exc, field) from exc
    spec = parsed.spec
    issues: list[LibraryIssue] = []
    own = Playbook.objects.filter(organisation=organisation)
    latest = own.filter(code=spec.code).aggregate(v=Max("version"))["v"]
    if latest is not None and spec.version <= latest:
        issues.append(parsed.issue(["version"], f"version {latest} of {spec.code} is already "
                                                f"uploaded; give a version above {latest}"))
    codes = [t.code for t in spec.audit_templates]
    taken = dict(AuditTemplate.objects.filter(organisation=organisation, code__in=codes)
                 .exclude(playbook__code=spec.code).values_list("code", "playbook__code"))
    for i, code in enumerate(codes):
        if code in taken:
            issues.append(parsed.issue(["audit_templates", i, "code"],
                                       f"audit template {code!r} already belongs to playbook "
                                       f"{taken[code]!r} of this organisation"))
    if issues:
        raise PlaybookInvalid(LibraryError(issues), field)
    with transaction.atomic():
        row = tracked_create(actor=actor, obj=_playbook_row(
            parsed, organisation, Playbook.Source.ORGANISATION),
            message=f"Uploaded {filename} ({parsed.checksum[:12]})")
        for i in range(len(spec.audit_templates)):
            tracked_create(actor=actor, obj=_template_row(spec, i, row),
                           message=f"From playbook {spec.code} v{spec.version}")
    return row


def playbook_archive(*, actor: Any, playbook: Playbook, reason: str = "",
                     restore: bool = False) -> Playbook:
    """Archive (or restore) an organisation's playbook: it leaves the library lists, stays
    readable and keeps the themes and audits that used it. Shipped playbooks cannot be
    archived. The content version is not touched (a playbook's `version` is its content
    version, so `tracked_archive`'s lock bump does not apply); history is recorded."""
    if playbook.organisation_id is None:
        raise PermissionDenied("Playbooks shipped with Sustain cannot be archived.")
    _check_manager(actor, playbook.organisation)
    with transaction.atomic():
        current = Playbook.objects.select_for_update().get(pk=playbook.pk)
        if restore and current.archived_at is None:
            raise InvalidInput("This playbook is not archived.")
        if not restore and current.archived_at is not None:
            raise InvalidInput("This playbook is already archived.")
        before = snapshot(current)
        current.archived_at = None if restore else timezone.now()
        current.save(update_fields=["archived_at", "updated_at"])
        record_change(organisation=current.organisation, actor=actor, obj=current,
                      action="restore" if restore else "archive", before=before,
                      after=snapshot(current), message=reason.strip())
    return current


# --- applying a playbook to a theme ---------------------------------------------------------


def playbook_spec(playbook: Playbook) -> PlaybookSpec:
    """The typed content of a stored playbook."""
    return playbook_from_content(playbook.content)


def playbook_apply(*, actor: Any, playbook: Playbook, theme: Any,
                   expected_version: int | None = None) -> tuple[Any, tuple[ScheduleRow, ...]]:
    """Apply a playbook to a theme: its playbook, verification rule (pass mark, passes in a
    row), sustain cycles and embedding channels are set, and its quality statements and
    regulations added, through `theme_update` (history, re-evaluation). Returns the theme and
    the playbook's schedule."""
    from sustain.reference.models import Regulation
    from sustain.reference.selectors import statements_in_force
    from sustain.themes import permissions as theme_perms
    from sustain.themes.services import theme_update

    if not _system(actor) and not theme_perms.can_change_theme(actor, theme.location_id):
        raise PermissionDenied("Your role cannot change this theme.")
    if playbook.organisation_id not in (None, theme.organisation_id):
        raise InvalidInput("The playbook belongs to another organisation.",
                           {"playbook": ["Not found in this organisation."]})
    if playbook.archived_at is not None:
        raise InvalidInput("The playbook is archived.",
                           {"playbook": ["Choose a playbook that is not archived."]})
    spec = playbook_spec(playbook)
    statements = list(statements_in_force().filter(code__in=spec.theme.quality_statements))
    regulations = list(Regulation.objects.filter(code__in=spec.theme.regulations,
                                                 archived_at__isnull=True))
    missing = sorted(set(spec.theme.quality_statements) - {s.code for s in statements}) + \
        sorted(set(spec.theme.regulations) - {r.code for r in regulations})
    if missing:
        raise InvalidInput("The playbook names codes the reference library no longer has: "
                           + ", ".join(missing), {"playbook": [f"Unknown: {', '.join(missing)}"]})
    changes = {
        "playbook": playbook,
        "pass_mark": Decimal(str(spec.verification.pass_mark)),
        "consecutive_passes": spec.verification.consecutive_passes,
        "sustain_cycles": spec.sustain_cycles,
        "embedding_channels": list(spec.embedding_channels),
        "quality_statements": list({*theme.quality_statements.all(), *statements}),
        "regulations": list({*theme.regulations.all(), *regulations}),
    }
    theme = theme_update(actor=actor, theme=theme, changes=changes,
                         expected_version=theme.version if expected_version is None
                         else expected_version)
    return theme, playbook_schedule(spec)


__all__ = ["DATA_DIR", "PlaybookInvalid", "PlaybookLoadSummary", "PlaybookOutcome",
           "PlaybookVersionConflict", "default_playbook_paths", "known_references",
           "playbook_apply", "playbook_archive", "playbook_spec", "playbook_upload",
           "playbooks_load"]
