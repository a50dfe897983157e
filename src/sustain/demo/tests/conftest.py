"""The full demo, built once per test session for the story tests (a full build takes about
45 s on SQLite and 90 s on PostgreSQL).

`full_demo` builds the demo (seed and date as `sustain demo` would), lets each story module
read what it checks into plain values (`Story` in test_operational.py, `Facts` in
test_governance_story.py), then rolls the build back. `demo_rebuilt` builds it a second time,
after that roll-back, and keeps only the content dumps the determinism tests compare. The tests
assert on these values, so they still fail when the demo stops telling its story.

`run.py test` runs pytest-xdist with `--dist loadgroup`, and the root conftest.py sends every
test in this folder to one worker (XDIST_GROUPS), so one worker builds the demo for all of
them. (The tests' `xdist_group("demo")` mark says the same, but xdist 3.8 cannot apply it
under pytest 9.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from sustain.demo import data
from sustain.demo.builder import build_demo

AS_OF = dt.date(2026, 11, 27)


@dataclass
class FullDemo:
    story: Any  # test_operational.Story
    facts: Any  # test_governance_story.Facts
    escalations: Any  # test_escalations_story.EscalationFacts
    early_warning: Any  # test_early_warning_story.EarlyWarningFacts


@dataclass
class Rebuilt:
    operational: dict[str, Any]  # test_operational.content_dump()
    governance: dict[str, Any]  # test_governance_story.governance_dump(org)


@pytest.fixture(scope="session")
def full_demo(django_db_setup: Any, django_db_blocker: Any) -> FullDemo:
    from sustain.demo.tests import (
        test_early_warning_story,
        test_escalations_story,
        test_governance_story,
        test_operational,
    )

    with django_db_blocker.unblock(), transaction.atomic():
        org = build_demo(seed=data.DEFAULT_SEED, as_of=AS_OF).organisation
        found = FullDemo(story=test_operational.read_story(org),
                         facts=test_governance_story.read_all_facts(org),
                         escalations=test_escalations_story.read_escalations(org),
                         early_warning=test_early_warning_story.read_early_warning(org))
        transaction.set_rollback(True)
    return found


@pytest.fixture(scope="session")
def demo_rebuilt(full_demo: FullDemo, django_db_blocker: Any) -> Rebuilt:
    """A second build with the same seed and date (the first one is rolled back by now)."""
    from sustain.demo.tests import test_governance_story, test_operational

    with django_db_blocker.unblock(), transaction.atomic():
        org = build_demo(seed=data.DEFAULT_SEED, as_of=AS_OF).organisation
        found = Rebuilt(operational=test_operational.content_dump(),
                        governance=test_governance_story.governance_dump(org))
        transaction.set_rollback(True)
    return found
