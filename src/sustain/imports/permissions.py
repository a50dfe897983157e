"""Access to import jobs (default deny): `import.run` at the job's location."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sustain.engine.access import Perm
from sustain.tenancy.permissions import filter_by_location


def filter_import_jobs_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.IMPORT_RUN)


VISIBILITY_FILTERS = {"imports.importjob": filter_import_jobs_visible}
