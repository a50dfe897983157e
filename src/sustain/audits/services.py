"""Use cases for audits and re-audits: start, save a draft, complete (scored by the engine,
refused without a written analysis), attach evidence, raise an action on the theme.

Every write checks `audit.conduct` at the audit's location and goes through the tracked
writes, so it is recorded in history. A completed audit is never edited: it is corrected by a
new audit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from sustain.audits import permissions as perms
from sustain.audits.models import Audit, AuditAttachment, AuditTemplate
from sustain.audits.questions import (
    AnswerProblem,
    normalise_answer,
    sample_noun,
    template_questions,
)
from sustain.core.errors import Conflict, InvalidInput, PermissionDenied
from sustain.core.services import tracked_archive, tracked_create, tracked_update
from sustain.engine.audit_scoring import (
    AnswerError,
    AuditScore,
    analysis_problems,
    score_audit,
)

MAX_SAMPLES = 50
SAMPLE_REF_LENGTH = 80
NOTE_LIMIT = 2000
ANALYSIS_LIMIT = 20000
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENT_LABEL = "20 MB"

# Extension → (stored content type, accepted leading bytes). The content type is ours, never
# the browser's; the leading bytes must match the kind of file the name claims.
_OOXML = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
ALLOWED_TYPES: Mapping[str, tuple[str, tuple[bytes, ...]]] = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".heic": ("image/heic", ()),
    ".heif": ("image/heif", ()),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".ppt": ("application/vnd.ms-powerpoint", _OLE),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _OOXML),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _OOXML),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
              _OOXML),
    ".odt": ("application/vnd.oasis.opendocument.text", _OOXML),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", _OOXML),
    ".odp": ("application/vnd.oasis.opendocument.presentation", _OOXML),
}
ALLOWED_DESCRIPTION = ("an image (JPEG, PNG, GIF, WebP, HEIC), a PDF or an office document "
                       "(Word, Excel, PowerPoint or OpenDocument)")


def _system(actor: Any) -> bool:
    return actor is None or isinstance(actor, str)


def _same_org(organisation_id: int, field: str, obj: Any) -> None:
    if obj is not None and obj.organisation_id != organisation_id:
        raise InvalidInput(f"The {field.replace('_', ' ')} belongs to another organisation.",
                           {field: ["Not found in this organisation."]})


def _check_conduct(actor: Any, location_id: int, doing: str) -> None:
    if not _system(actor) and not perms.can_conduct_audit(actor, location_id):
        raise PermissionDenied(f"Your role cannot {doing} at this location.")


def _refuse_if_closed(audit: Audit, doing: str) -> None:
    if audit.archived_at is not None:
        raise InvalidInput(f"This audit is archived: restore it to {doing}.",
                           {"status": ["Archived."]})
    if audit.status == Audit.Status.COMPLETED:
        raise InvalidInput(
            "This audit is completed and cannot be changed: a completed audit is evidence. "
            "Correct it by starting a new audit.", {"status": ["Completed audits are final."]})


def _fresh(audit: Audit, expected_version: int | None) -> Audit:
    """The audit as stored now; a Conflict if someone saved it since `expected_version`."""
    current = Audit.objects.select_related("template", "theme", "location").get(pk=audit.pk)
    if expected_version is not None and current.version != expected_version:
        raise Conflict(
            f"This audit was changed by someone else (version {current.version}, you edited "
            f"version {expected_version}). Reload it and apply your change again.",
            {"version": [f"expected {expected_version}, current {current.version}"]})
    return current


# --- start ------------------------------------------------------------------------------


def _clean_samples(samples: Iterable[Any], template: AuditTemplate) -> list[str]:
    if isinstance(samples, str) or not isinstance(samples, Iterable):
        raise InvalidInput("Give the sampled items as a list of references.",
                           {"samples": ["A list of references, e.g. care plan RH-014."]})
    cleaned = [str(s).strip() for s in samples if str(s).strip()]
    problems = []
    seen: set[str] = set()
    for ref in cleaned:
        if len(ref) > SAMPLE_REF_LENGTH:
            problems.append(f"{ref[:20]}…: at most {SAMPLE_REF_LENGTH} characters.")
        if ref in seen:
            problems.append(f"{ref} is listed twice.")
        seen.add(ref)
    if len(cleaned) > MAX_SAMPLES:
        problems.append(f"At most {MAX_SAMPLES} sampled items.")
    needed = template.sample_size
    if needed == 0 and any(q.per_sample for q in template_questions(template)):
        needed = 1
    if len(cleaned) < needed:
        problems.append(f"This audit samples {needed} {sample_noun(template, needed)}: "
                        f"{len(cleaned)} given. Enter one reference per sampled item.")
    if problems:
        raise InvalidInput("Check the sampled items: " + " ".join(problems),
                           {"samples": problems})
    return cleaned


def _default_earlier(theme: Any, template: AuditTemplate, audit_date: dt.date) -> Audit | None:
    """The theme's latest completed audit of the same template (any version)."""
    return Audit.objects.filter(
        theme=theme, template__code=template.code, status=Audit.Status.COMPLETED,
        archived_at__isnull=True, audit_date__lte=audit_date,
    ).order_by("-audit_date", "-completed_at", "-pk").first()


