"""Escalation rule schema (ADR 0014 §1): parsing, checks that name file/line/field, English."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from sustain.engine.access import Role
from sustain.engine.escalation_records import (
    FULFILMENT_TYPES,
    RECORD_TYPES,
    TASK_TYPES,
    TRIGGER_TYPES,
    subject_fields,
)
from sustain.engine.escalation_rules import (
    DEFAULT_LADDER,
    LibraryError,
    Rule,
    TriggerAuditBelow,
    TriggerRepeated,
    describe_response,
    describe_rule,
    describe_trigger,
    lookback,
    parse_rule,
    records_needed,
    rule_checksum,
    rule_from_content,
    validate_rule_data,
)
from sustain.engine.playbook_schema import parse_playbook, playbook_from_content
from sustain.engine.yaml_source import compose

PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks" / "data"

MAR = """\
id: repeated-mar-discrepancy
title: Repeated MAR discrepancy by the same staff member
source: >-
  Any repeated discrepancy triggered immediate supervision, competency reassessment and
  additional spot checks.
trigger:
  kind: repeated
  record: medicines_discrepancy
  where: {}
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
  - task: spot_checks
    title: Additional spot checks
    subject: staff_member
    owner_role: senior_carer
    due_within_days: 7
    count: 3
    fulfilled_by:
      record: audit
      where: {template: mar-audit}
