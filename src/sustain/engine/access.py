"""Who may do what: roles are data, permissions derive from role + scope, default deny.

A membership gives one role over one scope (the whole organisation, a region, or a location).
The location ids a user may act on for a permission are the union over their memberships whose
role grants that permission.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CARE_STAFF = "care_staff"
    SENIOR_CARER = "senior_carer"
    KEY_WORKER = "key_worker"
    DEPUTY_MANAGER = "deputy_manager"
    REGISTERED_MANAGER = "registered_manager"
    QUALITY_LEAD = "quality_lead"
    NOMINATED_INDIVIDUAL = "nominated_individual"
    BOARD_MEMBER = "board_member"
    COMMISSIONER = "commissioner"
    ADMINISTRATOR = "administrator"


ROLE_LABELS: Mapping[Role, str] = {
    Role.CARE_STAFF: "Care staff",
    Role.SENIOR_CARER: "Senior carer",
    Role.KEY_WORKER: "Key worker",
    Role.DEPUTY_MANAGER: "Deputy manager",
    Role.REGISTERED_MANAGER: "Registered manager",
    Role.QUALITY_LEAD: "Provider quality lead",
    Role.NOMINATED_INDIVIDUAL: "Nominated individual",
    Role.BOARD_MEMBER: "Board member",
    Role.COMMISSIONER: "Commissioner",
    Role.ADMINISTRATOR: "Administrator",
}


class Scope(StrEnum):
    ORGANISATION = "organisation"
    REGION = "region"
    LOCATION = "location"


class Perm(StrEnum):
    LOCATION_VIEW = "location.view"
    LOCATION_CHANGE = "location.change"
    LOCATION_CREATE = "location.create"
    PERSON_VIEW = "person.view"
    PERSON_CHANGE = "person.change"
    STAFF_VIEW = "staff.view"
    STAFF_CHANGE = "staff.change"
    MEMBERSHIP_VIEW = "membership.view"
    MEMBERSHIP_CHANGE = "membership.change"
    USER_MANAGE = "user.manage"
    HISTORY_VIEW = "history.view"
    INSPECTION_VIEW = "inspection.view"
    INSPECTION_CHANGE = "inspection.change"
    THEME_VIEW = "theme.view"
    THEME_CHANGE = "theme.change"
    ACTION_CHANGE = "action.change"
    ACTION_VERIFY = "action.verify"
    AUDIT_VIEW = "audit.view"
    AUDIT_CONDUCT = "audit.conduct"
    PLAYBOOK_MANAGE = "playbook.manage"
    TRACKER_VIEW = "tracker.view"
    TRACKER_RECORD = "tracker.record"
    TRACKER_REVIEW = "tracker.review"
    WORKFORCE_VIEW = "workforce.view"
    WORKFORCE_CHANGE = "workforce.change"
    BRIEFING_ATTEST = "briefing.attest"
    IMPORT_RUN = "import.run"
    GOVERNANCE_VIEW = "governance.view"
    CADENCE_MANAGE = "cadence.manage"
    OCCURRENCE_COMPLETE = "occurrence.complete"
    # Lessons across services (issue 5): write lessons over a scope; record adoption.
    LESSON_MANAGE = "lesson.manage"
    LESSON_ADOPT = "lesson.adopt"
    # Meetings and their minutes (issue 5): see them; record them (and their actions).
    MEETING_VIEW = "meeting.view"
    MEETING_RECORD = "meeting.record"
    # Escalation rules (issue 6): see firings and tasks; act on tasks (complete, cancel);
    # write organisation rules.
    ESCALATION_VIEW = "escalation.view"
    ESCALATION_ACT = "escalation.act"
    ESCALATION_RULE_MANAGE = "escalation.rule_manage"
    # Early warning (issue 7): interpret an indicator signal in writing; define custom
    # indicators and import indicator series.
    SIGNAL_INTERPRET = "signal.interpret"
    INDICATOR_MANAGE = "indicator.manage"


_VIEW_ALL_RECORDS = {Perm.LOCATION_VIEW, Perm.PERSON_VIEW, Perm.STAFF_VIEW,
                     Perm.INSPECTION_VIEW, Perm.THEME_VIEW}
# Running a recovery: themes, action plans, audits and inspections at a location.
_RECOVERY_LEAD = {Perm.INSPECTION_CHANGE, Perm.THEME_CHANGE, Perm.ACTION_CHANGE,
                  Perm.ACTION_VERIFY, Perm.AUDIT_VIEW, Perm.AUDIT_CONDUCT}
_FRONTLINE = {Perm.LOCATION_VIEW, Perm.PERSON_VIEW, Perm.INSPECTION_VIEW, Perm.THEME_VIEW,
              Perm.TRACKER_VIEW, Perm.TRACKER_RECORD, Perm.BRIEFING_ATTEST}
# Managing operational records and the workforce at a location.
_RECORDS_LEAD = {Perm.TRACKER_VIEW, Perm.TRACKER_RECORD, Perm.TRACKER_REVIEW,
                 Perm.WORKFORCE_VIEW, Perm.WORKFORCE_CHANGE, Perm.BRIEFING_ATTEST}

ROLE_PERMISSIONS: Mapping[Role, frozenset[Perm]] = {
    Role.CARE_STAFF: frozenset(_FRONTLINE),
    # The senior carer leads the shift: notified of safeguarding concerns, reviews MAR checks.
    Role.SENIOR_CARER: frozenset(_FRONTLINE | {Perm.STAFF_VIEW, Perm.AUDIT_VIEW,
                                               Perm.TRACKER_REVIEW}),
    Role.KEY_WORKER: frozenset(_FRONTLINE | {Perm.STAFF_VIEW}),
    Role.DEPUTY_MANAGER: frozenset(_VIEW_ALL_RECORDS | _RECORDS_LEAD | {
        Perm.PERSON_CHANGE, Perm.HISTORY_VIEW, Perm.ACTION_CHANGE, Perm.AUDIT_VIEW,
        Perm.AUDIT_CONDUCT}),
    Role.REGISTERED_MANAGER: frozenset(_VIEW_ALL_RECORDS | _RECOVERY_LEAD | _RECORDS_LEAD | {
        Perm.LOCATION_CHANGE, Perm.PERSON_CHANGE, Perm.STAFF_CHANGE, Perm.MEMBERSHIP_VIEW,
        Perm.HISTORY_VIEW, Perm.IMPORT_RUN}),
    Role.QUALITY_LEAD: frozenset(_VIEW_ALL_RECORDS | _RECOVERY_LEAD | _RECORDS_LEAD | {
        Perm.MEMBERSHIP_VIEW, Perm.HISTORY_VIEW, Perm.PLAYBOOK_MANAGE, Perm.IMPORT_RUN}),
    Role.NOMINATED_INDIVIDUAL: frozenset(_VIEW_ALL_RECORDS | _RECOVERY_LEAD | _RECORDS_LEAD | {
        Perm.LOCATION_CHANGE, Perm.STAFF_CHANGE, Perm.MEMBERSHIP_VIEW, Perm.HISTORY_VIEW,
        Perm.PLAYBOOK_MANAGE, Perm.IMPORT_RUN}),
    # Board members see services, inspections, themes and audit results, never individual
    # people or staff files; commissioners see services and published inspections.
    Role.BOARD_MEMBER: frozenset({Perm.LOCATION_VIEW, Perm.INSPECTION_VIEW, Perm.THEME_VIEW,
                                  Perm.AUDIT_VIEW}),
    Role.COMMISSIONER: frozenset({Perm.LOCATION_VIEW, Perm.INSPECTION_VIEW}),
    Role.ADMINISTRATOR: frozenset(set(Perm)),
}

# Lessons across services (issue 5): quality leads and nominated individuals write lessons
# over their scope; registered managers (and the leads) record adoption at their locations.
_LESSON_GRANTS: Mapping[Role, frozenset[Perm]] = {
    Role.REGISTERED_MANAGER: frozenset({Perm.LESSON_ADOPT}),
    Role.QUALITY_LEAD: frozenset({Perm.LESSON_MANAGE, Perm.LESSON_ADOPT}),
    Role.NOMINATED_INDIVIDUAL: frozenset({Perm.LESSON_MANAGE, Perm.LESSON_ADOPT}),
}
ROLE_PERMISSIONS = {role: perms | _LESSON_GRANTS.get(role, frozenset())
                    for role, perms in ROLE_PERMISSIONS.items()}

# The governance rhythm (cadences and their occurrences): who sees the calendar, who sets
# cadences up, who marks an occurrence done by hand. Added to the roles above.
_GOVERNANCE_GRANTS: Mapping[Role, frozenset[Perm]] = {
    Role.SENIOR_CARER: frozenset({Perm.GOVERNANCE_VIEW}),
    Role.DEPUTY_MANAGER: frozenset({Perm.GOVERNANCE_VIEW, Perm.OCCURRENCE_COMPLETE}),
    Role.REGISTERED_MANAGER: frozenset({Perm.GOVERNANCE_VIEW, Perm.CADENCE_MANAGE,
                                        Perm.OCCURRENCE_COMPLETE}),
    Role.QUALITY_LEAD: frozenset({Perm.GOVERNANCE_VIEW, Perm.CADENCE_MANAGE,
                                  Perm.OCCURRENCE_COMPLETE}),
    Role.NOMINATED_INDIVIDUAL: frozenset({Perm.GOVERNANCE_VIEW, Perm.CADENCE_MANAGE,
                                          Perm.OCCURRENCE_COMPLETE}),
    Role.BOARD_MEMBER: frozenset({Perm.GOVERNANCE_VIEW}),
}
ROLE_PERMISSIONS = {role: perms | _GOVERNANCE_GRANTS.get(role, frozenset())
                    for role, perms in ROLE_PERMISSIONS.items()}

# Meetings (issue 5): the leads who chair or attend governance meetings see their minutes;
# deputies and managers upwards record them. Board members read them (board minutes too).
_MEETING_GRANTS: Mapping[Role, frozenset[Perm]] = {
    Role.SENIOR_CARER: frozenset({Perm.MEETING_VIEW}),
    Role.DEPUTY_MANAGER: frozenset({Perm.MEETING_VIEW, Perm.MEETING_RECORD}),
    Role.REGISTERED_MANAGER: frozenset({Perm.MEETING_VIEW, Perm.MEETING_RECORD}),
    Role.QUALITY_LEAD: frozenset({Perm.MEETING_VIEW, Perm.MEETING_RECORD}),
    Role.NOMINATED_INDIVIDUAL: frozenset({Perm.MEETING_VIEW, Perm.MEETING_RECORD}),
    Role.BOARD_MEMBER: frozenset({Perm.MEETING_VIEW}),
}
ROLE_PERMISSIONS = {role: perms | _MEETING_GRANTS.get(role, frozenset())
                    for role, perms in ROLE_PERMISSIONS.items()}

# Escalation rules (issue 6): the shift lead owns spot checks; managers and the provider's
# leads act on tasks; quality leads and nominated individuals write organisation rules;
# board members see the board report feed (firings and tasks, no staff files).
_ESCALATION_GRANTS: Mapping[Role, frozenset[Perm]] = {
    Role.SENIOR_CARER: frozenset({Perm.ESCALATION_VIEW, Perm.ESCALATION_ACT}),
    Role.DEPUTY_MANAGER: frozenset({Perm.ESCALATION_VIEW, Perm.ESCALATION_ACT}),
    Role.REGISTERED_MANAGER: frozenset({Perm.ESCALATION_VIEW, Perm.ESCALATION_ACT}),
    Role.QUALITY_LEAD: frozenset({Perm.ESCALATION_VIEW, Perm.ESCALATION_ACT,
                                  Perm.ESCALATION_RULE_MANAGE}),
    Role.NOMINATED_INDIVIDUAL: frozenset({Perm.ESCALATION_VIEW, Perm.ESCALATION_ACT,
                                          Perm.ESCALATION_RULE_MANAGE}),
    Role.BOARD_MEMBER: frozenset({Perm.ESCALATION_VIEW}),
}
ROLE_PERMISSIONS = {role: perms | _ESCALATION_GRANTS.get(role, frozenset())
                    for role, perms in ROLE_PERMISSIONS.items()}

# Early warning (issue 7): the location's managers and the provider's leads interpret signals
# in writing; quality leads and nominated individuals define custom indicators and import
# series (registered managers import their own location's series).
_EARLY_WARNING_GRANTS: Mapping[Role, frozenset[Perm]] = {
    Role.DEPUTY_MANAGER: frozenset({Perm.SIGNAL_INTERPRET}),
    Role.REGISTERED_MANAGER: frozenset({Perm.SIGNAL_INTERPRET}),
    Role.QUALITY_LEAD: frozenset({Perm.SIGNAL_INTERPRET, Perm.INDICATOR_MANAGE}),
    Role.NOMINATED_INDIVIDUAL: frozenset({Perm.SIGNAL_INTERPRET, Perm.INDICATOR_MANAGE}),
}
ROLE_PERMISSIONS = {role: perms | _EARLY_WARNING_GRANTS.get(role, frozenset())
                    for role, perms in ROLE_PERMISSIONS.items()}

# Permissions that only make sense over the whole organisation (not one location).
ORGANISATION_ONLY: frozenset[Perm] = frozenset({Perm.LOCATION_CREATE, Perm.USER_MANAGE,
                                                Perm.PLAYBOOK_MANAGE,
                                                Perm.ESCALATION_RULE_MANAGE,
                                                Perm.INDICATOR_MANAGE})


def role_grants(role: Role | str, perm: Perm | str) -> bool:
    """Does this role carry this permission at all? Unknown roles grant nothing."""
    try:
        return Perm(perm) in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


@dataclass(frozen=True)
class MembershipFact:
    role: str
    scope: str
    region_id: int | None = None
    location_id: int | None = None


@dataclass(frozen=True)
class LocationFact:
    location_id: int
    region_id: int | None


@dataclass(frozen=True)
class LocationScope:
    """The locations a user may act on for one permission. `whole_organisation` also covers
    locations created later; `location_ids` lists them explicitly otherwise."""

    whole_organisation: bool
    location_ids: frozenset[int]

    @property
    def is_empty(self) -> bool:
        return not self.whole_organisation and not self.location_ids

    def covers(self, location_id: int | None) -> bool:
        if location_id is None:
            return self.whole_organisation
        return self.whole_organisation or location_id in self.location_ids


NO_SCOPE = LocationScope(False, frozenset())


def scope_for(memberships: Iterable[MembershipFact], locations: Iterable[LocationFact],
              perm: Perm | str) -> LocationScope:
    """Union of the scopes of the memberships whose role grants `perm` (default deny)."""
    granted = [m for m in memberships if role_grants(m.role, perm)]
    if any(m.scope == Scope.ORGANISATION for m in granted):
        return LocationScope(True, frozenset())
    if Perm(perm) in ORGANISATION_ONLY:
        return NO_SCOPE
    regions = {m.region_id for m in granted if m.scope == Scope.REGION and m.region_id}
    ids = {m.location_id for m in granted if m.scope == Scope.LOCATION and m.location_id}
    if regions:
        ids |= {loc.location_id for loc in locations if loc.region_id in regions}
    return LocationScope(False, frozenset(ids))
