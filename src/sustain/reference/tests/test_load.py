"""Loading the reference library: complete, idempotent, versioned, all-or-nothing."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sustain.reference import loaders
from sustain.reference.models import (
    EnforcementType,
    EvidenceCategory,
    KeyQuestion,
    QualityStatement,
    RatingLevel,
    ReferenceLibrary,
    Regulation,
    ScoreLevel,
)
from sustain.reference.services import (
    DATA_DIR,
    ReferenceLibraryInvalid,
    ReferenceVersionConflict,
    default_library_paths,
    reference_items_count,
    reference_load,
)

pytestmark = pytest.mark.django_db

EXPECTED = {"key_questions": 5, "regulations": 20, "evidence_categories": 6,
            "quality_statements": 34, "rating_levels": 4, "score_levels": 4,
            "enforcement_types": 11}


def _state() -> dict[str, Any]:
    """Everything loading can touch: row counts, library rows and each row's version."""
    models = [KeyQuestion, Regulation, EvidenceCategory, QualityStatement, RatingLevel,
              ScoreLevel, EnforcementType]
    return {
        "counts": reference_items_count(),
        "libraries": sorted(ReferenceLibrary.objects.values_list("urn", "version", "checksum")),
        "rows": sorted((m.__name__, str(uuid), version, library_id, str(archived))
                       for m in models for uuid, version, library_id, archived in
                       m.objects.values_list("uuid", "version", "library_id", "archived_at")),
        "m2m": sorted(QualityStatement.regulations.through.objects.values_list(
            "qualitystatement_id", "regulation_id")),
    }


def _copy(tmp_path: Path, name: str, *replacements: tuple[str, str],
          target: str | None = None) -> Path:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / (target or name)
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def _shipped_except(name: str) -> list[Path]:
    return [p for p in default_library_paths() if p.name != name]


def test_loads_the_whole_library() -> None:
    summary = reference_load()
    assert reference_items_count() == EXPECTED
    assert ReferenceLibrary.objects.count() == 5
    assert {o.action for o in summary.libraries} == {"created"}
    assert summary.totals()["quality_statements"].created == 34
    assert list(KeyQuestion.objects.values_list("code", flat=True)) == [
        "safe", "effective", "caring", "responsive", "well-led"]
    s3 = QualityStatement.objects.get(code="S3")
    assert s3.key_question.code == "safe"
    assert list(s3.regulations.values_list("code", flat=True)) == ["RA2014-13"]
    assert s3.evidence_categories.count() == 5
    assert s3.is_verified and not s3.regulations_verified
    assert not QualityStatement.objects.get(code="S8").is_verified
    lib = ReferenceLibrary.objects.get(urn="urn:sustain:cqc:saf:quality-statements")
    assert lib.content == (DATA_DIR / "saf-quality-statements.yaml").read_text()
    assert len(lib.checksum) == 64 and lib.framework_version == "saf-2024"
    assert s3.library_id == lib.pk


def test_loading_twice_writes_nothing() -> None:
    reference_load()
    before = _state()
    with CaptureQueriesContext(connection) as queries:
        summary = reference_load()
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert not summary.changed
    assert {o.action for o in summary.libraries} == {"unchanged"}
    assert _state() == before


def test_dry_run_reports_without_writing() -> None:
    summary = reference_load(dry_run=True)
    assert summary.dry_run and summary.changed
    assert summary.totals()["quality_statements"].created == 34
    assert ReferenceLibrary.objects.count() == 0
    assert sum(reference_items_count().values()) == 0


def test_malformed_yaml_names_file_and_line_and_changes_nothing(tmp_path: Path) -> None:
    reference_load()
    before = _state()
    bad = _copy(tmp_path, "enforcement.yaml", ("    name: Warning notice\n",
                                               "    name: [Warning notice\n"),
                target="broken.yaml")
    with pytest.raises(ReferenceLibraryInvalid) as info:
        reference_load(extra_paths=[bad])
    err = info.value
    assert err.issues[0].filename == "broken.yaml"
    assert err.issues[0].line >= _line_of(bad, "[Warning notice")
    assert "broken.yaml:" in err.message and "YAML syntax error" in err.message
    assert _state() == before


