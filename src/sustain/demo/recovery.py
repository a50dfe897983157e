"""The recovery story of the demo: inspections, themes from playbooks, action plans, audits
and re-audits, built through the services so every stage is earned by evidence.

- Rosewood House: rated Requires improvement (breaches of regulations 12, 13, 9 and 17) after
  a Good rating three years earlier; themes for medicines, care planning and safeguarding run
  their action plans, months of audits show MAR and care-plan accuracy improving, re-audits
  pass, the themes are verified and now sustaining.
- Willow Court: a good-governance theme from an earlier internal audit, verified long ago and
  now embedded.
- Meadowbank: a falls theme whose actions are all done but that nobody has re-audited, so it
  is stuck at "actions complete" and the theme page says why.

Everything is dated relative to `as_of` and drawn from the builder's random generator, so the
same seed and date give the same story.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sustain.audits.models import AuditTemplate
from sustain.audits.services import audit_complete, audit_save, audit_start, score_of
from sustain.engine.audit_scoring import AnswerType
from sustain.inspections.models import Finding
from sustain.inspections.services import inspection_record
from sustain.people.models import PersonSupported, StaffMember
from sustain.playbooks.models import Playbook
from sustain.playbooks.services import playbook_apply, playbook_spec, playbooks_load
from sustain.tenancy.models import Location, Organisation
from sustain.themes.models import Theme
from sustain.themes.services import action_create, action_update, theme_create

ACTOR = "sustain demo"
LONDON = ZoneInfo("Europe/London")
KEY_QUESTIONS = ("safe", "effective", "caring", "responsive", "well-led")


def months_before(as_of: dt.date, months: int, day: int = 10) -> dt.date:
    """The `day` of the month `months` before `as_of`'s month (clamped to 28)."""
    index = as_of.year * 12 + as_of.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, min(day, 28))


@dataclass(frozen=True)
class ThemePlan:
    playbook: str
    title: str
    finding: str | None  # key of the inspection finding it comes from
    origin: str
    actions: Sequence[tuple[str, int, int]]  # (what, raised months ago, done months ago)
    audit_scores: Sequence[tuple[int, float, bool]]  # (months ago, share right, re-audit)


ROSEWOOD_FINDINGS = {
    "medicines": ("People did not always receive their medicines as prescribed: MAR charts had "
                  "gaps and omissions without reasons, and managers had not identified this.",
                  "safe", ["S8"]),
    "care-planning": ("Care plans were not person-centred and risk assessments were out of "
                      "date; staff could not consistently explain people's current needs.",
                      "responsive", ["R1"]),
    "safeguarding": ("Safeguarding concerns were not always escalated: staff were unclear "
                     "about thresholds, recording and how to notify managers.",
                     "safe", ["S3"]),
}

ROSEWOOD_THEMES = (
    ThemePlan("medicines-governance", "Medicines governance", "medicines", "inspection", (
        ("Daily manager review of MAR charts and urgent stock check", 13, 13),
        ("Retrain all staff who give medicines, with competency observation", 13, 11),
        ("End-of-shift MAR check by the senior carer, recorded on the tracker", 12, 11),
        ("Weekly medicines audit by the registered manager", 12, 10),
    ), ((13, 0.55, False), (11, 0.68, False), (8, 0.74, True), (6, 0.78, True),
        (4, 0.8, True), (3, 0.95, True), (2, 0.96, True), (1, 0.97, True))),
    ThemePlan("care-planning", "Care planning", "care-planning", "inspection", (
        ("Rewrite care plans with each person and their family", 13, 10),
        ("Monthly care plan quality clinic led by the deputy manager", 12, 10),
        ("One care plan update discussed at every team meeting", 12, 9),
    ), ((12, 0.5, False), (9, 0.62, True), (7, 0.72, True), (5, 0.78, True), (3, 0.8, True),
        (2, 0.95, True), (1, 0.96, True))),
    ThemePlan("safeguarding", "Safeguarding oversight", "safeguarding", "inspection", (
        ("Safeguarding decision pathway on every unit and in the handover file", 13, 12),
        ("Threshold briefing sessions for all staff", 13, 11),
        ("Weekly safeguarding review meeting", 12, 11),
    ), ((12, 0.6, False), (10, 0.7, True), (8, 0.76, True), (5, 0.8, True), (3, 0.95, True),
        (2, 0.95, True), (1, 0.96, True))),
)

WILLOW_THEME = ThemePlan("good-governance", "Quality assurance and governance", None,
                         "internal_audit", (
                             ("Monthly quality risk review with minutes showing challenge",
                              22, 20),
                             ("Scheduled senior site visits", 22, 19),
                         ), ((22, 0.65, False), (19, 0.82, True), (17, 0.92, True),
                             (12, 0.95, True), (9, 0.94, True), (6, 0.96, True),
                             (4, 0.95, True), (3, 0.97, True), (2, 0.96, True),
                             (1, 0.97, True)))

