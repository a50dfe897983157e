"""Conventions enforced by tests (see AGENTS.md)."""

from __future__ import annotations

import ast
import importlib
import io
import json
from pathlib import Path
from typing import Any

import django_filters
import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from openapi_spec_validator import validate
from rest_framework.test import APIClient

import sustain
from sustain.config.api_urls import router
from sustain.core.api import ScopedReadViewSet
from sustain.core.models import TenantScopedModel
from sustain.core.visibility import visibility_filters

SRC = Path(sustain.__file__).resolve().parent
ENGINE = SRC / "engine"

# Frameworks and I/O the pure engine must not touch (plus any sustain module outside it).
FORBIDDEN_IN_ENGINE = {"django", "rest_framework", "drf_spectacular", "django_filters", "huey",
                       "axes", "psycopg", "psycopg2", "redis", "requests", "whitenoise"}

# API endpoints that are deliberately not router resources.
NON_ROUTER_ENDPOINTS = {"v1/auth/token", "v1/me/", "v1/organisation/", "v1/my-work/",
                        "v1/funnels/<slug:code>/"}  # access: indicators/tests/test_funnels.py


# --- engine purity ------------------------------------------------------------------------

def _imports_in(source: str, package: str) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import in `source`, a module of `package`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                module = ".".join([*parts, module] if module else parts)
            found.append((node.lineno, module))
    return found


def _imports(path: Path) -> list[tuple[int, str]]:
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    return _imports_in(path.read_text(), package)


def _engine_violations(imports: list[tuple[int, str]]) -> list[str]:
    bad = []
    for line, module in imports:
        top = module.split(".")[0]
        outer_sustain = top == "sustain" and not (module == "sustain.engine"
                                                  or module.startswith("sustain.engine."))
        if top in FORBIDDEN_IN_ENGINE or outer_sustain:
            bad.append(f"line {line}: {module}")
    return bad


ENGINE_FILES = sorted(ENGINE.rglob("*.py"))


def test_engine_scan_finds_the_engine_modules() -> None:
    names = {p.name for p in ENGINE_FILES}
    assert {"access.py", "history_chain.py"} <= names


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_engine_imports_no_django_or_outer_sustain_module(path: Path) -> None:
    bad = _engine_violations(_imports(path))
    assert not bad, f"{path.relative_to(SRC)} must stay pure: " + "; ".join(bad)


def test_the_import_scanner_catches_what_it_should() -> None:
    source = ("import json\nfrom dataclasses import dataclass\nimport django.db\n"
              "from django.conf import settings\nfrom ...core import models\n"
              "from .. import access\nfrom sustain.tenancy.models import Location\n"
              "from sustain.engine.access import Perm\nfrom . import helpers\n")
    bad = _engine_violations(_imports_in(source, "sustain.engine.sub"))
    assert bad == ["line 3: django.db", "line 4: django.conf", "line 5: sustain.core",
                   "line 7: sustain.tenancy.models"]


# --- migrations ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_makemigrations_check_is_clean() -> None:
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # --check exits 1 when a migration is missing
        pytest.fail(f"Models and migrations differ (exit {exc.code}):\n{out.getvalue()}")


# --- API conventions ----------------------------------------------------------------------

@pytest.mark.parametrize(("prefix", "viewset"), [(p, v) for p, v, _ in router.registry],
                         ids=[p for p, _, _ in router.registry])
def test_every_router_viewset_is_scoped(prefix: str, viewset: type) -> None:
    assert issubclass(viewset, ScopedReadViewSet), (
        f"{prefix}: {viewset.__name__} must subclass sustain.core.api.ScopedReadViewSet so its "
        "queryset is scoped before any view code runs")
    assert viewset.filter_visible is not ScopedReadViewSet.filter_visible, (
        f"{prefix}: set filter_visible (the default shows nothing)")
    assert "delete" not in viewset.http_method_names or not hasattr(viewset, "destroy"), (
        f"{prefix}: records are archived, never deleted")


@pytest.mark.parametrize(("prefix", "viewset"), [(p, v) for p, v, _ in router.registry],
                         ids=[p for p, _, _ in router.registry])