def test_unknown_field_on_an_empty_database_loads_nothing(tmp_path: Path) -> None:
    bad = _copy(tmp_path, "regulations.yaml",
                ("    title: Dignity and respect\n",
                 "    title: Dignity and respect\n    penalty: 100\n"))
    with pytest.raises(ReferenceLibraryInvalid) as info:
        reference_load(paths=[*_shipped_except("regulations.yaml"), bad])
    issue = info.value.issues[0]
    assert (issue.filename, issue.line) == ("regulations.yaml", _line_of(bad, "penalty: 100"))
    assert issue.field == "regulations[7] (RA2014-10).penalty"
    assert f"regulations.yaml:{issue.line}" in info.value.errors
    # Other files were valid, but nothing at all is written.
    assert ReferenceLibrary.objects.count() == 0
    assert sum(reference_items_count().values()) == 0


def test_bad_cross_reference_names_file_line_field_and_changes_nothing(tmp_path: Path) -> None:
    reference_load()
    before = _state()
    extra = _copy(tmp_path, "saf-quality-statements.yaml",
                  ("urn: urn:sustain:cqc:saf:quality-statements", "urn: urn:sustain:acme:qs"),
                  ("framework_version: saf-2024", "framework_version: acme-1"),
                  ("        - RA2014-13\n", "        - RA2014-99\n"), target="acme.yaml")
    with pytest.raises(ReferenceLibraryInvalid) as info:
        reference_load(extra_paths=[extra])
    issue = info.value.issues[0]
    assert issue.filename == "acme.yaml"
    assert issue.line == _line_of(extra, "- RA2014-99")
    assert issue.field == "quality_statements[2] (S3).regulations.codes[0]"
    assert _state() == before


def test_an_extra_library_loads_beside_the_shipped_one(tmp_path: Path) -> None:
    reference_load()
    extra = _copy(tmp_path, "saf-quality-statements.yaml",
                  ("urn: urn:sustain:cqc:saf:quality-statements", "urn: urn:sustain:acme:qs"),
                  ("framework_version: saf-2024", "framework_version: acme-1"),
                  target="acme.yaml")
    summary = reference_load(extra_paths=[extra])
    assert [o.action for o in summary.libraries if o.urn == "urn:sustain:acme:qs"] == ["created"]
    assert QualityStatement.objects.filter(framework_version="acme-1").count() == 34
    assert QualityStatement.objects.filter(framework_version="saf-2024").count() == 34
    assert KeyQuestion.objects.count() == 5  # anchors are shared, not duplicated


def test_same_version_with_different_content_is_a_conflict(tmp_path: Path) -> None:
    reference_load()
    before = _state()
    edited = _copy(tmp_path, "key-questions.yaml",
                   ("definition: Services are organised", "definition: Services are arranged"))
    with pytest.raises(ReferenceVersionConflict) as info:
        reference_load(paths=[*_shipped_except("key-questions.yaml"), edited])
    assert info.value.status_code == 409
    assert info.value.issues[0].line == _line_of(edited, "version: 1")
    assert "raise the version" in info.value.message
    assert _state() == before


