"""The history hash chain: each entry's hash covers its content and the previous hash.

Tampering with any stored entry (its content, order or hash) breaks the chain from that entry
on, so `verify_chain` can name the first broken entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64
CHAIN_VERSION = 1


def canonical_json(payload: Mapping[str, Any]) -> str:
    """A stable text form: sorted keys, no spaces, non-JSON values as strings."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def entry_hash(prev_hash: str, payload: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and the canonical payload."""
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_json(payload).encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class ChainEntry:
    """One stored entry as read back: its position, claimed hashes and hashed content."""

    entry_id: str
    seq: int
    prev_hash: str
    hash: str
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class ChainBreak:
    """The first entry at which the chain does not hold, and why."""

    entry_id: str
    seq: int
    reason: str


def verify_chain(entries: Iterable[ChainEntry]) -> ChainBreak | None:
    """Check entries in sequence order; return the first break, or None if the chain holds."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainBreak(entry.entry_id, entry.seq,
                              f"sequence gap: expected {expected_seq}, found {entry.seq}")
        if entry.prev_hash != expected_prev:
            return ChainBreak(entry.entry_id, entry.seq,
                              "previous-hash link does not match the entry before it")
        recomputed = entry_hash(entry.prev_hash, entry.payload)
        if recomputed != entry.hash:
            return ChainBreak(entry.entry_id, entry.seq,
                              "content does not match its hash (entry altered)")
        expected_prev = entry.hash
        expected_seq += 1
    return None
