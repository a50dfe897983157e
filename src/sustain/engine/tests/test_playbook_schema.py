"""The playbook schema: the shipped playbooks are valid, every kind of bad input is reported
with its file, exact line and field, and the schedule and descriptions read as intended."""

from __future__ import annotations

from pathlib import Path

import pytest

from sustain.engine.audit_scoring import AnswerType, score_audit
from sustain.engine.embedding import CHANNELS
from sustain.engine.playbook_schedule import (
    describe_response,
    describe_trigger,
    playbook_schedule,
)
from sustain.engine.playbook_schema import (
    KnownReferences,
    LibraryError,
    Playbook,
    parse_playbook,
    playbook_checksum,
    playbook_from_content,
    references_from_libraries,
)
from sustain.engine.reference_schema import parse_library

PACKAGE = Path(__file__).resolve().parents[2]
PLAYBOOKS = PACKAGE / "playbooks" / "data"
REFERENCE = PACKAGE / "reference" / "data"

KNOWN = KnownReferences(
    quality_statements=frozenset({"S8", "W5", "S3"}),
    regulations=frozenset({"RA2014-12", "RA2014-17", "RA2014-13"}),
    key_questions=frozenset({"safe", "well-led"}),
    evidence_categories=frozenset({"processes", "observation"}),
)

BASE = """\
code: test-playbook
version: 1
title: Test playbook
summary: A small playbook for the tests.
source:
  document: Seed
  section: Example
  quotes:
    - A quoted sentence.
theme:
  title: Medicines
  description: Missed medicines.
  key_questions: [safe]
  quality_statements: [S8, W5]
  regulations: [RA2014-12]
evidence:
  - {what: MAR audits, category: processes}
audit_templates:
  - code: mar-audit
    title: MAR audit
    purpose: Recording accuracy.
    pass_mark: 90
    sample_size: 3
    sample_label: MAR chart
    cadence: {frequency: weekly, owner_role: registered_manager}
    sections:
      - title: Each chart
        questions:
          - code: SIGNED
            text: Signed for every administration.
            answer_type: yes_no
            per_sample: true
            weight: 2
          - code: CD
            text: Controlled drugs register matches stock.
            answer_type: yes_no
            critical: true
          - code: MISSED
            text: Missed doses this week.
            answer_type: number
            at_most: 0
verification:
  reaudit_template: mar-audit
  pass_mark: 90
  consecutive_passes: 2
embedding_channels: [audit_cycles, supervision]
trackers:
  - type: medicines_checks
    title: Medicines tracker
    recorded_by: senior_carer
    when: End of each shift
    steps: [raised, reviewed]
governance_cadences:
  - code: shift-check
    title: End-of-shift MAR check
    owner_role: senior_carer
    frequency: per_shift
    completes_with: {kind: tracker_entry, tracker: medicines_checks}
  - code: ni-review
    title: Quarterly review
    owner_role: nominated_individual
    frequency: quarterly
    completes_with: {kind: meeting, meeting_type: provider_review}
escalation_rules:
  - id: repeated-discrepancy
    title: Repeated discrepancy
    source: Any repeated discrepancy triggered immediate supervision.
    trigger:
      kind: repeated
      record: medicines_discrepancy
      group_by: staff_member
      count: 2
      within_days: 28
    responses:
      - task: supervision
        title: Immediate supervision
        subject: staff_member
        owner_role: registered_manager
        due_within_hours: 24
        fulfilled_by:
          record: supervision
indicators:
  - code: mar-accuracy
    name: MAR accuracy
    unit: "%"
    direction: higher_is_better
    audit_template: mar-audit
"""


def _line(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing `needle`."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found")


def _error(text: str, known: KnownReferences | None = KNOWN) -> LibraryError:
    with pytest.raises(LibraryError) as info:
        parse_playbook(text, "pb.yaml", known)
    return info.value


def _variant(old: str, new: str, count: int = 1) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, count)


def test_base_is_valid() -> None:
    pb = parse_playbook(BASE, "pb.yaml", KNOWN)
    assert pb.code == "test-playbook"
    assert pb.sustain_cycles == 2  # the default
    assert [q.code for q in pb.audit_templates[0].questions()] == ["SIGNED", "CD", "MISSED"]


