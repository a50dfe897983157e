"""Every registered import kind, CSV and XLSX: the downloadable template (header, one example
row, help for every column) validates and imports cleanly; a filled template commits; the
export (filtered by location and by the key) holds exactly those records, neutralises formula
cells, and re-importing it creates nothing. A kind added to the registry is covered here
without any change (a kind whose example row refers to something new fails the meta-test
until `world.py` builds it)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sustain.engine.access import Role
from sustain.engine.import_rows import TEXT
from sustain.imports import exports
from sustain.imports.registry import ImportKind, get_kind, kinds
from sustain.imports.services import job_commit, job_upload, job_validate
from sustain.imports.tests import world
from sustain.tenancy.tests.factories import LocationFactory, MembershipFactory

KINDS = sorted(kinds())
FORMULA = '=HYPERLINK("http://example.invalid","click")'


@pytest.fixture(scope="module")
def client() -> Client:
    return Client()  # one client (its middleware loads once) for every test here


@pytest.fixture
def places(org: Any, region: Any) -> list[Any]:
    home = LocationFactory(organisation=org, region=region, name="Oak House",
                           cqc_location_id="1-000000001")
    return [home, LocationFactory(organisation=org, name="Elm Court")]


@pytest.fixture
def manager(make_user: Any, org: Any, places: list[Any]) -> Any:
    user = make_user(org, Role.REGISTERED_MANAGER, location=places[0])
    MembershipFactory(user=user, organisation=org, role=Role.REGISTERED_MANAGER,
                      scope="location", location=places[1])
    return user


def _import(manager: Any, org: Any, location: Any, kind: str, data: bytes, ext: str) -> Any:
    job = job_upload(actor=manager, organisation=org, location=location, kind=kind,
                     fileobj=io.BytesIO(data), name=f"{kind}.{ext}", size=len(data))
    return job_validate(actor=manager, job=job)


def _download(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _template(client: Client, kind: ImportKind, ext: str) -> tuple[list[str], list[list[Any]]]:
    data = _download(client, reverse("imports:template", kwargs={"kind": kind.name,
                                                                 "file_type": ext}))
    return world.read_xlsx(data) if ext == "xlsx" else world.read_csv(data)


def _export(client: Client, kind: ImportKind, ext: str, **params: str) -> bytes:
    query = "&".join(f"{k}={v}" for k, v in {"kind": kind.name, "file_type": ext,
                                             **params}.items())
    return _download(client, f"{reverse('imports:export')}?{query}")


def _keys(kind: ImportKind, ext: str, data: bytes) -> list[str]:
    header, rows = world.read_xlsx(data) if ext == "xlsx" else world.read_csv(data)
    assert header == list(kind.export_columns)
    index = header.index(kind.key_column)
    return [str(r[index]) for r in rows]


def test_every_kind_has_export_and_import_columns_agree() -> None:
    assert {"briefings", "attestations", "medicines-checks", "safeguarding-concerns",
            "care-plan-reviews", "care-plan-actions", "incidents", "complaints", "compliments",
            "feedback", "visits", "supervisions", "competency-assessments",
            "training-records"} <= set(KINDS)
    for name in KINDS:
        kind = get_kind(name)
        assert kind.export_row is not None and kind.export_columns, name
        assert kind.key_column in kind.export_columns, name
        # an export can be imported again: every export column is an import column
        assert set(kind.export_columns) <= {c.name for c in kind.columns}, name
        assert all(c.example for c in kind.columns if c.required), name


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
@pytest.mark.parametrize("name", KINDS)
def test_template_example_row_validates_cleanly(client, org, places, manager, name, ext):
    """The meta-test: each kind's template, as downloaded, has help for every column and an
    example row that validates with no problem and imports one record."""
    kind = get_kind(name)
    world.build_world(org, places, omit=kind.model)
    client.force_login(manager)
    header, rows = _template(client, kind, ext)
    assert header == [c.name for c in kind.columns] and len(rows) == 1
    if ext == "xlsx":
        data = _download(client, reverse("imports:template",
                                         kwargs={"kind": name, "file_type": "xlsx"}))
        _, help_rows = world.read_xlsx(data, sheet=1)
        assert [r[0] for r in help_rows] == header
    else:
        text = _download(client, reverse("imports:template",
                                         kwargs={"kind": name, "file_type": "csv"})).decode()
        for column in kind.columns:
            assert f"# {column.name} (" in text
    data = _download(client, reverse("imports:template", kwargs={"kind": name,
                                                                 "file_type": ext}))
    job = _import(manager, org, places[0], name, data, ext)
    assert job.status == "validated", job.report
    assert job.counts["valid"] == 1 and job.counts["invalid_rows"] == 0, job.counts
    before = kind.model_class._default_manager.count()
    job = job_commit(actor=manager, job=job)
    assert job.status == "committed" and job.counts["created"] == 1
    assert kind.model_class._default_manager.count() == before + 1


def _fill(kind: ImportKind, place: Any, header: list[str]) -> list[list[str]]:
    """Two rows for a place: the example row (own key) and a second one with the staff
    swapped and, where the kind has free text, a formula in it."""
    first = world.example_row(kind, place)
    first[kind.key_column] = f"{first[kind.key_column]}-{place.tag}1"
    second = world.swap_staff(first, kind)
    second[kind.key_column] = f"{first[kind.key_column][:-1]}2"
    text = [c.name for c in kind.columns if c.type == TEXT and (c.max_length or 0) >= 1000]
    if text:
        second[text[0]] = FORMULA
    return [[row[h] for h in header] for row in (first, second)]


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
@pytest.mark.parametrize("name", KINDS)
def test_round_trip(client, org, places, manager, name, ext):
    kind = get_kind(name)
    model = kind.model_class
    built = world.build_world(org, places, omit=kind.model)
    client.force_login(manager)
    header, _ = _template(client, kind, ext)
    make = world.xlsx_file if ext == "xlsx" else world.csv_file
    keys: dict[str, set[str]] = {}
    for place in built:
        rows = _fill(kind, place, header)
        keys[place.tag] = {r[header.index(kind.key_column)] for r in rows}
        count, tracked = model._default_manager.count(), world.tracked_count(kind.model)
        job = _import(manager, org, place.location, name, make(header, rows), ext)
        assert job.status == "validated", job.report
        assert job.counts["valid"] == 2 and job.counts["skipped"] == 0
        job = job_commit(actor=manager, job=job)
        assert job.status == "committed" and job.counts["created"] == 2, job.report
        assert model._default_manager.count() == count + 2
        if not kind.bulk:  # a history entry per record (the bulk path: one per import)
            assert world.tracked_count(kind.model) == tracked + 2

    home, elm = built
    exported = {}
    for place in (home, elm):
        data = _export(client, kind, ext, location=str(place.location.uuid))
        found = set(_keys(kind, ext, data))
        assert keys[place.tag] <= found and not keys[{"A": "B", "B": "A"}[place.tag]] & found
        exported[place.tag] = data
    everything = set(_keys(kind, ext, _export(client, kind, ext)))
    assert keys["A"] | keys["B"] <= everything
    filterset = exports._filterset(kind)
    if filterset is not None and kind.key_field in filterset.base_filters:
        one = sorted(keys["A"])[0]
        assert _keys(kind, ext, _export(client, kind, ext, **{kind.key_field: one})) == [one]

    text = [c for c in kind.columns if c.type == TEXT and (c.max_length or 0) >= 1000]
    if text:  # formula injection neutralised: shown as text, never evaluated
        header_out, rows_out = (world.read_xlsx if ext == "xlsx" else world.read_csv)(
            exported["A"])
        cells = [r[header_out.index(text[0].name)] for r in rows_out]
        assert "'" + FORMULA in cells and FORMULA not in cells
        if ext == "xlsx":
            from openpyxl import load_workbook

            sheet = load_workbook(io.BytesIO(exported["A"])).worksheets[0]
            assert all(c.data_type == "s" for row in sheet.iter_rows() for c in row
                       if c.value is not None)

    for place in (home, elm):  # re-importing an export creates nothing
        count, history = model._default_manager.count(), world.history_outside_jobs()
        job = _import(manager, org, place.location, name, exported[place.tag], ext)
        assert job.status == "validated", job.report
        assert job.counts["skipped"] == len(keys[place.tag]) and job.counts["valid"] == 0
        job = job_commit(actor=manager, job=job)
        assert job.status == "committed" and job.counts["created"] == 0
        assert model._default_manager.count() == count
        assert world.history_outside_jobs() == history

