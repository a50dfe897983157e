"""`sustain import`: validate, commit with a progress bar, refusals as command errors."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from sustain.imports.tests.conftest import csv_bytes
from sustain.people.models import PersonSupported

ROWS = [["reference", "initials", "admission_date"], ["RH-1", "JS", "2025-01-02"],
        ["RH-2", "AB", "02/01/2025"]]


def _run(*args, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def test_validate_only_then_commit(tmp_path, org, location):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(ROWS))
    out, err = _run("people", str(path), location=location.cqc_location_id)
    assert "2 valid" in out and "--commit" in out
    assert "Validating: [" in err and "100%" in err
    assert not PersonSupported.objects.exists()
    out, err = _run("people", str(path), location=location.name.upper(), organisation="acme",
                    commit=True)
    assert "2 created" in out and "Importing: [" in err
    assert PersonSupported.objects.count() == 2
    out, _ = _run("people", str(path), location=location.name, commit=True)
    assert "2 already imported" in out and "0 created" in out
    assert PersonSupported.objects.count() == 2


def test_problems_are_listed_and_nothing_written(tmp_path, org, location):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes([*ROWS, ["RH-3", "JS", "2999-01-01"]]))
    with pytest.raises(CommandError, match="nothing was imported"):
        _run("people", str(path), location=location.name, commit=True)
    assert not PersonSupported.objects.exists()


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    (("nope", "x.csv"), {"location": "Oak House"}, "Unknown kind"),
    (("people", "/no/such/file.csv"), {"location": "Oak House"}, "No file"),
    (("people", "FILE"), {"location": "Nowhere"}, "No single location"),
    (("people", "FILE"), {"location": "Oak House", "organisation": "zzz"}, "short name"),
])
def test_refusals(tmp_path, org, location, args, kwargs, message):
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes(ROWS))
    args = tuple(str(path) if a == "FILE" else a for a in args)
    with pytest.raises(CommandError, match=message):
        _run(*args, **kwargs)


def test_wrong_type_refused(tmp_path, org, location):
    path = tmp_path / "p.csv"
    path.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(CommandError, match="not a CSV or XLSX"):
        _run("people", str(path), location=location.name)