# --- the shipped playbooks ----------------------------------------------------------------


def _shipped_known() -> KnownReferences:
    return references_from_libraries(
        parse_library(p.read_text(encoding="utf-8"), p.name) for p in REFERENCE.glob("*.yaml"))


def test_shipped_playbooks_all_parse_against_the_reference_library() -> None:
    known = _shipped_known()
    parsed = {p.name: parse_playbook(p.read_text(encoding="utf-8"), p.name, known)
              for p in sorted(PLAYBOOKS.glob("*.yaml"))}
    codes = {pb.code for pb in parsed.values()}
    assert {"medicines-governance", "care-planning", "safeguarding"} <= codes
    assert len(codes) >= 6
    # Audit template codes are shared across shipped playbooks, so they must not collide.
    templates = [t.code for pb in parsed.values() for t in pb.audit_templates]
    assert len(templates) == len(set(templates))
    for pb in parsed.values():
        assert pb.sustain_cycles >= 2
        assert set(pb.embedding_channels) <= set(CHANNELS)
        assert playbook_schedule(pb), pb.code


@pytest.mark.parametrize(("name", "regulation", "quote"), [
    ("medicines-governance.yaml", "RA2014-12",
     "Any repeated discrepancy triggered immediate supervision"),
    ("care-planning.yaml", "RA2014-9",
     "Any repeated mismatch between records and daily practice"),
    ("safeguarding.yaml", "RA2014-13", "Any delayed escalation triggered immediate management"),
])
def test_seed_playbooks_carry_their_regulation_and_escalation(name: str, regulation: str,
                                                               quote: str) -> None:
    pb = parse_playbook((PLAYBOOKS / name).read_text(encoding="utf-8"), name, _shipped_known())
    assert regulation in pb.theme.regulations
    assert "RA2014-17" in pb.theme.regulations
    assert any(quote in rule.source for rule in pb.escalation_rules)
    assert any(quote in q for q in pb.source.quotes)


def test_medicines_playbook_schedule_follows_the_seed() -> None:
    name = "medicines-governance.yaml"
    pb = parse_playbook((PLAYBOOKS / name).read_text(encoding="utf-8"), name, _shipped_known())
    rows = {(r.frequency, r.role) for r in playbook_schedule(pb)}
    assert ("per_shift", "senior_carer") in rows         # end-of-shift MAR checks
    assert ("weekly", "registered_manager") in rows      # weekly medicines audits
    assert ("monthly", "registered_manager") in rows     # monthly competency observations
    assert ("quarterly", "nominated_individual") in rows  # quarterly provider-level review
    [rule] = pb.escalation_rules
    assert [r.task for r in rule.responses] == ["supervision", "competency_reassessment",
                                                "spot_checks"]


# --- errors: each names file, exact line and field -------------------------------------------


