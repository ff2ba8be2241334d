"""Who may open (download or preview) a document version's file, beyond seeing the version:
the checks apps above documents register in their `ready()` (the privacy app's sensitivity
tiers). Every registered check must allow it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kehu.documents.models import DocumentVersion

OpenCheck = Callable[[Any, DocumentVersion], bool]

_checks: list[OpenCheck] = []


def register_open_check(check: OpenCheck) -> None:
    """Add `check(user, version)`, which answers whether `user` may open the version's file."""
    if check not in _checks:
        _checks.append(check)


def may_open_version(user: Any, version: DocumentVersion) -> bool:
    return all(check(user, version) for check in _checks)
