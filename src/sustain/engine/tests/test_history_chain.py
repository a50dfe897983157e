"""The hash chain detects every kind of tampering and names the first broken entry."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sustain.engine.history_chain import (
    GENESIS_HASH,
    ChainEntry,
    canonical_json,
    entry_hash,
    verify_chain,
)


def build_chain(payloads: list[dict[str, Any]]) -> list[ChainEntry]:
    """Entries as a correct writer would store them."""
    entries = []
    prev = GENESIS_HASH
    for i, payload in enumerate(payloads, start=1):
        digest = entry_hash(prev, payload)
        entries.append(ChainEntry(entry_id=f"e{i}", seq=i, prev_hash=prev, hash=digest,
                                  payload=payload))
        prev = digest
    return entries


PAYLOADS = [
    {"action": "create", "object": "location:1", "after": {"name": "Oak House"}},
    {"action": "update", "object": "location:1", "before": {"name": "Oak House"},
     "after": {"name": "Oak House North"}},
    {"action": "create", "object": "person:7", "after": {"initials": "JS"}},
    {"action": "archive", "object": "person:7", "after": {"archived": True}},
]


def test_an_intact_chain_verifies() -> None:
    assert verify_chain(build_chain(PAYLOADS)) is None


def test_an_empty_chain_verifies() -> None:
    assert verify_chain([]) is None


def test_altered_payload_is_named() -> None:
    chain = build_chain(PAYLOADS)
    altered = dict(chain[1].payload, after={"name": "Something else"})
    chain[1] = dataclasses.replace(chain[1], payload=altered)
    found = verify_chain(chain)
    assert found is not None
    assert (found.entry_id, found.seq) == ("e2", 2)
    assert "altered" in found.reason


def test_swapped_order_is_detected() -> None:
    chain = build_chain(PAYLOADS)
    # Swap the content of two entries but keep the sequence numbers in place.
    a, b = chain[1], chain[2]
    chain[1] = dataclasses.replace(b, seq=2)
    chain[2] = dataclasses.replace(a, seq=3)
    found = verify_chain(chain)
    assert found is not None
    assert found.entry_id == "e3"  # the entry now at position 2 does not link to entry 1
    assert found.seq == 2


def test_swapped_rows_keep_their_numbers_and_still_fail() -> None:
    chain = build_chain(PAYLOADS)
    chain[1], chain[2] = chain[2], chain[1]
    found = verify_chain(chain)
    assert found is not None
    assert found.seq == 3
    assert "sequence" in found.reason


def test_removed_entry_is_detected() -> None:
    chain = build_chain(PAYLOADS)
    del chain[1]
    found = verify_chain(chain)
    assert found is not None
    assert (found.entry_id, found.seq) == ("e3", 3)
    assert "sequence gap" in found.reason


def test_removed_entry_renumbered_is_still_detected() -> None:
    """A careful forger renumbers the rows after deleting one: the link breaks instead."""
    chain = build_chain(PAYLOADS)
    del chain[1]
    chain = [dataclasses.replace(e, seq=i) for i, e in enumerate(chain, start=1)]
    found = verify_chain(chain)
    assert found is not None
    assert found.entry_id == "e3"
    assert "previous-hash" in found.reason


def test_wrong_prev_hash_is_named() -> None:
    chain = build_chain(PAYLOADS)
    chain[2] = dataclasses.replace(chain[2], prev_hash="f" * 64)
    found = verify_chain(chain)
    assert found is not None
    assert (found.entry_id, found.reason) == ("e3",
                                              "previous-hash link does not match the entry "
                                              "before it")


def test_rewritten_hash_breaks_the_next_link() -> None:
    """Recomputing the altered entry's own hash moves the break to the next entry."""
    chain = build_chain(PAYLOADS)
    altered = dict(chain[0].payload, after={"name": "Forged"})
    chain[0] = dataclasses.replace(chain[0], payload=altered,
                                   hash=entry_hash(GENESIS_HASH, altered))
    found = verify_chain(chain)
    assert found is not None
    assert found.entry_id == "e2"


def test_first_entry_must_link_to_genesis() -> None:
    chain = build_chain(PAYLOADS)
    chain[0] = dataclasses.replace(chain[0], prev_hash="1" * 64)
    found = verify_chain(chain)
    assert found is not None
    assert found.entry_id == "e1"


def test_canonical_json_ignores_key_order() -> None:
    assert canonical_json({"b": 1, "a": [1, 2]}) == canonical_json({"a": [1, 2], "b": 1})
    assert entry_hash(GENESIS_HASH, {"b": 1, "a": 2}) == entry_hash(GENESIS_HASH, {"a": 2, "b": 1})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)
payload_lists = st.lists(st.dictionaries(st.text(min_size=1, max_size=6), json_values,
                                         min_size=1, max_size=4), min_size=1, max_size=8)


@given(payload_lists)
def test_any_chain_a_writer_builds_verifies(payloads: list[dict[str, Any]]) -> None:
    assert verify_chain(build_chain(payloads)) is None


@given(payload_lists, st.data())
def test_any_single_payload_change_is_caught_at_that_entry(
        payloads: list[dict[str, Any]], data: st.DataObject) -> None:
    chain = build_chain(payloads)
    index = data.draw(st.integers(min_value=0, max_value=len(chain) - 1))
    changed = dict(chain[index].payload, __tampered__=True)
    chain[index] = dataclasses.replace(chain[index], payload=changed)
    found = verify_chain(chain)
    assert found is not None
    assert found.seq == index + 1


@pytest.mark.parametrize("field", ["seq", "prev_hash", "hash"])
def test_changing_any_stored_link_field_is_caught(field: str) -> None:
    chain = build_chain(PAYLOADS)
    bogus: Any = {"seq": 9, "prev_hash": "a" * 64, "hash": "b" * 64}[field]
    chain[1] = dataclasses.replace(chain[1], **{field: bogus})
    found = verify_chain(chain)
    assert found is not None
    assert found.entry_id == "e2"
