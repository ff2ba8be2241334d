"""The one storage mechanism for files (DOC-6): Django's storage API, encrypted at rest, with
the SHA-256 of the plain content computed while the file streams in.

`EncryptedStorage` is Django's default storage (settings.STORAGES["default"]), so every
`FileField` and every caller of `default_storage` goes through it. It wraps an inner backend:

* local disk (`FileSystemStorage` under KEHU_FILES_DIR) — the embedded default;
* S3-compatible object storage (django-storages' `S3Storage`) when KEHU_S3_BUCKET is set.

Format of a stored blob (streamed; never the whole file in memory)::

    b"KEHUENC2" | 8-byte random nonce prefix | 4-byte chunk size (big-endian)
        | 1-byte key id length | key id (ASCII)
    then chunks: AES-256-GCM(plain chunk) + 16-byte tag, nonce = prefix + 4-byte counter,
    associated data = header + b"\\x01" for the last chunk, b"\\x00" for the others.

Every chunk but the last holds exactly `chunk size` plain bytes; the last one is shorter
(possibly empty), so a blob cut at a chunk boundary, reordered chunks or altered bytes all
fail authentication. Keys: a keyring settings.KEHU_FILE_KEYS (KEHU_FILE_KEYS, or KEHU_FILE_KEY
as key "k0", or generated into the data folder in embedded mode); new files use the current
key, each file is read with the key its header names. Blobs of the first format, b"KEHUENC1"
without a key id, are read with key "k0". Losing a key loses its files (docs/operations.md).

API for callers that keep files:
    store(name, stream) -> Stored(name, sha256, size)
    open_plain(name) -> a binary file object yielding the plain content (streamed)
    iter_plain(name) -> iterator of plain chunks (for StreamingHttpResponse)
    check(name, sha256) -> None if intact, else a problem text
    stored_names() -> every stored blob's name; open_raw(name) -> its encrypted bytes (backups)
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.utils.deconstruct import deconstructible

from kehu.core.request_memo import SAVED_DIGEST

MAGIC = b"KEHUENC1"
MAGIC2 = b"KEHUENC2"
CHUNK = 1024 * 1024
TAG = 16
_HEADER = struct.Struct(">8s8sI")
# The key id of blobs written before key ids (KEHU_FILE_KEY, the generated `file_key`).
LEGACY_KEY_ID = "k0"


class CorruptFile(Exception):
    """The stored bytes are not what was written (altered, truncated, wrong key)."""


@cache
def _key(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"kehu-files-v1").derive(
        secret.encode()
    )


def current_file_key() -> tuple[str, bytes]:
    """(key id, key) of the file key new files are written with."""
    key_id, secret = settings.KEHU_FILE_KEYS[0]
    return key_id, _key(secret)


def file_key(key_id: str | None = None) -> bytes:
    """The key of `key_id` (the current one when None); raises CorruptFile for an id that is
    not configured."""
    if key_id is None:
        return current_file_key()[1]
    for known, secret in settings.KEHU_FILE_KEYS:
        if known == key_id:
            return _key(secret)
    raise CorruptFile(f"written with file key {key_id!r}, which is not configured")


KeySource = bytes | Callable[[str], bytes]


def _read_full(source: Any, size: int) -> bytes:
    """Read exactly `size` bytes unless the source ends first (sources may return less)."""
    parts = []
    wanted = size
    while wanted > 0:
        part = source.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


class EncryptingReader(io.RawIOBase):
    """Reads a plain binary stream and yields the encrypted blob; hashes and counts the plain
    bytes on the way (sha256, size are final once the reader is exhausted)."""

    def __init__(
        self, source: Any, key: bytes, chunk: int = CHUNK, key_id: str | None = None
    ) -> None:
        self._source = source
        self._aead = AESGCM(key)
        self._prefix = os.urandom(8)
        self._chunk = chunk
        if key_id is None:
            self._header = _HEADER.pack(MAGIC, self._prefix, chunk)
        else:
            name = key_id.encode("ascii")
            self._header = _HEADER.pack(MAGIC2, self._prefix, chunk) + bytes([len(name)]) + name
        self._buffer = bytearray(self._header)
        self._counter = 0
        self._done = False
        self._hash = hashlib.sha256()
        self.size = 0

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        plain = _read_full(self._source, self._chunk)
        last = len(plain) < self._chunk
        self._hash.update(plain)
        self.size += len(plain)
        nonce = self._prefix + struct.pack(">I", self._counter)
        aad = self._header + (b"\x01" if last else b"\x00")
        self._buffer += self._aead.encrypt(nonce, plain, aad)
        self._counter += 1
        self._done = last

    def readinto(self, target: Any) -> int:
        while not self._buffer and not self._done:
            self._next_chunk()
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        del self._buffer[:n]
        return n


class DecryptingReader(io.RawIOBase):
    """Reads an encrypted blob and yields the plain content; raises CorruptFile when any
    chunk fails authentication or the blob is cut short. `key` is the key, or a function
    giving the key of the id the blob names."""

    def __init__(self, source: Any, key: KeySource) -> None:
        self._source = source
        header = _read_full(source, _HEADER.size)
        if len(header) < _HEADER.size:
            raise CorruptFile("too short for a Kehu encrypted file")
        magic, self._prefix, self._chunk = _HEADER.unpack(header)
        if magic not in (MAGIC, MAGIC2) or not 0 < self._chunk <= 64 * CHUNK:
            raise CorruptFile("not a Kehu encrypted file")
        key_id = LEGACY_KEY_ID
        if magic == MAGIC2:
            length = _read_full(source, 1)
            name = _read_full(source, length[0]) if length else b""
            if not length or len(name) != length[0]:
                raise CorruptFile("too short for a Kehu encrypted file")
            header += length + name
            key_id = name.decode("ascii", "replace")
        self._header = header
        self._aead = AESGCM(key if isinstance(key, bytes) else key(key_id))
        self._buffer = bytearray()
        self._counter = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        sealed = _read_full(self._source, self._chunk + TAG)
        last = len(sealed) < self._chunk + TAG
        nonce = self._prefix + struct.pack(">I", self._counter)
        aad = self._header + (b"\x01" if last else b"\x00")
        try:
            self._buffer += self._aead.decrypt(nonce, sealed, aad)
        except (InvalidTag, ValueError):
            raise CorruptFile(f"chunk {self._counter} fails authentication") from None
        if last and self._source.read(1):
            raise CorruptFile("bytes after the last chunk")
        self._counter += 1
        self._done = last

    def readinto(self, target: Any) -> int:
        while not self._buffer and not self._done:
            self._next_chunk()
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        del self._buffer[:n]
        return n

    def close(self) -> None:
        try:
            close = getattr(self._source, "close", None)
            if close:
                close()
        finally:
            super().close()


def inner_storage() -> Storage:
    """The backend that holds the encrypted blobs: S3 when configured, else the local disk."""
    if settings.KEHU_S3_BUCKET:
        from boto3.s3.transfer import TransferConfig
        from storages.backends.s3 import S3Storage

        # 8 MiB parts, two in flight and at most three read ahead: a large upload holds about
        # 24 MiB instead of boto3's default ten parts in memory.
        transfer = TransferConfig(multipart_chunksize=8 * 1024 * 1024, max_concurrency=2)
        transfer.max_in_memory_upload_chunks = 3
        return S3Storage(transfer_config=transfer, **settings.KEHU_S3_OPTIONS)
    return FileSystemStorage(location=str(settings.KEHU_FILES_DIR))


@deconstructible(path="kehu.core.storage.EncryptedStorage")
class EncryptedStorage(Storage):
    """Django storage whose every file is encrypted (see the module text)."""

    def __init__(self, inner: Storage | None = None, key: bytes | None = None) -> None:
        self._inner = inner
        self._key = key

    @property
    def inner(self) -> Storage:
        if self._inner is None:
            self._inner = inner_storage()
        return self._inner

    # Storage API -------------------------------------------------------------------------
    def _save(self, name: str, content: Any) -> str:
        if self._key is not None:
            reader = EncryptingReader(content, self._key)
        else:
            key_id, key = current_file_key()
            reader = EncryptingReader(content, key, key_id=key_id)
        # A stream that cannot rewind is read from where it stands.
        with contextlib.suppress(AttributeError, OSError):
            content.seek(0)
        stored = self.inner.save(name, File(io.BufferedReader(reader, CHUNK), name=name))
        SAVED_DIGEST.set(content, (reader.sha256, reader.size))  # for `store`: save gives a name
        return stored

    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("Encrypted files are written with save(), not opened for writing.")
        key: KeySource = self._key if self._key is not None else file_key
        return File(io.BufferedReader(DecryptingReader(self._raw(name), key), CHUNK), name)

    def _raw(self, name: str) -> IO[bytes]:
        """The stored (encrypted) bytes as a stream; S3 bodies stream without buffering."""
        inner = self.inner
        bucket = getattr(inner, "bucket", None)
        if bucket is not None:
            from storages.utils import clean_name

            key = inner._normalize_name(clean_name(name))  # type: ignore[attr-defined]
            try:
                body: IO[bytes] = bucket.Object(key).get()["Body"]
            except Exception as error:  # botocore ClientError: NoSuchKey and friends
                raise FileNotFoundError(name) from error
            return body
        return inner.open(name, "rb")

    def delete(self, name: str) -> None:
        self.inner.delete(name)

    def exists(self, name: str) -> bool:
        return self.inner.exists(name)

    def size(self, name: str) -> int:
        """The stored (encrypted) size."""
        return self.inner.size(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.inner.listdir(path)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Kehu serves files itself, after a permission check.")

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.inner.get_available_name(name, max_length)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self.inner.generate_filename(filename)


@dataclass(frozen=True)
class Stored:
    name: str
    sha256: str
    size: int


def storage() -> EncryptedStorage:
    found = default_storage._wrapped if hasattr(default_storage, "_wrapped") else None
    if not isinstance(found, EncryptedStorage):
        default_storage._setup()  # type: ignore[attr-defined]
        found = default_storage._wrapped  # type: ignore[attr-defined]
    if not isinstance(found, EncryptedStorage):
        raise RuntimeError("STORAGES['default'] must be kehu.core.storage.EncryptedStorage")
    return found


def store(name: str, stream: Any) -> Stored:
    """Encrypt and keep `stream` (a binary file object) under `name` (or a free variant)."""
    holder = stream if isinstance(stream, File) else File(stream, name=name)
    saved = storage().save(name, holder)
    digest = SAVED_DIGEST.pop(holder)
    if digest is None:
        raise RuntimeError("STORAGES['default'] did not encrypt the file it saved")
    return Stored(saved, *digest)


def open_plain(name: str) -> File:
    return storage().open(name, "rb")


def iter_plain(name: str, chunk: int = 256 * 1024) -> Iterator[bytes]:
    with open_plain(name) as handle:
        while block := handle.read(chunk):
            yield block


def delete(name: str) -> None:
    storage().delete(name)


def check(name: str, sha256: str) -> str | None:
    """Re-read the whole stored file; None when it decrypts and hashes to `sha256`."""
    digest = hashlib.sha256()
    try:
        for block in iter_plain(name, CHUNK):
            digest.update(block)
    except FileNotFoundError:
        return "missing"
    except CorruptFile as error:
        return f"altered ({error})"
    except OSError as error:
        return f"unreadable ({error})"
    if digest.hexdigest() != sha256:
        return "altered (SHA-256 differs)"
    return None


def open_raw(name: str) -> IO[bytes]:
    """The stored (encrypted) bytes of `name`, streamed: what a backup copies as it is."""
    return storage()._raw(name)


def stored_names(folder: str = "") -> Iterator[str]:
    """The name of every stored blob (under `folder`), walking the backend's folders."""
    folders, files = storage().listdir(folder)
    prefix = f"{folder}/" if folder else ""
    for file_name in sorted(files):
        yield prefix + file_name
    for sub in sorted(folders):
        yield from stored_names(prefix + sub)
