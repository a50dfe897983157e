"""`sustain demo --no-serve`: builds once, prints and writes the accounts, keeps what exists."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sustain.demo import data
from sustain.people.models import StaffMember
from sustain.reference.models import KeyQuestion, QualityStatement
from sustain.tenancy.models import Organisation
from sustain.tenancy.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", "--as-of", "2026-11-27", *args, stdout=out,
                 stderr=io.StringIO())
    return out.getvalue()


def test_builds_prints_and_writes_the_accounts(tmp_path: Path) -> None:
    target = tmp_path / "out" / "accounts.json"
    output = run_demo("--accounts-json", str(target))
    accounts = json.loads(target.read_text())
    assert [a["username"] for a in accounts] == [spec.username for spec in data.ACCOUNTS]
    for account in accounts:
        assert {"username", "password", "role", "scope", "locations"} <= set(account)
        assert account["locations"]
        assert account["username"] in output
        assert account["password"] in output
    assert "Built Northfield Care Group" in output
    # The reference library is loaded with the demo: the 34 quality statements, 5 questions.
    assert QualityStatement.objects.count() == 34
    assert KeyQuestion.objects.count() == 5
    assert "http://127.0.0.1:8000/accounts/login/" in output


def test_a_second_run_keeps_the_existing_demo(tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    second = tmp_path / "second.json"
    run_demo("--accounts-json", str(first))
    staff = StaffMember.objects.count()
    output = run_demo("--accounts-json", str(second))
    assert "already exists" in output
    assert StaffMember.objects.count() == staff
    assert Organisation.objects.filter(slug=data.ORGANISATION_SLUG).count() == 1
    assert json.loads(first.read_text()) == json.loads(second.read_text())


def test_reset_refuses_a_database_holding_other_organisations() -> None:
    OrganisationFactory(name="Real Provider Ltd", slug="real")
    with pytest.raises(CommandError, match="Real Provider Ltd"):
        run_demo("--reset")
    assert Organisation.objects.filter(slug="real").exists()
    assert not Organisation.objects.filter(slug=data.ORGANISATION_SLUG).exists()


def test_a_bad_as_of_date_is_refused() -> None:
    with pytest.raises(CommandError, match="--as-of"):
        call_command("demo", "--no-serve", "--as-of", "27/11/2026")
