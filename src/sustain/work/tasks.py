"""The daily My work digest: 06:30 UK time (Europe/London, whatever the clock change), once per
user per day however often it runs."""

from __future__ import annotations

import datetime as dt

from huey.contrib.djhuey import db_periodic_task

from sustain.engine.cadence_rules import LONDON

DIGEST_AT = dt.time(6, 30)


def at_digest_time(now: dt.datetime) -> bool:
    """Huey passes the minute being scheduled (naive UTC by default, or aware); true at 06:30
    in London, so the digest follows the clock change."""
    aware = now if now.tzinfo is not None else now.replace(tzinfo=dt.UTC)
    local = aware.astimezone(LONDON)
    return (local.hour, local.minute) == (DIGEST_AT.hour, DIGEST_AT.minute)


def send_digests() -> dict[str, int]:
    from sustain.work.services import digests_send

    try:
        from sustain.governance.jobs import job_run
    except ImportError:  # the jobs list belongs to the governance app
        result = digests_send()
        return {"sent": result.sent, "already_sent": result.already_sent,
                "nothing_due": result.nothing_due}
    with job_run("work.daily-digest") as run:
        result = digests_send()
        counts = {"sent": result.sent, "already_sent": result.already_sent,
                  "nothing_due": result.nothing_due}
        run.count(**counts)
    return counts


@db_periodic_task(at_digest_time)
def daily_digest_task() -> dict[str, int]:
    return send_digests()