MEADOWBANK_THEME = ThemePlan("falls-and-risk", "Falls and risk management", None, "incidents", (
    ("Falls risk assessment reviewed for everyone after a fall", 6, 4),
    ("Post-falls huddle after every fall", 6, 3),
    ("Sensor mats and hourly checks for people at high risk", 5, 3),
), ((6, 0.62, False),))


class RecoveryStory:
    """Builds the story for one organisation, drawing from the demo's random generator."""

    def __init__(self, organisation: Organisation, locations: dict[str, Location],
                 rng: random.Random, as_of: dt.date) -> None:
        self.org = organisation
        self.locations = locations
        self.rng = rng
        self.as_of = as_of
        playbooks_load()
        self.playbooks = {p.code: p for p in Playbook.objects.filter(
            organisation__isnull=True, archived_at__isnull=True).order_by("code", "-version")}

    def build(self) -> None:
        findings = self._rosewood_inspections()
        for plan in ROSEWOOD_THEMES:
            self._theme("RH", plan, findings.get(plan.finding or ""))
        self._theme("WC", WILLOW_THEME, None)
        self._theme("MB", MEADOWBANK_THEME, None)
        self._earlier_good_rating("MB", years=2)
        self._earlier_good_rating("WC", years=1)

    # -- inspections -------------------------------------------------------------------------
    def _rosewood_inspections(self) -> dict[str, Finding]:
        location = self.locations["RH"]
        inspection_record(
            actor=ACTOR, organisation=self.org, location=location,
            inspection_date=months_before(self.as_of, 40, 12),
            publication_date=months_before(self.as_of, 38, 2),
            inspection_type="comprehensive", overall_rating="good",
            ratings=dict.fromkeys(KEY_QUESTIONS, "good"),
            summary="A well-run home; people spoke warmly of staff.")
        inspected = months_before(self.as_of, 15, 6)
        notice = months_before(self.as_of, 14, 3)
        inspection = inspection_record(
            actor=ACTOR, organisation=self.org, location=location,
            inspection_date=inspected, publication_date=notice,
            inspection_type="assessment", overall_rating="requires-improvement",
            ratings={"safe": "requires-improvement", "effective": "requires-improvement",
                     "caring": "good", "responsive": "requires-improvement",
                     "well-led": "requires-improvement"},
            summary="Medicines, care planning and safeguarding were not managed safely, and "
                    "governance had not identified the problems.",
            breaches=[
                {"regulation": "RA2014-12", "summary": "Medicines were not managed safely."},
                {"regulation": "RA2014-13", "summary": "Safeguarding concerns were not "
                                                       "escalated consistently."},
                {"regulation": "RA2014-9", "summary": "Care was not planned around people's "
                                                      "current needs."},
                {"regulation": "RA2014-17", "summary": "Audits did not identify the issues "
                                                       "found at inspection."},
            ],
            enforcement=[
                {"enforcement_type": "requirement-notice", "issued_on": notice,
                 "deadline": months_before(self.as_of, 11, 3), "status": "met",
                 "notes": f"Regulation {reg}: action plan sent to CQC."}
                for reg in ("12", "13", "9", "17")
            ],
            findings=[{"text": text, "key_question": kq, "quality_statements": statements}
                      for text, kq, statements in ROSEWOOD_FINDINGS.values()])
        by_text = {f.text: f for f in Finding.objects.filter(inspection=inspection)}
        return {key: by_text[text] for key, (text, _, _) in ROSEWOOD_FINDINGS.items()}

    def _earlier_good_rating(self, key: str, years: int) -> None:
        inspection_record(
            actor=ACTOR, organisation=self.org, location=self.locations[key],
            inspection_date=months_before(self.as_of, 12 * years + 4, 20),
            publication_date=months_before(self.as_of, 12 * years + 2, 5),
            inspection_type="comprehensive", overall_rating="good",
            ratings=dict.fromkeys(KEY_QUESTIONS, "good"))

    # -- themes, actions, audits -------------------------------------------------------------
    def _owner(self, location: Location) -> StaffMember | None:
        return location.registered_manager

    def _theme(self, key: str, plan: ThemePlan, finding: Finding | None) -> Theme:
        location = self.locations[key]
        playbook = self.playbooks[plan.playbook]
        opened = months_before(self.as_of, max(a[1] for a in plan.actions) + 1, 14)
        fields: dict[str, Any] = {"owner": self._owner(location)}
        if finding is not None:
            fields["finding"] = finding
        theme = theme_create(actor=ACTOR, organisation=self.org, location=location,
                             title=plan.title, origin=plan.origin, as_of=opened,
                             quality_statements=list(finding.quality_statements.all())
                             if finding else [], **fields)
        theme, _ = playbook_apply(actor=ACTOR, playbook=playbook, theme=theme)
        events: list[tuple[dt.date, int, str, Any]] = []
        for index, (what, raised, done) in enumerate(plan.actions):
            events.append((months_before(self.as_of, raised, 15), 0, "raise", (index, what)))
            events.append((months_before(self.as_of, done, 20), 1, "done", index))
        for months, share, reaudit in plan.audit_scores:
            events.append((months_before(self.as_of, months, 25), 2, "audit", (share, reaudit)))
        actions: dict[int, Any] = {}
        template = self._template(playbook)
        for day, _, kind, payload in sorted(events, key=lambda e: (e[0], e[1])):
            if kind == "raise":
                index, what = payload
                actions[index] = action_create(
                    actor=ACTOR, theme=theme, description=what, raised_on=day,
                    due_date=day + dt.timedelta(days=60), owner=self._owner(location),
                    check_method="reaudit",
                    check_criterion=f"Re-audit scores at least {int(theme.pass_mark)} %")
            elif kind == "done":
                action = actions[payload]
                actions[payload] = action_update(
                    actor=ACTOR, action=action, changes={"status": "done", "completed_on": day},
                    expected_version=action.version)
            else:
                share, reaudit = payload
                self._audit(theme, template, day, share, reaudit)
        theme.refresh_from_db()
        return theme

    def _template(self, playbook: Playbook) -> AuditTemplate:
        code = playbook_spec(playbook).verification.reaudit_template
        return AuditTemplate.objects.get(playbook=playbook, code=code)

    def _samples(self, location: Location, count: int) -> list[str]:
        refs = list(PersonSupported.objects.filter(
            location=location, discharge_date__isnull=True).order_by("reference")
            .values_list("reference", flat=True))
        return self.rng.sample(refs, min(count, len(refs))) if refs else \
            [f"Sample {n + 1}" for n in range(count)]

    def _answer(self, question: dict[str, Any], share: float) -> Any:
        kind = question.get("answer_type")
        right = self.rng.random() < share
        if kind == AnswerType.YES_NO:
            if question.get("critical"):
                return "yes"  # the demo's homes never fail on a critical control
            return "yes" if right else "no"
        if kind == AnswerType.SCALE:
            top = int(question.get("scale_max") or 4)
            return top if right else max(0, top - 1 - self.rng.randint(0, 1))
        if kind == AnswerType.NUMBER:
            limit = question.get("at_most")
            floor = question.get("at_least")
            if limit is not None:
                return int(limit) if right else int(limit) + self.rng.randint(1, 3)
            if floor is not None:
                return int(floor) if right else max(0, int(floor) - 1)
            return self.rng.randint(0, 5)
        return "" if not question.get("required", True) else "Checked; nothing further."

    def _audit(self, theme: Theme, template: AuditTemplate, day: dt.date, share: float,
               reaudit: bool) -> None:
        location = theme.location
        samples = self._samples(location, template.sample_size)
        audit = audit_start(actor=ACTOR, organisation=self.org, location=location,
                            template=template, audit_date=day, theme=theme,
                            is_reaudit=reaudit, samples=samples)
        answers: dict[str, Any] = {}
        per_sample: dict[str, dict[str, Any]] = {}
        for section in template.sections:
            for question in section["questions"]:
                code = question["code"]
                if question.get("per_sample"):
                    per_sample[code] = {s: self._answer(question, share) for s in samples}
                else:
                    answers[code] = self._answer(question, share)
        audit = audit_save(actor=ACTOR, audit=audit, answers=answers, sample_answers=per_sample,
                           expected_version=audit.version)
        # The analysis the service requires: a note on every failed item, and a summary.
        failed = sorted({item.split("@", 1)[0] for item in score_of(audit).failed_items})
        notes = {code: f"{code}: below standard on the day; discussed with the staff involved "
                       "in supervision and rechecked at the next audit." for code in failed}
        analysis = (
            f"{'Re-audit' if reaudit else 'Baseline audit'} of {theme.title.lower()} on a "
            f"sample of {len(samples)}. "
            + ("Practice has held: the changes made after the inspection are visible in the "
               "records and in what staff describe. " if share >= 0.9 else
               "Recording is improving but not yet consistent across shifts; each failed item "
               "has its own note and follow-up. ")
            + "Findings shared at the team meeting and in supervision; the next audit will "
              "test the same items.")
        audit = audit_save(actor=ACTOR, audit=audit, item_notes=notes, analysis=analysis,
                           expected_version=audit.version)
        finished = dt.datetime.combine(day, dt.time(16, 30), tzinfo=LONDON)
        audit_complete(actor=ACTOR, audit=audit, expected_version=audit.version,
                       completed_at=finished)


def build_recovery(*, organisation: Organisation, locations: dict[str, Location],
                   rng: random.Random, as_of: dt.date) -> None:
    """Add the recovery and drift story to a freshly built demo organisation."""
    RecoveryStory(organisation, locations, rng, as_of).build()
