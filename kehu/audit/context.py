"""Who is acting and from where, for the duration of a request or a command."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Purpose:
    """The purpose of use the actor declared for their work with personal data (PRI: the
    seeds' 使用目的); `choice` "undeclared" when there is none yet."""

    choice: str
    note: str = ""
    declared_at: str = ""  # ISO time of the declaration ("" for an API request's header)


UNDECLARED = Purpose("undeclared")
# Actions that read personal data: their events carry the actor's purpose.
READ_SUFFIXES = (".read", ".reveal", ".export", ".download")


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    source_ip: str = ""
    purpose: Purpose | None = None  # None: a command or the system (no session)


SYSTEM = Actor(None, "system", "")
_current: ContextVar[Actor] = ContextVar("kehu_audit_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _current.get()


def actor_for(user: Any, source_ip: str = "", purpose: Purpose | None = None) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(None, "anonymous", source_ip)
    return Actor(user.pk, user.get_username(), source_ip, purpose)


def purpose_extra(action: str, actor: Actor) -> dict[str, str]:
    """The purpose fields a read event of `actor` carries ({} for other events)."""
    if actor.purpose is None or not action.endswith(READ_SUFFIXES):
        return {}
    fields = {"purpose": actor.purpose.choice}
    if actor.purpose.note:
        fields["purpose_note"] = actor.purpose.note
    if actor.purpose.declared_at:
        fields["purpose_declared_at"] = actor.purpose.declared_at
    return fields


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)