"""


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def _error(text: str) -> LibraryError:
    with pytest.raises(LibraryError) as info:
        parse_rule(text, "rule.yaml")
    return info.value


def test_the_example_parses_with_defaults() -> None:
    rule = parse_rule(MAR, "rule.yaml")
    assert isinstance(rule.trigger, TriggerRepeated)
    assert (rule.trigger.record, rule.trigger.group_by, rule.trigger.count,
            rule.trigger.within_days) == ("medicines_discrepancy", "staff_member", 2, 28)
    assert rule.ladder == list(DEFAULT_LADDER) == ["quality_lead", "nominated_individual",
                                                  "board"]
    assert rule.escalate_after_days == 3
    assert rule.responses[0].due_within == timedelta(hours=24)
    assert rule.responses[1].due_within == timedelta(days=7)
    assert rule.responses[1].count == 3
    assert rule.responses[1].fulfilled_by.where == {"template": "mar-audit"}
    assert records_needed(rule) == {"medicines_discrepancy"}
    assert lookback(rule) == timedelta(days=56)


CASES = [
    # (id, old, new, line needle, field, message fragment)
    ("unknown-record-type", "record: medicines_discrepancy", "record: fridge_temperature",
     "record: fridge_temperature", "trigger.record", "unknown record type 'fridge_temperature'"),
    ("fulfilment-type-as-trigger", "record: medicines_discrepancy", "record: supervision",
     "record: supervision", "trigger.record", "unknown record type 'supervision'"),
    ("unknown-group-field", "group_by: staff_member", "group_by: nurse",
     "group_by: nurse", "trigger.group_by", "unknown field 'nurse' of a medicines discrepancy"),
    ("group-by-a-time", "group_by: staff_member", "group_by: occurred_at",
     "group_by: occurred_at", "trigger.group_by", "cannot group by 'occurred_at'"),
    ("unknown-where-field", "where: {}", "where: {colour: red}",
     "where: {colour: red}", "trigger.where.colour", "unknown field 'colour'"),
    ("where-of-wrong-kind", "where: {}", "where: {type: true}",
     "where: {type: true}", "trigger.where.type", "given as text"),
    ("zero-window", "within_days: 28", "within_days: 0",
     "within_days: 0", "trigger.within_days", "a window of zero days can never hold two"),
    ("negative-window", "within_days: 28", "within_days: -3",
     "within_days: -3", "trigger.within_days", "1 or more"),
    ("count-one", "count: 2", "count: 1", "count: 1", "trigger.count", "greater than or equal"),
    ("bad-role", "owner_role: senior_carer", "owner_role: matron",
     "owner_role: matron", "responses[1].owner_role", "unknown role 'matron'"),
    ("unknown-task", "task: spot_checks", "task: prayer",
     "task: prayer", "responses[1].task", "unknown task type 'prayer'"),
    ("both-due-fields", "    due_within_days: 7\n",
     "    due_within_days: 7\n    due_within_hours: 5\n",
     "- task: spot_checks", "responses[1]", "exactly one of due_within_hours or due_within_days"),
    ("no-due-field", "    due_within_hours: 24\n", "",
     "- task: supervision", "responses[0]", "exactly one"),
    ("unknown-fulfilment", "record: supervision", "record: chat",
     "record: chat", "responses[0].fulfilled_by.record", "unknown record type 'chat'"),
    ("unknown-fulfilment-field", "where: {template: mar-audit}", "where: {colour: red}",
     "where: {colour: red}", "responses[1].fulfilled_by.where.colour", "unknown field"),
    ("unknown-top-field", "title: Repeated", "colour: red\ntitle: Repeated",
     "colour: red", "colour", "unknown field"),
    ("wrong-kind", "kind: repeated", "kind: sometimes",
     "kind: sometimes", "trigger.kind", "does not match"),
    ("bad-ladder", "responses:\n", "ladder: [quality_lead, chief]\nresponses:\n",
     "ladder:", "ladder[1]", "unknown role 'chief'"),
    ("board-not-last", "responses:\n", "ladder: [board, quality_lead]\nresponses:\n",
     "ladder:", "ladder[0]", "board"),
    ("duplicate-key", "  count: 2\n", "  count: 2\n  count: 3\n", "count: 3", "count",
     "duplicate key"),
]


@pytest.mark.parametrize(("old", "new", "needle", "field", "fragment"),
                         [pytest.param(o, n, w, f, m, id=i) for i, o, n, w, f, m in CASES])
def test_errors_name_file_line_and_field(old: str, new: str, needle: str, field: str,
                                         fragment: str) -> None:
    assert old in MAR
    text = MAR.replace(old, new, 1)
    error = _error(text)
    issue = error.issues[0]
    assert issue.filename == "rule.yaml"
    assert issue.line == _line(text, needle), str(error)
    assert issue.field.endswith(field), str(error)
    assert fragment in issue.message, str(error)
    assert str(issue).startswith(f"rule.yaml:{issue.line}: ")


def test_subject_the_trigger_cannot_name_is_refused() -> None:
    # Grouped by location, on a record that has no staff field: no staff member to name.
    text = MAR.replace("record: medicines_discrepancy", "record: audit").replace(
        "group_by: staff_member", "group_by: location")
    error = _error(text)
    fields = [(i.field, i.line) for i in error.issues]
    assert ("responses[0].subject", _line(text, "    subject: staff_member")) in fields
    assert "cannot say which staff member" in error.issues[0].message
    # A person subject on a record with a person field is fine even grouped by location.
    ok = MAR.replace("group_by: staff_member", "group_by: location").replace(
        "subject: staff_member", "subject: person")
    assert parse_rule(ok, "rule.yaml").responses[0].subject == "person"


def test_key_worker_grouping_names_the_staff_member() -> None:
    text = MAR.replace("record: medicines_discrepancy", "record: care_plan_review").replace(
        "where: {}", "where: {mismatch_found: true}").replace("group_by: staff_member",
                                                              "group_by: key_worker")
    rule = parse_rule(text, "rule.yaml")
    assert rule.responses[0].subject == "staff_member"
    assert describe_trigger(rule.trigger).startswith(
        "the same key worker has 2 or more care plan reviews (mismatch found) within 28 days")


TIMELY = """\
id: delayed
title: Delayed escalation
source: Any delayed escalation triggered immediate management review.
trigger:
  kind: timeliness
  record: safeguarding_concern
  from_field: raised_at
  to_field: shift_lead_notified_at
  deadline: end_of_shift
responses:
  - task: debrief
    title: Debrief
    subject: staff_member
    owner_role: registered_manager
    due_within_days: 3
    fulfilled_by: {record: supervision}
"""


@pytest.mark.parametrize(("old", "new", "field", "fragment"), [
    ("to_field: shift_lead_notified_at", "to_field: category", "trigger.to_field",
     "category is a choice, not a date and time"),
    ("from_field: raised_at", "from_field: raised_on", "trigger.from_field",
     "unknown field 'raised_on'"),
    ("deadline: end_of_shift", "deadline: end_of_shift\n  within_hours: 4", "trigger",
     "exactly one of within_hours or deadline"),
    ("record: safeguarding_concern", "record: incident", "trigger.to_field",
     "unknown field 'shift_lead_notified_at'"),
])
def test_timeliness_errors(old: str, new: str, field: str, fragment: str) -> None:
    error = _error(TIMELY.replace(old, new))
    assert any(i.field == field and fragment in i.message for i in error.issues), str(error)


def test_end_of_shift_needs_a_shift_end() -> None:
    text = TIMELY.replace("record: safeguarding_concern", "record: incident").replace(
        "from_field: raised_at", "from_field: occurred_at").replace(
        "to_field: shift_lead_notified_at", "to_field: occurred_at")
    error = _error(text)
    messages = {i.field: i.message for i in error.issues}
    assert "has no shift end" in messages["trigger.deadline"]
    assert "same field" in messages["trigger.to_field"]


def test_audit_below_template_is_optional() -> None:
    text = """\