def audit_start(*, actor: Any, organisation: Any, location: Any, template: AuditTemplate,
                audit_date: dt.date, theme: Any = None, is_reaudit: bool = False,
                earlier_audit: Audit | None = None, kind: str = Audit.Kind.SELF,
                samples: Sequence[str] = (), due_date: dt.date | None = None) -> Audit:
    """Start an audit (a draft) at a location against one template version.

    `samples` are the sampled items' references (people's references or labels such as
    "Room 4 MAR"); the template's sample size is the minimum. A re-audit tests a theme and is
    compared with an earlier audit: by default the theme's latest completed audit of the same
    template. An independent audit (the provider's own sample) needs the same permission.
    """
    _same_org(organisation.pk, "location", location)
    _same_org(organisation.pk, "theme", theme)
    _same_org(organisation.pk, "earlier_audit", earlier_audit)
    if template.organisation_id not in (None, organisation.pk):
        raise InvalidInput("The template belongs to another organisation.",
                           {"template": ["Not found in this organisation."]})
    _check_conduct(actor, location.pk, "start audits")
    errors: dict[str, list[str]] = {}
    if template.archived_at is not None:
        errors["template"] = ["This template is archived: choose a current one."]
    if audit_date is None:
        errors["audit_date"] = ["Enter the audit date."]
    elif audit_date > timezone.localdate():
        errors["audit_date"] = ["The audit date cannot be in the future."]
    if is_reaudit and theme is None:
        errors["theme"] = ["A re-audit tests a theme: choose the theme."]
    if errors:
        raise InvalidInput("Please correct: " + ", ".join(errors) + ".", errors)
    cleaned = _clean_samples(samples, template)
    if is_reaudit and earlier_audit is None:
        earlier_audit = _default_earlier(theme, template, audit_date)
    if earlier_audit is not None:
        problems = []
        if earlier_audit.status != Audit.Status.COMPLETED:
            problems.append("The earlier audit is not completed.")
        if earlier_audit.template.code != template.code:
            problems.append("The earlier audit used another template, so the questions "
                            "cannot be compared.")
        if earlier_audit.audit_date > audit_date:
            problems.append("The earlier audit is dated after this one.")
        if problems:
            raise InvalidInput(" ".join(problems), {"earlier_audit": problems})
    return tracked_create(actor=actor, obj=Audit(
        organisation=organisation, location=location, template=template, theme=theme,
        is_reaudit=is_reaudit, earlier_audit=earlier_audit, kind=kind,
        auditor=None if _system(actor) else actor, audit_date=audit_date, due_date=due_date,
        samples=cleaned))


# --- save a draft -----------------------------------------------------------------------


def _mapping(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{field} must be an object keyed by question code.",
                           {field: ["An object keyed by question code."]})
    return value


