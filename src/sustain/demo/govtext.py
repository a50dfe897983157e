"""Minute text, agenda items and lesson wording for the demo's governance year (UK English,
no real names)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    updates: tuple[str, ...]
    challenges: tuple[tuple[str, str], ...]  # (question, answer)
    decisions: tuple[str, ...]
    actions: tuple[str, ...]


TOPICS: dict[str, Topic] = {
    "medicines": Topic(
        updates=(
            "MAR checks completed on nearly every shift this month; discrepancies down again, "
            "mostly missing signatures on the night shift.",
            "Weekly medicines review done each Wednesday; no omissions found this month.",
            "Two staff completed their medicines competency observation; both signed off.",
            "Controlled drug counts reconciled at every handover; no discrepancies.",
        ),
        challenges=(
            ("Why are the remaining discrepancies mostly on nights?",
             "Fewer seniors on nights; the night senior now does the end-of-shift check with "
             "the nurse on call. We will look again next month."),
            ("How do we know the end-of-shift check is being done, not just signed?",
             "The deputy spot-checks three MAR charts against the tracker each week; two gaps "
             "found last month, both followed up in supervision."),
            ("Is the fall in discrepancies real, or are fewer being recorded?",
             "The independent audit sampled the same charts and found the same rate, so the "
             "figures hold."),
            ("What happens when the same person makes a second error?",
             "Supervision the same week, competency reassessed and spot checks for a month, "
             "as the escalation rule says."),
        ),
        decisions=(
            "Keep the end-of-shift MAR check by the senior on every shift.",
            "Move the weekly medicines review to Wednesdays so the week's checks are complete.",
        ),
        actions=(
            "Night senior to pair with the nurse on call for the end-of-shift MAR check.",
            "Repeat the MAR signature briefing for the two new starters.",
        ),
    ),
    "care_planning": Topic(
        updates=(
            "Six care plans reviewed with the person and their family this month.",
            "Risk assessments all in date; two updated after changes in mobility.",
            "Care-plan audit scored above the pass mark again.",
        ),
        challenges=(
            ("Can staff on the floor tell us what changed in the plans reviewed this month?",
             "Asked three carers on the unit: all described the changes for the people they "
             "support."),
            ("Are families invited to every review, or only when they ask?",
             "Every review now has an invitation recorded; four of six families took part."),
            ("Why did one review run three weeks late?",
             "The person was in hospital; the review was rebooked for the week after discharge."),
        ),
        decisions=("Carry on with one care plan discussed at every team meeting.",),
        actions=("Deputy to rebook the two overdue reviews with families.",),
    ),
    "care_plan_update": Topic(
        updates=(
            "Care plan update discussed: new moving and handling plan after a physiotherapy "
            "review.",
            "Care plan update discussed: changes to a person's eating and drinking plan after "
            "a speech and language assessment.",
            "Care plan update discussed: a new communication passport for a person living "
            "with dementia.",
        ),
        challenges=(
            ("Does the night team know about the change?",
             "Yes: it was in the handover file and read out at the night handover."),
            ("Has the family seen the updated plan?",
             "Their daughter read and signed it at the review."),
        ),
        decisions=(),
        actions=(),
    ),
    "safeguarding": Topic(
        updates=(
            "Concerns raised this week reviewed; all notified to the shift lead within the shift.",
            "No new concerns this week; the log was reviewed daily.",
            "One concern referred to the local authority; outcome awaited.",
        ),
        challenges=(
            ("Was the local authority informed within the timescale?",
             "Yes, the same day; the reference is on the tracker."),
            ("Did the person and their family know what was being done?",
             "The manager spoke to both the same day and recorded their views."),
            ("Would the night staff have raised this the same way?",
             "The threshold briefing covered nights; two night staff raised concerns this "
             "month, so yes."),
        ),
        decisions=("Close the concern: protection plan in place and reviewed.",),
        actions=("Manager to follow up the local authority for the outcome.",),
    ),
    "falls": Topic(
        updates=(
            "Falls this month reported; post-falls reviews on file for most of them.",
            "Sensor mats in place for the people at highest risk.",
            "Falls figures shared; numbers similar to last month.",
        ),
        challenges=(
            ("Are the falls clustering at a time of day?",
             "Most were in the early evening; staffing at tea-time to be looked at."),
            ("Were risk assessments reviewed after each fall?",
             "Most were; two had not been, and the deputy is completing them."),
        ),
        decisions=("Keep hourly checks for the people at highest risk.",),
        actions=("Review evening staffing against the falls times.",),
    ),
    "governance": Topic(
        updates=(
            "Audit programme on track; all audits this month completed on time.",
            "Quality risk register reviewed; no new high risks.",
            "Complaints and compliments for the month reviewed.",
            "Staffing stable; agency use low.",
        ),
        challenges=(
            ("What did the last audit find that we did not already know?",
             "Two gaps in fluid charts on one unit; the unit lead is rechecking them weekly."),
            ("Is the risk register telling us anything new?",
             "The staffing risk has gone down; the register now shows why."),
            ("How do we know the actions from last month were done?",
             "Each action has its evidence on the tracker; one is still open and due next "
             "week."),
        ),
        decisions=("Keep the audit programme unchanged for next quarter.",),
        actions=(),
    ),
    "provider": Topic(
        updates=(
            "Themes reviewed against the latest audits and tracker figures.",
            "Visit notes and staff conversations reviewed with the manager.",
        ),
        challenges=(
            ("What would tell us early that the improvement is slipping?",
             "The weekly review and the monthly audit: both are on the governance calendar "
             "and late ones show at the provider review."),
            ("Are the changes still in place when the manager is away?",
             "The deputy led two weekly reviews in the manager's leave; both were done on "
             "time."),
        ),
        decisions=(),
        actions=(),
    ),
}

# Who asks the questions at a home's meetings (by job title).
ASKERS = ("Registered manager", "Deputy manager", "Clinical lead", "Senior carer",
          "Registered nurse", "Team leader", "Care coordinator", "Senior support worker",
          "Field care supervisor")

# (agenda item, theme key, topic) for Rosewood's monthly quality meetings.
RH_QUALITY_ITEMS = (
    ("Medicines governance: tracker, audits and competency", "RH:medicines", "medicines"),
    ("Care planning: reviews and audit", "RH:care-planning", "care_planning"),
    ("Safeguarding oversight: concerns and referrals", "RH:safeguarding", "safeguarding"),
    ("Audit programme and risk register", None, "governance"),
)
MB_QUALITY_ITEMS = (
    ("Falls and risk management", "MB:falls", "falls"),
    ("Medicines", None, "medicines"),
    ("Audit programme and staffing", None, "governance"),
)
STEADY_ITEMS = {
    "governance": ("Quality risk review", "Audit programme and actions",
                   "Quality figures for the month"),
    "care_planning": ("Plans due for review this month", "Care-plan audit findings"),
}
PROVIDER_ITEMS = (
    ("Rosewood House: medicines governance", "RH:medicines", "provider"),
    ("Rosewood House: safeguarding oversight", "RH:safeguarding", "provider"),
    ("Willow Court: quality assurance and governance", "WC:governance", "provider"),
    ("Meadowbank: falls and risk management", "MB:falls", "provider"),
)
PROVIDER_CHALLENGES = (
    ("Meadowbank's falls theme has had no re-audit: who is doing it, and by when?",
     "The quality lead will sample it next month; the manager is booking the audit."),
    ("Rosewood's themes are verified: what stops them slipping back?",
     "The cadences on the governance calendar and the monthly quality meeting; the provider "
     "review looks at their on-time rate."),
    ("Are quality meetings challenging, or only hearing updates?",
     "The challenge ratio is reported per home; one home's meetings have become updates "
     "only and the quality lead will attend the next one."),
    ("Which lessons from one home have the others adopted?",
     "The end-of-shift MAR check is adopted at two more services with evidence; the others "
     "are in progress."),
    ("Is staff turnover affecting the rhythm anywhere?",
     "Meadowbank: leavers are up and audits are late; the regional quality lead is visiting "
     "fortnightly."),
)
DAILY_SAFEGUARDING = (
    "Log reviewed: one new concern, notified to the shift lead and reviewed by the manager.",
    "Log reviewed: no new concerns; yesterday's referral acknowledged by the local authority.",
    "Log reviewed: one concern about a visitor, protection plan agreed with the family.",
)
MANUAL_REASONS = (
    "Log reviewed on the day: no new entries needing a decision.",
    "Reviewed the tracker on the day; no new patterns, nothing to escalate.",
    "Reviewed with the deputy: entries checked and the decisions recorded in the log.",
)

LESSON_TITLE = "Sign at the time of administration; end-of-shift MAR check by the senior"
LESSON_WHAT_HAPPENED = (
    "At Rosewood House, MAR charts had gaps and omissions without reasons that no one "
    "noticed until inspection. Signing at the time of each administration, and a check of "
    "every MAR chart by the senior at the end of each shift recorded on the tracker, brought "
    "discrepancies from about one a check to a handful a month.")
LESSON_IN_PRACTICE = (
    "Staff sign the MAR chart as each medicine is given, never afterwards. At the end of every "
    "shift the senior on duty checks each chart, records any gap on the medicines tracker and "
    "follows it up before handover. The manager reviews the tracker weekly.")
ADOPTION_NOTES = {
    "RH": "Where the lesson comes from: in place on every shift, audited monthly.",
    "WC": "Agreed at the quality risk review; nurses do the end-of-shift check; briefing given.",
    "LC": "Adopted for the flats: the senior support worker checks at the end of each shift.",
    "WH": "Being set up for visits: carers sign in the app at the time; the end-of-round check "
          "by the field supervisor is being trialled.",
    "MB": "Started: briefing planned, but the end-of-shift check is not yet in place on nights.",
}
STALLED_TITLE = "Post-falls huddle within the shift"
STALLED_WHAT_HAPPENED = (
    "At Meadowbank, falls were reviewed days later, when staff no longer remembered what had "
    "happened. A short huddle within the shift caught causes such as footwear and lighting.")
STALLED_IN_PRACTICE = (
    "After every fall the shift lead holds a five-minute huddle before the end of the shift "
    "and records what may have contributed and what changes now.")


def audit_analysis(kind: str, share: float, samples: int) -> str:
    who = "Independent sample by the quality lead" if kind == "independent" else \
        "Routine audit by the home"
    finding = ("Practice held across the sample; the few gaps have individual notes and were "
               "followed up." if share >= 0.9 else
               "Several gaps across the sample; each has a note and a follow-up, and the "
               "pattern is to be discussed at the quality meeting.")
    return (f"{who} of {samples} records, testing the same items as the last audit. {finding} "
            "Findings were shared with the staff involved in supervision and at the next team "
            "meeting, and the next audit will test whether the changes have held.")