def test_router_viewsets_use_the_registered_visibility_filter(prefix: str,
                                                              viewset: type) -> None:
    model = viewset.queryset.model
    if not issubclass(model, TenantScopedModel):
        return
    registered = visibility_filters().get(model._meta.label_lower)
    assert viewset.filter_visible is registered, (
        f"{prefix}: filter_visible should be VISIBILITY_FILTERS[{model._meta.label_lower!r}]")


def _api_v1_patterns() -> list[str]:
    api = next(p for p in get_resolver().url_patterns
               if isinstance(p, URLResolver) and str(p.pattern) == "api/")
    found = []
    for pattern in api.url_patterns:
        text = str(pattern.pattern)
        if text.startswith("v1/"):
            found.append(text)
    return found


def test_api_v1_endpoints_are_router_resources_or_listed() -> None:
    others = set(_api_v1_patterns()) - {"v1/"}
    assert others == NON_ROUTER_ENDPOINTS, (
        "An endpoint under /api/v1/ bypasses the router (and so the access matrix): register it "
        "on the router, or list it here and test its access on its own.")


def test_the_api_not_found_fallback_comes_after_the_api() -> None:
    patterns = get_resolver().url_patterns
    texts = [str(p.pattern) for p in patterns]
    api = texts.index("api/")
    fallback = texts.index("^api/")
    assert fallback == api + 1
    assert isinstance(patterns[fallback], URLPattern)


# --- tenancy conventions ------------------------------------------------------------------

def _tenant_models() -> list[type]:
    return sorted((m for m in apps.get_models() if issubclass(m, TenantScopedModel)),
                  key=lambda m: m._meta.label_lower)


