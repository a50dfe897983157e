"""Custom indicators and library copies: the services (validation by field, history, archive
instead of delete), the writable `indicators/` API and the create/edit pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.indicators import services
from sustain.indicators.models import Indicator, IndicatorValue

pytestmark = pytest.mark.django_db

NIGHT_FALLS = {"code": "night-falls", "name": "Falls at night per 1,000 bed days",
               "unit": "per 1,000 occupied bed days", "numerator": "falls",
               "denominator": "occupied_bed_days", "multiplier": 1000,
               "direction": "higher_is_worse", "kind": "rate"}


@pytest.fixture
def lead(org: Any, make_user: Any) -> Any:
    return make_user(org, "quality_lead", scope="organisation")


def _errors(call: Any) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as info:
        call()
    return info.value.errors


def test_create_computed_and_imported(org: Any, lead: Any) -> None:
    ind = services.indicator_create(actor=lead, organisation=org, **NIGHT_FALLS)
    assert (ind.source, ind.from_library, ind.multiplier) == ("computed", False, 1000.0)
    assert list(HistoryEntry.objects.filter(object_uuid=ind.uuid)
                .values_list("action", flat=True)) == ["create"]
    imported = services.indicator_create(
        actor=lead, organisation=org, code="bank-hours", name="Bank hours (%)", unit="%",
        source="imported", numerator="bank_hours", denominator="hours_worked",
        multiplier=100, direction="higher_is_worse", kind="proportion")
    assert imported.source == "imported" and imported.numerator == "bank_hours"


def test_validation_names_each_field(org: Any, lead: Any) -> None:
    services.indicator_create(actor=lead, organisation=org, **NIGHT_FALLS)
    errors = _errors(lambda: services.indicator_create(
        actor=lead, organisation=org, **{**NIGHT_FALLS, "numerator": "fallz",
                                         "minimum_points": -3, "multiplier": 0}))
    assert "code" in errors and "already" in errors["code"][0]  # code clash
    assert "Unknown computation 'fallz'" in errors["numerator"][0]
    assert "At least 2" in errors["minimum_points"][0]
    assert "multiplier" in errors
    errors = _errors(lambda: services.indicator_create(
        actor=lead, organisation=org, **{**NIGHT_FALLS, "code": "falls-rate"}))
    assert "library" in errors["code"][0]
    errors = _errors(lambda: services.indicator_create(
        actor=lead, organisation=org, **{**NIGHT_FALLS, "code": "Bad Code!",
                                         "kind": "weird", "name": ""}))
    assert set(errors) >= {"code", "kind", "name"}
    assert Indicator.objects.filter(organisation=org).count() == 1  # nothing written


def test_only_indicator_managers(org: Any, location: Any, make_user: Any) -> None:
    manager = make_user(org, "registered_manager", location=location)
    with pytest.raises(PermissionDenied):
        services.indicator_create(actor=manager, organisation=org, **NIGHT_FALLS)


def test_library_copy_changes_target_not_computation(org: Any, lead: Any,
                                                     location: Any) -> None:
    services.library_install(actor="test", organisation=org)
    falls = Indicator.objects.get(organisation=org, code="falls-rate")
    errors = _errors(lambda: services.indicator_update(
        actor=lead, indicator=falls, expected_version=falls.version,
        changes={"numerator": "complaints", "target": 5.0}))
    assert "numerator" in errors and "target" not in errors
    value = IndicatorValue.objects.create(
        organisation=org, indicator=falls, location=location, period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 2, 1), numerator=3, denominator=900, value=3.3,
        computed_at=timezone.now())
    updated = services.indicator_update(actor=lead, indicator=falls,
                                        expected_version=falls.version,
                                        changes={"target": 5.0, "minimum_points": 15})
    change = HistoryEntry.objects.filter(object_uuid=falls.uuid).latest("seq")
    assert change.action == "update"
    assert (updated.target, updated.minimum_points, updated.version) == (5.0, 15,
                                                                         falls.version + 1)
    value.refresh_from_db()
    assert value.archived_at is None
    updated = services.indicator_update(actor=lead, indicator=updated,
                                        expected_version=updated.version,
                                        changes={"frequency": "weekly"})
    value.refresh_from_db()
    assert updated.frequency == "weekly" and value.archived_at is not None
    errors = _errors(lambda: services.indicator_update(
        actor=lead, indicator=updated, expected_version=updated.version,
        changes={"minimum_points": 1}))
    assert "minimum_points" in errors


def test_archive_not_delete(org: Any, lead: Any) -> None:
    ind = services.indicator_create(actor=lead, organisation=org, **NIGHT_FALLS)
    archived = services.indicator_archive(actor=lead, indicator=ind, reason="Not used")
    assert archived.archived_at is not None
    assert Indicator.objects.filter(pk=ind.pk).exists()


def test_api_create_update_archive(org: Any, lead: Any, token_client: Any) -> None:
    client = token_client(lead)
    res = client.get("/api/v1/indicators/computations/")
    assert res.status_code == 200
    assert {"name": "falls", "label": "falls"} in res.json()
    res = client.post("/api/v1/indicators/", NIGHT_FALLS, format="json")
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["code"] == "night-falls" and body["from_library"] is False
    res = client.patch(f"/api/v1/indicators/{body['id']}/",
                       {"target": 4.5, "version": body["version"]}, format="json")
    assert res.status_code == 200, res.content
    assert res.json()["target"] == 4.5
    res = client.patch(f"/api/v1/indicators/{body['id']}/",
                       {"minimum_points": -1, "version": res.json()["version"]},
                       format="json")
    assert res.status_code == 400 and "minimum_points" in res.json()["errors"]
    res = client.post("/api/v1/indicators/", {**NIGHT_FALLS, "code": "x2",
                                              "denominator": "nope"}, format="json")
    assert res.status_code == 400 and "denominator" in res.json()["errors"]
    res = client.post(f"/api/v1/indicators/{body['id']}/archive/", {"reason": "done"},
                      format="json")
    assert res.status_code == 200 and res.json()["archived_at"]
    assert client.delete(f"/api/v1/indicators/{body['id']}/").status_code == 405


def test_pages_create_and_edit(org: Any, lead: Any, client: Any) -> None:
    client.force_login(lead)
    assert client.get("/indicators/new/").status_code == 200
    form = {**NIGHT_FALLS, "source": "computed", "frequency": "monthly",
            "minimum_points": "-2", "target": ""}
    res = client.post("/indicators/new/", form)
    assert res.status_code == 400
    assert "At least 2 points" in res.content.decode()
    res = client.post("/indicators/new/", {**form, "minimum_points": "12"})
    assert res.status_code == 302
    ind = Indicator.objects.get(organisation=org, code="night-falls")
    res = client.post(f"/indicators/{ind.uuid}/edit/", {
        **form, "minimum_points": "10", "target": "3", "version": ind.version,
        "name": "Night falls"})
    assert res.status_code == 302, res.content.decode()[:2000]
    ind.refresh_from_db()
    assert (ind.name, ind.target, ind.minimum_points) == ("Night falls", 3.0, 10)
    res = client.post(f"/indicators/{ind.uuid}/archive/", {"version": ind.version,
                                                           "reason": "Merged"})
    assert res.status_code == 302
    ind.refresh_from_db()
    assert ind.archived_at is not None


def test_pages_refuse_without_manage(org: Any, location: Any, make_user: Any,
                                     client: Any) -> None:
    client.force_login(make_user(org, "registered_manager", location=location))
    assert client.get("/indicators/new/").status_code == 403


def test_library_page_edits_only_its_settings(org: Any, lead: Any, client: Any) -> None:
    services.library_install(actor="test", organisation=org)
    falls = Indicator.objects.get(organisation=org, code="falls-rate")
    client.force_login(lead)
    page = client.get(f"/indicators/{falls.uuid}/edit/").content.decode()
    assert 'name="target"' in page and 'name="numerator"' not in page
    res = client.post(f"/indicators/{falls.uuid}/edit/", {
        "target": "4.5", "minimum_points": "1", "frequency": "monthly",
        "version": falls.version})
    assert res.status_code == 400 and "At least 2 points" in res.content.decode()
    res = client.post(f"/indicators/{falls.uuid}/edit/", {
        "target": "4.5", "minimum_points": "14", "frequency": "monthly",
        "version": falls.version})
    assert res.status_code == 302
    falls.refresh_from_db()
    assert (falls.target, falls.minimum_points, falls.numerator) == (4.5, 14, "falls")
    listing = client.get("/indicators/").content.decode()
    assert ">4.5<" in listing
