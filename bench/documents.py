"""Benchmark 5 — documents: upload and download throughput of a large file, and peak memory.

Subject: the storage mechanism as the upload service and the download view use it —
`kehu.core.storage.store()` (encrypt AES-256-GCM in 1 MiB chunks + SHA-256 of the plain
bytes, written through Django's storage API) and `iter_plain()` (decrypt, streamed in
256 KiB pieces as StreamingHttpResponse sends them). Baseline: the same bytes without the
mechanism — `shutil.copyfileobj` to a plain file and reading it back (local disk);
boto3 `upload_fileobj` / `get_object` streaming with the same transfer settings (S3).

The S3 cases run against `moto_server` on 127.0.0.1 (an in-memory S3; the absolute figures
say more about moto than about S3). Peak memory: one extra untimed run of each case under
`tracemalloc` (Python allocations; a file held in memory would show as its size).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.test import override_settings

from bench.harness import Measurement, Results, log, measure_alternating

MB = 1024 * 1024


def _peak(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _drain(chunks: Any) -> int:
    total = 0
    for block in chunks:
        total += len(block)
    return total


def _source(folder: Path, size_mb: int) -> Path:
    path = folder / "source.bin"
    block = os.urandom(MB)
    with path.open("wb") as handle:
        for n in range(size_mb):
            handle.write(hashlib.sha256(str(n).encode()).digest() + block[32:])
    return path


def _cases(
    results: Results, backend: str, size_mb: int, source: Path, plain: dict[str, Callable[[], Any]]
) -> list[tuple[Measurement, Callable[[], Any]]]:
    from kehu.core import storage

    stored: dict[str, str] = {}

    def upload() -> None:
        with source.open("rb") as handle:
            stored["name"] = storage.store(f"bench/{backend}/doc.bin", handle).name

    def download() -> None:
        assert _drain(storage.iter_plain(stored["name"])) == size_mb * MB

    up = results.add(Measurement(f"{backend}_upload", f"store() {backend}", size_mb, "MB"))
    down = results.add(Measurement(f"{backend}_download", f"iter_plain() {backend}", size_mb, "MB"))
    base_up = results.add(
        Measurement(f"{backend}_plain_upload", plain["up_label"], size_mb, "MB")  # type: ignore[arg-type]
    )
    base_down = results.add(
        Measurement(f"{backend}_plain_download", plain["down_label"], size_mb, "MB")  # type: ignore[arg-type]
    )
    results.compare(f"upload {size_mb} MB, {backend}", up.key, base_up.key)
    results.compare(f"download {size_mb} MB, {backend}", down.key, base_down.key)
    upload()  # something to download before the first round
    cases = [(up, upload), (base_up, plain["up"]), (down, download), (base_down, plain["down"])]
    for measurement, fn in cases:
        measurement.extra["peak_mib"] = round(_peak(fn), 1)
        log(f"{measurement.key}: peak Python memory {measurement.extra['peak_mib']} MiB")
    return cases


def run(config: dict[str, Any]) -> Results:
    size_mb = int(config.get("document_mb", 200))
    reps = max(1, min(int(config["reps"]), 3))
    results = Results("documents")
    results.facts["file_mb"] = size_mb
    work = Path(tempfile.mkdtemp(prefix="documents-", dir=config.get("data_dir") or None))
    try:
        source = _source(work, size_mb)
        log(f"documents: source file of {size_mb} MB written")
        _local(results, work, source, size_mb, reps)
        _s3(results, work, source, size_mb, reps)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for m in results.measurements.values():
        results.facts[f"peak_mib_{m.key}"] = m.extra.get("peak_mib")
    return results


def _reset_storage() -> None:
    from kehu.core.storage import storage

    storage()._inner = None


def _local(results: Results, work: Path, source: Path, size_mb: int, reps: int) -> None:
    files = work / "files"
    plain_copy = work / "plain-copy.bin"

    def up() -> None:
        with source.open("rb") as src, plain_copy.open("wb") as dst:
            shutil.copyfileobj(src, dst, MB)

    def down() -> None:
        with plain_copy.open("rb") as handle:
            assert _drain(iter(lambda: handle.read(256 * 1024), b"")) == size_mb * MB

    with override_settings(KEHU_FILES_DIR=files, KEHU_S3_BUCKET=""):
        _reset_storage()
        up()
        plain = {"up": up, "down": down, "up_label": "copyfileobj", "down_label": "plain read"}
        cases = _cases(results, "local", size_mb, source, plain)
        measure_alternating(cases, reps)
    _reset_storage()


def _s3(results: Results, work: Path, source: Path, size_mb: int, reps: int) -> None:
    import boto3
    from boto3.s3.transfer import TransferConfig

    executable = Path(sys.executable).with_name("moto_server")
    port = _free_port()
    process = subprocess.Popen(
        [str(executable), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        client = boto3.client(
            "s3", endpoint_url=endpoint, aws_access_key_id="bench",
            aws_secret_access_key="bench", region_name="us-east-1",
        )  # fmt: skip
        client.create_bucket(Bucket="bench")
        transfer = TransferConfig(multipart_chunksize=8 * MB, max_concurrency=2)
        transfer.max_in_memory_upload_chunks = 3  # as kehu.core.storage configures it

        def up() -> None:
            with source.open("rb") as handle:
                client.upload_fileobj(handle, "bench", "plain.bin", Config=transfer)

        def down() -> None:
            body = client.get_object(Bucket="bench", Key="plain.bin")["Body"]
            assert _drain(iter(lambda: body.read(256 * 1024), b"")) == size_mb * MB

        options = {
            "bucket_name": "bench", "endpoint_url": endpoint, "access_key": "bench",
            "secret_key": "bench", "region_name": "us-east-1", "location": "",
            "addressing_style": "path", "file_overwrite": False, "default_acl": None,
        }  # fmt: skip
        with override_settings(KEHU_S3_BUCKET="bench", KEHU_S3_OPTIONS=options):
            _reset_storage()
            up()
            plain = {"up": up, "down": down, "up_label": "boto3 upload_fileobj"}
            plain["down_label"] = "boto3 get_object stream"  # type: ignore[assignment]
            cases = _cases(results, "s3", size_mb, source, plain)  # type: ignore[arg-type]
            measure_alternating(cases, reps)
        _reset_storage()
    finally:
        process.terminate()
        process.wait(timeout=20)
