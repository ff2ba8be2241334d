"""Benchmark 2 — verifying the audit chain.

Subject: `kehu.audit.selectors.verify_chain(exports=False)` over N keyed events (no head
exports are written here). Baseline: iterating the same rows with the same query
(`.values(...).iterator(chunk_size=2000)`) and doing nothing with them, so the ratio is the
cost of re-hashing and checking. For attribution it also times `event_hash` (HMAC) alone
over the rows held in memory.
"""

from __future__ import annotations

from typing import Any

from bench.data import analyze, make_chain
from bench.harness import Measurement, Results, log, measure_alternating, timed
from kehu.audit.chain import HASHED_FIELDS, event_hash
from kehu.audit.keys import audit_key
from kehu.audit.models import AuditEvent
from kehu.audit.selectors import verify_chain


def run(config: dict[str, Any]) -> Results:
    count = int(config["events"])
    reps = int(config["reps"])
    results = Results("audit_verify")
    elapsed, _head = timed(lambda: make_chain(count))
    analyze()
    results.facts.update(events=count, setup_s=round(elapsed, 1))
    log(f"audit_verify: wrote a chain of {count:,} events in {elapsed:.1f} s")

    check = verify_chain(exports=False)
    if not (check.ok and check.count == count):
        raise RuntimeError(f"the generated chain does not verify: {check}")

    fields = (*HASHED_FIELDS, "hash", "scheme")
    key = audit_key()

    def iterate() -> int:
        n = 0
        for _row in AuditEvent.objects.order_by("seq").values(*fields).iterator(chunk_size=2000):
            n += 1
        return n

    rows = list(AuditEvent.objects.order_by("seq").values(*fields))

    def hash_only() -> None:
        for row in rows:
            event_hash(row, key)

    iterate_m = results.add(Measurement("iterate", ".values().iterator()", count, "events"))
    verify_m = results.add(Measurement("verify", "verify_chain()", count, "events"))

    def verify() -> None:
        verify_chain(exports=False)

    hash_m = results.add(
        Measurement("hash_only", "event_hash() over rows in memory", count, "events")
    )
    measure_alternating(
        [(iterate_m, iterate), (verify_m, verify), (hash_m, hash_only)], reps, warmup=False
    )
    results.compare("verify the whole chain", "verify", "iterate")
    results.compare("hashing alone (no database)", "hash_only", "iterate")
    return results
