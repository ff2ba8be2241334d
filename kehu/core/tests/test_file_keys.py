"""The file keyring: new files name the current key in their header, every configured key
still reads its files, files of the first format (no key id) read with key "k0"."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from kehu.core import storage
from kehu.core.storage import CorruptFile, EncryptedStorage, EncryptingReader


@pytest.fixture
def local_storage(tmp_path: Path) -> Iterator[EncryptedStorage]:
    from django.core.files.storage import FileSystemStorage

    yield EncryptedStorage(inner=FileSystemStorage(location=str(tmp_path)))


def _store(target: EncryptedStorage, name: str, data: bytes) -> str:
    return target.save(name, io.BytesIO(data))


def test_new_files_use_the_current_key_and_old_files_keep_reading(
    local_storage: EncryptedStorage, tmp_path: Path
) -> None:
    old_ring = list(settings.KEHU_FILE_KEYS)
    with override_settings(KEHU_FILE_KEYS=[("k0", "the first file key")]):
        first = _store(local_storage, "a.txt", b"first")
        # A blob of the first format (KEHUENC1, no key id), as Kehu wrote it before.
        legacy = EncryptingReader(io.BytesIO(b"legacy"), storage.file_key()).read()
        (tmp_path / "legacy.txt").write_bytes(legacy)
    with override_settings(KEHU_FILE_KEYS=[("f2", "the second"), ("k0", "the first file key")]):
        second = _store(local_storage, "b.txt", b"second")
        assert (tmp_path / second).read_bytes()[:8] == b"KEHUENC2"
        assert b"f2" in (tmp_path / second).read_bytes()[:24]
        for name, plain in ((first, b"first"), (second, b"second"), ("legacy.txt", b"legacy")):
            assert local_storage.open(name).read() == plain
    with override_settings(KEHU_FILE_KEYS=[("f2", "the second")]):
        assert local_storage.open(second).read() == b"second"
        with pytest.raises(CorruptFile, match="not configured"):
            local_storage.open(first).read()
    assert old_ring == settings.KEHU_FILE_KEYS


def test_a_changed_key_id_in_the_header_fails_authentication(
    local_storage: EncryptedStorage, tmp_path: Path
) -> None:
    ring = [("f2", "same secret"), ("f3", "same secret")]
    with override_settings(KEHU_FILE_KEYS=ring):
        name = _store(local_storage, "c.txt", b"content")
        blob = (tmp_path / name).read_bytes()
        (tmp_path / name).write_bytes(blob.replace(b"f2", b"f3", 1))
        with pytest.raises(CorruptFile):
            local_storage.open(name).read()
