"""Background import jobs (Huey): validate or commit a large file; progress goes into the
job's `counts` as it runs."""

from __future__ import annotations

from typing import Any

from huey.contrib.djhuey import db_task


def _load(job_id: int, user_id: int | None) -> tuple[Any, Any]:
    from sustain.accounts.models import User
    from sustain.imports.models import ImportJob

    job = ImportJob.objects.select_related("location", "organisation").get(pk=job_id)
    actor = User.objects.filter(pk=user_id).first() if user_id else "import job"
    return job, actor


@db_task()
def import_validate_task(job_id: int, user_id: int | None) -> str:
    from sustain.core.errors import ApplicationError
    from sustain.imports.services import job_validate, save_progress

    job, actor = _load(job_id, user_id)
    try:
        return job_validate(actor=actor, job=job, progress=save_progress(job)).status
    except ApplicationError as exc:
        return f"refused: {exc.message}"


@db_task()
def import_commit_task(job_id: int, user_id: int | None) -> str:
    from sustain.core.errors import ApplicationError
    from sustain.imports.services import job_commit, save_progress

    job, actor = _load(job_id, user_id)
    try:
        return job_commit(actor=actor, job=job, progress=save_progress(job)).status
    except ApplicationError as exc:
        return f"refused: {exc.message}"
