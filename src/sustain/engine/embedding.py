"""The embedding channels: where the seed says improvement must live in business as usual.

"governance calendars, supervision templates, team meeting agendas, audit cycles, incident
review processes, quality dashboards, board reporting, provider visits and service
observations" — plus the staff handovers and competency checks of the medicines example.
"""

from __future__ import annotations

from collections.abc import Mapping

CHANNELS: Mapping[str, str] = {
    "governance_calendar": "Governance calendar",
    "supervision": "Supervision discussions",
    "team_meetings": "Team meeting agendas",
    "audit_cycles": "Audit cycles",
    "incident_review": "Incident review",
    "dashboards": "Quality dashboards",
    "board_reporting": "Board reporting",
    "provider_visits": "Provider visits and observations",
    "handovers": "Staff handovers",
    "competency_checks": "Competency checks",
}


def coverage(required: frozenset[str], active: frozenset[str]) -> float:
    """Share of the required channels that were active (1.0 when none are required)."""
    if not required:
        return 1.0
    return len(required & active) / len(required)
