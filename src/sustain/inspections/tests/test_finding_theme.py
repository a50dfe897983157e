"""From an inspection finding to an improvement theme (and its playbook)."""

from __future__ import annotations

from typing import Any

import pytest

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.inspections import services, services_theme
from sustain.inspections.models import Finding, Inspection
from sustain.inspections.tests.conftest import payload
from sustain.people.tests.factories import StaffFactory
from sustain.playbooks.models import Playbook
from sustain.themes.models import Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspection(manager: Any, org: Any, location: Any) -> Inspection:
    return services.inspection_record(actor=manager, organisation=org, location=location,
                                      **payload())


def finding(inspection: Inspection, code: str) -> Finding:
    return inspection.findings.get(quality_statements__code=code)


def test_theme_takes_statements_and_matching_breaches(manager: Any, inspection: Inspection,
                                                      org: Any, location: Any) -> None:
    owner = StaffFactory(organisation=org, locations=[location])
    safeguarding = finding(inspection, "S3")
    theme = services.finding_create_theme(actor=manager, finding=safeguarding,
                                          title="Safeguarding", owner=owner)
    assert (theme.origin, theme.stage, theme.finding, theme.owner, theme.location) == (
        "inspection", "identified", safeguarding, owner, location)
    assert [s.code for s in theme.quality_statements.all()] == ["S3"]
    assert [r.code for r in theme.regulations.all()] == ["RA2014-13"]
    assert HistoryEntry.objects.filter(object_uuid=theme.uuid, action="create").exists()


def test_without_statements_the_key_question_decides(manager: Any, inspection: Inspection,
                                                     org: Any, location: Any) -> None:
    governance = services.finding_add(actor=manager, inspection=inspection,
                                      text="Audits did not find the problems.",
                                      key_question="well-led")
    services.breach_add(actor=manager, inspection=inspection, regulation="RA2014-17",
                        summary="Governance systems not effective.")
    theme = services.finding_create_theme(actor=manager, finding=governance,
                                          title="Good governance")
    # Regulation 17 maps to Well-led statements; 12 maps to W6 too; 13 to Safe only.
    assert sorted(r.code for r in theme.regulations.all()) == ["RA2014-12", "RA2014-17"]
    assert list(theme.quality_statements.all()) == []


def test_refusals_write_nothing(manager: Any, inspection: Inspection, org: Any,
                                sibling_location: Any, make_user: Any, location: Any) -> None:
    medicines = finding(inspection, "S8")
    before = (Theme.objects.count(), HistoryEntry.objects.count())
    stranger = StaffFactory(organisation=org, locations=[sibling_location])
    with pytest.raises(InvalidInput) as err:
        services.finding_create_theme(actor=manager, finding=medicines, title=" ",
                                      owner=stranger)
    assert set(err.value.errors) == {"title", "owner"}
    carer = make_user(org, "care_staff", location=location)
    with pytest.raises(PermissionDenied):
        services.finding_create_theme(actor=carer, finding=medicines, title="Medicines")
    assert (Theme.objects.count(), HistoryEntry.objects.count()) == before
    services.finding_create_theme(actor=manager, finding=medicines, title="Medicines")
    with pytest.raises(InvalidInput) as err:
        services.finding_create_theme(actor=manager, finding=medicines, title="Again")
    assert "finding" in err.value.errors and Theme.objects.count() == 1


def test_a_playbook_is_applied_in_the_same_step(manager: Any, inspection: Inspection) -> None:
    from sustain.playbooks.services import playbooks_load

    playbooks_load()
    playbook = Playbook.objects.get(code="medicines-governance", organisation=None)
    theme = services.finding_create_theme(actor=manager, finding=finding(inspection, "S8"),
                                          title="Medicines governance", playbook=playbook)
    # The playbook's verification rule and its statements are on the theme, and the
    # finding's own statement and matching breach are kept.
    assert theme.playbook == playbook
    assert (theme.pass_mark, theme.consecutive_passes) == (90, 2)
    assert "S8" in {s.code for s in theme.quality_statements.all()}
    assert "RA2014-12" in {r.code for r in theme.regulations.all()}


def test_a_failing_playbook_leaves_no_theme(manager: Any, inspection: Inspection,
                                            monkeypatch: Any) -> None:
    calls = []

    def refuse(**kwargs: Any) -> None:
        calls.append(kwargs)
        raise InvalidInput("Playbook broken.", {"playbook": ["Broken."]})

    monkeypatch.setattr(services_theme, "_playbook_apply", lambda: refuse)
    playbook = Playbook(code="x", version=1, title="X", source="shipped", checksum="0",
                        raw="", content={})
    before = (Theme.objects.count(), HistoryEntry.objects.count())
    with pytest.raises(InvalidInput) as err:
        services.finding_create_theme(actor=manager, finding=finding(inspection, "S8"),
                                      title="Medicines", playbook=playbook)
    assert list(err.value.errors) == ["playbook"]
    assert calls and calls[0]["theme"].title == "Medicines"
    assert (Theme.objects.count(), HistoryEntry.objects.count()) == before