def _merge_answers(audit: Audit, answers: Mapping[str, Any] | None,
                   sample_answers: Mapping[str, Any] | None,
                   item_notes: Mapping[str, Any] | None,
                   errors: dict[str, list[str]]) -> dict[str, Any]:
    """New values for answers / sample_answers / item_notes (given keys replace stored ones,
    blanks clear them); problems go in `errors` keyed "answers.Q1", "sample_answers.Q3@RH-014",
    "item_notes.Q3"."""
    by_code = {q.code: q.question for q in template_questions(audit.template)}
    changes: dict[str, Any] = {}
    if answers is not None:
        merged = dict(audit.answers)
        for code, value in _mapping(answers, "answers").items():
            question = by_code.get(code)
            key = f"answers.{code}"
            if question is None:
                errors[key] = [f"{code} is not a question of this template."]
            elif question.per_sample:
                errors[key] = [f"{code} is answered once per sampled item: use "
                               "sample_answers."]
            else:
                try:
                    normal = normalise_answer(question, value, code)
                except AnswerProblem as exc:
                    errors[key] = [str(exc)]
                    continue
                if normal is None:
                    merged.pop(code, None)
                else:
                    merged[code] = normal
        changes["answers"] = merged
    if sample_answers is not None:
        merged_s: dict[str, dict[str, Any]] = {k: dict(v) for k, v in audit.sample_answers.items()}
        for code, per in _mapping(sample_answers, "sample_answers").items():
            question = by_code.get(code)
            if question is None or not question.per_sample:
                errors[f"sample_answers.{code}"] = [
                    f"{code} is not a per-sample question of this template."]
                continue
            if not isinstance(per, Mapping):
                errors[f"sample_answers.{code}"] = [
                    f"{code}: give an object keyed by sampled item."]
                continue
            row = merged_s.setdefault(code, {})
            for sample, value in per.items():
                key = f"sample_answers.{code}@{sample}"
                if sample not in audit.samples:
                    errors[key] = [f"{sample} is not one of this audit's sampled items."]
                    continue
                try:
                    normal = normalise_answer(question, value, f"{code} for {sample}")
                except AnswerProblem as exc:
                    errors[key] = [str(exc)]
                    continue
                if normal is None:
                    row.pop(sample, None)
                else:
                    row[sample] = normal
            if not row:
                merged_s.pop(code, None)
        changes["sample_answers"] = merged_s
    if item_notes is not None:
        notes = dict(audit.item_notes)
        for code, note in _mapping(item_notes, "item_notes").items():
            key = f"item_notes.{code}"
            if code not in by_code:
                errors[key] = [f"{code} is not a question of this template."]
            elif note is not None and not isinstance(note, str):
                errors[key] = [f"{code}: write the note as text."]
            elif note and len(note) > NOTE_LIMIT:
                errors[key] = [f"{code}: write at most {NOTE_LIMIT} characters."]
            elif not (note or "").strip():
                notes.pop(code, None)
            else:
                notes[code] = note.strip()
        changes["item_notes"] = notes
    return changes


def audit_save(*, actor: Any, audit: Audit, answers: Mapping[str, Any] | None = None,
               sample_answers: Mapping[str, Any] | None = None,
               item_notes: Mapping[str, Any] | None = None, analysis: str | None = None,
               expected_version: int | None) -> Audit:
    """Save a draft. Each answer is checked against its question; a refusal names the
    question (and sampled item) and saves nothing. Given keys replace stored answers, blank
    values clear them; omitted arguments leave their part unchanged."""
    _check_conduct(actor, audit.location_id, "record audits")
    current = _fresh(audit, expected_version)
    _refuse_if_closed(current, "change it")
    errors: dict[str, list[str]] = {}
    changes = _merge_answers(current, answers, sample_answers, item_notes, errors)
    if analysis is not None:
        if not isinstance(analysis, str):
            errors["analysis"] = ["Write the analysis as text."]
        elif len(analysis) > ANALYSIS_LIMIT:
            errors["analysis"] = [f"Write at most {ANALYSIS_LIMIT} characters."]
        else:
            changes["analysis"] = analysis.strip()
    if errors:
        shown = [m for ms in errors.values() for m in ms]
        raise InvalidInput("Some answers do not fit their questions: " + " ".join(shown[:5])
                           + (f" (and {len(shown) - 5} more)" if len(shown) > 5 else ""),
                           errors)
    return tracked_update(actor=actor, obj=current, changes=changes,
                          expected_version=expected_version)


# --- complete ---------------------------------------------------------------------------


