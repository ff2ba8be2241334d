"""Storage of the n-gram index (tables created by migration 0002):

* SQLite: `customers_search_grams`, a contentless FTS5 table (detail=none, one document of
  gram tokens per customer, rowid = customer id) and `customers_search_source`, the search
  text each document was built from. SQLite 3.40 can only delete from a contentless FTS5
  table by repeating the document's tokens, which the source text reproduces exactly.
* PostgreSQL: `customers_search_grams (customer_id, grams text[])` with a GIN index.

No foreign keys: Django's test flush truncates only its own tables, and a row left behind
for a deleted id can only add candidates, which the substring test then drops."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.db import connection as default_connection
from django.db import transaction

from kehu.customers.search.grams import grams_of, token, tokens_of

TABLE = "customers_search_grams"
SOURCE = "customers_search_source"
GIN_INDEX = "customers_search_grams_gin"
CHUNK = 2000

SQLITE_SCHEMA = (
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
    "grams, content='', detail=none, columnsize=0, tokenize='ascii')",
    f"CREATE TABLE {SOURCE} (customer_id INTEGER PRIMARY KEY, indexed_text TEXT NOT NULL)",
)
POSTGRES_SCHEMA = (
    f"CREATE TABLE {TABLE} (customer_id bigint PRIMARY KEY, grams text[] NOT NULL)",
    f"CREATE INDEX {GIN_INDEX} ON {TABLE} USING gin (grams)",
)


def supported(connection: Any = default_connection) -> bool:
    return connection.vendor in {"sqlite", "postgresql"}


def create_schema(connection: Any) -> None:
    statements = {"sqlite": SQLITE_SCHEMA, "postgresql": POSTGRES_SCHEMA}
    with connection.cursor() as cursor:
        for statement in statements.get(connection.vendor, ()):
            cursor.execute(statement)


def drop_schema(connection: Any) -> None:
    if supported(connection):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
            cursor.execute(f"DROP TABLE IF EXISTS {SOURCE}")


def _chunks[T](rows: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def write(rows: Iterable[tuple[int, str]], connection: Any = default_connection) -> None:
    """Index customers given as (id, search text), replacing what they were indexed under."""
    if not supported(connection):
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for chunk in _chunks(rows):
            if connection.vendor == "sqlite":
                _write_sqlite(cursor, dict(chunk))
            else:
                cursor.executemany(
                    f"INSERT INTO {TABLE} (customer_id, grams) VALUES (%s, %s) "
                    "ON CONFLICT (customer_id) DO UPDATE SET grams = EXCLUDED.grams "
                    f"WHERE {TABLE}.grams IS DISTINCT FROM EXCLUDED.grams",
                    [(pk, sorted(grams_of(text))) for pk, text in chunk],
                )


def _write_sqlite(cursor: Any, texts: dict[int, str]) -> None:
    marks = ", ".join(["%s"] * len(texts))
    cursor.execute(
        f"SELECT customer_id, indexed_text FROM {SOURCE} WHERE customer_id IN ({marks})",
        list(texts),
    )
    old = dict(cursor.fetchall())
    changed = {pk: text for pk, text in texts.items() if old.get(pk) != text}
    _delete_documents(cursor, {pk: old[pk] for pk in changed if pk in old})
    cursor.executemany(
        f"INSERT INTO {TABLE} (rowid, grams) VALUES (%s, %s)",
        [(pk, tokens_of(text)) for pk, text in changed.items()],
    )
    cursor.executemany(
        f"INSERT INTO {SOURCE} (customer_id, indexed_text) VALUES (%s, %s) "
        "ON CONFLICT (customer_id) DO UPDATE SET indexed_text = excluded.indexed_text",
        list(changed.items()),
    )


def _delete_documents(cursor: Any, indexed: dict[int, str]) -> None:
    cursor.executemany(
        f"INSERT INTO {TABLE} ({TABLE}, rowid, grams) VALUES ('delete', %s, %s)",
        [(pk, tokens_of(text)) for pk, text in indexed.items()],
    )


def forget(ids: Sequence[int], connection: Any = default_connection) -> None:
    """Drop deleted customers from the index."""
    if not ids or not supported(connection):
        return
    marks = ", ".join(["%s"] * len(ids))
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"SELECT customer_id, indexed_text FROM {SOURCE} WHERE customer_id IN ({marks})",
                list(ids),
            )
            _delete_documents(cursor, dict(cursor.fetchall()))
            cursor.execute(f"DELETE FROM {SOURCE} WHERE customer_id IN ({marks})", list(ids))
        else:
            cursor.execute(f"DELETE FROM {TABLE} WHERE customer_id IN ({marks})", list(ids))


def candidates(grams: set[str], limit: int) -> list[int] | None:
    """Ids of customers indexed under every gram, or None when there are more than `limit`
    (then a scan in the list's own order finds a page sooner than the index would)."""
    if not grams or not supported():
        return None
    with default_connection.cursor() as cursor:
        if default_connection.vendor == "sqlite":
            match = " ".join(f'"{token(g)}"' for g in sorted(grams))
            cursor.execute(
                f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT %s", [match, limit + 1]
            )
        else:
            if _estimated_postgres(cursor, grams) > 2 * limit:
                return None
            cursor.execute(
                f"SELECT customer_id FROM {TABLE} WHERE grams @> %s::text[] LIMIT %s",
                [sorted(grams), limit + 1],
            )
        ids = [row[0] for row in cursor.fetchall()]
    return ids if len(ids) <= limit else None


def _estimated_postgres(cursor: Any, grams: set[str]) -> float:
    """The planner's estimate of the customers indexed under every gram. Its statistics (the
    most common elements of `grams`, kept by ANALYZE) know the common grams, so a common
    term is recognised by a plan instead of by reading its candidates (docs/performance.md)."""
    cursor.execute(
        f"EXPLAIN (FORMAT JSON) SELECT customer_id FROM {TABLE} WHERE grams @> %s::text[]",
        [sorted(grams)],
    )
    plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def rebuild(connection: Any = default_connection) -> int:
    """Index every customer afresh from its search text; returns how many."""
    if not supported(connection):
        return 0
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('delete-all')")
            cursor.execute(f"DELETE FROM {SOURCE}")
        else:
            cursor.execute(f"TRUNCATE {TABLE}")
            # Building the GIN index once is far faster than maintaining it row by row.
            cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
        count = 0
        for chunk in _chunks(_all_texts(connection)):
            count += len(chunk)
            if connection.vendor == "sqlite":
                cursor.executemany(
                    f"INSERT INTO {TABLE} (rowid, grams) VALUES (%s, %s)",
                    [(pk, tokens_of(text)) for pk, text in chunk],
                )
                cursor.executemany(
                    f"INSERT INTO {SOURCE} (customer_id, indexed_text) VALUES (%s, %s)", chunk
                )
            else:
                _copy_postgres(cursor, chunk)
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")
        else:
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cursor.execute(POSTGRES_SCHEMA[1])
    return count


def _copy_postgres(cursor: Any, chunk: list[tuple[int, str]]) -> None:
    with cursor.copy(f"COPY {TABLE} (customer_id, grams) FROM STDIN") as copy:
        for pk, text in chunk:
            copy.write_row((pk, sorted(grams_of(text))))


def _all_texts(connection: Any) -> Iterator[tuple[int, str]]:
    """(id, search text) of every customer, in id order, a chunk at a time."""
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, search_text FROM customers_customer WHERE id > %s ORDER BY id LIMIT %s",
                [last, CHUNK * 5],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]
