"""Writes for My work: a person's digest setting, their calendar feed links (create / revoke),
and the daily digest run.

Calendar feed secrets: `secrets.token_urlsafe(32)` (256 bits), shown once and stored only as
their SHA-256. A feed request hashes the presented token and looks the hash up among links
that are not revoked, belonging to an active account.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sustain.core.errors import InvalidInput, NotFound, PermissionDenied
from sustain.core.services import tracked_archive, tracked_create, tracked_update
from sustain.engine.access import Perm
from sustain.engine.work_rules import (
    DIGEST_STATUSES,
    STATUS_LABELS,
    Status,
    digest_counts,
    digest_subject,
    group_by_status,
    week_end,
)
from sustain.tenancy.permissions import actor_organisation_id, has_perm_anywhere
from sustain.work.models import CalendarToken, DigestSent
from sustain.work.providers import collect

log = logging.getLogger(__name__)
MAX_ACTIVE_TOKENS = 5


def _require_self(actor: Any) -> int:
    org_id = actor_organisation_id(actor)
    if org_id is None:
        raise PermissionDenied("Sign in with an active account in an organisation.")
    return org_id


def digest_setting_update(*, actor: Any, enabled: bool, expected_version: int | None) -> Any:
    """Turn the actor's own daily digest on or off (recorded in history)."""
    _require_self(actor)
    if not isinstance(enabled, bool):
        raise InvalidInput("Choose whether to receive the daily digest.",
                           {"digest_enabled": ["Choose yes or no."]})
    from django.contrib.auth import get_user_model

    me = get_user_model().objects.get(pk=actor.pk)  # the account row (not a lazy wrapper)
    return tracked_update(actor=actor, obj=me, changes={"digest_enabled": enabled},
                          expected_version=expected_version)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    record: CalendarToken
    secret: str  # shown once; never stored


def calendar_token_create(*, actor: Any, name: str = "") -> NewToken:
    """A new secret link to the actor's own calendar feed (for someone holding a role)."""
    org_id = _require_self(actor)
    if not has_perm_anywhere(actor, Perm.LOCATION_VIEW):
        raise PermissionDenied("You have no role in this organisation yet.")
    name = (name or "").strip()
    if len(name) > 80:
        raise InvalidInput("The name is too long (80 characters at most).",
                           {"name": ["Use at most 80 characters."]})
    active = CalendarToken.objects.filter(user=actor, archived_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise InvalidInput(
            f"You already have {MAX_ACTIVE_TOKENS} calendar links: revoke one you no longer use.",
            {"name": [f"At most {MAX_ACTIVE_TOKENS} calendar links at a time."]})
    secret = secrets.token_urlsafe(32)
    record = tracked_create(actor=actor, obj=CalendarToken(
        organisation_id=org_id, user=actor, name=name, token_hash=hash_token(secret)))
    return NewToken(record, secret)


def calendar_token_revoke(*, actor: Any, token: CalendarToken) -> CalendarToken:
    """Revoke one of the actor's own links: it stops working at once."""
    _require_self(actor)
    if token.user_id != actor.pk:
        raise NotFound("No such calendar link.")
    if token.archived_at is not None:
        return token
    return tracked_archive(actor=actor, obj=token, reason="Calendar link revoked")


def user_for_token(token: str) -> Any:
    """The active account a feed token belongs to, or None (unknown, revoked, or the account
    deactivated or archived)."""
    if not token or len(token) > 200:
        return None
    found = CalendarToken.objects.filter(
        token_hash=hash_token(token), archived_at__isnull=True,
        user__is_active=True, user__archived_at__isnull=True,
    ).select_related("user").first()
    if found is None or found.user.organisation_id != found.organisation_id:
        return None
    return found.user


# --- the daily digest ----------------------------------------------------------------------


def absolute(path: str) -> str:
    return settings.SUSTAIN_BASE_URL.rstrip("/") + path


def digest_recipients() -> Any:
    from sustain.accounts.models import User

    return User.objects.filter(is_active=True, archived_at__isnull=True, digest_enabled=True,
                               organisation__isnull=False).exclude(email="").order_by("pk")


def _digest_message(user: Any, items: list[Any], today: dt.date) -> EmailMultiAlternatives:
    counts = digest_counts(i.status for i in items)
    groups = [(STATUS_LABELS[s], group) for s, group in group_by_status(
        ((i.status, i) for i in items), DIGEST_STATUSES) if group]
    context = {"user": user, "groups": groups, "today": today, "week_end": week_end(today),
               "page_url": absolute(reverse("work:my-work")),
               "settings_url": absolute(reverse("work:settings")),
               "base_url": settings.SUSTAIN_BASE_URL.rstrip("/")}
    message = EmailMultiAlternatives(
        subject=digest_subject(counts),
        body=render_to_string("work/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email])
    message.attach_alternative(render_to_string("work/email/digest.html", context), "text/html")
    return message


@dataclass(frozen=True)
class DigestResult:
    sent: int
    already_sent: int
    nothing_due: int


def digests_send(*, today: dt.date | None = None) -> DigestResult:
    """Email each active user who wants it what is overdue or due this week (to Sunday).
    Skipped: users who turned it off, users with nothing due, users already sent one today.
    The DigestSent row is claimed and the email sent in one transaction, so a failed send
    leaves no row (tomorrow's run, or a re-run, tries again) and a second run sends nothing."""
    today = today or timezone.localdate()
    horizon = week_end(today)
    sent = already = nothing = 0
    done = set(DigestSent.objects.filter(on_date=today).values_list("user_id", flat=True))
    for user in digest_recipients():
        if user.pk in done:
            already += 1
            continue
        items = [i for i in collect(user, today, horizon) if i.status in DIGEST_STATUSES]
        if not items:
            nothing += 1
            continue
        try:
            with transaction.atomic():
                DigestSent.objects.create(user=user, on_date=today, sent_at=timezone.now(),
                                          item_count=len(items))
                _digest_message(user, items, today).send()
        except IntegrityError:
            already += 1  # another run claimed this user today
            continue
        sent += 1
    return DigestResult(sent=sent, already_sent=already, nothing_due=nothing)


def overdue_count(items: list[Any]) -> int:
    return sum(1 for i in items if i.status == Status.OVERDUE)
