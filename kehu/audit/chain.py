"""Hashing and verification of the audit chain. Pure functions over rows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kehu.audit.models import GENESIS_HASH

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


def event_hash(row: Mapping[str, Any]) -> str:
    payload = {name: _canonical(row[name]) for name in HASHED_FIELDS}
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


@dataclass
class VerifyResult:
    ok: bool
    count: int
    head_seq: int
    head_hash: str
    problem: str = ""
    bad_seq: int | None = None


def verify_rows(
    rows: Iterable[Mapping[str, Any]], anchors: Mapping[int, str] | None = None
) -> VerifyResult:
    """Walk rows in seq order; the first row that breaks the chain is reported.

    `anchors` maps seq → hash exported earlier outside the database: a chain rewritten
    wholesale (every hash recomputed) still disagrees with them.
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
        computed = event_hash(row)
        if computed != row["hash"]:
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
