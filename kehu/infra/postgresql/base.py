"""Django's PostgreSQL backend, with prepared statements inside
`kehu.infra.prepared.prepared_statements()` (see there). Elsewhere it is Django's: client-side
parameter binding, nothing prepared."""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.pq import Format

from kehu.infra.prepared import preparing

_ServerBindingCursor: Any = base.ServerBindingCursor  # (the stubs do not describe it)
# psycopg prepares a statement after this many executions; only PreparedCursor's are.
_NEVER_BY_COUNT = 2**31 - 1


class PreparedCursor(_ServerBindingCursor):
    """Server-side parameters ($1, $2 …), and every statement prepared on first use."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        kwargs["prepare"] = True
        return super().execute(query, params, **kwargs)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        params["prepare_threshold"] = _NEVER_BY_COUNT
        return params

    def create_cursor(self, name: str | None = None) -> Any:
        if name or not preparing():
            return super().create_cursor(name)
        cursor = PreparedCursor(self.connection)
        # As Django's create_cursor: the connection's time zone for timestamps.
        tzloader = self.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, Format.TEXT)
        if self.timezone != tzloader.timezone:
            register_tzloader(self.timezone, cursor)
        return cursor
