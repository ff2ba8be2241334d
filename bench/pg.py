"""Creating and dropping the throw-away PostgreSQL database of one benchmark process."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


def is_identifier(name: str) -> bool:
    """A database or folder name we create: lower-case letters, digits and _."""
    return re.fullmatch(r"[a-z][a-z0-9_]{0,62}", name) is not None


def database_exists(url: str, name: str) -> bool:
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row is not None


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql", "pgsql"}


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_conninfo(url: str) -> str:
    """The given URL, or its server's `postgres` database when the URL names none."""
    parts = urlsplit(url)
    if parts.path in {"", "/"}:
        parts = parts._replace(path="/postgres")
    return urlunsplit(parts._replace(scheme="postgresql"))


def create_database(url: str, name: str) -> str:
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_database(url, name)


def drop_database(url: str, name: str) -> None:
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def server_version(url: str) -> str:
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"