def score_of(audit: Audit) -> AuditScore:
    """The engine's score of the audit's answers as stored (a preview for a draft)."""
    from sustain.audits.questions import engine_questions

    try:
        return score_audit(engine_questions(audit.template), audit.answers,
                           audit.sample_answers, audit.samples, float(audit.template.pass_mark))
    except AnswerError as exc:  # stored answers are checked on save; kept as a safety net
        raise InvalidInput(str(exc), {"answers": [str(exc)]}) from exc


def completion_problems(audit: Audit, result: AuditScore) -> dict[str, list[str]]:
    """What stops the audit being completed, keyed by the field to fix (empty: nothing)."""
    errors: dict[str, list[str]] = {}
    for item in result.unanswered:
        if "@" in item:
            code, sample = item.split("@", 1)
            errors[f"sample_answers.{item}"] = [f"Answer {code} for {sample}."]
        else:
            errors[f"answers.{item}"] = [f"Answer {item}."]
    minimum = audit.template.min_analysis_length
    summary = analysis_problems(audit.analysis, {}, (), minimum)
    if summary:
        errors["analysis"] = list(summary)
    for code in sorted({item.split("@", 1)[0] for item in result.failed_items}):
        note = analysis_problems("", audit.item_notes, [code], 0)
        if note:
            errors[f"item_notes.{code}"] = list(note)
    return errors


def _refusal_message(errors: Mapping[str, list[str]]) -> str:
    parts = []
    unanswered = [k.split(".", 1)[1].replace("@", " for ") for k in errors
                  if k.startswith(("answers.", "sample_answers."))]
    if unanswered:
        parts.append("answer " + ", ".join(unanswered))
    if "analysis" in errors:
        parts.append("write the analysis (at least the minimum length: what the findings mean "
                     "and what will change)")
    notes = [k.split(".", 1)[1] for k in errors if k.startswith("item_notes.")]
    if notes:
        parts.append("add a note on each failed item: " + ", ".join(notes))
    return "The audit cannot be completed yet: " + "; ".join(parts) + "."


def audit_complete(*, actor: Any, audit: Audit, expected_version: int | None,
                   completed_at: dt.datetime | None = None) -> Audit:
    """Score and close the audit. Refused, naming what is missing, while required questions
    are unanswered, the written analysis is missing or short, or a failed item has no note.
    A completed audit linked to a theme re-evaluates the theme (a passing re-audit after the
    actions moves it to verified).

    `completed_at` (imports and the demo, i.e. system actors only) records when a past audit
    was completed; otherwise it is now."""
    from sustain.themes.services import theme_reevaluate

    _check_conduct(actor, audit.location_id, "complete audits")
    if completed_at is not None and not _system(actor):
        raise InvalidInput("The completion time is recorded by Sustain.",
                           {"completed_at": ["Set by the system when you complete."]})
    current = _fresh(audit, expected_version)
    _refuse_if_closed(current, "complete it")
    if completed_at is not None and timezone.localtime(completed_at).date() < current.audit_date:
        raise InvalidInput("An audit cannot be completed before its audit date.",
                           {"completed_at": ["Before the audit date."]})
    result = score_of(current)
    errors = completion_problems(current, result)
    if errors:
        raise InvalidInput(_refusal_message(errors), errors)
    with transaction.atomic():
        done = tracked_update(actor=actor, obj=current, changes={
            "status": Audit.Status.COMPLETED, "completed_at": completed_at or timezone.now(),
            "score": None if result.score is None else Decimal(str(result.score)),
            "passed": result.passed, "critical_failures": list(result.critical_failures),
            "failed_items": list(result.failed_items), "scoring_version": result.version,
        }, expected_version=expected_version, message="Audit completed")
        if done.theme_id is not None:
            theme_reevaluate(theme=done.theme)
    return done


def audit_archive(*, actor: Any, audit: Audit, reason: str = "",
                  restore: bool = False) -> Audit:
    """Archive an abandoned draft (or restore it). A completed audit is evidence: it stays."""
    _check_conduct(actor, audit.location_id, "archive audits")
    if not restore and audit.status == Audit.Status.COMPLETED:
        raise InvalidInput("A completed audit is evidence and cannot be archived; correct it "
                           "by a new audit.", {"status": ["Completed audits are final."]})
    return tracked_archive(actor=actor, obj=audit, reason=reason, restore=restore)


