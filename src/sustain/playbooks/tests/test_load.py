"""Loading the shipped playbooks: validated first, idempotent by checksum, one transaction,
versioned (old template versions stay), and bad files change nothing."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sustain.audits.models import AuditTemplate
from sustain.core.models import HistoryEntry
from sustain.playbooks.models import Playbook
from sustain.playbooks.services import (
    DATA_DIR,
    PlaybookInvalid,
    PlaybookVersionConflict,
    default_playbook_paths,
    playbooks_load,
)
from sustain.reference.models import Regulation

pytestmark = pytest.mark.django_db


def _state() -> dict[str, Any]:
    return {
        "playbooks": sorted(Playbook.objects.values_list("code", "version", "checksum",
                                                         "organisation_id")),
        "templates": sorted(AuditTemplate.objects.values_list("code", "template_version",
                                                              "playbook__code")),
        "regulations": Regulation.objects.count(),
        "history": HistoryEntry.objects.count(),
    }


def _copy(tmp_path: Path, name: str, *replacements: tuple[str, str]) -> Path:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _line(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_loads_every_shipped_playbook_with_its_templates() -> None:
    summary = playbooks_load()
    assert summary.reference_loaded  # the database had no reference library
    assert Regulation.objects.filter(code="RA2014-12").exists()
    codes = set(Playbook.objects.values_list("code", flat=True))
    assert {"medicines-governance", "care-planning", "safeguarding", "falls-and-risk",
            "safe-staffing", "good-governance"} <= codes
    assert len(codes) == len(default_playbook_paths())
    mar = AuditTemplate.objects.get(code="mar-audit")
    assert mar.organisation_id is None
    assert mar.playbook.code == "medicines-governance"
    assert mar.template_version == mar.playbook.version
    assert float(mar.pass_mark) == 90
    assert (mar.sample_size, mar.sample_label) == (10, "MAR chart")
    questions = [q for s in mar.sections for q in s["questions"]]
    cd = next(q for q in questions if q["code"] == "CD-REGISTER")
    assert cd["critical"] is True and cd["per_sample"] is False
    pb = Playbook.objects.get(code="medicines-governance")
    assert pb.source == Playbook.Source.SHIPPED and pb.organisation_id is None
    assert pb.content["verification"]["reaudit_template"] == "mar-audit"
    assert pb.raw == (DATA_DIR / "medicines-governance.yaml").read_text(encoding="utf-8")
    # Shipped rows are not tenant data: no organisation's history chain is touched.
    assert HistoryEntry.objects.count() == 0


def test_loading_again_changes_nothing() -> None:
    playbooks_load()
    before = _state()
    with CaptureQueriesContext(connection) as queries:
        summary = playbooks_load()
    assert not summary.changed
    assert {o.action for o in summary.playbooks} == {"unchanged"}
    assert _state() == before
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


def test_dry_run_writes_nothing() -> None:
    before = _state()
    summary = playbooks_load(dry_run=True)
    assert summary.changed and summary.dry_run
    assert {o.action for o in summary.playbooks} == {"created"}
    assert _state() == before


def test_one_bad_file_changes_nothing_and_names_file_line_field(tmp_path: Path) -> None:
    good = _copy(tmp_path, "care-planning.yaml")
    bad = _copy(tmp_path, "medicines-governance.yaml",
                ("  regulations: [RA2014-12, RA2014-17]",
                 "  regulations: [RA2014-12, RA2014-99]"))
    before = _state()
    with pytest.raises(PlaybookInvalid) as info:
        playbooks_load(paths=[good, bad])
    issue = info.value.issues[0]
    assert (issue.filename, issue.line, issue.field) == (
        "medicines-governance.yaml", _line(bad, "RA2014-99"), "theme.regulations[1]")
    assert "unknown regulation 'RA2014-99'" in issue.message
    assert f"medicines-governance.yaml:{issue.line}" in info.value.errors
    assert _state() == before  # not even the reference library was loaded


def test_unknown_field_is_named(tmp_path: Path) -> None:
    bad = _copy(tmp_path, "safeguarding.yaml",
                ("    pass_mark: 90\n    sample_size: 5",
                 "    pass_mark: 90\n    passmark: 95\n    sample_size: 5"))
    with pytest.raises(PlaybookInvalid) as info:
        playbooks_load(paths=[bad])
    issue = info.value.issues[0]
    assert issue.line == _line(bad, "passmark: 95")
    assert issue.field == "audit_templates[0] (safeguarding-log-audit).passmark"
    assert "unknown field" in issue.message
    assert Playbook.objects.count() == 0


def test_invalid_yaml_changes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("code: broken\nversion: [1\n", encoding="utf-8")
    before = _state()
    with pytest.raises(PlaybookInvalid, match="broken.yaml:"):
        playbooks_load(paths=[bad])
    assert _state() == before


def test_same_version_with_other_content_is_refused(tmp_path: Path) -> None:
    playbooks_load()
    before = _state()
    changed = _copy(tmp_path, "safeguarding.yaml", ("    pass_mark: 90\n    sample_size: 5",
                                                    "    pass_mark: 95\n    sample_size: 5"))
    with pytest.raises(PlaybookVersionConflict) as info:
        playbooks_load(paths=[changed])
    assert info.value.issues[0].field == "version"
    assert "raise the version" in info.value.message
    assert _state() == before


def test_new_version_makes_new_template_versions_and_keeps_old(tmp_path: Path) -> None:
    playbooks_load()
    # The shipped file is version 2 (escalation rules in the ADR 0014 format); its copy is 3.
    old = AuditTemplate.objects.get(code="safeguarding-log-audit", template_version=2)
    v2 = _copy(tmp_path, "safeguarding.yaml", ("version: 2", "version: 3"),
               ("    pass_mark: 90\n    sample_size: 5", "    pass_mark: 95\n    sample_size: 5"))
    summary = playbooks_load(paths=[v2])
    assert [(o.code, o.version, o.action) for o in summary.playbooks] == [
        ("safeguarding", 3, "created")]
    assert sorted(AuditTemplate.objects.filter(code="safeguarding-log-audit")
                  .values_list("template_version", "pass_mark")) == [(2, 90), (3, 95)]
    old.refresh_from_db()
    assert old.playbook.version == 2 and old.archived_at is None
    # Going back to version 2 afterwards is skipped, not an error.
    again = playbooks_load(paths=[DATA_DIR / "safeguarding.yaml"])
    assert [o.action for o in again.playbooks] == ["unchanged"]


def test_older_version_after_newer_is_skipped(tmp_path: Path) -> None:
    v3 = _copy(tmp_path, "care-planning.yaml", ("version: 2", "version: 3"))
    playbooks_load(paths=[v3])
    summary = playbooks_load(paths=[DATA_DIR / "care-planning.yaml"])
    assert [o.action for o in summary.playbooks] == ["skipped"]
    assert list(Playbook.objects.values_list("version", flat=True)) == [3]


def test_a_template_code_belongs_to_one_playbook(tmp_path: Path) -> None:
    clash = _copy(tmp_path, "falls-and-risk.yaml",
                  ("  - code: risk-assessment-audit", "  - code: mar-audit"),
                  ("reaudit_template: risk-assessment-audit", "reaudit_template: mar-audit"),
                  ("    audit_template: risk-assessment-audit", "    audit_template: mar-audit"))
    with pytest.raises(PlaybookInvalid) as info:
        playbooks_load(paths=[DATA_DIR / "medicines-governance.yaml", clash])
    issue = info.value.issues[0]
    assert (issue.filename, issue.line) == ("falls-and-risk.yaml",
                                            _line(clash, "  - code: mar-audit"))
    assert "belongs to playbook 'medicines-governance'" in issue.message
    assert Playbook.objects.count() == 0


def test_command_reports_and_is_idempotent() -> None:
    out = StringIO()
    call_command("load_playbooks", stdout=out)
    assert "medicines-governance v2 (medicines-governance.yaml): created" in out.getvalue()
    out = StringIO()
    call_command("load_playbooks", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["changed"] is False
    assert {p["action"] for p in data["playbooks"]} == {"unchanged"}


def test_command_refuses_a_bad_file_naming_it(tmp_path: Path) -> None:
    bad = _copy(tmp_path, "care-planning.yaml", ("  - audit_cycles\n", "  - gossip\n"))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_playbooks", "--file", str(bad), stderr=err)
    assert f"care-planning.yaml:{_line(bad, '- gossip')}: embedding_channels[0]: unknown " \
           "embedding channel 'gossip'" in err.getvalue()
    assert Playbook.objects.count() == 0


def test_a_failure_while_writing_rolls_everything_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation passed, then the database refuses a row part-way: one transaction, so
    nothing stays — not the playbooks already written, not the reference library."""
    before = _state()
    real_save = AuditTemplate.save
    calls = {"n": 0}

    def failing_save(self: AuditTemplate, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        real_save(self, *args, **kwargs)

    monkeypatch.setattr(AuditTemplate, "save", failing_save)
    with pytest.raises(RuntimeError, match="disk full"):
        playbooks_load()
    assert calls["n"] == 3
    assert _state() == before
