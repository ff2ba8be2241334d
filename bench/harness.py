"""Timing and reporting helpers shared by the benchmarks (no Django imports here)."""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


def log(message: str) -> None:
    """Progress goes to stderr so that stdout stays the result table."""
    print(f"  · {message}", file=sys.stderr, flush=True)


@dataclass
class Measurement:
    key: str
    label: str
    items: int  # work items per repetition (events, rows; 1 for one page)
    unit: str  # what an item is: "events", "rows", "page"
    times: list[float] = field(default_factory=list)  # seconds per repetition
    # CPU seconds of this process per repetition (on a shared machine, waiting for a core
    # inflates `times` but not these; the database server's CPU is not included).
    cpu_times: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def per_item(self) -> float:
        return self.median / self.items

    def display(self) -> str:
        if self.items > 1:
            return f"{self.items / self.median:,.0f} {self.unit}/s"
        return f"{self.median * 1000:,.2f} ms"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            median_s=self.median,
            per_second=self.items / self.median,
            spread=(min(self.times), max(self.times)),
        )
        return data


@dataclass
class Comparison:
    case: str
    subject: str  # Measurement keys
    baseline: str
    note: str = ""


class Results:
    """What one benchmark reports: measurements, comparisons and a few facts."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.measurements: dict[str, Measurement] = {}
        self.comparisons: list[Comparison] = []
        self.facts: dict[str, Any] = {}

    def add(self, measurement: Measurement) -> Measurement:
        self.measurements[measurement.key] = measurement
        return measurement

    def compare(self, case: str, subject: str, baseline: str, note: str = "") -> None:
        self.comparisons.append(Comparison(case, subject, baseline, note))

    def as_dict(self) -> dict[str, Any]:
        comparisons = []
        for c in self.comparisons:
            s, b = self.measurements[c.subject], self.measurements[c.baseline]
            comparisons.append(
                {
                    **asdict(c),
                    "subject_label": s.label,
                    "baseline_label": b.label,
                    "subject": s.display(),
                    "baseline": b.display(),
                    "subject_key": c.subject,
                    "baseline_key": c.baseline,
                    # Time per item of the subject over that of the baseline (x slower).
                    "ratio": s.per_item / b.per_item,
                }
            )
        return {
            "name": self.name,
            "measurements": {k: m.as_dict() for k, m in self.measurements.items()},
            "comparisons": comparisons,
            "facts": self.facts,
        }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def measure_alternating(
    cases: list[tuple[Measurement, Callable[[], Any]]],
    reps: int,
    *,
    before_each: Callable[[], Any] | None = None,
    warmup: bool = True,
) -> None:
    """Run every case once per round, `reps` rounds (plus one unrecorded warm-up round), so
    that drift of the machine hits subject and baseline alike. `before_each` (untimed)
    resets state before every single run."""
    for round_no in range(reps + (1 if warmup else 0)):
        for measurement, fn in cases:
            if before_each is not None:
                before_each()
            gc.collect()
            cpu = time.process_time()
            start = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - start
            cpu = time.process_time() - cpu
            if round_no or not warmup:
                measurement.times.append(elapsed)
                measurement.cpu_times.append(cpu)
        if warmup and not round_no:
            log("warm-up round done")
            continue
        log(
            f"round {round_no + (0 if warmup else 1)}/{reps}: "
            + ", ".join(f"{m.key} {m.times[-1] * 1000:.1f} ms" for m, _ in cases)
        )


def signed_in_client(user: Any) -> Any:
    """A test client signed in as `user` as after the sign-in page: the second factor passed
    (a confirmed device is made when the user's roles require one) and a purpose of use
    declared, so that pages answer instead of redirecting."""
    from django.test import Client
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kehu.audit.purpose import SESSION_KEY as PURPOSE_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[PURPOSE_SESSION_KEY] = {
        "choice": "review",
        "note": "",
        "declared_at": timezone.now().isoformat(),
    }
    session.save()
    return client
