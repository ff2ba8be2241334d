"""Prepared statements for the reads every request repeats (PostgreSQL).

PostgreSQL plans every statement it is sent. For the reads a page makes by key — the
session, the signed-in user, their roles, a customer with its owner, unit, dossier and
cabinet, the rows of one customer's panels — planning costs more than running (figures in
docs/performance.md). Statements executed inside
`prepared_statements()` are sent with server-side parameters and prepared once per
connection (kehu.infra.postgresql), so later requests reuse the plan.

Only for reads whose best plan does not depend on the values. A prepared statement soon
gets a generic plan, made without the values: a list page's filtered, sorted scan planned
that way ignores how selective its filters are.
Lists, counts and searches therefore stay outside. On SQLite, and with
KEHU_DB_PREPARED_STATEMENTS=0 (for a connection pooler in transaction mode that does not
keep prepared statements), this changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_PREPARING: ContextVar[bool] = ContextVar("kehu_prepared_statements", default=False)


@contextmanager
def prepared_statements() -> Iterator[None]:
    token = _PREPARING.set(True)
    try:
        yield
    finally:
        _PREPARING.reset(token)


def preparing() -> bool:
    return _PREPARING.get()
