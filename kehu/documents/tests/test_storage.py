"""The storage mechanism: encryption at rest, streaming, tamper detection, S3 backend."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files import File

from kehu.core import storage
from kehu.core.request_memo import SAVED_DIGEST
from kehu.core.storage import CHUNK, CorruptFile, DecryptingReader, EncryptingReader

PLAIN = b"business licence of Kehu Test Ltd " * 1000


def _roundtrip(data: bytes, chunk: int) -> bytes:
    key = os.urandom(32)
    sealed = EncryptingReader(io.BytesIO(data), key, chunk).read()
    return DecryptingReader(io.BytesIO(sealed), key).read()


@pytest.mark.parametrize("size", [0, 1, 99, 100, 101, 250, 1000])
def test_roundtrip_at_every_chunk_boundary(size: int) -> None:
    data = os.urandom(size)
    assert _roundtrip(data, 100) == data


def test_truncation_reordering_and_flips_are_detected() -> None:
    key = os.urandom(32)
    data = os.urandom(1000)
    sealed = EncryptingReader(io.BytesIO(data), key, 100).read()
    header, body = sealed[:20], sealed[20:]
    chunks = [body[i : i + 116] for i in range(0, len(body), 116)]
    cut_at_boundary = header + b"".join(chunks[:5])
    swapped = header + chunks[1] + chunks[0] + b"".join(chunks[2:])
    flipped = bytearray(sealed)
    flipped[300] ^= 1
    wrong_key = os.urandom(32)
    for bad, k in (
        (cut_at_boundary, key),
        (swapped, key),
        (bytes(flipped), key),
        (sealed, wrong_key),
        (sealed + b"x", key),
        (b"plain text", key),
    ):
        with pytest.raises(CorruptFile):
            DecryptingReader(io.BytesIO(bad), k).read()


def test_store_encrypts_hashes_and_reads_back(files_dir: Path) -> None:
    kept = storage.store("documents/2026/1_测试/营业执照.pdf", io.BytesIO(PLAIN))
    assert kept.sha256 == hashlib.sha256(PLAIN).hexdigest()
    assert kept.size == len(PLAIN)
    on_disk = (files_dir / kept.name).read_bytes()
    assert b"business licence" not in on_disk
    assert PLAIN[:64] not in on_disk
    assert b"".join(storage.iter_plain(kept.name)) == PLAIN
    assert storage.check(kept.name, kept.sha256) is None


def test_a_stored_file_object_keeps_no_digest(files_dir: Path) -> None:
    """`store` takes the digest the storage left on the file object (request_memo), so that
    the caller's file carries nothing of ours afterwards."""
    holder = File(io.BytesIO(PLAIN), name="a.pdf")
    kept = storage.store("a.pdf", holder)
    assert kept.sha256 == hashlib.sha256(PLAIN).hexdigest()
    assert SAVED_DIGEST.get(holder) is None


def test_check_reports_altered_and_missing_files(files_dir: Path) -> None:
    kept = storage.store("a.pdf", io.BytesIO(PLAIN))
    path = files_dir / kept.name
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))
    assert (storage.check(kept.name, kept.sha256) or "").startswith("altered")
    path.unlink()
    assert storage.check(kept.name, kept.sha256) == "missing"


def test_large_file_streams_in_chunks(files_dir: Path) -> None:
    """Encryption works chunk by chunk: a reader never holds more than about one chunk."""

    class Source(io.RawIOBase):
        def __init__(self, total: int) -> None:
            self.left = total
            self.largest = 0

        def readable(self) -> bool:
            return True

        def readinto(self, target: Any) -> int:
            n = min(len(target), self.left)
            self.largest = max(self.largest, len(target))
            target[:n] = b"\x01" * n
            self.left -= n
            return n

    source = Source(5 * CHUNK + 7)
    kept = storage.store("big.bin", source)
    assert kept.size == 5 * CHUNK + 7
    assert source.largest <= CHUNK
    assert storage.check(kept.name, kept.sha256) is None


def test_s3_backend_against_moto(s3_settings: dict[str, Any]) -> None:
    kept = storage.store("documents/2026/7_客户/营业执照_20260101.pdf", io.BytesIO(PLAIN))
    client = s3_settings["client"]
    stored = client.get_object(Bucket=s3_settings["bucket"], Key=kept.name)["Body"].read()
    assert b"business licence" not in stored
    assert b"".join(storage.iter_plain(kept.name)) == PLAIN
    assert storage.check(kept.name, kept.sha256) is None
    # A second file under the same name does not overwrite the first.
    again = storage.store("documents/2026/7_客户/营业执照_20260101.pdf", io.BytesIO(b"other"))
    assert again.name != kept.name
    client.put_object(Bucket=s3_settings["bucket"], Key=kept.name, Body=stored[:-1] + b"!")
    assert (storage.check(kept.name, kept.sha256) or "").startswith("altered")
    client.delete_object(Bucket=s3_settings["bucket"], Key=kept.name)
    assert storage.check(kept.name, kept.sha256) == "missing"
