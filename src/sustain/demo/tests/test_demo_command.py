"""`sustain demo --no-serve`: builds once, prints and writes the accounts, keeps what exists."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from sustain.demo import data
from sustain.people.models import StaffMember
from sustain.reference.models import KeyQuestion, QualityStatement
from sustain.tenancy.models import Organisation
from sustain.tenancy.tests.factories import OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", "--as-of", "2026-11-27", *args, stdout=out,
                 stderr=io.StringIO())
    return out.getvalue()


@dataclass
class TwoRuns:
    """What `sustain demo --no-serve` did on an empty database, then run again over it."""

    first_output: str
    first_accounts: list[dict[str, Any]]
    quality_statements: int
    key_questions: int
    staff: int
    second_output: str
    second_accounts: list[dict[str, Any]]
    staff_after_second: int
    demo_organisations_after_second: int


@pytest.fixture(scope="module")
def two_runs(django_db_setup: Any, django_db_blocker: Any,
             tmp_path_factory: pytest.TempPathFactory) -> TwoRuns:
    """One full build for the module (two tests used to build it once each), rolled back."""
    folder = tmp_path_factory.mktemp("demo-command")
    first, second = folder / "out" / "accounts.json", folder / "second.json"
    with django_db_blocker.unblock(), transaction.atomic():
        first_output = run_demo("--accounts-json", str(first))
        quality_statements = QualityStatement.objects.count()
        key_questions = KeyQuestion.objects.count()
        staff = StaffMember.objects.count()
        second_output = run_demo("--accounts-json", str(second))
        runs = TwoRuns(
            first_output=first_output, first_accounts=json.loads(first.read_text()),
            quality_statements=quality_statements, key_questions=key_questions, staff=staff,
            second_output=second_output, second_accounts=json.loads(second.read_text()),
            staff_after_second=StaffMember.objects.count(),
            demo_organisations_after_second=Organisation.objects.filter(
                slug=data.ORGANISATION_SLUG).count())
        transaction.set_rollback(True)
    return runs


def test_builds_prints_and_writes_the_accounts(two_runs: TwoRuns) -> None:
    output, accounts = two_runs.first_output, two_runs.first_accounts
    assert [a["username"] for a in accounts] == [spec.username for spec in data.ACCOUNTS]
    for account in accounts:
        assert {"username", "password", "role", "scope", "locations"} <= set(account)
        assert account["locations"]
        assert account["username"] in output
        assert account["password"] in output
    assert "Built Northfield Care Group" in output
    # The reference library is loaded with the demo: the 34 quality statements, 5 questions.
    assert two_runs.quality_statements == 34
    assert two_runs.key_questions == 5
    assert "http://127.0.0.1:8000/accounts/login/" in output


def test_a_second_run_keeps_the_existing_demo(two_runs: TwoRuns) -> None:
    assert "already exists" not in two_runs.first_output
    assert two_runs.staff > 0
    assert "already exists" in two_runs.second_output
    assert "Built " not in two_runs.second_output
    assert two_runs.staff_after_second == two_runs.staff
    assert two_runs.demo_organisations_after_second == 1
    assert two_runs.second_accounts == two_runs.first_accounts


def test_reset_refuses_a_database_holding_other_organisations() -> None:
    OrganisationFactory(name="Real Provider Ltd", slug="real")
    with pytest.raises(CommandError, match="Real Provider Ltd"):
        run_demo("--reset")
    assert Organisation.objects.filter(slug="real").exists()
    assert not Organisation.objects.filter(slug=data.ORGANISATION_SLUG).exists()


def test_a_bad_as_of_date_is_refused() -> None:
    with pytest.raises(CommandError, match="--as-of"):
        call_command("demo", "--no-serve", "--as-of", "27/11/2026")
