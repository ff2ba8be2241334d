"""Who is acting and from where, for the duration of a request or a command."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    source_ip: str = ""


SYSTEM = Actor(None, "system", "")
_current: ContextVar[Actor] = ContextVar("kehu_audit_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _current.get()


def actor_for(user: Any, source_ip: str = "") -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(None, "anonymous", source_ip)
    return Actor(user.pk, user.get_username(), source_ip)


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)