CASES = [
    # (id, text, expected line (needle, occurrence), field, message fragment)
    ("yaml-syntax", _variant("title: Test playbook", "title: [unclosed"),
     ("summary:", 1), "", "YAML syntax error"),
    ("unknown-top-field", _variant("version: 1\n", "version: 1\ncolour: red\n"),
     ("colour: red", 1), "colour", "unknown field"),
    ("unknown-question-field", _variant("            weight: 2\n",
                                        "            weight: 2\n            colour: red\n"),
     ("colour: red", 1), "audit_templates[0] (mar-audit).sections[0].questions[0] (SIGNED)."
                         "colour", "unknown field"),
    ("missing-field", _variant("    pass_mark: 90\n    sample_size", "    sample_size"),
     ("  - code: mar-audit", 1), "audit_templates[0] (mar-audit).pass_mark", "required field"),
    ("wrong-type", _variant("    pass_mark: 90\n    sample_size",
                            "    pass_mark: ninety\n    sample_size"),
     ("pass_mark: ninety", 1), "audit_templates[0] (mar-audit).pass_mark", "valid number"),
    ("bad-answer-type", _variant("answer_type: number", "answer_type: essay"),
     ("answer_type: essay", 1),
     "audit_templates[0] (mar-audit).sections[0].questions[2] (MISSED).answer_type", "yes_no"),
    ("duplicate-key", _variant("version: 1\n", "version: 1\nversion: 2\n"),
     ("version: 2", 1), "version", "duplicate key"),
    ("duplicate-question-code", _variant("          - code: CD\n", "          - code: SIGNED\n"),
     ("- code: SIGNED", 2),
     "audit_templates[0] (mar-audit).sections[0].questions[1] (SIGNED).code",
     "duplicate question code"),
    ("duplicate-cadence-code", _variant("  - code: ni-review", "  - code: shift-check"),
     ("- code: shift-check", 2), "governance_cadences[1] (shift-check).code",
     "duplicate cadence"),
    ("duplicate-statement", _variant("[S8, W5]", "[S8, S8]"),
     ("quality_statements: [S8, S8]", 1), "theme.quality_statements[1]",
     "duplicate quality statement"),
    ("unknown-quality-statement", _variant("[S8, W5]", "[S8, S99]"),
     ("quality_statements:", 1), "theme.quality_statements[1]",
     "unknown quality statement 'S99'"),
    ("unknown-regulation", _variant("regulations: [RA2014-12]", "regulations: [RA2014-99]"),
     ("regulations: [RA2014-99]", 1), "theme.regulations[0]", "unknown regulation"),
    ("unknown-key-question", _variant("key_questions: [safe]", "key_questions: [kind]"),
     ("key_questions: [kind]", 1), "theme.key_questions[0]", "unknown key question"),
    ("unknown-evidence-category", _variant("category: processes", "category: gossip"),
     ("category: gossip", 1), "evidence[0].category", "unknown evidence category"),
    ("unknown-channel", _variant("[audit_cycles, supervision]", "[audit_cycles, gossip]"),
     ("embedding_channels:", 1), "embedding_channels[1]", "unknown embedding channel"),
    ("unknown-role-cadence", _variant("    owner_role: nominated_individual",
                                      "    owner_role: chief_executive"),
     ("owner_role: chief_executive", 1), "governance_cadences[1] (ni-review).owner_role",
     "unknown role 'chief_executive'"),
    ("unknown-role-template", _variant("owner_role: registered_manager}",
                                       "owner_role: matron}"),
     ("owner_role: matron}", 1), "audit_templates[0] (mar-audit).cadence.owner_role",
     "unknown role"),
    ("unknown-role-response", _variant("        owner_role: registered_manager\n",
                                       "        owner_role: boss\n"),
     ("owner_role: boss", 1), "escalation_rules[0].responses[0].owner_role", "unknown role"),
    ("unknown-reaudit-template", _variant("reaudit_template: mar-audit",
                                          "reaudit_template: nope"),
     ("reaudit_template: nope", 1), "verification.reaudit_template",
     "unknown audit template 'nope'"),
    ("unknown-indicator-template", _variant("    audit_template: mar-audit",
                                            "    audit_template: nope"),
     ("audit_template: nope", 1), "indicators[0] (mar-accuracy).audit_template",
     "unknown audit template"),
    ("unknown-record-type", _variant("      record: medicines_discrepancy",
                                     "      record: falls"),
     ("record: falls", 1), "escalation_rules[0].trigger.record", "unknown record type"),
    ("zero-window", _variant("      within_days: 28", "      within_days: 0"),
     ("within_days: 0", 1), "escalation_rules[0].trigger.within_days", "window of zero"),
    ("unknown-tracker-type", _variant("  - type: medicines_checks", "  - type: gossip"),
     ("- type: gossip", 1), "trackers[0].type", "unknown tracker type"),
    ("wrong-trigger-kind", _variant("      kind: repeated", "      kind: sometimes"),
     ("kind: sometimes", 1), "escalation_rules[0].trigger.kind", "does not match"),
    ("trigger-field-of-other-kind", _variant("      within_days: 28\n",
                                             "      within_days: 28\n      cadence: x\n"),
     ("cadence: x", 1), "escalation_rules[0].trigger.cadence", "unknown field"),
    ("both-deadlines", _variant("        due_within_hours: 24\n",
                                "        due_within_hours: 24\n        due_within_days: 1\n"),
     ("  - task: supervision", 1), "escalation_rules[0].responses[0]", "exactly one"),
    ("critical-text-question", _variant("answer_type: number\n            at_most: 0",
                                        "answer_type: text\n            critical: true"),
     ("- code: MISSED", 1), "audit_templates[0] (mar-audit).sections[0].questions[2] (MISSED)",
     "critical question must be scored"),
    ("target-on-yes-no", _variant("            critical: true\n",
                                  "            critical: true\n            at_least: 1\n"),
     ("- code: CD", 1), "audit_templates[0] (mar-audit).sections[0].questions[1] (CD)",
     "number questions only"),
    ("per-sample-without-sample", _variant("    sample_size: 3\n", "    sample_size: 0\n"),
     ("  - code: mar-audit", 1), "audit_templates[0] (mar-audit)", "sample_size"),
    ("sustain-cycles-below-two", _variant("embedding_channels:", "sustain_cycles: 1\n"
                                                                 "embedding_channels:"),
     ("sustain_cycles: 1", 1), "sustain_cycles", "greater than or equal to 2"),
    ("each-meeting-not-meeting", _variant("    frequency: per_shift",
                                          "    frequency: each_meeting"),
     ("  - code: shift-check", 1), "governance_cadences[0] (shift-check)", "each_meeting"),
    ("bad-completion-kind", _variant("{kind: tracker_entry, tracker: medicines_checks}",
                                     "{kind: prayer}"),
     ("{kind: prayer}", 1), "governance_cadences[0] (shift-check).completes_with.kind",
     "does not match"),
    ("completion-template-unknown", _variant("{kind: tracker_entry, tracker: medicines_checks}",
                                             "{kind: audit, template: nope}"),
     ("{kind: audit, template: nope}", 1),
     "governance_cadences[0] (shift-check).completes_with.template", "unknown audit template"),
]


