"""SQL compiled once per database connection, for reads whose text never changes.

Django compiles a queryset into SQL on every evaluation. A read that differs from call to call
only in its parameters (the API page's contacts by the page's ids, `api.representation`) can
keep its compiled statement and run it again with new parameters; the rows are still read
afresh every time.

The statements are kept on Django's connection object for the database: Django gives every
thread (and async context) its own connection object per alias, so they are never shared
between threads and need no lock, and the SQL they hold is that database's dialect. They
outlive a reconnect, which changes no SQL text. Nothing else is kept there.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

_ATTRIBUTE = "_kehu_compiled_sql"


def compiled_statements(connection: BaseDatabaseWrapper) -> dict[Hashable, Any]:
    """The statements compiled on `connection`, by their caller's key (empty at first)."""
    statements: dict[Hashable, Any] = connection.__dict__.setdefault(_ATTRIBUTE, {})
    return statements


def forget_compiled_statements(connection: BaseDatabaseWrapper) -> None:
    """Drop what `connection` keeps, so that the next read compiles its SQL again."""
    connection.__dict__.pop(_ATTRIBUTE, None)
