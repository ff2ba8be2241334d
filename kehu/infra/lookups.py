"""`<id field>__in_ids=[…]`: a list of ids sent as one parameter (an array on PostgreSQL,
JSON on SQLite) instead of one placeholder each: compiling and planning an `IN` of
thousands of ids costs more than running it (docs/performance.md). Registered for primary keys
and foreign keys (the API's list pages read a page's rows, contacts and classifications by
the page's ids).

Pass the ids as a frozenset: Django resolves each element of a list or tuple as a possible
expression, not of a set. The array goes to PostgreSQL as one text literal: psycopg dumps a
list of ints element by element in Python."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import BigAutoField, ForeignKey, Lookup


@BigAutoField.register_lookup
@ForeignKey.register_lookup
class InIds(Lookup):
    lookup_name = "in_ids"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        parameter = ids_parameter(connection, self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, parameter)
        return f"{lhs} IN (SELECT value FROM json_each(%s))", (*lhs_params, parameter)


def ids_parameter(connection: Any, ids: Any) -> str:
    """The one parameter that carries `ids` to the database (InIds)."""
    ordered = sorted(int(pk) for pk in ids)
    if connection.vendor == "postgresql":
        return "{" + ",".join(map(str, ordered)) + "}"
    return json.dumps(ordered)