@pytest.mark.parametrize(("text", "where", "field", "fragment"),
                         [pytest.param(t, w, f, m, id=i) for i, t, w, f, m in CASES])
def test_errors_name_file_line_and_field(text: str, where: tuple[str, int], field: str,
                                         fragment: str) -> None:
    error = _error(text)
    issue = error.issues[0]
    assert issue.filename == "pb.yaml"
    assert issue.line == _line(text, *where), str(error)
    assert issue.field == field, str(error)
    assert fragment in issue.message, str(error)
    assert str(issue).startswith(f"pb.yaml:{issue.line}: ")


def test_references_inside_the_file() -> None:
    # An audit trigger naming a template the playbook does not have.
    text = BASE.replace("""      kind: repeated
      record: medicines_discrepancy
      group_by: staff_member
      count: 2
      within_days: 28""", """      kind: audit_below
      template: nope-audit""")
    issue = _error(text).issues[0]
    assert (issue.line, issue.field) == (_line(text, "template: nope-audit"),
                                         "escalation_rules[0].trigger.template")
    assert "unknown audit template 'nope-audit'" in issue.message

    # A timeliness trigger naming a field that is not a date and time.
    text = BASE.replace("""      kind: repeated
      record: medicines_discrepancy
      group_by: staff_member
      count: 2
      within_days: 28""", """      kind: timeliness
      record: safeguarding_concern
      from_field: raised_at
      to_field: category
      deadline: end_of_shift""")
    issue = _error(text).issues[0]
    assert (issue.line, issue.field) == (_line(text, "to_field: category"),
                                         "escalation_rules[0].trigger.to_field")
    assert "not a date and time" in issue.message

    # A missed-occurrence trigger naming a cadence that does not exist.
    text = BASE.replace("""      kind: repeated
      record: medicines_discrepancy
      group_by: staff_member
      count: 2
      within_days: 28""", """      kind: missed_occurrence
      cadence: weekly-audit""")
    issue = _error(text).issues[0]
    assert issue.field == "escalation_rules[0].trigger.cadence"
    assert "unknown governance cadence 'weekly-audit'" in issue.message


