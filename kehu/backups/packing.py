"""The backup key, and the SQLite copy's way into and out of a backup: snapshot with SQLite's
online backup API, gzip, encrypt with AES-256-GCM (kehu.core.storage's chunked format, the key
id in its header), and back. Also the digest of every table's rows that the restore and the
drill compare."""

from __future__ import annotations

import datetime
import decimal
import gzip
import hashlib
import hmac
import shutil
import sqlite3
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from kehu.core.storage import CHUNK, CorruptFile, DecryptingReader, EncryptingReader

READ = 1024 * 1024


@cache
def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode()
    )


def backup_key(key_id: str | None = None, purpose: bytes = b"kehu-backups-v1") -> bytes:
    """The backup key `key_id` (None: the current one); a clear refusal when it is not
    configured."""
    ring = settings.KEHU_BACKUP_KEYS
    if not ring:
        raise ValidationError(
            _(
                "No backup key is configured: set KEHU_BACKUP_KEYS (or KEHU_BACKUP_KEY) to the "
                "key the backups were made with."
            )
        )
    for known, secret in ring:
        if key_id is None or known == key_id:
            return _derive(secret, purpose)
    raise ValidationError(
        _(
            "This backup was encrypted with backup key %(key)s, which is not configured here: "
            "without its key a backup cannot be restored. Set KEHU_BACKUP_KEYS to include it."
        )
        % {"key": key_id}
    )


def current_key_id() -> str:
    backup_key()  # refuses clearly when none is configured
    return str(settings.KEHU_BACKUP_KEYS[0][0])


def snapshot_sqlite(target: Path) -> None:
    """A consistent copy of the live database while Kehu runs (SQLite's online backup API,
    in one step: the copy is of one instant)."""
    connection.ensure_connection()
    source = connection.connection
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()


def pack(plain: Path, packed: Path, work: Path) -> str:
    """Compress and encrypt `plain` into `packed`; returns the key id used."""
    key_id = current_key_id()
    compressed = work / f"{plain.name}.gz"
    with open(plain, "rb") as source, gzip.open(compressed, "wb", compresslevel=6) as out:
        shutil.copyfileobj(source, out, READ)
    with open(compressed, "rb") as source, open(packed, "wb") as out:
        reader = EncryptingReader(source, backup_key(key_id), CHUNK, key_id=key_id)
        shutil.copyfileobj(reader, out, READ)
    compressed.unlink()
    return key_id


def unpack(stream: IO[bytes], target: Path, key_id: str) -> None:
    """Decrypt and decompress a packed copy into `target`; ValidationError (with the reason a
    person can act on) for a missing or wrong key."""
    key = backup_key(key_id)
    try:
        reader = DecryptingReader(stream, key)
        with gzip.open(reader, "rb") as plain, open(target, "wb") as out:
            shutil.copyfileobj(plain, out, READ)
    except CorruptFile as error:
        target.unlink(missing_ok=True)
        if "chunk 0 " in str(error):
            raise ValidationError(
                _(
                    "The backup cannot be decrypted with the configured backup key %(key)s: it "
                    "is the wrong key (or the backup is damaged). Nothing was restored."
                )
                % {"key": key_id}
            ) from None
        raise ValidationError(
            _("The backup is damaged (%(problem)s). Nothing was restored.") % {"problem": error}
        ) from None


# Row digests ---------------------------------------------------------------------------------


def _canon(value: Any) -> str:
    if isinstance(value, memoryview | bytes | bytearray):
        return "b:" + bytes(value).hex()
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return "t:" + value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, decimal.Decimal):
        return "d:" + str(value.normalize())
    return f"{type(value).__name__}:{value!r}"


def digest_rows(rows: Iterable[Iterable[Any]], key: bytes) -> tuple[int, str]:
    """(count, keyed digest) of rows in any order: each row is hashed, the sorted hashes are
    hashed again with the backup key (a digest of a small table reveals nothing without it)."""
    hashed = sorted(hashlib.sha256("\x1f".join(map(_canon, row)).encode()).digest() for row in rows)
    return len(hashed), hmac.new(key, b"".join(hashed), "sha256").hexdigest()


def _fetch_all(cursor: Any, sql: str) -> Iterable[tuple[Any, ...]]:
    cursor.execute(sql)
    while batch := cursor.fetchmany(2000):
        yield from batch


def table_digests(cursor: Any, vendor: str, key: bytes) -> dict[str, dict[str, Any]]:
    """Every table's row count and digest, read through `cursor` (a DB-API cursor)."""
    if vendor == "sqlite":
        cursor.execute(
            # Virtual tables are read through their shadow tables, which are compared.
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
        )
    else:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    tables = sorted(row[0] for row in cursor.fetchall())
    found = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        rows, digest = digest_rows(_fetch_all(cursor, f"SELECT * FROM {quoted}"), key)
        found[table] = {"rows": rows, "digest": digest}
    return found


def sqlite_digests(path: Path, key: bytes) -> dict[str, dict[str, Any]]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return table_digests(db.cursor(), "sqlite", key)
    finally:
        db.close()


def differences(expected: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """The tables whose rows differ between two digests (missing, extra or changed)."""
    problems = []
    for table in sorted(set(expected) | set(found)):
        want, got = expected.get(table), found.get(table)
        if want is None or got is None:
            problems.append(f"{table}: {'extra' if want is None else 'missing'}")
        elif want != got:
            problems.append(f"{table}: {want['rows']} rows expected, {got['rows']} restored")
    return problems


ProgressFn = Callable[[int, int | None, str], None]