def _filterset_models() -> set[type]:
    for config in apps.get_app_configs():
        if config.name.startswith("sustain."):
            try:
                importlib.import_module(f"{config.name}.filters")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.filters":
                    raise
    found: set[type] = set()
    stack = list(django_filters.FilterSet.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        model = getattr(getattr(cls, "_meta", None), "model", None)
        if model is not None:
            found.add(model)
    return found


def test_there_are_tenant_models_to_check() -> None:
    labels = {m._meta.label_lower for m in _tenant_models()}
    assert {"tenancy.location", "people.personsupported"} <= labels


@pytest.mark.parametrize("model", _tenant_models(), ids=lambda m: m._meta.label_lower)
def test_every_tenant_model_has_a_filterset(model: type) -> None:
    assert model in _filterset_models(), (
        f"{model._meta.label}: add a django_filters.FilterSet with Meta.model = "
        f"{model.__name__} in {model._meta.app_label}/filters.py")


@pytest.mark.parametrize("model", _tenant_models(), ids=lambda m: m._meta.label_lower)
def test_every_tenant_model_has_a_visibility_filter(model: type) -> None:
    assert callable(visibility_filters().get(model._meta.label_lower)), (
        f"{model._meta.label}: add it to VISIBILITY_FILTERS in "
        f"{model._meta.app_label}/permissions.py (see AGENTS.md)")


@pytest.mark.django_db
@pytest.mark.parametrize("model", _tenant_models(), ids=lambda m: m._meta.label_lower)
def test_visibility_filters_deny_by_default(model: type) -> None:
    from django.contrib.auth.models import AnonymousUser

    from sustain.accounts.tests.factories import UserFactory

    fn = visibility_filters()[model._meta.label_lower]
    qs = model._default_manager.all()
    no_roles = UserFactory()  # an organisation user with no membership
    for actor in (AnonymousUser(), no_roles):
        # Deny by returning qs.none(): provably empty, whatever rows exist.
        assert fn(qs, actor).query.is_empty(), f"{model._meta.label} visible to {actor}"


# --- OpenAPI ------------------------------------------------------------------------------

def test_openapi_schema_has_no_warnings_and_validates(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    out = io.StringIO()
    err = io.StringIO()
    try:
        call_command("spectacular", "--fail-on-warn", "--validate", "--format",
                     "openapi-json", "--file", str(target), stdout=out, stderr=err)
    except SystemExit as exc:
        pytest.fail(f"drf-spectacular reported problems (exit {exc.code}):\n{err.getvalue()}")
    assert "Warning" not in err.getvalue() and "Error" not in err.getvalue(), err.getvalue()
    schema = json.loads(target.read_text())
    validate(schema)
    paths = schema["paths"]
    for prefix, _, _ in router.registry:
        assert f"/api/v1/{prefix}/" in paths, prefix
    assert "/api/v1/auth/token" in paths and "/api/v1/me/" in paths
    # The token endpoint needs no credentials; everything else does.
    assert paths["/api/v1/auth/token"]["post"].get("security", []) in ([], [{}])
    assert paths["/api/v1/me/"]["get"]["security"]


@pytest.mark.django_db
def test_schema_endpoint_serves_a_valid_document() -> None:
    resp = APIClient().get("/api/schema/", {"format": "json"})
    assert resp.status_code == 200
    validate(json.loads(resp.content))


# --- error envelope -----------------------------------------------------------------------

def _is_envelope(resp: Any) -> bool:
    try:
        body = json.loads(resp.content)
    except ValueError:
        return False
    return (isinstance(body, dict) and set(body) == {"message", "errors"}
            and isinstance(body["message"], str) and body["message"]
            and isinstance(body["errors"], dict))


@pytest.mark.django_db
def test_every_kind_of_api_error_uses_the_envelope(make_user: Any, token_client: Any,
                                                   org: Any, location: Any,
                                                   foreign_location: Any) -> None:
    import uuid

    manager = make_user(org, "registered_manager", location=location)
    carer = make_user(org, "care_staff", location=location)
    client = token_client(manager)
    url = f"/api/v1/locations/{location.uuid}/"
    client.patch(url, {"name": "Renamed", "version": 1}, format="json")
    responses = {
        "401 anonymous": APIClient().get("/api/v1/locations/"),
        "401 bad token": APIClient(HTTP_AUTHORIZATION="Token nope").get("/api/v1/locations/"),
        "403 role": token_client(carer).get("/api/v1/staff/"),
        "404 unknown id": client.get(f"/api/v1/locations/{uuid.uuid4()}/"),
        "404 not a uuid": client.get("/api/v1/locations/not-a-uuid/"),
        "404 other organisation": client.get(f"/api/v1/locations/{foreign_location.uuid}/"),
        "404 unknown path": client.get("/api/v1/no-such-thing/"),
        "404 missing slash": client.get("/api/v1/locations"),
        "405 method": client.delete(url),
        "400 validation": client.patch(url, {"capacity": -3, "version": 2}, format="json"),
        "400 missing version": client.patch(url, {"name": "x"}, format="json"),
        "400 malformed json": client.generic("POST", "/api/v1/people/", "{not json",
                                             content_type="application/json"),
        "400 bad filter": client.get("/api/v1/locations/", {"service_type": "castle"}),
        "409 conflict": client.patch(url, {"name": "Again", "version": 1}, format="json"),
        "415 media type": client.generic("POST", "/api/v1/people/", "a=b",
                                         content_type="text/csv"),
        "400 token": APIClient().post("/api/v1/auth/token", {"username": "x",
                                                             "password": "y"}, format="json"),
    }
    statuses = {name: resp.status_code for name, resp in responses.items()}
    assert statuses == {name: int(name.split()[0]) for name in responses}, statuses
    not_envelope = [name for name, resp in responses.items() if not _is_envelope(resp)]
    assert not not_envelope, not_envelope
    assert "trailing slash" in json.loads(responses["404 missing slash"].content)["message"]


def test_browser_tests_live_in_tests_browser() -> None:
    """The Chromium fixtures are session-scoped in `tests/browser/conftest.py`. A module
    elsewhere that imports them gets its own copy, starts a second Playwright in the same
    worker, and every later browser test on that worker fails ("Sync API inside the asyncio
    loop"). Browser tests therefore live under tests/browser/ (helpers may be imported)."""
    root = Path(__file__).resolve().parent.parent
    browser_dir = root / "tests" / "browser"
    fixtures = {"browser", "page", "phone", "site"}
    offenders = []
    for path in [*root.joinpath("src").rglob("*.py"), *root.joinpath("tests").rglob("*.py")]:
        if browser_dir in path.parents:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "tests.browser") and fixtures & {a.name for a in node.names}:
                offenders.append(str(path.relative_to(root)))
    assert offenders == []