# --- attachments ------------------------------------------------------------------------


def _file_problems(name: str, size: int, head: bytes) -> list[str]:
    if size == 0:
        return ["The file is empty."]
    if size > MAX_ATTACHMENT_BYTES:
        return [f"The file is {size / (1024 * 1024):.1f} MB; the limit is "
                f"{MAX_ATTACHMENT_LABEL}."]
    ext = PurePath(name).suffix.lower()
    if ext not in ALLOWED_TYPES:
        return [f"Attach {ALLOWED_DESCRIPTION}; {name!r} is not one of these."]
    _, magic = ALLOWED_TYPES[ext]
    if magic and not any(head.startswith(m) for m in magic):
        return [f"The file's content does not match its name ({ext}): attach the file "
                "itself, not a renamed one."]
    return []


def attachment_add(*, actor: Any, audit: Audit, uploaded_file: Any,
                   question_code: str = "") -> AuditAttachment:
    """Store evidence for an audit (draft or completed) with its SHA-256, size, content type
    and original name. Files are content-addressed and never overwritten: uploading the same
    file again makes a new record."""
    _check_conduct(actor, audit.location_id, "add evidence to audits")
    if audit.archived_at is not None:
        raise InvalidInput("This audit is archived: restore it to add evidence.",
                           {"status": ["Archived."]})
    if uploaded_file is None:
        raise InvalidInput("Choose a file to attach.", {"file": ["Choose a file."]})
    codes = {q.code for q in template_questions(audit.template)}
    question_code = (question_code or "").strip()
    if question_code and question_code not in codes:
        raise InvalidInput(f"{question_code} is not a question of this template.",
                           {"question_code": [f"Choose one of: {', '.join(sorted(codes))}."]})
    name = PurePath(str(getattr(uploaded_file, "name", "") or "file")).name[:255] or "file"
    size = int(getattr(uploaded_file, "size", 0) or 0)
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    problems = _file_problems(name, size, head)
    if problems:
        raise InvalidInput(problems[0], {"file": problems})
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in iter(lambda: uploaded_file.read(1024 * 1024), b""):
        digest.update(chunk)
    uploaded_file.seek(0)
    content_type = ALLOWED_TYPES[PurePath(name).suffix.lower()][0]
    attachment = AuditAttachment(
        organisation_id=audit.organisation_id, audit=audit, location_id=audit.location_id,
        question_code=question_code, original_name=name, content_type=content_type,
        size=size, sha256=digest.hexdigest(), uploaded_by=None if _system(actor) else actor)
    attachment.file = File(uploaded_file, name=name)
    return tracked_create(actor=actor, obj=attachment,
                          message=f"Evidence attached: {name} (SHA-256 {digest.hexdigest()})")


# --- actions ----------------------------------------------------------------------------


def raise_action(*, actor: Any, audit: Audit, question_code: str, description: str,
                 due_date: dt.date | None, owner: Any = None) -> Any:
    """Raise an action on the audit's theme from one of its questions (the action records
    the audit and question it came from). The audit must be linked to a theme."""
    from sustain.themes.services import action_create

    if audit.archived_at is not None:
        raise InvalidInput("This audit is archived: restore it to raise actions from it.",
                           {"status": ["Archived."]})
    if audit.theme_id is None:
        raise InvalidInput("This audit is not linked to a theme, so there is no action plan "
                           "to add to.", {"theme": ["Link the audit to a theme first."]})
    codes = {q.code for q in template_questions(audit.template)}
    if question_code not in codes:
        raise InvalidInput(f"{question_code or 'The question'} is not a question of this "
                           "template.", {"question_code": ["Choose a question of this audit."]})
    if not (description or "").strip():
        raise InvalidInput("Say what will be done.", {"description": ["Enter the action."]})
    if due_date is None:
        raise InvalidInput("Give the action a due date.", {"due_date": ["Enter a due date."]})
    theme = audit.theme
    criterion = f"{audit.template.title} re-audit at or above {float(theme.pass_mark):g}%"
    return action_create(actor=actor, theme=theme, description=description.strip(),
                         due_date=due_date, owner=owner, source_audit=audit,
                         source_question=question_code, check_criterion=criterion[:300])
