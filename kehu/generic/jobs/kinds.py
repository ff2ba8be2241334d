"""The kinds of background job: each context registers its runner from its AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kehu.generic.jobs.context import JobContext


@dataclass(frozen=True)
class JobKind:
    kind: str
    runner: Callable[[JobContext], dict[str, Any] | None]
    label: Any


_KINDS: dict[str, JobKind] = {}


def register_job_kind(
    kind: str, runner: Callable[[JobContext], dict[str, Any] | None], *, label: Any
) -> None:
    _KINDS[kind] = JobKind(kind, runner, label)


def job_kind(kind: str) -> JobKind | None:
    return _KINDS.get(kind)


def kind_label(kind: str) -> str:
    found = _KINDS.get(kind)
    return str(found.label) if found else kind