def test_a_higher_version_replaces_rows_in_place_and_archives_dropped_ones(
        tmp_path: Path) -> None:
    reference_load()
    reg12 = Regulation.objects.get(code="RA2014-12")
    dropped = Regulation.objects.get(code="RR2009-18")
    statements_on_12 = set(reg12.quality_statements.values_list("code", flat=True))
    text = (DATA_DIR / "regulations.yaml").read_text()
    # Version 2 edits one title and drops the last regulation.
    v2 = tmp_path / "regulations.yaml"
    v2.write_text(text[:text.index("  - code: RR2009-18\n")]
                  .replace("version: 1", "version: 2", 1)
                  .replace("title: Safe care and treatment",
                           "title: Safe care and treatment (edited)", 1))
    paths = [*_shipped_except("regulations.yaml"), v2]

    summary = reference_load(paths=paths)
    [outcome] = [o for o in summary.libraries if o.urn == "urn:sustain:cqc:regulations"]
    assert (outcome.action, outcome.stored_version) == ("upgraded", 1)
    counts = outcome.counts["regulations"]
    assert (counts.created, counts.updated, counts.unchanged, counts.archived) == (0, 1, 18, 1)
    lib_v2 = ReferenceLibrary.objects.get(urn="urn:sustain:cqc:regulations", version=2)
    assert ReferenceLibrary.objects.filter(urn="urn:sustain:cqc:regulations").count() == 2

    reg12_after = Regulation.objects.get(code="RA2014-12")
    assert reg12_after.uuid == reg12.uuid and reg12_after.pk == reg12.pk
    assert reg12_after.title == "Safe care and treatment (edited)"
    assert reg12_after.version == reg12.version + 1
    assert reg12_after.library_id == lib_v2.pk
    assert set(reg12_after.quality_statements.values_list("code", flat=True)) == \
        statements_on_12
    dropped_after = Regulation.objects.get(pk=dropped.pk)
    assert dropped_after.archived_at is not None
    assert dropped_after.library_id == dropped.library_id  # the version that defined it
    assert Regulation.objects.get(code="RA2014-13").library_id == lib_v2.pk

    # Loading version 2 again changes nothing; the old version 1 file is skipped.
    before = _state()
    assert not reference_load(paths=paths).changed
    summary = reference_load()
    [outcome] = [o for o in summary.libraries if o.urn == "urn:sustain:cqc:regulations"]
    assert outcome.action == "skipped" and not summary.changed
    assert _state() == before


def test_a_failure_while_writing_rolls_everything_back(monkeypatch: pytest.MonkeyPatch) -> None:
    real_apply = loaders.apply

    def failing_apply(plan: Any, library: Any, **kwargs: Any) -> Any:
        if plan.spec.label == "quality_statements" and library is not None:
            raise RuntimeError("disk full")
        return real_apply(plan, library, **kwargs)

    monkeypatch.setattr(loaders, "apply", failing_apply)
    with pytest.raises(RuntimeError):
        reference_load()
    assert ReferenceLibrary.objects.count() == 0
    assert sum(reference_items_count().values()) == 0


# --- the command --------------------------------------------------------------------------


def test_command_prints_a_summary_and_is_idempotent() -> None:
    out = StringIO()
    call_command("load_reference", stdout=out)
    text = out.getvalue()
    assert "urn:sustain:cqc:saf:quality-statements v1 (saf-quality-statements.yaml): created" \
        in text
    assert "quality_statements: created=34 updated=0 unchanged=0 archived=0" in text
    assert "Result: changed the database." in text
    out = StringIO()
    call_command("load_reference", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["changed"] is False
    assert {lib["action"] for lib in data["libraries"]} == {"unchanged"}


def test_command_dry_run_writes_nothing() -> None:
    out = StringIO()
    call_command("load_reference", "--dry-run", stdout=out)
    assert "dry run" in out.getvalue() and "would change the database" in out.getvalue()
    assert ReferenceLibrary.objects.count() == 0


def test_command_refuses_a_bad_file_naming_it_and_changes_nothing(tmp_path: Path) -> None:
    call_command("load_reference", verbosity=0)
    before = _state()
    bad = _copy(tmp_path, "ratings.yaml", ("urn: urn:sustain:cqc:ratings",
                                           "urn: urn:sustain:acme:ratings"),
                ("    rank: 4\n", "    rank: 7\n"), target="acme-ratings.yaml")
    err = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("load_reference", "--file", str(bad), stderr=err)
    line = _line_of(bad, "rank: 7")
    assert f"acme-ratings.yaml:{line}" in str(info.value)
    assert "rating_levels[0] (outstanding).rank" in str(info.value)
    assert f"acme-ratings.yaml:{line}: rating_levels[0] (outstanding).rank" in err.getvalue()
    assert _state() == before
