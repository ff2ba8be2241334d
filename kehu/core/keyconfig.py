"""Loading the installation's keys from the environment or the data folder (used by
kehu/settings.py, so it imports nothing of Django that needs the settings).

Embedded mode (SQLite): a key not given in the environment is generated once into the data
folder (mode 0600). Cluster mode (PostgreSQL): several servers share one database, so every
key must be given; generating one per server would make each server unable to read what
the others wrote. The field keys form a keyring of (key id, secret) pairs, current first."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
# The id of the single key given by KEHU_FIELD_KEY (or generated into `field_key`).
SINGLE_KEY_ID = "k0"


class KeyConfigError(ImproperlyConfigured):
    """A key is missing or malformed; the message says what to set."""


def generate_key_file(key_file: Path) -> None:
    """Write a new random key to `key_file` (0600) unless one is there. Written to a private
    temp file and linked into place: of several processes starting at once exactly one key
    wins and nobody reads a half-written file."""
    if key_file.exists():
        return
    temp = key_file.with_name(f".{key_file.name}.{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(50))
    try:
        os.link(temp, key_file)
    except FileExistsError:
        pass
    finally:
        temp.unlink()


def data_key(
    environ: dict[str, str], variable: str, data_dir: Path, cluster: bool, file_name: str = ""
) -> str:
    """The environment variable, else (embedded mode only) a key kept in the data folder
    (`file_name`, by default the variable's name without KEHU_, in lower case)."""
    given = environ.get(variable, "").strip()
    if given:
        return given
    if cluster:
        raise KeyConfigError(
            f"{variable} must be set when the database is PostgreSQL (cluster mode: every "
            "server needs the same keys, none is generated). See docs/operations.md, Keys."
        )
    key_file = data_dir / (file_name or variable.removeprefix("KEHU_").lower())
    generate_key_file(key_file)
    return key_file.read_text().strip()


def parse_keyring(text: str, variable: str = "KEHU_FIELD_KEYS") -> list[tuple[str, str]]:
    """ "id1:secret1,id2:secret2" (or one pair a line) → [(id, secret)], in the given order."""
    ring: list[tuple[str, str]] = []
    for item in re.split(r"[,\n]", text):
        item = item.strip()
        if not item:
            continue
        key_id, sep, secret = item.partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        if not sep or not KEY_ID.match(key_id) or not secret:
            raise KeyConfigError(
                f"{variable}: each entry is id:secret, the id of letters, digits, - or _ "
                f"(at most 32); got {key_id[:32]!r}."
            )
        if any(known == key_id for known, _secret in ring):
            raise KeyConfigError(f"{variable}: key id {key_id!r} is given twice.")
        ring.append((key_id, secret))
    return ring


def keyring(
    environ: dict[str, str], data_dir: Path, cluster: bool, kind: str = "FIELD"
) -> list[tuple[str, str]]:
    """A keyring, current key first, for `kind` "FIELD" (columns) or "FILE" (stored files):
    KEHU_<kind>_KEYS (newest first, or the one named by KEHU_<kind>_KEY_ID), else
    KEHU_<kind>_KEY as a ring of one (id "k0"), else in embedded mode the data folder's
    `<kind>_keys` (written by `kehu keys add`) or `<kind>_key` (generated)."""
    many, single, current_name = (f"KEHU_{kind}_KEYS", f"KEHU_{kind}_KEY", f"KEHU_{kind}_KEY_ID")
    ring_file, key_file = data_dir / f"{kind.lower()}_keys", data_dir / f"{kind.lower()}_key"
    ring: list[tuple[str, str]] = []
    if environ.get(many, "").strip():
        ring = parse_keyring(environ[many], many)
    elif environ.get(single, "").strip():
        ring = [(SINGLE_KEY_ID, environ[single].strip())]
    elif cluster:
        raise KeyConfigError(
            f"{many} (or {single}) must be set when the database is PostgreSQL "
            "(cluster mode: every server needs the same keys, none is generated). "
            "See docs/operations.md, Keys."
        )
    elif ring_file.exists():
        ring = parse_keyring(ring_file.read_text(), ring_file.name)
    else:
        generate_key_file(key_file)
        ring = [(SINGLE_KEY_ID, key_file.read_text().strip())]
    if not ring:
        raise KeyConfigError(f"{many} holds no key.")
    current = environ.get(current_name, "").strip()
    if current:
        chosen = [pair for pair in ring if pair[0] == current]
        if not chosen:
            raise KeyConfigError(f"{current_name} {current!r} is not in the keyring.")
        ring = [*chosen, *(pair for pair in ring if pair[0] != current)]
    return ring


def field_keyring(environ: dict[str, str], data_dir: Path, cluster: bool) -> list[tuple[str, str]]:
    return keyring(environ, data_dir, cluster, "FIELD")


def add_generated_field_key(data_dir: Path, ring: list[tuple[str, str]]) -> str:
    """Embedded mode: put a new random key in front of the data folder's keyring file
    (`field_keys`, 0600) and return its id; the running servers use it after a restart."""
    taken = {key_id for key_id, _secret in ring}
    number = len(ring)
    while f"k{number}" in taken:
        number += 1
    key_id = f"k{number}"
    lines = [f"{key_id}:{secrets.token_urlsafe(50)}", *(f"{i}:{s}" for i, s in ring)]
    target = data_dir / "field_keys"
    temp = target.with_name(f".field_keys.{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    os.replace(temp, target)
    return key_id
