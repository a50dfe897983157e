"""Uploading an imported indicator's series (agency hours %): preview, problems by row and
column, nothing written while a row is bad, upsert on re-import; page and API."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.indicators import services
from sustain.indicators.models import Indicator, IndicatorValue
from sustain.indicators.upload import values_upload

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)
GOOD = ("indicator_code,period,numerator,denominator\n"
        "agency-hours,2026-08-14,300,4000\n"
        "agency-hours,2026-09-01,420,4200\n"
        "agency-hours,2026-10-31,390,4100\n")


@pytest.fixture
def agency(org: Any) -> Indicator:
    services.library_install(actor="test", organisation=org)
    return Indicator.objects.get(organisation=org, code="agency-hours")


@pytest.fixture
def manager(org: Any, location: Any, make_user: Any) -> Any:
    return make_user(org, "registered_manager", location=location)


def run(actor: Any, indicator: Indicator, location: Any, text: str, write: bool) -> Any:
    data = text.encode()
    return values_upload(actor=actor, indicator=indicator, location=location,
                         fileobj=io.BytesIO(data), size=len(data), today=TODAY, write=write)


def test_preview_writes_nothing_then_import_writes_every_row(agency: Indicator, location: Any,
                                                             manager: Any) -> None:
    result = run(manager, agency, location, GOOD, write=False)
    assert result.ok and len(result.rows) == 3 and not result.written
    assert result.rows[0].period_start == dt.date(2026, 8, 1)
    assert result.rows[1].value == pytest.approx(10.0)
    assert not IndicatorValue.objects.exists()
    result = run(manager, agency, location, GOOD, write=True)
    assert result.written and result.created == 3
    values = list(IndicatorValue.objects.order_by("period_start"))
    assert [(v.period_start, v.numerator, v.denominator, v.source) for v in values] == [
        (dt.date(2026, 8, 1), 300, 4000, "imported"), (dt.date(2026, 9, 1), 420, 4200,
                                                       "imported"),
        (dt.date(2026, 10, 1), 390, 4100, "imported")]
    assert HistoryEntry.objects.filter(object_uuid=agency.uuid, action="update").exists()
    # A corrected file updates the value (an upsert), it does not add one.
    result = run(manager, agency, location, GOOD.replace("420,4200", "430,4200"), write=True)
    assert (result.created, result.updated) == (0, 1)
    assert IndicatorValue.objects.get(period_start=dt.date(2026, 9, 1)).numerator == 430


def test_a_bad_row_names_its_line_and_column_and_nothing_is_written(
        agency: Indicator, location: Any, manager: Any) -> None:
    text = GOOD + ("agency-hours,2026-07-01,-5,4000\n"
                   "agency-hours,2026-09-20,1,100\n"
                   "falls-rate,2026-06-01,1,100\n"
                   "agency-hours,2026-11-02,1,100\n"
                   "agency-hours,last month,1,100\n")
    result = run(manager, agency, location, text, write=True)
    assert not result.ok and not result.written
    found = {(p.row, p.column) for p in result.problems}
    assert found == {(5, "numerator"), (6, "period"), (7, "indicator_code"), (8, "period"),
                     (9, "period")}
    repeat = next(p for p in result.problems if p.row == 6)
    assert "Repeats row 3" in repeat.message
    assert not IndicatorValue.objects.exists()


def test_missing_column_and_computed_indicator_refused(agency: Indicator, org: Any,
                                                       location: Any, manager: Any) -> None:
    result = run(manager, agency, location, "indicator_code,period,numerator\n", write=True)
    assert result.file_problems and "denominator" in result.file_problems[0]
    falls = Indicator.objects.get(organisation=org, code="falls-rate")
    with pytest.raises(InvalidInput, match="Only an imported indicator"):
        run(manager, falls, location, GOOD, write=False)


def test_permission_at_the_location(agency: Indicator, org: Any, location: Any,
                                    sibling_location: Any, manager: Any,
                                    make_user: Any) -> None:
    with pytest.raises(PermissionDenied):
        run(manager, agency, sibling_location, GOOD, write=True)
    staff = make_user(org, "care_staff", location=location)
    with pytest.raises(PermissionDenied):
        run(staff, agency, location, GOOD, write=True)


def test_page_and_api(agency: Indicator, location: Any, manager: Any, client: Any,
                      token_client: Any, settings: Any, tmp_path: Any) -> None:
    client.force_login(manager)
    url = f"/indicators/{agency.uuid}/upload/"
    assert client.get(url).status_code == 200
    bad = GOOD + "agency-hours,2026-07-01,-5,4000\n"
    res = client.post(url, {"location": str(location.uuid), "import": "1",
                            "file": SimpleUploadedFile("a.csv", bad.encode(), "text/csv")})
    assert res.status_code == 400
    assert "Row 5, column numerator" in res.content.decode()
    assert not IndicatorValue.objects.exists()
    res = client.post(url, {"location": str(location.uuid), "import": "1",
                            "file": SimpleUploadedFile("a.csv", GOOD.encode(), "text/csv")})
    assert res.status_code == 302
    assert IndicatorValue.objects.count() == 3
    api = token_client(manager)
    res = api.post(f"/api/v1/indicators/{agency.uuid}/upload/",
                   {"location": str(location.uuid), "commit": "1",
                    "file": SimpleUploadedFile("b.csv", bad.encode(), "text/csv")},
                   format="multipart")
    assert res.status_code == 400
    assert {"row": 5, "column": "numerator", "message": "Must not be negative."} in \
        res.json()["problems"]
