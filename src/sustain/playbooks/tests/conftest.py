"""Fixtures for playbook tests: the shipped library, an organisation playbook's YAML, a theme,
and users with the roles that matter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sustain.playbooks.services import playbooks_load
from sustain.themes import services as theme_services

ORG_PLAYBOOK = """\
code: {code}
version: {version}
title: Night medicines rounds
summary: Our own recipe for night-time medicines rounds.
source:
  document: Internal audit, March 2026
  section: Findings
  quotes: [Night rounds were late and MAR charts unsigned.]
theme:
  title: Night medicines rounds
  description: Late night rounds and unsigned MAR charts.
  key_questions: [safe]
  quality_statements: [S8, S2]
  regulations: [RA2014-12]
audit_templates:
  - code: {code}-audit
    title: Night round audit
    purpose: Checks the night round on a sample of MAR charts.
    pass_mark: 95
    sample_size: 4
    sample_label: MAR chart
    cadence: {{frequency: weekly, owner_role: registered_manager}}
    sections:
      - title: Each chart
        questions:
          - {{code: SIGNED, text: Signed for the night round., answer_type: yes_no,
             per_sample: true}}
          - {{code: CD, text: Controlled drugs checked by two staff., answer_type: yes_no,
             critical: true}}
verification: {{reaudit_template: {code}-audit, pass_mark: 95, consecutive_passes: 3}}
sustain_cycles: 3
embedding_channels: [handovers, supervision]
"""


def org_playbook(code: str = "night-rounds", version: int = 1) -> str:
    return ORG_PLAYBOOK.format(code=code, version=version)


@pytest.fixture
def shipped(db: Any) -> Any:
    """The shipped playbooks (and the reference library, loaded first)."""
    return playbooks_load()


@pytest.fixture
def lead(org: Any, make_user: Callable[..., Any]) -> Any:
    """A provider quality lead over the whole organisation (playbook.manage, theme.change)."""
    return make_user(org, "quality_lead", scope="organisation")


@pytest.fixture
def rm(org: Any, location: Any, make_user: Callable[..., Any]) -> Any:
    """The registered manager of `location`: changes themes there, cannot manage playbooks."""
    return make_user(org, "registered_manager", location=location)


@pytest.fixture
def theme(shipped: Any, org: Any, location: Any, rm: Any) -> Any:
    return theme_services.theme_create(actor=rm, organisation=org, location=location,
                                       title="Medicines governance", origin="inspection")
