"""Fixtures for import tests: uploaded files go to a temporary MEDIA_ROOT."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest

from sustain.engine.access import Role


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def manager(make_user: Any, org: Any, location: Any) -> Any:
    return make_user(org, Role.REGISTERED_MANAGER, location=location)


def csv_bytes(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def upload(manager: Any, org: Any, location: Any) -> Callable[..., Any]:
    from sustain.imports.services import job_upload

    def _upload(kind: str, data: bytes, *, actor: Any = None, where: Any = None,
                name: str = "file.csv") -> Any:
        return job_upload(actor=actor or manager, organisation=org, location=where or location,
                          kind=kind, fileobj=io.BytesIO(data), name=name, size=len(data))

    return _upload