id: twice-below
title: Below twice
source: incomplete audits or repeated low audit scores
trigger: {kind: audit_below, consecutive: 2}
responses:
  - {task: provider_review, title: Quality lead review, subject: location,
     owner_role: quality_lead, due_within_days: 14, fulfilled_by: {record: note}}
"""
    rule = parse_rule(text, "r.yaml")
    assert isinstance(rule.trigger, TriggerAuditBelow)
    assert rule.trigger.template is None and rule.trigger.group_by == "location"
    assert records_needed(rule) == {"audit"}
    assert describe_trigger(rule.trigger) == (
        "2 audits of the same template in a row at the service score below their pass mark")
    staff = text.replace("subject: location", "subject: staff_member")
    assert "cannot say which staff member" in _error(staff).issues[0].message
    assert parse_rule(text.replace("subject: location", "subject: theme"), "r.yaml")


def test_missed_occurrence_count_needs_a_window() -> None:
    text = """\
id: missed
title: Missed
source: x
trigger: {kind: missed_occurrence, cadence: weekly-review, count: 2}
responses:
  - {task: other, title: Look, subject: location, owner_role: quality_lead,
     due_within_days: 14, fulfilled_by: {record: note}}
"""
    assert "needs within_days" in _error(text).issues[0].message
    rule = parse_rule(text.replace("count: 2}", "count: 2, within_days: 60}"), "r.yaml")
    assert describe_trigger(rule.trigger, {"weekly-review": "Weekly review"}) == (
        "“Weekly review” is missed twice within 60 days")


def test_not_a_mapping_and_yaml_errors() -> None:
    assert "must be a mapping" in _error("- a\n- b\n").issues[0].message
    assert "YAML syntax error" in _error("id: [unclosed\n").issues[0].message


def test_validate_rule_data_uses_the_enclosing_document_lines() -> None:
    doc = "rules:\n" + "\n".join("  " + line if line else line
                                 for line in MAR.replace("within_days: 28",
                                                         "within_days: 0").splitlines())
    node, data = compose(doc, "rules.yaml")
    with pytest.raises(LibraryError) as info:
        validate_rule_data(data["rules"], node, "rules.yaml", ["rules"])
    issue = info.value.issues[0]
    assert (issue.line, issue.field) == (_line(doc, "within_days: 0"), "trigger.within_days")


def test_describe_rule_reads_as_the_seed() -> None:
    rule = parse_rule(MAR, "rule.yaml")
    assert describe_response(rule.responses[0]) == (
        "immediate supervision by the registered manager within 24 hours, fulfilled by a "
        "supervision of that staff member after the trigger")
    assert describe_response(rule.responses[1]) == (
        "additional spot checks by the senior carer within 7 days, fulfilled by 3 audits "
        "(template mar-audit) at the service after the trigger")
    text = describe_rule(rule)
    assert text.startswith("When the same staff member has 2 or more medicines discrepancies "
                           "within 28 days: immediate supervision by the registered manager")
    assert "then the nominated individual, then the board report, with 3 more days" in text


def test_checksum_and_content_round_trip() -> None:
    rule = parse_rule(MAR, "rule.yaml")
    again = rule_from_content(rule.model_dump(mode="json"))
    assert again == rule
    assert rule_checksum(again) == rule_checksum(rule)
    other = parse_rule(MAR.replace("within_days: 28", "within_days: 29"), "rule.yaml")
    assert rule_checksum(other) != rule_checksum(rule)
    assert rule_checksum(MAR) != rule_checksum(MAR + "\n")
    assert len(rule_checksum(rule)) == 64


def test_catalogue_is_consistent() -> None:
    for code, rt in RECORD_TYPES.items():
        assert rt.code == code
        assert rt.kind(rt.time_field) in ("date", "datetime"), code
        assert rt.trigger or rt.fulfilment, code
    assert set(TRIGGER_TYPES) == {"medicines_discrepancy", "safeguarding_concern",
                                  "care_plan_review", "incident", "complaint", "audit",
                                  "occurrence", "action", "indicator_signal"}
    assert set(FULFILMENT_TYPES) == {"supervision", "competency_assessment", "training",
                                     "audit", "visit", "observation", "care_plan_review",
                                     "meeting", "note"}
    assert set(TASK_TYPES) >= {"supervision", "competency_reassessment", "spot_checks",
                               "management_review", "debrief", "training", "plan_review",
                               "observation", "provider_review", "risk_review", "other"}
    assert subject_fields("care_plan_review") == {"person": "person",
                                                  "staff_member": "key_worker"}
    assert subject_fields("safeguarding_concern")["staff_member"] == "staff_member"


def _shipped(name: str) -> list[Rule]:
    return parse_playbook((PLAYBOOKS / name).read_text(encoding="utf-8"), name,
                          None).escalation_rules


def test_shipped_rules_are_the_issues() -> None:
    [mar] = _shipped("medicines-governance.yaml")
    assert isinstance(mar.trigger, TriggerRepeated)
    assert (mar.trigger.group_by, mar.trigger.count, mar.trigger.within_days) == (
        "staff_member", 2, 28)
    assert [(r.task, r.owner_role, r.fulfilled_by.record, r.count) for r in mar.responses] == [
        ("supervision", "registered_manager", "supervision", 1),
        ("competency_reassessment", "registered_manager", "competency_assessment", 1),
        ("spot_checks", "senior_carer", "audit", 3)]
    assert mar.responses[0].due_within_hours == 24

    [care] = _shipped("care-planning.yaml")
    assert isinstance(care.trigger, TriggerRepeated)
    assert (care.trigger.record, care.trigger.where, care.trigger.group_by) == (
        "care_plan_review", {"mismatch_found": True}, "key_worker")
    assert [r.fulfilled_by.record for r in care.responses] == [
        "supervision", "care_plan_review", "observation"]

    sg = _shipped("safeguarding.yaml")
    assert [r.trigger.kind for r in sg] == ["timeliness", "timeliness"]
    assert [r.task for r in sg[0].responses] == ["management_review", "debrief", "training"]
    assert "Any delayed escalation triggered immediate management review" in sg[0].source

    gov = {r.id: r for r in _shipped("good-governance.yaml")}
    twice = gov["audit-below-pass-mark-twice"].trigger
    assert isinstance(twice, TriggerAuditBelow)
    assert (twice.template, twice.consecutive) == (None, 2)
    assert gov["audit-below-pass-mark-twice"].responses[0].owner_role == "quality_lead"
    slowing = gov["improvement-slowing"]
    assert isinstance(slowing.trigger, TriggerAuditBelow)
    assert (slowing.trigger.reaudit_only, slowing.trigger.group_by) == (True, "theme")
    assert slowing.responses[0].owner_role == "nominated_individual"

    falls = {r.id: r for r in _shipped("falls-and-risk.yaml")}["repeated-falls"]
    assert isinstance(falls.trigger, TriggerRepeated)
    assert (falls.trigger.group_by, falls.trigger.count, falls.trigger.within_days) == (
        "person", 3, 30)
    assert falls.responses[0].fulfilled_by.record == "care_plan_review"


def test_every_shipped_rule_owner_is_a_role() -> None:
    roles = {r.value for r in Role}
    for path in PLAYBOOKS.glob("*.yaml"):
        for rule in _shipped(path.name):
            assert {r.owner_role for r in rule.responses} <= roles
            assert all(step in roles or step == "board" for step in rule.ladder)


def test_stored_playbooks_from_before_adr_0014_still_read() -> None:
    name = "medicines-governance.yaml"
    pb = parse_playbook((PLAYBOOKS / name).read_text(encoding="utf-8"), name, None)
    content = pb.model_dump(mode="json")
    assert playbook_from_content(content) == pb
    old_rule = {"id": "x", "title": "Old", "source": "s",
                "trigger": {"kind": "repeated", "tracker": "medicines_checks",
                            "event": "MAR discrepancies", "same": "staff_member", "count": 2,
                            "within_days": 28},
                "responses": [{"task": "supervision", "subject": "Supervision",
                               "owner_role": "registered_manager", "due_within_hours": 24,
                               "fulfilled_by": "supervision"}],
                "escalate_missed_to": "quality_lead"}
    legacy = playbook_from_content({**content, "escalation_rules": [old_rule]})
    assert legacy.escalation_rules == [] and legacy.code == pb.code
    with pytest.raises(ValidationError):  # anything else wrong is still refused
        playbook_from_content({**content, "escalation_rules": [old_rule], "version": 0})