def test_every_issue_is_reported_in_line_order() -> None:
    text = _variant("[S8, W5]", "[S8, S99]").replace("reaudit_template: mar-audit",
                                                      "reaudit_template: nope")
    issues = _error(text).issues
    assert [i.field for i in issues] == ["theme.quality_statements[1]",
                                         "verification.reaudit_template"]
    assert issues[0].line < issues[1].line


def test_not_a_mapping_and_empty_file() -> None:
    assert "must be a mapping" in _error("- just\n- a list\n").issues[0].message
    assert _error("").issues[0].line == 1


def test_without_known_references_the_library_codes_are_not_checked() -> None:
    text = _variant("[S8, W5]", "[S8, S99]")
    assert parse_playbook(text, "pb.yaml", None).theme.quality_statements == ["S8", "S99"]
    # …but everything else still is.
    assert _error(_variant("owner_role: registered_manager}", "owner_role: matron}"),
                  None).issues[0].field.endswith("cadence.owner_role")


# --- content, schedule, descriptions ------------------------------------------------------


def test_content_round_trip_and_checksum() -> None:
    pb = parse_playbook(BASE, "pb.yaml", KNOWN)
    again = playbook_from_content(pb.model_dump(mode="json"))
    assert isinstance(again, Playbook)
    assert again == pb
    assert playbook_checksum(BASE) == playbook_checksum(BASE)
    assert playbook_checksum(BASE) != playbook_checksum(BASE + "\n")


def test_questions_score_like_the_engine_expects() -> None:
    template = parse_playbook(BASE, "pb.yaml", KNOWN).audit_templates[0]
    questions = template.scoring_questions()
    assert [q.answer_type for q in questions] == [AnswerType.YES_NO, AnswerType.YES_NO,
                                                  AnswerType.NUMBER]
    samples = ["A", "B", "C"]
    result = score_audit(questions, {"CD": "yes", "MISSED": 0},
                         {"SIGNED": {"A": "yes", "B": "yes", "C": "no"}}, samples,
                         template.pass_mark)
    # SIGNED scores 2/3 with weight 2; CD 1; MISSED 1: (4/3 + 1 + 1) / 4.
    assert result.score == pytest.approx(round(100 * (4 / 3 + 2) / 4, 2))
    assert not result.passed
    critical = score_audit(questions, {"CD": "no", "MISSED": 0},
                           {"SIGNED": dict.fromkeys(samples, "yes")}, samples, 90)
    assert critical.critical_failures == ("CD",)


def test_schedule_rows() -> None:
    pb = parse_playbook(BASE, "pb.yaml", KNOWN)
    rows = playbook_schedule(pb)
    assert [(r.how_often, r.who, r.what) for r in rows] == [
        ("At the end of every shift", "Senior carer", "End-of-shift MAR check"),
        ("Weekly", "Registered manager", "MAR audit (3 MAR charts)"),
        ("Quarterly", "Nominated individual", "Quarterly review"),
    ]  # the tracker is scheduled by the shift check, so it has no row of its own


def test_event_driven_trackers_appear_with_their_when() -> None:
    text = _variant("""  - code: shift-check
    title: End-of-shift MAR check
    owner_role: senior_carer
    frequency: per_shift
    completes_with: {kind: tracker_entry, tracker: medicines_checks}
""", "")
    rows = playbook_schedule(parse_playbook(text, "pb.yaml", KNOWN))
    assert rows[-1].what == "Record on the medicines tracker"
    assert (rows[-1].how_often, rows[-1].frequency) == ("End of each shift", "")


def test_escalation_descriptions() -> None:
    pb = parse_playbook(BASE, "pb.yaml", KNOWN)
    rule = pb.escalation_rules[0]
    assert describe_trigger(pb, rule.trigger) == (
        "the same staff member has 2 or more medicines discrepancies within 28 days")
    assert describe_response(rule.responses[0]) == (
        "immediate supervision by the registered manager within 24 hours, fulfilled by a "
        "supervision of that staff member after the trigger")
