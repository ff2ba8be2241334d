"""Hashing and verification of the audit chain. Pure functions over rows."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kehu.audit.models import GENESIS_HASH, SCHEME_HMAC, SCHEME_SHA256

HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_username",
    "source_ip",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "extra",
    "prev_hash",
)


def _canonical(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        # Timestamps are hashed in UTC with microseconds, whatever the database returns.
        from datetime import UTC

        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def event_hash(row: Mapping[str, Any], key: bytes | None = None) -> str:
    """SHA-256 of the canonical row, or HMAC-SHA256 with `key` for keyed events."""
    payload = {name: _canonical(row[name]) for name in HASHED_FIELDS}
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if row.get("scheme", SCHEME_SHA256) == SCHEME_HMAC:
        if key is None:
            raise ValueError("a keyed audit event needs the audit key")
        return hmac.new(key, encoded.encode("utf-8"), hashlib.sha256).hexdigest()
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


@dataclass
class VerifyResult:
    ok: bool
    count: int
    head_seq: int
    head_hash: str
    problem: str = ""
    bad_seq: int | None = None


def _scheme_problem(seq: int, scheme: str, keyed_from: int | None) -> str:
    """Events before the recorded switch are plain SHA-256, every event from it on is keyed:
    a keyed chain cannot be rewritten as an unkeyed one (which needs no key) unnoticed."""
    must_be_keyed = keyed_from is not None and seq >= keyed_from
    if must_be_keyed and scheme != SCHEME_HMAC:
        return f"event #{seq} is not keyed although the chain is keyed from #{keyed_from}"
    if not must_be_keyed and scheme == SCHEME_HMAC:
        return f"event #{seq} is keyed before the chain's recorded switch to keyed hashes"
    return ""


def keying_problem(head_seq: int, keyed_from: int | None) -> str:
    """A chain with events must be keyed from a point within it: the audit key is always
    configured (generated on SQLite, required on PostgreSQL), and the first event sealed
    with it records the switch. Whoever rewrites the chain without the key has to drop that
    record — that is the finding."""
    if head_seq == 0:
        return ""
    if keyed_from is None:
        return (
            f"none of the {head_seq} events is keyed although the audit key is configured "
            "(a chain rewritten without the key; a chain from before the key becomes keyed "
            "with its next event)"
        )
    if not 1 <= keyed_from <= head_seq:
        return f"the chain head says the chain is keyed from event #{keyed_from}, not an event"
    return ""


def pinned_switch_problem(keyed_from: int | None, exported_keyed_from: set[int]) -> str:
    """The switch to keyed hashes is exported with every head, outside the database: the
    database's record of it must agree."""
    others = sorted(exported_keyed_from - {keyed_from} if keyed_from else exported_keyed_from)
    if not others:
        return ""
    recorded = f"event #{keyed_from}" if keyed_from else "no event"
    return (
        f"the exported chain heads say the chain is keyed from event #{others[0]}, the "
        f"database from {recorded}"
    )


def verify_rows(
    rows: Iterable[Mapping[str, Any]],
    anchors: Mapping[int, str] | None = None,
    *,
    key: bytes | None = None,
    keyed_from: int | None = None,
) -> VerifyResult:
    """Walk rows in seq order; the first row that breaks the chain is reported.

    `anchors` maps seq → hash exported earlier outside the database: a chain rewritten
    wholesale (every hash recomputed) still disagrees with them. Keyed events are checked
    with `key`; `keyed_from` is the first event that must be keyed (None: none may be).
    """
    anchors = dict(anchors or {})
    expected_seq, prev = 1, GENESIS_HASH
    count = 0
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            problem = f"event #{expected_seq} is missing (next stored event is #{seq})"
            return VerifyResult(False, count, expected_seq - 1, prev, problem, expected_seq)
        if row["prev_hash"] != prev:
            problem = f"event #{seq} does not follow event #{seq - 1} (removed or reordered)"
            return VerifyResult(False, count, seq - 1, prev, problem, seq)
        problem = _scheme_problem(seq, row.get("scheme", SCHEME_SHA256), keyed_from)
        if problem:
            return VerifyResult(False, count, seq - 1, prev, problem, seq)
        computed = event_hash(row, key)
        if not hmac.compare_digest(computed, row["hash"] or ""):
            problem = f"event #{seq} was altered (its hash does not match its content)"
            return VerifyResult(False, count, seq - 1, prev, problem, seq)
        anchored = anchors.pop(seq, None)
        if anchored is not None and anchored != row["hash"]:
            problem = f"event #{seq} differs from the exported chain head (chain rewritten)"
            return VerifyResult(False, count, seq - 1, prev, problem, seq)
        prev, expected_seq, count = row["hash"], seq + 1, count + 1
    if anchors:
        missing = min(anchors)
        problem = f"event #{missing} named by an exported chain head is missing (chain truncated)"
        return VerifyResult(False, count, expected_seq - 1, prev, problem, missing)
    return VerifyResult(True, count, expected_seq - 1, prev)
