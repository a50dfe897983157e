"""Write and verify the history chain. Services call `record_change` for every write."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from sustain.core.context import current_request_id
from sustain.core.models import BaseModel, HistoryEntry, HistoryHead
from sustain.engine.history_chain import (
    GENESIS_HASH,
    ChainBreak,
    ChainEntry,
    entry_hash,
    verify_chain,
)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """Field values as JSON-safe data; foreign keys by public UUID where the target has one."""
    exclude = set(getattr(obj, "history_exclude", ("id",)))
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude:
            continue
        if isinstance(field, models.ForeignKey):
            related_id = getattr(obj, field.attname)
            if related_id is None:
                data[field.name] = None
            else:
                target = getattr(obj, field.name)
                data[field.name] = str(getattr(target, "uuid", related_id))
            continue
        data[field.name] = _plain(getattr(obj, field.attname))
    if obj.pk:
        for m2m in obj._meta.many_to_many:
            related = getattr(obj, m2m.name).all()
            data[m2m.name] = sorted(str(getattr(r, "uuid", r.pk)) for r in related)
    return data


def _actor_repr(actor: Any) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return getattr(actor, "username", str(actor))


def entry_payload(entry: HistoryEntry) -> dict[str, Any]:
    """What the hash covers: everything but the hashes themselves."""
    return {
        "v": 1,
        "uuid": str(entry.uuid),
        "organisation_id": entry.organisation_id,
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_repr": entry.actor_repr,
        "request_id": entry.request_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_uuid": str(entry.object_uuid),
        "object_repr": entry.object_repr,
        "location_id": entry.location_id,
        "before": entry.before,
        "after": entry.after,
        "message": entry.message,
    }


def _new_entry(*, organisation_id: int, seq: int, prev_hash: str, request_id: str, actor: Any,
               obj: models.Model, action: str, before: dict[str, Any] | None,
               after: dict[str, Any] | None, message: str) -> HistoryEntry:
    """Build (not save) the entry that follows `prev_hash`, with its hash computed."""
    location_id = obj.location_id_for_scope() if isinstance(obj, BaseModel) else None
    entry = HistoryEntry(
        organisation_id=organisation_id,
        seq=seq,
        at=timezone.now(),
        actor=actor if actor is not None and not isinstance(actor, str) else None,
        actor_repr=_actor_repr(actor)[:200],
        request_id=request_id,
        action=action,
        object_type=obj._meta.label_lower,
        object_uuid=obj.uuid,  # type: ignore[attr-defined]
        object_repr=str(obj)[:200],
        location_id=location_id,
        before=before,
        after=after,
        message=message,
        prev_hash=prev_hash,
    )
    # Round-trip the time through isoformat exactly as stored (microsecond precision).
    entry.hash = entry_hash(entry.prev_hash, entry_payload(entry))
    return entry


def _locked_head(organisation_id: int) -> HistoryHead:
    head, _ = HistoryHead.objects.select_for_update().get_or_create(
        organisation_id=organisation_id, defaults={"seq": 0, "hash": GENESIS_HASH})
    return head


def record_change(*, organisation: Any, actor: Any, obj: models.Model, action: str,
                  before: dict[str, Any] | None, after: dict[str, Any] | None,
                  message: str = "") -> HistoryEntry:
    """Append one entry to the organisation's chain (inside the caller's transaction)."""
    with transaction.atomic():
        head = _locked_head(organisation.pk)
        entry = _new_entry(organisation_id=organisation.pk, seq=head.seq + 1,
                           prev_hash=head.hash, request_id=current_request_id(), actor=actor,
                           obj=obj, action=action, before=before, after=after,
                           message=message)
        entry.save(force_insert=True)
        head.seq = entry.seq
        head.hash = entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


@dataclass(frozen=True)
class PendingChange:
    """One change waiting to be appended by `record_changes_bulk` (the arguments of
    `record_change`, less the organisation, which the whole batch shares)."""

    actor: Any
    obj: models.Model
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    message: str = ""


def tenant_id_of(obj: models.Model) -> int:
    """The organisation an object's history belongs to (an Organisation is its own tenant)."""
    org_id = getattr(obj, "organisation_id", None)
    return int(org_id if org_id is not None else obj.pk)


def record_changes_bulk(*, organisation_id: int, changes: Sequence[PendingChange],
                        batch_size: int = 500) -> list[HistoryEntry]:
    """Append many entries to one organisation's chain, in the order given, inside the
    caller's transaction: the head is locked once, each entry's seq, previous hash and hash
    are computed exactly as `record_change` computes them (so the chain verifies as if the
    entries had been written one by one), the entries are inserted with `bulk_create` and the
    head is moved once. Every object must belong to `organisation_id`."""
    if not changes:
        return []
    strays = [c.obj for c in changes if tenant_id_of(c.obj) != organisation_id]
    if strays:
        raise ValueError(f"{len(strays)} change(s) belong to another organisation than "
                         f"{organisation_id} (first: {strays[0]!r}).")
    with transaction.atomic():
        head = _locked_head(organisation_id)
        request_id = current_request_id()
        entries: list[HistoryEntry] = []
        seq, prev_hash = head.seq, head.hash
        for change in changes:
            seq += 1
            entry = _new_entry(organisation_id=organisation_id, seq=seq, prev_hash=prev_hash,
                               request_id=request_id, actor=change.actor, obj=change.obj,
                               action=change.action, before=change.before,
                               after=change.after, message=change.message)
            entries.append(entry)
            prev_hash = entry.hash
        HistoryEntry.objects.bulk_create(entries, batch_size=batch_size)
        head.seq = seq
        head.hash = prev_hash
        head.save(update_fields=["seq", "hash"])
    return entries


def _chain_entries(organisation_id: int) -> Iterator[ChainEntry]:
    rows = HistoryEntry.objects.filter(organisation_id=organisation_id).order_by("seq")
    for entry in rows.iterator(chunk_size=2000):
        yield ChainEntry(entry_id=str(entry.uuid), seq=entry.seq, prev_hash=entry.prev_hash,
                         hash=entry.hash, payload=entry_payload(entry))


def verify_organisation(organisation_id: int) -> ChainBreak | None:
    """Recompute the organisation's chain; also check the head matches the last entry."""
    found = verify_chain(_chain_entries(organisation_id))
    if found is not None:
        return found
    head = HistoryHead.objects.filter(organisation_id=organisation_id).first()
    last = HistoryEntry.objects.filter(organisation_id=organisation_id).order_by("-seq").first()
    if last is not None and (head is None or head.seq != last.seq or head.hash != last.hash):
        return ChainBreak(str(last.uuid), last.seq,
                          "chain head does not match the last entry (entries removed?)")
    if last is None and head is not None and head.seq > 0:
        return ChainBreak("", 1, f"all {head.seq} entries are missing (entries removed)")
    return None
